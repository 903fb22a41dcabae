"""The copy of the gateway's working-day calendar that a service keeps (DOMAIN.md §5,
ARCHITECTURE.md §5), recorded from the gateway's events so that nothing calls the gateway at
request time. Intake (the case clock) and notify (quiet hours) keep it.

- `NationalCalendarImported` (county scope `<county>.*`): the whole year's national special days
  and its published flag replace the copy of that year.
- `CalendarDayChanged`: one county override (county scope) or township override (the township).

Each day row keeps the version of the change that wrote it: an older or repeated event changes
nothing, a removal leaves a tombstone (`working` NULL) so that a late copy of the change it
removed cannot bring it back. `CalendarProjection.tenant_calendar` compiles national ∘ county ∘
township and the tenant's office hours (its settings projection, else the county's, else the
defaults) into a `WorkCalendar`, cached by the three levels' versions.

One mechanism for every service, like libs.common.directory_projection: `calendar_tables` on the
service's MetaData, `create_tables` and `allow_county_reads` for its migrations, a
`CalendarProjection` over those tables whose handlers are subscribed in its entrypoints.
`compose` is the pure step the gateway shares.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from libs.common import db, directory_projection
from libs.common.calendar import DEFAULT_HOURS, DEFAULT_TZ, NationalYear, WorkCalendar, effective_days
from libs.common.errors import ValidationFailed
from libs.common.messaging.envelope import Envelope, county_scope
from libs.common.tenancy import county_of

NATIONAL, COUNTY, TOWNSHIP = "national", "county", "township"
LEVELS = (NATIONAL, COUNTY, TOWNSHIP)
_CACHE_SIZE = 64
Hours = tuple[tuple[time, time], ...]


# --- the pure composition (shared with the gateway's compiled calendar) ------------------------


def compose(
    first_year: int,
    last_year: int,
    national: Mapping[date, bool],
    published: Mapping[int, bool],
    county: Mapping[date, bool],
    township: Mapping[date, bool],
    *,
    hours: Iterable[tuple[time, time]] = DEFAULT_HOURS,
    tz: str = DEFAULT_TZ,
) -> WorkCalendar:
    """National ∘ county ∘ township over whole years as a `WorkCalendar`. `national`: the
    imported special days (True = adjusted working day, False = day off); a year missing from
    `published` was never imported and counts as unpublished (provisional, weekends only)."""
    years = [
        NationalYear(
            year,
            off_days=frozenset(d for d, w in national.items() if d.year == year and not w),
            work_days=frozenset(d for d, w in national.items() if d.year == year and w),
            published=bool(published.get(year, False)),
        )
        for year in range(first_year, last_year + 1)
    ]
    return WorkCalendar.from_days(
        date(first_year, 1, 1),
        date(last_year, 12, 31),
        effective_days(years, county, township),
        hours=tuple(hours),
        tz=tz,
    )


# --- tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarTables:
    day: sa.Table  # national days and county overrides under `<county>.*`, township ones under it
    year: sa.Table  # per county scope: national years imported, published or not
    version: sa.Table  # the newest version seen per scope and level (the cache key)


def calendar_tables(metadata: sa.MetaData) -> CalendarTables:
    def updated_at() -> sa.Column[Any]:
        return sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        )

    day = db.tenant_table(
        "calendar_day",
        metadata,
        sa.Column("level", sa.Text, nullable=False),  # national | county | township
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("working", sa.Boolean),  # NULL: a removed override (tombstone)
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.BigInteger, nullable=False),
        updated_at(),
        sa.PrimaryKeyConstraint("tenant_id", "level", "day"),
        sa.CheckConstraint("level IN ('national', 'county', 'township')", name="calendar_day_level"),
    )
    year = db.tenant_table(
        "calendar_year",
        metadata,
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        updated_at(),
        sa.PrimaryKeyConstraint("tenant_id", "year"),
    )
    version = db.tenant_table(
        "calendar_version",
        metadata,
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        updated_at(),
        sa.PrimaryKeyConstraint("tenant_id", "level"),
    )
    return CalendarTables(day, year, version)


def create_tables(conn: sa.Connection, schema: str) -> None:
    """For a service's migration: the three calendar tables, row-level security FORCEd."""
    kept = calendar_tables(sa.MetaData(schema=schema))
    for table in (kept.day, kept.year, kept.version):
        table.create(conn)
        db.enable_rls(conn, schema, table.name)


