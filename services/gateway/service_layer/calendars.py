"""Calendars at the gateway (DOMAIN.md §5, API.md *Directory* → Calendar).

- The national calendar, imported per year from `holidays` and cross-checked against
  `chinesecalendar`; a year not published yet is stored as provisional (weekends only).
- County and township overrides of single days; each change bumps its scope's version and
  publishes `CalendarDayChanged` in the same transaction (intake re-derives deadlines).
- A tenant's effective calendar (national ∘ county ∘ township) compiled from the stored rows into
  a `WorkCalendar` (libs.common.calendar does all the maths), cached by the scopes' versions.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.calendar import DEFAULT_HOURS, WorkCalendar, is_published, national_year, published_years
from libs.common.calendar_projection import compose
from libs.common.errors import NotFound
from libs.common.messaging import outbox
from libs.common.messaging.envelope import county_scope
from libs.common.observability import CALENDAR_PROVISIONAL
from libs.common.tenancy import Principal
from services.gateway.adapters import calendar_proto, tables
from services.gateway.domain.calendar import (
    check_working_days,
    check_year,
    format_hours,
    override_working,
    parse_hours,
    require_reason,
)
from services.gateway.domain.directory import require_visible
from services.gateway.service_layer.settings import get_settings


def import_national_year(sessions: sessionmaker[Session], year: int, county: str) -> dict:
    """Replace the stored national days of `year`; returns what was imported and disagreements.
    Publishes `NationalCalendarImported` (the whole year's special days) under the county scope
    `<county>.*` in the same transaction, so intake's calendar projection follows."""
    data = national_year(year)
    days = [(d, False, "holiday") for d in data.off_days] + [
        (d, True, "adjusted working day") for d in data.work_days
    ]
    days = [(d, w, r) for d, w, r in days if d.year == year]
    disagreements = [
        {
            "date": d.day.isoformat(),
            "holidays": d.holidays_working,
            "chinesecalendar": d.chinesecalendar_working,
        }
        for d in data.disagreements
    ]
    with db.transaction(sessions, county_scope(county)) as s:
        s.execute(
            sa.delete(tables.calendar_day).where(
                tables.calendar_day.c.scope == "national",
                sa.extract("year", tables.calendar_day.c.day) == year,
            )
        )
        if days:
            s.execute(
                insert(tables.calendar_day),
                [
                    {"scope": "national", "day": d, "working": w, "reason": r, "source": "holidays"}
                    for d, w, r in days
                ],
            )
        stmt = insert(tables.calendar_year).values(
            scope="national", year=year, published=data.published, disagreements=disagreements
        )
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=["scope", "year"],
                set_={
                    "published": stmt.excluded.published,
                    "disagreements": stmt.excluded.disagreements,
                    "imported_at": sa.func.now(),
                },
            )
        )
        version = _bump(s, NATIONAL)  # compiled calendars of every tenant are stale now
        event = calendar_proto.national_imported(year, data.published, county, version, sorted(days))
        outbox.record(s, source="gateway", tenant_id=county_scope(county), message_or_type=event)
    return {"year": year, "published": data.published, "days": len(days), "disagreements": disagreements}


def import_published_years(sessions: sessionmaker[Session], county: str) -> list[dict]:
    """Imports every year the installed calendar libraries publish that is not stored as published
    yet — all of them on the first start, a year a newer `holidays` package brought afterwards —
    so that no deadline counts Spring Festival or National Day as working days because nobody ran
    `bianmin admin calendar-import`. Returns what each import returned."""
    with db.transaction(sessions, county_scope(county)) as s:
        stored = set(
            s.execute(
                sa.select(tables.calendar_year.c.year).where(
                    tables.calendar_year.c.scope == NATIONAL, tables.calendar_year.c.published.is_(True)
                )
            ).scalars()
        )
    return [import_national_year(sessions, year, county) for year in published_years() if year not in stored]


def report_provisional_years(county: str, today: date) -> None:
    """`bianmin_calendar_provisional_year` for this year and the next, which open deadlines cross:
    1 while the State Council has not published the year (its days off are weekends only)."""
    for year in (today.year, today.year + 1):
        CALENDAR_PROVISIONAL.labels(county=county, year=str(year)).set(0 if is_published(year) else 1)


# --- overrides, the effective calendar and deadline previews (API.md *Directory* → Calendar) ---

NATIONAL = "national"
_CACHE_SIZE = 64


