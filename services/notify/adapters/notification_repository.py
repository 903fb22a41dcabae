"""The `notification` rows as the dispatcher claims and records them (service_layer/delivery.py
says why claim, send, record are three steps, fenced by the lease), and the outbox row of each
change in the same transaction. The dispatcher crosses townships: these run in the relay/ops
sessions' transactions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.orm import Session

from libs.common.messaging import record
from services.notify.adapters import tables
from services.notify.domain.delivery import FAILED, QUEUED, SENT, SMS

log = logging.getLogger(__name__)

SOURCE = "notify"

n = tables.notification


def claim(
    session: Session,
    *,
    now: datetime,
    lease: datetime,
    limit: int,
    due_sends: bool,
    skip_channels: Iterable[str] = (),
) -> list[Any]:
    """Lease up to `limit` due rows (`FOR UPDATE SKIP LOCKED`, then `next_attempt_at` = `lease`):
    notifications to send (`due_sends`; not of `skip_channels`), else SMS whose receipt is due."""
    which = (
        sa.and_(n.c.status.in_([QUEUED, FAILED]), n.c.channel.not_in(list(skip_channels)))
        if due_sends
        else sa.and_(n.c.status == SENT, n.c.channel == SMS, n.c.provider_ref.is_not(None))
    )
    due = (
        sa.select(n.c.id)
        .where(which, n.c.next_attempt_at <= now)
        .order_by(n.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return list(
        session.execute(n.update().where(n.c.id.in_(due)).values(next_attempt_at=lease).returning(n)).all()
    )


def mark_waiting(session: Session, channel: str, reason: str, now: datetime) -> int:
    """Say on the due queued rows of `channel` why they wait (only where it says otherwise);
    their status, attempts and due time stay. Returns how many it marked."""
    return session.execute(  # type: ignore[attr-defined,no-any-return]
        n.update()
        .where(
            n.c.channel == channel,
            n.c.status == QUEUED,
            n.c.next_attempt_at <= now,
            n.c.last_error.is_distinct_from(reason),
        )
        .values(last_error=reason)
    ).rowcount


def write_fenced(session: Session, row: Any, **values: Any) -> bool:
    """Write `values` to the claimed row if our lease still holds it."""
    result = session.execute(
        n.update()
        .where(n.c.id == row.id, n.c.next_attempt_at == row.next_attempt_at, n.c.status == row.status)
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("notification %s: lease lost; another dispatcher has it", row.id)
        return False
    return True


def record_event(session: Session, row: Any, message: Message) -> None:
    """The outbox row of one of the row's events (built by notification_proto)."""
    record(session, source=SOURCE, message_or_type=message, tenant_id=row.tenant_id)


def staff_phone(session: Session, tenant: str, username: str) -> str | None:
    """A staff member's phone, from notify's directory projection."""
    staff = tables.staff
    return session.execute(  # type: ignore[no-any-return]
        sa.select(staff.c.phone).where(staff.c.tenant_id == tenant, staff.c.username == username)
    ).scalar()


def office_hours(session: Session, tenant: str) -> tuple[Any, str | None] | None:
    """The township's projected office hours and time zone, else its county's; None: neither."""
    st = tables.settings
    county_scope = f"{tenant.split('.', 1)[0]}.*"
    rows = {
        r.tenant_id: r
        for r in session.execute(
            sa.select(st.c.tenant_id, st.c.office_hours, st.c.timezone).where(
                st.c.tenant_id.in_([tenant, county_scope])
            )
        )
    }
    found = rows.get(tenant) or rows.get(county_scope)
    return None if found is None else (found.office_hours, found.timezone)


def counts_by_status(session: Session, statuses: Iterable[str]) -> dict[tuple[str, str], int]:
    """(channel, status) → how many rows, for `statuses`."""
    rows = session.execute(
        sa.select(n.c.channel, n.c.status, sa.func.count())
        .where(n.c.status.in_(list(statuses)))
        .group_by(n.c.channel, n.c.status)
    ).all()
    return {(channel, status): count for channel, status, count in rows}
