"""The calendar's rules at the edge: what a valid day, instant, override and range look like
(API.md *Directory* → Calendar, DOMAIN.md §5). Pure: no database, no web framework; the maths
itself is `libs.common.calendar` and is never re-implemented here."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from libs.common.errors import ValidationFailed

KINDS = {"off": False, "work": True}  # an override's kind → working?
MIN_YEAR, MAX_YEAR = 2000, 2099  # calendars outside this range are a typo, not a plan
MAX_RANGE_DAYS = 366  # GET …/calendar answers at most this many days
MAX_WORKING_DAYS = 365  # a deadline preview's n
MAX_REASON = 200

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_HHMM_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\Z")
# a "+08:00" offset sent unencoded in a query string arrives as " 08:00"
_SPACE_OFFSET_RE = re.compile(r" (\d{2}:?\d{2})\Z")


def parse_day(value: str, what: str = "date") -> date:
    """A `YYYY-MM-DD` date (a local date of the county) inside the supported years."""
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ValidationFailed(f"{what} must be a date YYYY-MM-DD, got {value!r}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{what} is not a calendar date: {value!r}") from None
    check_year(day.year, what)
    return day


def check_year(year: int, what: str = "date") -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(f"{what} must be in the years {MIN_YEAR}..{MAX_YEAR}")


def parse_instant(value: str, what: str = "start") -> datetime:
    """An RFC 3339 instant with an offset (any offset; `Z` is UTC). A naive time is refused: its
    zone would be a guess."""
    if not isinstance(value, str) or "T" not in value.upper():
        raise ValidationFailed(f"{what} must be an RFC 3339 date-time with an offset, got {value!r}")
    text = _SPACE_OFFSET_RE.sub(r"+\1", value.strip())
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{what} must be an RFC 3339 date-time with an offset, got {value!r}"
        ) from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValidationFailed(f"{what} needs a time-zone offset (e.g. +08:00 or Z), got {value!r}")
    check_year(instant.year, what)
    return instant


def parse_range(first: str, last: str) -> tuple[date, date]:
    d1, d2 = parse_day(first, "from"), parse_day(last, "to")
    if d1 > d2:
        raise ValidationFailed("from must not be after to")
    if (d2 - d1).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(f"a calendar range covers at most {MAX_RANGE_DAYS} days")
    return d1, d2


def override_working(kind: str) -> bool:
    if kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    return KINDS[kind]


def require_reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed("a calendar override needs a reason")
    if len(reason.strip()) > MAX_REASON:
        raise ValidationFailed(f"reason must be at most {MAX_REASON} characters")
    return reason.strip()


def check_working_days(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_WORKING_DAYS:
        raise ValidationFailed(f"working_days must be an integer 0..{MAX_WORKING_DAYS}")
    return n


def parse_hours(value: object) -> tuple[tuple[time, time], ...]:
    """Office hours as stored in a tenant's settings: [["09:00","12:00"], ["14:00","17:30"]].
    Order and overlap are checked by the calendar when it is compiled."""
    if not isinstance(value, list | tuple) or not value:
        raise ValidationFailed("office_hours must be a non-empty list of [start, end] pairs")
    hours = []
    for pair in value:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValidationFailed("office_hours must be a list of [start, end] pairs")
        hours.append((_hhmm(pair[0]), _hhmm(pair[1])))
    return tuple(hours)


def format_hours(hours: tuple[tuple[time, time], ...]) -> list[list[str]]:
    return [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in hours]


def _hhmm(value: object) -> time:
    if isinstance(value, str) and (m := _HHMM_RE.match(value)):
        return time(int(m.group(1)), int(m.group(2)))
    raise ValidationFailed(f"office hours are HH:MM, got {value!r}")
