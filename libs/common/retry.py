"""How long to wait before trying again: exponential back-off, capped, optionally jittered.
The consumer's retries of a failed event and notify's retries of a failed send both use it."""

from __future__ import annotations

import math
import random
from collections.abc import Callable


def backoff_seconds(
    attempts: int,
    base: float,
    cap: float = math.inf,
    jitter: float = 0.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """Delay before the next try after `attempts` failed ones: base·2^(attempts-1), at most `cap`,
    then spread by ±`jitter` (a fraction: 0.2 = ±20 %) so that a provider that was down for
    everyone is not hit by every retry in the same second."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    if jitter:
        delay *= 1 + jitter * (2 * rand() - 1)
    return max(0.0, delay)
