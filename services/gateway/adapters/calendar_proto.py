"""Calendar changes → `bianmin.gateway.v1` event messages (events.proto, calendar.proto)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from bianmin.gateway.v1 import calendar_pb2, events_pb2

_SOURCE_ENUM = {
    "county": calendar_pb2.CALENDAR_SOURCE_COUNTY,
    "township": calendar_pb2.CALENDAR_SOURCE_TOWNSHIP,
}
_KIND_ENUM = {True: calendar_pb2.DAY_KIND_WORK, False: calendar_pb2.DAY_KIND_OFF}


def national_imported(
    year: int, published: bool, county: str, version: int, days: Iterable[tuple[date, bool, str]]
) -> events_pb2.NationalCalendarImported:
    """`days`: (day, working, reason) of the year's special days, in date order."""
    event = events_pb2.NationalCalendarImported(
        year=year, published=published, county=county, version=version
    )
    for d, w, r in days:
        event.days.add(date=d.isoformat(), working=w, reason=r, source=calendar_pb2.CALENDAR_SOURCE_NATIONAL)
    return event


def day_changed(
    county: str, level: str, view: dict, at: datetime, version: int, *, removed: bool
) -> events_pb2.CalendarDayChanged:
    """A county or township override (`view` as the service layer shows it) set or removed."""
    override = calendar_pb2.CalendarOverride(
        date=view["date"],
        kind=_KIND_ENUM[view["kind"] == "work"],
        reason=view["reason"],
        source=_SOURCE_ENUM[level],
    )
    override.updated_at.FromDatetime(at)
    return events_pb2.CalendarDayChanged(county=county, day=override, removed=removed, version=version)
