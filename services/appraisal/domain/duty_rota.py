"""The leader-on-duty rota (领导带班值班, DOMAIN.md §8; seed 004 第二篇 八): a monthly rota,
published in advance, naming the leader in the centre on each day.

Pure rules of one month's rota: the month is a real `YYYY-MM`, every day a strict `YYYY-MM-DD`
inside that month, no day twice, a username (a directory code) on each, at least one day. A
month before the current month (`today`, the county's local date) is refused — a rota is
published in advance — while the current month may still be corrected. Which usernames are staff
of the township is the service layer's question (the directory projection), not this module's.

Ranges for reading (`day_range`): both ends strict dates, `from` ≤ `to`, at most `MAX_RANGE_DAYS`
days inclusive."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from libs.common.errors import ValidationFailed
from libs.common.tenancy import USERNAME_RE

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})\Z")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
MAX_RANGE_DAYS = 366


@dataclass(frozen=True, order=True)
class DutyDay:
    day: date
    username: str


@dataclass(frozen=True)
class Rota:
    """One month's rota as published: `days` in date order."""

    month: str  # "YYYY-MM"
    days: tuple[DutyDay, ...]
    # the working days of the month with no leader (`gaps`): published, but warned of
    gaps: tuple[date, ...] = field(default=(), compare=False)

    @property
    def first(self) -> date:
        return first_day(self.month)

    @property
    def last(self) -> date:
        return last_day(self.month)


def first_day(month: str) -> date:
    """The first day of a `YYYY-MM` month (a real month, else ValidationFailed)."""
    m = MONTH_RE.match(month) if isinstance(month, str) else None
    if m is None:
        raise ValidationFailed(f"month must be YYYY-MM, got {month!r}")
    year, number = int(m.group(1)), int(m.group(2))
    if year < 1 or not 1 <= number <= 12:
        raise ValidationFailed(f"month {month!r} is not a month of the calendar")
    return date(year, number, 1)


def last_day(month: str) -> date:
    first = first_day(month)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def parse_date(text: str, what: str = "date") -> date:
    """A strict `YYYY-MM-DD` (not the other ISO forms `date.fromisoformat` takes)."""
    if not isinstance(text, str) or not DATE_RE.match(text):
        raise ValidationFailed(f"{what} must be YYYY-MM-DD, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{what} {text!r} is not a date of the calendar") from None


def rota(month: str, days: Iterable[tuple[str, str]], today: date) -> Rota:
    """A month's rota from `(date, username)` pairs, validated against `today` (the county's date)."""
    first, last = first_day(month), last_day(month)
    if first < today.replace(day=1):
        raise ValidationFailed(
            f"the rota of {month} can no longer be published: a rota is published in advance "
            f"(the current month {today:%Y-%m} may still be corrected)"
        )
    seen: dict[date, str] = {}
    for text, username in days:
        day = parse_date(text, "a duty day's date")
        if not first <= day <= last:
            raise ValidationFailed(f"duty day {text} is not in the month {month}")
        if day in seen:
            raise ValidationFailed(f"duty day {text} is listed twice")
        if not isinstance(username, str) or not username:
            raise ValidationFailed(f"duty day {text} has no username")
        if not USERNAME_RE.match(username):
            raise ValidationFailed(f"the username of duty day {text} is not a username: {username!r}")
        seen[day] = username
    if not seen:
        raise ValidationFailed(f"the rota of {month} names no day")
    return Rota(month, tuple(sorted(DutyDay(d, u) for d, u in seen.items())))


def gaps(rota: Rota, is_working: Callable[[date], bool]) -> tuple[date, ...]:
    """The working days of the rota's month (the tenant's calendar) that name no leader on duty.
    Seed 004 第二篇 八: "保证每天有一位乡领导干部在中心接待群众来访" — a rota with gaps is published
    (a month may be filled in as it goes) but its gaps are said, each day."""
    named = {d.day for d in rota.days}
    day, found = rota.first, []
    while day <= rota.last:
        if is_working(day) and day not in named:
            found.append(day)
        day += timedelta(days=1)
    return tuple(found)


def last_working_day(month: str, is_working: Callable[[date], bool]) -> date | None:
    """The month's last working day (None: it has none)."""
    day, first = last_day(month), first_day(month)
    while day >= first:
        if is_working(day):
            return day
        day -= timedelta(days=1)
    return None


def next_month(month: str) -> str:
    first = last_day(month) + timedelta(days=1)
    return f"{first:%Y-%m}"


def day_range(from_date: str, to_date: str) -> tuple[date, date]:
    """The inclusive range `from_date`..`to_date` (both required), at most MAX_RANGE_DAYS days."""
    start, end = parse_date(from_date, "from_date"), parse_date(to_date, "to_date")
    if start > end:
        raise ValidationFailed(f"from_date {from_date} is after to_date {to_date}")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(f"a range spans at most {MAX_RANGE_DAYS} days")
    return start, end