@dataclass(frozen=True)
class _Place:
    """Where a township's calendar comes from: its county and the county's time zone."""

    tenant: str
    county: str
    tz: str


def set_override(
    sessions: sessionmaker[Session],
    principal: Principal,
    tenant: str | None,
    day: date,
    kind: str,
    reason: str,
) -> dict:
    """Override one day at county scope (`tenant` None: the caller's county) or township scope.
    The row, the scope's version and a `CalendarDayChanged` event commit together."""
    working, reason = override_working(kind), require_reason(reason)
    check_year(day.year)
    county, scope, event_tenant, level = _scope(sessions, principal, tenant)
    now = datetime.now(UTC)
    with db.transaction(sessions, event_tenant) as s:
        version = _bump(s, scope)
        stmt = insert(tables.calendar_day).values(
            scope=scope,
            day=day,
            working=working,
            reason=reason,
            source="override",
            updated_by=principal.username,
            updated_at=now,
        )
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=["scope", "day"],
                set_={
                    c: stmt.excluded[c] for c in ("working", "reason", "source", "updated_by", "updated_at")
                },
            )
        )
        view = _override_view(scope, level, day, working, reason, principal.username, now)
        outbox.record(
            s,
            source="gateway",
            tenant_id=event_tenant,
            message_or_type=calendar_proto.day_changed(county, level, view, now, version, removed=False),
        )
    return view | {"version": version}


