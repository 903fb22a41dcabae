"""Leaves in PostgreSQL: one `leave` row per aggregate, and its events in the outbox in the caller's
transaction (ARCHITECTURE.md §6), so the change and what it tells commit together or not.

Optimistic concurrency: `save` updates the row only `WHERE version = expected` (the version it
was loaded at); a concurrent writer that committed first leaves no row to update →
`VersionConflict`, nothing written. A leave requested with an Idempotency-Key is found again by
that key (`by_idempotency_key`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from libs.common.errors import NotFound, VersionConflict
from libs.common.messaging import outbox
from services.appraisal.adapters import tables
from services.appraisal.adapters.leave_proto import event_message
from services.appraisal.domain.leave import APPROVED, PENDING, Leave

SOURCE = "appraisal"
t = tables.leave
_FIELDS = (
    "username", "reason", "working_days", "approver_role", "state", "substitute", "substitute_letter",
    "not_in_advance", "requested_by", "requested_at", "decided_by", "decided_at", "decision_reason",
    "cancelled_by", "cancelled_at", "version",
)  # fmt: skip


def _row(leave: Leave) -> dict[str, Any]:
    row = {name: getattr(leave, name) for name in _FIELDS}
    row.update(
        id=uuid.UUID(leave.id), first_day=leave.first, last_day=leave.last, windows=list(leave.windows)
    )
    return row


def _leave(row: Any) -> Leave:
    values = {name: getattr(row, name) for name in _FIELDS}
    return Leave(id=str(row.id), first=row.first_day, last=row.last_day, windows=tuple(row.windows), **values)


def _publish(session: Session, tenant: str, leave: Leave) -> None:
    for event in leave.events:
        outbox.record(session, source=SOURCE, message_or_type=event_message(event), tenant_id=tenant)
    leave.events.clear()


def add(session: Session, tenant: str, leave: Leave, idempotency_key: str = "") -> None:
    session.execute(
        t.insert().values(tenant_id=tenant, idempotency_key=idempotency_key or None, **_row(leave))
    )
    _publish(session, tenant, leave)


def get(session: Session, leave_id: str, *, for_update: bool = False) -> Leave:
    try:
        key = uuid.UUID(leave_id)
    except (ValueError, TypeError, AttributeError):
        raise NotFound(f"leave {leave_id!r} is not known here") from None
    query = sa.select(t).where(t.c.id == key)
    row = session.execute(query.with_for_update() if for_update else query).one_or_none()
    if row is None:
        raise NotFound(f"leave {leave_id} is not known here")
    return _leave(row)


def by_idempotency_key(session: Session, key: str) -> Leave | None:
    row = session.execute(sa.select(t).where(t.c.idempotency_key == key)).one_or_none()
    return None if row is None else _leave(row)


def save(session: Session, tenant: str, leave: Leave, expected_version: int) -> None:
    row = _row(leave)
    row.pop("id")
    done = session.execute(
        t.update()
        .where(t.c.id == uuid.UUID(leave.id), t.c.version == expected_version)
        .values(**row)
        .returning(t.c.id)
    ).first()
    if not done:
        raise VersionConflict(f"leave {leave.id} was changed meanwhile; read it again")
    _publish(session, tenant, leave)


def live_between(
    session: Session, first: date, last: date, usernames: Iterable[str] | None = None
) -> list[Leave]:
    """Pending and approved leaves overlapping `first`..`last` (of `usernames`, when given)."""
    query = sa.select(t).where(
        t.c.state.in_((PENDING, APPROVED)), t.c.first_day <= last, t.c.last_day >= first
    )
    if usernames is not None:
        query = query.where(t.c.username.in_(sorted(set(usernames))))
    return [_leave(r) for r in session.execute(query.order_by(t.c.first_day, t.c.id))]


def listed(
    session: Session,
    *,
    username: str = "",
    state: str = "",
    first: date | None = None,
    last: date | None = None,
    after: tuple[date, str] | None = None,
    limit: int = 50,
) -> list[Leave]:
    """Leaves by first day then id, from after the page key `after`."""
    query = sa.select(t)
    if username:
        query = query.where(t.c.username == username)
    if state:
        query = query.where(t.c.state == state)
    if first is not None:
        query = query.where(t.c.last_day >= first)
    if last is not None:
        query = query.where(t.c.first_day <= last)
    if after is not None:
        query = query.where(
            sa.tuple_(t.c.first_day, t.c.id)
            > sa.tuple_(sa.literal(after[0]), sa.literal(uuid.UUID(after[1])))
        )
    return [_leave(r) for r in session.execute(query.order_by(t.c.first_day, t.c.id).limit(limit))]
