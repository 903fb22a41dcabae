"""Token buckets: at most `rate` takes a second, with bursts of up to `burst`. The gateway's edge
limits requests by client and by user with them; notify spaces each township's sends.

A take that finds no token takes nothing and says how many seconds until there is one, so a
caller can answer `Retry-After` or hold a send back for that long."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

NEVER = 3600.0  # the wait a bucket that never refills (rate 0) answers: an hour


class TokenBucket:
    """One bucket, full to begin with: `rate` tokens a second, at most `burst` stored (default
    a second's worth, and never less than one). Not thread-safe on its own (see TokenBuckets)."""

    __slots__ = ("rate", "burst", "clock", "tokens", "at")

    def __init__(self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic):
        if rate < 0:
            raise ValueError("rate must not be negative")
        self.rate = float(rate)
        self.burst = max(1.0, float(burst if burst is not None else rate))
        self.clock = clock
        self.tokens = self.burst
        self.at = clock()

    def take(self) -> float:
        """0.0 if a token was there (it is taken), else the seconds until there is one."""
        now = self.clock()
        self.tokens = self._level(now)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate if self.rate > 0 else NEVER

    def full(self, now: float) -> bool:
        """Whether the bucket has refilled by `now` (forgetting it changes nothing)."""
        return self._level(now) >= self.burst

    def _level(self, now: float) -> float:
        return min(self.burst, self.tokens + (now - self.at) * self.rate)


class TokenBuckets:
    """A bucket for each key (client, user, township), all of the same `rate` and `burst`.
    Thread-safe; full buckets are dropped now and then, so memory follows the active keys."""

    def __init__(self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def take(self, key: str) -> float:
        """Take one token of `key`'s bucket: 0.0 if there was one, else the seconds until there is."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, self.clock)
            wait = bucket.take()
            if bucket.at >= self._next_sweep:
                self._sweep(bucket.at, bucket)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)

    def _sweep(self, now: float, bucket: TokenBucket) -> None:
        self._buckets = {k: b for k, b in self._buckets.items() if not b.full(now)}
        refill = bucket.burst / bucket.rate if bucket.rate > 0 else math.inf
        self._next_sweep = now + min(max(refill, 1.0), 60.0)
