"""The copies of the gateway's directory that the services keep, recorded from its events
(ARCHITECTURE.md §1: "intake, proxy, appraisal and notify keep the projections they need").

One mechanism for every service: table builders (on the service's MetaData, tenant rows with
row-level security, primary key `(tenant_id, <natural key>)`), `create_tables` for its
migration, and handler factories that turn a table into a consumer handler `(envelope, session)`.
A service declares the kinds it keeps in its `adapters/tables.py`, builds its handlers from those
tables in `service_layer/handlers.py` and subscribes them in `entrypoints/service.py`.

Idempotent and order-tolerant: every handler is an upsert keyed by the natural key, so a replay
or a duplicate writes the same values again. Each row stores the `occurred_at` of the event it
was last written from (`event_at`; `updated_at` for settings) and an update applies only when the
event is not older, so an older event delivered after a newer one (events of different types
travel on different queues) changes nothing. A window's AB posts change through two events
(`window_saved`, `window_posts_assigned`), so they carry their own stamp `posts_at`.

Personal data stays minimal (DOMAIN.md §11): the staff table stores `phone` only when the
service asks for it (notify, for SMS); the handler stores just the columns its table has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.orm import Session

from libs.common import db
from libs.common.messaging.envelope import Envelope

Handler = Callable[[Envelope, Session], None]

STAFF, WINDOW, DEPARTMENT, VILLAGE, SETTINGS = "staff", "window", "department", "village", "settings"
KINDS = (STAFF, WINDOW, DEPARTMENT, VILLAGE, SETTINGS)

ACTIVE, SUSPENDED = "active", "suspended"

# fields of TenantSettings that have a column of their own; the rest is kept in `other`
_SETTINGS_COLUMNS = {"office_hours", "trip_days", "warn_ratio", "time_zone"}
_NEVER = sa.literal("-infinity", sa.DateTime(timezone=True))


def _stamp(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


# --- tables ------------------------------------------------------------------------------------


def staff_table(metadata: sa.MetaData, *, phone: bool = False) -> sa.Table:
    """Staff users of a township. `phone` only for a service that must reach them (notify)."""
    return db.tenant_table(
        STAFF,
        metadata,
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        *([sa.Column("phone", sa.Text)] if phone else []),
        sa.Column("roles", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("window", sa.Text),
        sa.Column("village", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _stamp("event_at"),
        sa.PrimaryKeyConstraint("tenant_id", "username"),
    )


def window_table(metadata: sa.MetaData) -> sa.Table:
    """Windows of a township hall with their AB posts (usernames). `event_at` is NULL while only
    the posts are known (their event came first)."""
    return db.tenant_table(
        WINDOW,
        metadata,
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("department", sa.Text),
        sa.Column("item_codes", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("post_a", sa.Text),
        sa.Column("post_b", sa.Text),
        _stamp("event_at", nullable=True),
        _stamp("posts_at", nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "code"),
    )


def department_table(metadata: sa.MetaData) -> sa.Table:
    return db.tenant_table(
        DEPARTMENT,
        metadata,
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("county", sa.Boolean, nullable=False, server_default=sa.false()),
        _stamp("event_at"),
        sa.PrimaryKeyConstraint("tenant_id", "code"),
    )


def village_table(metadata: sa.MetaData) -> sa.Table:
    """Villages of a township; `groups` is the list of `{code, name}` village groups."""
    return db.tenant_table(
        VILLAGE,
        metadata,
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("groups", JSONB, nullable=False, server_default="[]"),
        _stamp("event_at"),
        sa.PrimaryKeyConstraint("tenant_id", "code"),
    )


def settings_table(metadata: sa.MetaData) -> sa.Table:
    """A tenant's effective settings (one row per tenant; a county scope `<county>.*` has its own
    when the gateway publishes county defaults). `other`: the remaining TenantSettings fields."""
    return db.tenant_table(
        SETTINGS,
        metadata,
        sa.Column("office_hours", JSONB, nullable=False, server_default="[]"),
        sa.Column("trip_days", JSONB, nullable=False, server_default="[]"),
        sa.Column("warn_ratio", sa.Float),
        sa.Column("timezone", sa.Text),
        sa.Column("other", JSONB, nullable=False, server_default="{}"),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("tenant_id"),
    )


_BUILDERS: dict[str, Callable[[sa.MetaData], sa.Table]] = {
    WINDOW: window_table,
    DEPARTMENT: department_table,
    VILLAGE: village_table,
    SETTINGS: settings_table,
}


def directory_tables(
    metadata: sa.MetaData, kinds: Iterable[str], *, staff_phone: bool = False
) -> dict[str, sa.Table]:
    """The tables of `kinds` (a subset of KINDS) on `metadata`, by kind."""
    tables: dict[str, sa.Table] = {}
    for kind in kinds:
        if kind == STAFF:
            tables[kind] = staff_table(metadata, phone=staff_phone)
        elif kind in _BUILDERS:
            tables[kind] = _BUILDERS[kind](metadata)
        else:
            raise ValueError(f"unknown directory projection {kind!r} (known: {', '.join(KINDS)})")
    return tables


def create_tables(
    conn: sa.Connection, schema: str, kinds: Iterable[str], *, staff_phone: bool = False
) -> None:
    """For a service's migration: the projection tables of `kinds` with row-level security, and
    the `status_at` stamp of its tenant projection (the suspension handlers order by it)."""
    for table in directory_tables(sa.MetaData(schema=schema), kinds, staff_phone=staff_phone).values():
        table.create(conn)
        db.enable_rls(conn, schema, table.name)
    conn.execute(sa.text(f'ALTER TABLE "{schema}"."tenant" ADD COLUMN IF NOT EXISTS status_at timestamptz'))


# --- the upsert --------------------------------------------------------------------------------


def upsert(
    session: Session,
    table: sa.Table,
    key: Mapping[str, Any],
    stamped: Mapping[str, Mapping[str, Any]],
    at: datetime,
) -> None:
    """Insert or update the row of `key` (tenant_id + natural key) in `table`.

    `stamped` maps a stamp column to the values it governs: each group is written only when
    `at` is not older than the row's stamp, and its stamp becomes `at`. Values of columns the
    table does not have are dropped (that is how a service keeps fewer columns)."""
    row = dict(key)
    groups: dict[str, list[str]] = {}
    for stamp, values in stamped.items():
        kept = {k: v for k, v in values.items() if k in table.c}
        row.update(kept)
        row[stamp] = at
        groups[stamp] = [*kept, stamp]
    stmt = insert(table).values(**row)
    fresh = {stamp: sa.func.coalesce(table.c[stamp], _NEVER) <= stmt.excluded[stamp] for stamp in groups}
    assignments = {
        column: sa.case((fresh[stamp], stmt.excluded[column]), else_=table.c[column])
        for stamp, columns in groups.items()
        for column in columns
    }
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c[k] for k in key], set_=assignments, where=sa.or_(*fresh.values())
        )
    )


def _required(data: Mapping[str, Any], field: str, event: Envelope) -> str:
    value = data.get(field)
    if not value or not isinstance(value, str):
        raise ValueError(f"{event.event_type} {event.event_id}: no {field}")
    return value


def _role_name(role: Any) -> str:
    """ROLE_WINDOW_STAFF (the proto enum's JSON name) -> window_staff (the API's spelling)."""
    name = str(role)
    return name.removeprefix("ROLE_").lower()


# --- handlers ----------------------------------------------------------------------------------


def staff_saved(table: sa.Table) -> Handler:
    """`StaffSaved` into a staff table (`phone` is stored if both the event and the table have it)."""

    def handle(envelope: Envelope, session: Session) -> None:
        data = envelope.data
        values = {
            "name": data.get("name", ""),
            "phone": data.get("phone") or None,
            "roles": [_role_name(r) for r in data.get("roles", [])],
            "window": data.get("window") or None,
            "village": data.get("village") or None,
            "department": data.get("department") or None,
            "active": bool(data.get("active", False)),  # proto3 JSON omits a false bool
        }
        key = {"tenant_id": envelope.tenant_id, "username": _required(data, "username", envelope)}
        upsert(session, table, key, {"event_at": values}, envelope.occurred_at)

    return handle


def _posts(posts: Mapping[str, Any]) -> dict[str, Any]:
    return {"post_a": posts.get("a") or None, "post_b": posts.get("b") or None}


def window_saved(table: sa.Table) -> Handler:
    """`WindowSaved`: name, department and items; the posts too when the event carries them."""

    def handle(envelope: Envelope, session: Session) -> None:
        window = envelope.data.get("window") or {}
        stamped: dict[str, Mapping[str, Any]] = {
            "event_at": {
                "name": window.get("name", ""),
                "department": window.get("department") or None,
                "item_codes": list(window.get("item_codes", [])),
            }
        }
        if "posts" in window:
            stamped["posts_at"] = _posts(window["posts"])
        key = {"tenant_id": envelope.tenant_id, "code": _required(window, "code", envelope)}
        upsert(session, table, key, stamped, envelope.occurred_at)

    return handle


def window_posts_assigned(table: sa.Table) -> Handler:
    """`WindowPostsAssigned`: the AB posts only (a window not seen yet gets a row with its code)."""

    def handle(envelope: Envelope, session: Session) -> None:
        data = envelope.data
        key = {"tenant_id": envelope.tenant_id, "code": _required(data, "window", envelope)}
        upsert(session, table, key, {"posts_at": _posts(data.get("posts") or {})}, envelope.occurred_at)

    return handle


def department_created(table: sa.Table) -> Handler:
    def handle(envelope: Envelope, session: Session) -> None:
        department = envelope.data.get("department") or {}
        values = {"name": department.get("name", ""), "county": bool(department.get("county", False))}
        key = {"tenant_id": envelope.tenant_id, "code": _required(department, "code", envelope)}
        upsert(session, table, key, {"event_at": values}, envelope.occurred_at)

    return handle


def record_onboarded_villages(table: sa.Table, envelope: Envelope, session: Session) -> None:
    """The villages named when the township was onboarded (TownshipOnboarded.villages): they come
    with that event, not as `village_saved` events of their own."""
    _check_subject(envelope)
    for village in envelope.data.get("villages") or []:
        _save_village(table, envelope, session, village)


def _save_village(table: sa.Table, envelope: Envelope, session: Session, village: Mapping[str, Any]) -> None:
    groups = [{"code": g.get("code", ""), "name": g.get("name", "")} for g in village.get("groups", [])]
    values = {"name": village.get("name", ""), "groups": groups}
    key = {"tenant_id": envelope.tenant_id, "code": _required(village, "code", envelope)}
    upsert(session, table, key, {"event_at": values}, envelope.occurred_at)


def village_saved(table: sa.Table) -> Handler:
    def handle(envelope: Envelope, session: Session) -> None:
        _check_subject(envelope)
        _save_village(table, envelope, session, envelope.data.get("village") or {})

    return handle


def settings_changed(table: sa.Table) -> Handler:
    """`SettingsChanged`: the new effective settings replace the row."""

    def handle(envelope: Envelope, session: Session) -> None:
        settings = envelope.data.get("settings") or {}
        values = {
            "office_hours": list(settings.get("office_hours", [])),
            "trip_days": list(settings.get("trip_days", [])),
            "warn_ratio": settings.get("warn_ratio"),
            "timezone": settings.get("time_zone") or None,
            "other": {k: v for k, v in settings.items() if k not in _SETTINGS_COLUMNS},
        }
        upsert(
            session, table, {"tenant_id": envelope.tenant_id}, {"updated_at": values}, envelope.occurred_at
        )

    return handle


def township_suspended(tenant_table: sa.Table) -> Handler:
    """`TownshipSuspended` -> status 'suspended' on the service's tenant projection."""
    return _township_status(tenant_table, SUSPENDED)


