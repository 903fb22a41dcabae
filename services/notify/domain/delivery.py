"""Delivery policy, pure: retries (their delay is libs.common.retry's back-off), quiet hours and
the per-tenant send rate (DOMAIN.md §10).

Nothing here touches a database or a network; the dispatcher (service_layer/delivery.py) feeds it
times, settings and calendars and acts on its answers."""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from libs.common.calendar import DEFAULT_HOURS, WorkCalendar
from libs.common.rate import TokenBuckets

Hours = tuple[tuple[time, time], ...]

SMS, EMAIL, INBOX, PRINT = "sms", "email", "inbox", "print"
QUEUED, SENT, DELIVERED, FAILED, DEAD_LETTERED = "queued", "sent", "delivered", "failed", "dead_lettered"


# --- retries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What to record after a failed try: the new status and when to try again (None: parked)."""

    status: str
    next_attempt_at: datetime | None


def after_failure(attempts: int, max_attempts: int, now: datetime, delay: float) -> Outcome:
    """`attempts` counts the try that just failed; at `max_attempts` the notification is parked."""
    if attempts >= max_attempts:
        return Outcome(DEAD_LETTERED, None)
    return Outcome(FAILED, now + timedelta(seconds=delay))


# --- quiet hours -------------------------------------------------------------------------------


def parse_hours(value: Iterable[Any] | None) -> Hours:
    """Office hours as projected from `SettingsChanged` ([{"start": "09:00", "end": "12:00"}, …]
    or [["09:00", "12:00"], …]); none known → the defaults (9:00–12:00, 14:00–17:30)."""
    pairs = []
    for item in value or ():
        start, end = (item.get("start", ""), item.get("end", "")) if isinstance(item, dict) else item
        pairs.append((time.fromisoformat(str(start)), time.fromisoformat(str(end))))
    return tuple(sorted(pairs)) or DEFAULT_HOURS


def quiet_until(
    now: datetime,
    *,
    tz: str,
    hours: Sequence[tuple[time, time]] | Callable[[date], Sequence[tuple[time, time]]],
    is_working: Callable[[date], bool],
    horizon_days: int = 60,
) -> datetime | None:
    """None when `now` is inside office hours of a working day (send now); otherwise the start of
    the next office-hours interval on a working day, in UTC. Citizens are not texted at night or on
    a holiday about something that can wait (urgent messages skip this check). `hours`: the same
    every day, or a function of the (working) day."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    for offset in range(horizon_days + 1):
        day = local.date() + timedelta(days=offset)
        if not is_working(day):
            continue
        for start, end in hours(day) if callable(hours) else hours:
            opens = datetime.combine(day, start, zone)
            closes = datetime.combine(day, end, zone)
            if offset == 0 and opens <= local < closes:
                return None
            if opens > local:
                return opens.astimezone(UTC)
    # no working day in sight (a calendar full of holidays): do not hold the message for ever
    return None


def quiet_until_in(calendar: WorkCalendar, now: datetime, *, horizon_days: int = 60) -> datetime | None:
    """`quiet_until` over a township's compiled calendar: its working days (national ∘ county ∘
    township: a local festival holds the message, an adjusted working Saturday lets it go) and its
    office hours, in its time zone. A day beyond the calendar's range counts as not working."""

    def working(day: date) -> bool:
        return calendar.first <= day <= calendar.last and calendar.day_info(day).working

    return quiet_until(
        now,
        tz=calendar.tz.key,
        hours=lambda day: calendar.day_info(day).hours,
        is_working=working,
        horizon_days=horizon_days,
    )


def weekdays_only(day: date) -> bool:
    return day.weekday() < 5


# --- per-tenant rate limit ---------------------------------------------------------------------


class TenantRateLimiter:
    """One token bucket per tenant (a busy township does not slow the others down): over the
    limit a send waits, it is never dropped. Thread-safe: the all-in-one dispatcher may share it
    between threads. `rate` 0 = unlimited."""

    def __init__(self, rate: float, clock: Callable[[], float] = _time.monotonic):
        self.rate = rate
        self._buckets = TokenBuckets(rate, clock=clock) if rate > 0 else None

    def take(self, tenant: str) -> float:
        """0 when `tenant` may send now (its token is taken), else the seconds to wait."""
        return self._buckets.take(tenant) if self._buckets is not None else 0.0