def remove_override(
    sessions: sessionmaker[Session], principal: Principal, tenant: str | None, day: date
) -> None:
    """Remove the override of one day (`not_found` if there is none); the day falls back to the
    next level down (township → county → national)."""
    check_year(day.year)
    county, scope, event_tenant, level = _scope(sessions, principal, tenant)
    now = datetime.now(UTC)
    with db.transaction(sessions, event_tenant) as s:
        row = (
            s.execute(
                sa.delete(tables.calendar_day)
                .where(tables.calendar_day.c.scope == scope, tables.calendar_day.c.day == day)
                .returning(tables.calendar_day.c.working, tables.calendar_day.c.reason)
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"no {level} override of {day.isoformat()}")
        version = _bump(s, scope)
        view = _override_view(scope, level, day, row["working"], row["reason"], principal.username, now)
        outbox.record(
            s,
            source="gateway",
            tenant_id=event_tenant,
            message_or_type=calendar_proto.day_changed(county, level, view, now, version, removed=True),
        )


def effective_days_of(sessions: sessionmaker[Session], tenant: str, first: date, last: date) -> list[dict]:
    """The tenant's days `first`..`last`: national ∘ county ∘ township, weekends off unless
    adjusted; days of a year without a published national calendar are provisional."""
    calendar = compiled_calendar(sessions, tenant, first.year, last.year)
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(offset)
        info = calendar.day_info(day)
        days.append(
            {
                "date": day.isoformat(),
                "working": info.working,
                "hours": format_hours(info.hours),
                # a day no override mentions follows the national rule (its weekday default)
                "source": info.source if info.source in ("county", "township") else NATIONAL,
                "provisional": day.year in calendar.provisional_years,
            }
        )
    return days


def deadline_preview(
    sessions: sessionmaker[Session], tenant: str, start: datetime, working_days: int
) -> dict:
    """The due instant of a case started at `start` with an n-working-day promise (day model,
    DOMAIN.md §3.3), in the county's time zone whatever the server's zone (sla.md T10)."""
    n = check_working_days(working_days)
    place = _place(sessions, tenant)
    local_year = start.astimezone(ZoneInfo(place.tz)).year
    check_year(local_year, "start")
    # n ≤ 365 working days always ends within two years after the start's
    calendar = compiled_calendar(sessions, tenant, local_year, local_year + 2)
    due = calendar.due_by_working_days(start, n)
    return {"due_at": due.isoformat(), "provisional": calendar.is_provisional(start, due)}


def compiled_calendar(
    sessions: sessionmaker[Session], tenant: str, first_year: int, last_year: int
) -> WorkCalendar:
    """The tenant's compiled `WorkCalendar` over whole years, from the stored rows (national,
    county and township scopes) and the tenant's office hours. Cached by the versions of the
    three scopes (bumped on every change), the hours and the time zone."""
    place = _place(sessions, tenant)
    hours = _office_hours(sessions, tenant)
    scopes = (NATIONAL, place.county, tenant)
    with db.transaction(sessions, None) as s:
        # versions first: rows read afterwards are at least as new as the key they are cached under
        versions = dict(
            s.execute(
                sa.select(tables.calendar_version.c.scope, tables.calendar_version.c.version).where(
                    tables.calendar_version.c.scope.in_(scopes)
                )
            ).all()
        )
        key = (tenant, place.tz, hours, first_year, last_year, *(versions.get(sc, 0) for sc in scopes))
        cache = _caches.setdefault(sessions, OrderedDict())
        with _cache_lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        published, national, county_days, township_days = _stored_days(s, place, first_year, last_year)
    calendar = compose(
        first_year, last_year, national, published, county_days, township_days, hours=hours, tz=place.tz
    )
    with _cache_lock:
        cache[key] = calendar
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
    return calendar


# one cache per database (a sessionmaker), so two databases in one process never share entries
_caches: weakref.WeakKeyDictionary[sessionmaker[Session], OrderedDict[tuple, WorkCalendar]] = (
    weakref.WeakKeyDictionary()
)
_cache_lock = threading.Lock()


def _stored_days(
    s: Session, place: _Place, first_year: int, last_year: int
) -> tuple[dict[int, bool], dict[date, bool], dict[date, bool], dict[date, bool]]:
    """(published per year, national days, county overrides, township overrides) as stored;
    `compose` (libs.common.calendar_projection, shared with the services' projections) does the rest."""
    c = tables.calendar_day.c
    published = dict(
        s.execute(
            sa.select(tables.calendar_year.c.year, tables.calendar_year.c.published).where(
                tables.calendar_year.c.scope == NATIONAL,
                tables.calendar_year.c.year.between(first_year, last_year),
            )
        ).all()
    )
    rows = s.execute(
        sa.select(c.scope, c.day, c.working).where(
            c.scope.in_((NATIONAL, place.county, place.tenant)),
            c.day.between(date(first_year, 1, 1), date(last_year, 12, 31)),
        )
    ).all()
    by_scope: dict[str, dict[date, bool]] = {NATIONAL: {}, place.county: {}, place.tenant: {}}
    for scope, day, working in rows:
        by_scope[scope][day] = working
    return published, by_scope[NATIONAL], by_scope[place.county], by_scope[place.tenant]


def _office_hours(sessions: sessionmaker[Session], tenant: str) -> tuple[tuple[time, time], ...]:
    """The tenant's office hours from its settings (PATCH …/settings), local wall-clock times."""
    hours = get_settings(sessions, tenant).get("office_hours")
    return parse_hours(hours) if hours else DEFAULT_HOURS


def require_township(sessions: sessionmaker[Session], tenant: str) -> str:
    """`tenant` if it is an onboarded township, else `not_found` (before any role check: a
    township that does not exist is not_found for everyone)."""
    return _place(sessions, tenant).tenant


def _place(sessions: sessionmaker[Session], tenant: str) -> _Place:
    with db.transaction(sessions, None) as s:
        row = s.execute(
            sa.select(tables.township.c.county, tables.county.c.timezone)
            .join(tables.county, tables.county.c.code == tables.township.c.county)
            .where(tables.township.c.id == tenant)
        ).first()
    if row is None:
        raise NotFound(f"no township {tenant}")
    return _Place(tenant, row.county, row.timezone)


def _scope(
    sessions: sessionmaker[Session], principal: Principal, tenant: str | None
) -> tuple[str, str, str, str]:
    """(county, the calendar_day scope, the event's tenant, "county"|"township")."""
    if tenant is None:
        return principal.county, principal.county, county_scope(principal.county), "county"
    require_visible(principal, tenant)
    place = _place(sessions, tenant)
    return place.county, tenant, tenant, "township"


def _bump(s: Session, scope: str) -> int:
    """Bump a scope's calendar version; the row lock also serialises concurrent edits of it."""
    v = tables.calendar_version
    stmt = insert(v).values(scope=scope, version=1)
    return int(
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=["scope"], set_={"version": v.c.version + 1, "updated_at": sa.func.now()}
            ).returning(v.c.version)
        ).scalar_one()
    )


def _override_view(
    scope: str, level: str, day: date, working: bool, reason: str, by: str, at: datetime
) -> dict:
    return {
        "date": day.isoformat(),
        "kind": "work" if working else "off",
        "reason": reason,
        "scope": scope,
        "source": level,
        "updated_by": by,
        "updated_at": at.isoformat(),
    }