def township_reactivated(tenant_table: sa.Table) -> Handler:
    """`TownshipReactivated` -> status 'active' on the service's tenant projection."""
    return _township_status(tenant_table, ACTIVE)


def _township_status(tenant_table: sa.Table, status: str) -> Handler:
    def handle(envelope: Envelope, session: Session) -> None:
        _check_subject(envelope)
        tenant = envelope.township
        if tenant is None:
            raise ValueError(f"{envelope.event_type} {envelope.event_id}: not a township event")
        county, code = tenant.split(".", 1)
        # A suspension that overtakes the onboarding leaves a stand-in row (name = code);
        # `township_onboarded` fills in the rest and keeps the status.
        key = {"tenant_id": tenant}
        stand_in = {"county": county, "code": code, "name": code, "onboarded_at": envelope.occurred_at}
        stmt = insert(tenant_table).values(**key, **stand_in, status=status, status_at=envelope.occurred_at)
        fresh = sa.func.coalesce(tenant_table.c.status_at, _NEVER) <= stmt.excluded.status_at
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[tenant_table.c.tenant_id],
                set_={"status": stmt.excluded.status, "status_at": stmt.excluded.status_at},
                where=fresh,
            )
        )

    return handle


def _check_subject(envelope: Envelope) -> None:
    """Events about a township repeat it as `tenant_id`: it must be the envelope's tenant."""
    subject = envelope.data.get("tenant_id")
    if subject and subject != envelope.tenant_id:
        what = f"{envelope.event_type} {envelope.event_id}"
        raise ValueError(f"{what}: about {subject!r} but sent for {envelope.tenant_id!r}")