# what a township's transaction reads of its county to compile its calendar
COUNTY_READ_TABLES = ("calendar_day", "calendar_year", "calendar_version", directory_projection.SETTINGS)


def allow_county_reads(conn: sa.Connection, schema: str) -> None:
    """For a service's migration, after `create_tables` and the settings projection: a township's
    transaction reads the county's calendar rows and settings (`db.enable_county_reads`), so
    `tenant_calendar` needs no switch of scope."""
    for table in COUNTY_READ_TABLES:
        db.enable_county_reads(conn, schema, table)


def forbid_county_reads(conn: sa.Connection, schema: str) -> None:
    for table in COUNTY_READ_TABLES:
        db.disable_county_reads(conn, schema, table)


def drop_tables(conn: sa.Connection, schema: str) -> None:
    for name in ("calendar_version", "calendar_year", "calendar_day"):
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{schema}"."{name}"'))


# --- the projection ------------------------------------------------------------------------------


class CalendarProjection:
    """A service's calendar projection over its `tables` and its settings projection
    (libs.common.directory_projection.settings_table: office hours, time zone).

    Handlers run in the consumer's transaction, scoped to the envelope's tenant. Reads filter by
    tenant explicitly, so `tenant_calendar` gives the same answer in a tenant-scoped session
    (row-level security) and in a relay/ops session that sees every tenant (notify's dispatcher)."""

    def __init__(self, tables: CalendarTables, settings: sa.Table, *, default_tz: str = DEFAULT_TZ) -> None:
        self.tables, self.settings, self.default_tz = tables, settings, default_tz
        self._key_parts_of = _key_parts_statement(tables.version, settings)
        # one cache per database engine, so two databases in one process never share entries
        self._caches: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple, WorkCalendar]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    # --- event handlers ------------------------------------------------------------------------

    def on_national_calendar_imported(self, envelope: Envelope, session: Session) -> bool:
        """Replace the year's national days, unless a newer import of that year is already here.
        True when the projection changed."""
        data = envelope.data
        year, version = int(data["year"]), int(data.get("version", 0))
        tenant = envelope.tenant_id  # the county scope
        y = self.tables.year
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
            return False  # a duplicate, or older than what is stored
        d = self.tables.day
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
        self._raise_version(session, tenant, NATIONAL, version)
        return True

    def on_calendar_day_changed(self, envelope: Envelope, session: Session) -> bool:
        """Upsert (or tombstone, when `removed`) one override, if newer than the stored row; True
        when it was."""
        data = envelope.data
        day = data.get("day") or {}
        version = int(data.get("version", 0))
        level = COUNTY if envelope.county_wide else TOWNSHIP
        working = None if data.get("removed") else day.get("kind") == "DAY_KIND_WORK"
        d = self.tables.day
        stmt = insert(d).values(
            tenant_id=envelope.tenant_id,
            level=level,
            day=date.fromisoformat(day["date"]),
            working=working,
            reason=day.get("reason", ""),
            version=version,
        )
        applied = session.execute(
            stmt.on_conflict_do_update(
                index_elements=[d.c.tenant_id, d.c.level, d.c.day],
                set_={
                    "working": stmt.excluded.working,
                    "reason": stmt.excluded.reason,
                    "version": stmt.excluded.version,
                    "updated_at": sa.func.now(),
                },
                where=d.c.version < stmt.excluded.version,
            ).returning(d.c.day)
        ).first()
        self._raise_version(session, envelope.tenant_id, level, version)
        return applied is not None

    def _raise_version(self, session: Session, tenant: str, level: str, version: int) -> None:
        v = self.tables.version
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

    # --- the compiled calendar ------------------------------------------------------------------

    def tenant_calendar(
        self,
        session: Session,
        tenant: str,
        first_year: int | None = None,
        last_year: int | None = None,
        *,
        default_tz: str | None = None,
    ) -> WorkCalendar:
        """The township's compiled calendar over whole years (default: last year to two years
        ahead). The county's rows are readable from the township's scope (`allow_county_reads`).
        The time zone is the township's, else the county's, else `default_tz` (else the
        projection's default)."""
        this_year = datetime.now(UTC).year
        first = this_year - 1 if first_year is None else first_year
        last = this_year + 2 if last_year is None else last_year
        if first > last:
            raise ValidationFailed("calendar range is empty (first year after last year)")
        scope = county_scope(county_of(tenant))

        # versions before rows: rows read afterwards are at least as new as their cache key. One
        # statement for both levels' versions and settings: this runs for every case view and
        # clock, so round trips count
        row = session.execute(self._key_parts_of, {"tenant": tenant, "county": scope}).one()
        own, county_versions = _versions(row.own_versions), _versions(row.county_versions)
        own_hours, own_tz = _settings(row.own_settings)
        county_hours, county_tz = _settings(row.county_settings)
        hours = own_hours or county_hours or DEFAULT_HOURS
        tz = own_tz or county_tz or default_tz or self.default_tz
        key = (
            tenant,
            first,
            last,
            hours,
            tz,
            county_versions.get(NATIONAL, 0),
            county_versions.get(COUNTY, 0),
            own.get(TOWNSHIP, 0),
        )
        cache = self._cache_of(session)
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        published = self._published(session, scope, first, last)
        national = self._days(session, scope, NATIONAL, first, last)
        county = self._days(session, scope, COUNTY, first, last)
        township = self._days(session, tenant, TOWNSHIP, first, last)
        calendar = compose(first, last, national, published, county, township, hours=hours, tz=tz)
        with self._lock:
            cache[key] = calendar
            while len(cache) > _CACHE_SIZE:
                cache.popitem(last=False)
        return calendar

    def _cache_of(self, session: Session) -> OrderedDict[tuple, WorkCalendar]:
        engine = session.connection().engine
        with self._lock:
            return self._caches.setdefault(engine, OrderedDict())

    def _days(self, session: Session, tenant: str, level: str, first: int, last: int) -> dict[date, bool]:
        d = self.tables.day
        rows = session.execute(
            sa.select(d.c.day, d.c.working).where(
                d.c.tenant_id == tenant,
                d.c.level == level,
                d.c.working.is_not(None),
                d.c.day.between(date(first, 1, 1), date(last, 12, 31)),
            )
        ).all()
        return {day: bool(working) for day, working in rows}

    def _published(self, session: Session, scope: str, first: int, last: int) -> dict[int, bool]:
        y = self.tables.year
        rows = session.execute(
            sa.select(y.c.year, y.c.published).where(y.c.tenant_id == scope, y.c.year.between(first, last))
        )
        return {int(year): bool(p) for year, p in rows}


