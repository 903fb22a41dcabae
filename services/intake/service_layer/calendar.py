"""Intake's own view of the working-day calendar (DOMAIN.md §5, ARCHITECTURE.md §5).

The gateway owns the calendar; intake keeps a projection of it from the gateway's events so that
the clock never calls the gateway at request time:

- `NationalCalendarImported` (county scope `<county>.*`): the whole year's national special days
  and its published flag replace intake's copy of that year.
- `CalendarDayChanged`: one county override (county scope) or township override (the township).

Each day row keeps the version of the change that wrote it: an older or repeated event changes
nothing, a removal leaves a tombstone. `tenant_calendar` compiles national ∘ county ∘ township
and the tenant's office hours into a `WorkCalendar` (libs.common.calendar does the maths), cached
by the three scopes' versions.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from libs.common import db
from libs.common.calendar import DEFAULT_HOURS, DEFAULT_TZ, NationalYear, WorkCalendar, effective_days
from libs.common.errors import ValidationFailed
from libs.common.messaging import Envelope, county_scope
from libs.common.tenancy import county_of
from services.intake.adapters import tables

NATIONAL, COUNTY, TOWNSHIP = "national", "county", "township"
_CACHE_SIZE = 64
Hours = tuple[tuple[time, time], ...]


# --- event handlers (run in the consumer's transaction, scoped to the envelope's tenant) -------


def on_national_calendar_imported(envelope: Envelope, session: Session) -> None:
    """Replace the year's national days, unless a newer import of that year is already here."""
    data = envelope.data
    year, version = int(data["year"]), int(data.get("version", 0))
    tenant = envelope.tenant_id  # the county scope
    y = tables.calendar_year
    stmt = insert(y).values(
        tenant_id=tenant, year=year, published=bool(data.get("published", False)), version=version
    )
    applied = session.execute(
        stmt.on_conflict_do_update(
            index_elements=[y.c.tenant_id, y.c.year],
            set_={
                "published": stmt.excluded.published,
                "version": stmt.excluded.version,
                "updated_at": sa.func.now(),
            },
            where=y.c.version < stmt.excluded.version,
        ).returning(y.c.year)
    ).first()
    if applied is None:
        return  # a duplicate, or older than what is stored
    d = tables.calendar_day
    session.execute(
        sa.delete(d).where(
            d.c.tenant_id == tenant,
            d.c.level == NATIONAL,
            d.c.day.between(date(year, 1, 1), date(year, 12, 31)),
        )
    )
    rows = [
        {
            "tenant_id": tenant,
            "level": NATIONAL,
            "day": date.fromisoformat(day["date"]),
            "working": bool(day.get("working", False)),
            "reason": day.get("reason", ""),
            "version": version,
        }
        for day in data.get("days", [])
    ]
    if rows:
        session.execute(insert(d), rows)
    _raise_version(session, tenant, NATIONAL, version)


def on_calendar_day_changed(envelope: Envelope, session: Session) -> None:
    """Upsert (or tombstone, when `removed`) one override, if newer than the stored row."""
    data = envelope.data
    day = data.get("day") or {}
    version = int(data.get("version", 0))
    level = COUNTY if envelope.county_wide else TOWNSHIP
    working = None if data.get("removed") else day.get("kind") == "DAY_KIND_WORK"
    d = tables.calendar_day
    stmt = insert(d).values(
        tenant_id=envelope.tenant_id,
        level=level,
        day=date.fromisoformat(day["date"]),
        working=working,
        reason=day.get("reason", ""),
        version=version,
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[d.c.tenant_id, d.c.level, d.c.day],
            set_={
                "working": stmt.excluded.working,
                "reason": stmt.excluded.reason,
                "version": stmt.excluded.version,
                "updated_at": sa.func.now(),
            },
            where=d.c.version < stmt.excluded.version,
        )
    )
    _raise_version(session, envelope.tenant_id, level, version)


def _raise_version(session: Session, tenant: str, level: str, version: int) -> None:
    v = tables.calendar_version
    stmt = insert(v).values(tenant_id=tenant, level=level, version=version)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[v.c.tenant_id, v.c.level],
            set_={
                "version": sa.func.greatest(v.c.version, stmt.excluded.version),
                "updated_at": sa.func.now(),
            },
        )
    )


