"""Who is away on a day: the services' copies of the approved leaves of a township's staff
(DOMAIN.md §8; appraisal owns leaves). proxy reads it for its agents' backups (§6.1), intake for
the A/B posts (B acts with A's authority while A is away).

One mechanism for every service: a table builder (`leave_table`, on the service's MetaData,
tenant rows with row-level security, primary key `(tenant_id, leave_id)`), `create_table` for its
migration, the recorders and `away_on`, and handler factories for appraisal's events
`leave_approved` {leave_id, username, from_date, to_date (YYYY-MM-DD, inclusive)} and
`leave_cancelled` {leave_id, username}.

Idempotent and order-tolerant: rows are keyed by the leave; a cancellation is kept as a cancelled
row, so an approval delivered after its cancellation (events of different types travel on
different queues) stays cancelled, and a replay writes the same values again."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common import db
from libs.common.messaging.envelope import Envelope

Handler = Callable[[Envelope, Session], None]


def _columns() -> list[Any]:
    return [
        sa.Column("leave_id", sa.Text, nullable=False),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("from_date", sa.Date),
        sa.Column("to_date", sa.Date),
        sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "leave_id"),
    ]


def leave_table(metadata: sa.MetaData, name: str = "staff_leave") -> sa.Table:
    return db.tenant_table(name, metadata, *_columns())


def create_table(conn: sa.Connection, schema: str, name: str = "staff_leave") -> None:
    """The migration's part: the table, its index by user, row-level security."""
    table = sa.Table(
        name, sa.MetaData(schema=schema), sa.Column("tenant_id", sa.Text, nullable=False), *_columns()
    )
    table.create(conn)
    sa.Index(f"{name}_by_user", table.c.tenant_id, table.c.username).create(conn)
    db.enable_rls(conn, schema, name)


def record_approved(
    table: sa.Table,
    session: Session,
    tenant: str,
    leave_id: str,
    username: str,
    from_date: date,
    to_date: date,
    at: datetime,
) -> None:
    """An approved leave of `username` from `from_date` to `to_date` (inclusive)."""
    if to_date < from_date:
        raise ValueError(f"leave {leave_id}: to_date {to_date} is before from_date {from_date}")
    stmt = insert(table).values(
        tenant_id=tenant, leave_id=leave_id, username=username, from_date=from_date, to_date=to_date,
        event_at=at,
    )  # fmt: skip
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.tenant_id, table.c.leave_id],
            set_={
                "username": stmt.excluded.username,
                "from_date": stmt.excluded.from_date,
                "to_date": stmt.excluded.to_date,
            },
        )  # fmt: skip
    )


def record_cancelled(
    table: sa.Table, session: Session, tenant: str, leave_id: str, username: str, at: datetime
) -> None:
    """The leave is off (cancelled, or its approval withdrawn): a cancelled row, for good."""
    stmt = insert(table).values(
        tenant_id=tenant, leave_id=leave_id, username=username, cancelled=True, event_at=at
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.tenant_id, table.c.leave_id], set_={"cancelled": True}
        )
    )


def away_on(table: sa.Table, session: Session, usernames: Iterable[str], day: date) -> set[str]:
    """Those of `usernames` on an approved, not cancelled leave on `day` (the transaction's township)."""
    names = sorted(set(usernames))
    if not names:
        return set()
    t = table
    rows = session.execute(
        sa.select(t.c.username)
        .where(t.c.username.in_(names), t.c.cancelled.is_(False), t.c.from_date <= day, t.c.to_date >= day)
        .distinct()
    ).scalars()
    return set(rows)


# --- the envelope handlers (appraisal's events) ------------------------------------------------


def _field(envelope: Envelope, name: str) -> str:
    value = envelope.data.get(name)
    if not value or not isinstance(value, str):
        raise ValueError(f"{envelope.event_type} {envelope.event_id}: no {name}")
    return value


def _day(envelope: Envelope, name: str) -> date:
    text = _field(envelope, name)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{envelope.event_type} {envelope.event_id}: {name} {text!r} is not a date"
        ) from None


def leave_approved(table: sa.Table) -> Handler:
    def handle(envelope: Envelope, session: Session) -> None:
        record_approved(
            table,
            session,
            envelope.tenant_id,
            _field(envelope, "leave_id"),
            _field(envelope, "username"),
            _day(envelope, "from_date"),
            _day(envelope, "to_date"),
            envelope.occurred_at,
        )

    return handle


def leave_cancelled(table: sa.Table) -> Handler:
    def handle(envelope: Envelope, session: Session) -> None:
        record_cancelled(
            table, session, envelope.tenant_id, _field(envelope, "leave_id"), _field(envelope, "username"),
            envelope.occurred_at,
        )  # fmt: skip

    return handle