def _key_parts_statement(v: sa.Table, st: sa.Table) -> sa.Select:
    """The versions of the calendar levels and the office hours and time zone of a township
    (`:tenant`) and of its county scope (`:county`). Built once: it runs for every case view and
    clock, and building a statement and its cache key costs more than PostgreSQL's answer."""

    def versions(of: str) -> Any:
        kept = sa.select(sa.func.json_object_agg(v.c.level, v.c.version))
        return kept.where(v.c.tenant_id == sa.bindparam(of))

    def settings(of: str) -> Any:
        kept = sa.select(sa.func.json_build_array(st.c.office_hours, st.c.timezone))
        return kept.where(st.c.tenant_id == sa.bindparam(of)).limit(1)

    return sa.select(
        versions("tenant").scalar_subquery().label("own_versions"),
        versions("county").scalar_subquery().label("county_versions"),
        settings("tenant").scalar_subquery().label("own_settings"),
        settings("county").scalar_subquery().label("county_settings"),
    )


def _versions(found: Mapping[str, Any] | None) -> dict[str, int]:
    return {level: int(n) for level, n in (found or {}).items()}


def _settings(kept: list[Any] | None) -> tuple[Hours | None, str | None]:
    return (parse_hours(kept[0]), kept[1] or None) if kept is not None else (None, None)


def parse_hours(value: Iterable[Any] | None) -> Hours | None:
    """Office hours as projected from `SettingsChanged`: [{"start": "09:00", "end": "12:00"}, …]
    (or pairs); None when there are none."""
    pairs = []
    for item in value or ():
        start, end = (item.get("start", ""), item.get("end", "")) if isinstance(item, dict) else item
        pairs.append((time.fromisoformat(str(start)), time.fromisoformat(str(end))))
    return tuple(pairs) or None