# --- the compiled calendar --------------------------------------------------------------------


def tenant_calendar(
    session: Session, tenant: str, first_year: int | None = None, last_year: int | None = None
) -> WorkCalendar:
    """The township's compiled calendar over whole years (default: last year to two years
    ahead), in its session (scoped to `tenant`). County rows are read by switching the scope to
    `<county>.*` and back inside the same transaction (as catalogue.copy_template does)."""
    this_year = datetime.now(UTC).year
    first = this_year - 1 if first_year is None else first_year
    last = this_year + 2 if last_year is None else last_year
    if first > last:
        raise ValidationFailed("calendar range is empty (first year after last year)")
    scope = county_scope(county_of(tenant))

    own_version = _versions(session).get(TOWNSHIP, 0)  # versions before rows: see the cache key
    own_hours, own_tz = _settings(session)
    _set_scope(session, scope)
    try:
        versions = _versions(session)
        county_hours, county_tz = _settings(session)
        hours = own_hours or county_hours or DEFAULT_HOURS
        tz = own_tz or county_tz or DEFAULT_TZ
        key = (
            tenant,
            first,
            last,
            hours,
            tz,
            versions.get(NATIONAL, 0),
            versions.get(COUNTY, 0),
            own_version,
        )
        cache = _cache_of(session)
        with _cache_lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        published, national, county = _county_rows(session, first, last)
    finally:
        _set_scope(session, tenant)
    township = _days(session, TOWNSHIP, first, last)
    years = [
        NationalYear(
            year,
            off_days=frozenset(d for d, w in national.items() if d.year == year and not w),
            work_days=frozenset(d for d, w in national.items() if d.year == year and w),
            published=published.get(year, False),  # never imported: as unpublished
        )
        for year in range(first, last + 1)
    ]
    calendar = WorkCalendar.from_days(
        date(first, 1, 1), date(last, 12, 31), effective_days(years, county, township), hours=hours, tz=tz
    )
    with _cache_lock:
        cache[key] = calendar
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
    return calendar


# one cache per database engine, so two databases in one process never share entries
_caches: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple, WorkCalendar]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def _cache_of(session: Session) -> OrderedDict[tuple, WorkCalendar]:
    engine = session.connection().engine
    with _cache_lock:
        return _caches.setdefault(engine, OrderedDict())


def _set_scope(session: Session, scope: str) -> None:
    session.execute(sa.text("SELECT set_config(:k, :v, true)"), {"k": db.TENANT_SETTING, "v": scope})


def _versions(session: Session) -> dict[str, int]:
    v = tables.calendar_version
    return {
        level: int(version) for level, version in session.execute(sa.select(v.c.level, v.c.version)).all()
    }


def _settings(session: Session) -> tuple[Hours | None, str | None]:
    s = tables.settings
    row = session.execute(sa.select(s.c.office_hours, s.c.timezone)).first()
    if row is None:
        return None, None
    return _hours(row.office_hours), row.timezone or None


def _hours(value: Iterable[Any] | None) -> Hours | None:
    """Office hours as projected from `SettingsChanged`: [{"start": "09:00", "end": "12:00"}, …]."""
    pairs = []
    for item in value or ():
        start, end = (item.get("start", ""), item.get("end", "")) if isinstance(item, dict) else item
        pairs.append((time.fromisoformat(str(start)), time.fromisoformat(str(end))))
    return tuple(pairs) or None


def _days(session: Session, level: str, first: int, last: int) -> dict[date, bool]:
    d = tables.calendar_day
    rows = session.execute(
        sa.select(d.c.day, d.c.working).where(
            d.c.level == level,
            d.c.working.is_not(None),
            d.c.day.between(date(first, 1, 1), date(last, 12, 31)),
        )
    ).all()
    return {day: bool(working) for day, working in rows}


def _county_rows(
    session: Session, first: int, last: int
) -> tuple[dict[int, bool], dict[date, bool], dict[date, bool]]:
    y = tables.calendar_year
    published = {
        int(year): bool(p)
        for year, p in session.execute(
            sa.select(y.c.year, y.c.published).where(y.c.year.between(first, last))
        )
    }
    return published, _days(session, NATIONAL, first, last), _days(session, COUNTY, first, last)
