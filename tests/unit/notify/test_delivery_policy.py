"""The dispatcher's pure policy: back-off, quiet hours, the per-township rate limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from libs.common.rate import TokenBucket
from libs.common.retry import backoff_seconds
from services.notify.domain.delivery import (
    DEAD_LETTERED,
    FAILED,
    TenantRateLimiter,
    after_failure,
    parse_hours,
    quiet_until,
    weekdays_only,
)

HOURS = ((time(9), time(12)), (time(14), time(17, 30)))
TZ = "Asia/Shanghai"


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    """A Beijing wall-clock time as UTC (UTC+8)."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=8)


# --- back-off ----------------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    delays = [backoff_seconds(n, 30, 3600) for n in range(1, 10)]
    assert delays[:5] == [30, 60, 120, 240, 480]
    assert delays[-1] == 3600 and max(delays) == 3600


def test_jitter_spreads_within_its_fraction() -> None:
    assert backoff_seconds(3, 10, 1000, jitter=0.2, rand=lambda: 0.0) == pytest.approx(32)
    assert backoff_seconds(3, 10, 1000, jitter=0.2, rand=lambda: 1.0) == pytest.approx(48)
    assert backoff_seconds(3, 10, 1000, jitter=0.2, rand=lambda: 0.5) == pytest.approx(40)


def test_parked_after_the_last_attempt_else_retried_later() -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    retry = after_failure(2, 3, now, 60)
    assert retry.status == FAILED and retry.next_attempt_at == now + timedelta(seconds=60)
    parked = after_failure(3, 3, now, 60)
    assert parked.status == DEAD_LETTERED and parked.next_attempt_at is None


# --- quiet hours -------------------------------------------------------------------------------


def test_inside_office_hours_on_a_working_day_sends_now() -> None:
    assert quiet_until(local(2026, 3, 2, 10), tz=TZ, hours=HOURS, is_working=weekdays_only) is None  # Monday
    assert quiet_until(local(2026, 3, 2, 17, 29), tz=TZ, hours=HOURS, is_working=weekdays_only) is None


def test_lunch_break_waits_for_the_afternoon() -> None:
    until = quiet_until(local(2026, 3, 2, 12, 30), tz=TZ, hours=HOURS, is_working=weekdays_only)
    assert until == local(2026, 3, 2, 14)


def test_evening_waits_for_the_next_morning_and_friday_night_for_monday() -> None:
    assert quiet_until(local(2026, 3, 2, 17, 30), tz=TZ, hours=HOURS, is_working=weekdays_only) == local(
        2026, 3, 3, 9
    )
    friday_night = local(2026, 3, 6, 22)
    assert quiet_until(friday_night, tz=TZ, hours=HOURS, is_working=weekdays_only) == local(2026, 3, 9, 9)


def test_a_holiday_is_skipped() -> None:
    holiday = date(2026, 3, 3)

    def working(day: date) -> bool:
        return weekdays_only(day) and day != holiday

    assert quiet_until(local(2026, 3, 2, 20), tz=TZ, hours=HOURS, is_working=working) == local(2026, 3, 4, 9)


def test_early_morning_waits_for_opening_the_same_day() -> None:
    # 00:30 in Beijing is still the previous day in UTC: the local date is what counts
    assert quiet_until(local(2026, 3, 3, 0, 30), tz=TZ, hours=HOURS, is_working=weekdays_only) == local(
        2026, 3, 3, 9
    )


def test_office_hours_from_the_settings_projection() -> None:
    assert parse_hours([{"start": "08:30", "end": "12:00"}]) == ((time(8, 30), time(12)),)
    hours = parse_hours([["14:00", "17:00"], ["09:00", "11:00"]])
    assert hours == ((time(9), time(11)), (time(14), time(17)))
    assert parse_hours([]) == HOURS  # the defaults


# --- rate limit --------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_token_bucket_grants_the_burst_then_says_how_long_to_wait() -> None:
    clock = Clock()
    bucket = TokenBucket(2, clock=clock)
    assert [bucket.take() for _ in range(2)] == [0.0, 0.0]
    assert bucket.take() == pytest.approx(0.5)  # nothing taken: the wait is the same next time
    assert bucket.take() == pytest.approx(0.5)
    clock.t = 0.5
    assert bucket.take() == 0.0
    assert bucket.take() == pytest.approx(0.5)


def test_rate_is_per_township() -> None:
    clock = Clock()
    limiter = TenantRateLimiter(1, clock=clock)
    assert limiter.take("demo.a") == 0.0
    assert limiter.take("demo.a") > 0
    assert limiter.take("demo.b") == 0.0
    assert TenantRateLimiter(0).take("demo.a") == 0.0  # 0 = no limit


def test_over_time_the_rate_holds() -> None:
    clock = Clock()
    limiter = TenantRateLimiter(5, clock=clock)
    sent = 0
    for step in range(100):  # 10 s in steps of 0.1 s, a sender that always wants to send
        clock.t = step * 0.1
        while limiter.take("demo.a") == 0.0:
            sent += 1
    assert 5 * 10 <= sent <= 5 * 10 + 5  # the rate, plus at most the initial burst
