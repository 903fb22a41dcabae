"""The one token bucket (libs.common.rate) and the one back-off (libs.common.retry)."""

from __future__ import annotations

import math

import pytest

from libs.common.rate import NEVER, TokenBucket, TokenBuckets
from libs.common.retry import backoff_seconds


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_a_bucket_grants_its_burst_then_says_how_long_to_wait() -> None:
    clock = Clock()
    bucket = TokenBucket(2, burst=3, clock=clock)
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() == pytest.approx(0.5)
    assert bucket.take() == pytest.approx(0.5)  # nothing was taken
    clock.t = 0.5
    assert bucket.take() == 0.0


def test_a_bucket_holds_at_least_one_token_and_refuses_a_negative_rate() -> None:
    assert TokenBucket(0.1).burst == 1.0
    with pytest.raises(ValueError):
        TokenBucket(-1)


def test_a_bucket_that_never_refills_says_an_hour() -> None:
    bucket = TokenBucket(0, burst=1, clock=Clock())
    assert bucket.take() == 0.0
    assert bucket.take() == NEVER


def test_buckets_are_per_key_and_full_ones_are_forgotten() -> None:
    clock = Clock()
    buckets = TokenBuckets(1, 2, clock=clock)
    assert [buckets.take("a"), buckets.take("a"), buckets.take("b")] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1.0)
    assert len(buckets) == 2
    clock.t = 100.0  # both refilled: the next sweep drops them, then "c" is new
    assert buckets.take("c") == 0.0
    assert len(buckets) == 1


def test_backoff_doubles_up_to_the_cap_and_jitters_within_its_fraction() -> None:
    assert [backoff_seconds(n, 5) for n in range(0, 5)] == [5, 5, 10, 20, 40]
    assert backoff_seconds(10, 30, 3600) == 3600
    assert backoff_seconds(3, 10, jitter=0.2, rand=lambda: 0.0) == pytest.approx(32)
    assert backoff_seconds(3, 10, jitter=0.2, rand=lambda: 1.0) == pytest.approx(48)
    assert backoff_seconds(1, 1, cap=math.inf) == 1
