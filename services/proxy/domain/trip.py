"""Trip days (DOMAIN.md §6.3 step 3): the days a village agent carries what waits to the township
centre — seed 002 篇1 "村'代办员'每周日、周三到乡便民服务中心集中办理" — the tenant setting
`trip_days` (weekday words), default Wednesday and Sunday. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.proxy.domain.delegation import Delegation

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TRIP_DAYS = ("wed", "sun")
TOWNSHIP, COUNTY = "township", "county"  # where a trip goes
PLANNED, DELIVERED = "planned", "delivered"


@dataclass(frozen=True)
class Trip:
    """One carrier's trip on a trip day to the township centre or the county, with its manifest
    (the delegations on it)."""

    id: str
    date: date
    carrier: str
    village: str  # the carrier's ("" for a township agent)
    destination: str  # township | county
    status: str  # planned | delivered
    delivered_at: datetime | None = None
    delegations: tuple[Delegation, ...] = field(default=())


def trip_days(value: object) -> tuple[str, ...]:
    """The setting's weekdays in week order, or the default when missing or unusable."""
    if not isinstance(value, list | tuple):
        return DEFAULT_TRIP_DAYS
    days = tuple(d for d in WEEKDAYS if d in {str(v).strip().lower() for v in value})
    return days or DEFAULT_TRIP_DAYS


def next_trip_day(today: date, days: Iterable[str]) -> date:
    """The first trip day after `today` (today's trip, if any, has left or is on its way)."""
    wanted = {WEEKDAYS.index(d) for d in days if d in WEEKDAYS} or {
        WEEKDAYS.index(d) for d in DEFAULT_TRIP_DAYS
    }
    for ahead in range(1, 8):
        day = today + timedelta(days=ahead)
        if day.weekday() in wanted:
            return day
    raise AssertionError("a week has every weekday")  # pragma: no cover
