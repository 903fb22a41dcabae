"""Who is away on a day: proxy's projection of the approved leaves of the township's staff
(DOMAIN.md §6.1 "when the proxy is on leave, the backup takes new delegations and the proxy's
open ones"; §8). The ONE place proxy asks "is this agent away on <date>?" — the agents' answers
(`on_leave`) and dispatch read `away_on`.

Fed by the appraisal service's events `leave_approved` {leave_id, username, from_date, to_date
(YYYY-MM-DD, inclusive)} and `leave_cancelled` {leave_id, username}, through `record_approved` and
`record_cancelled` (plain values) or the envelope handlers below. Idempotent and order-tolerant:
rows are keyed by the leave; a cancellation is kept as a cancelled row, so an approval delivered
after its cancellation (events of different types travel on different queues) stays cancelled,
and a replay writes the same values again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common.messaging import Envelope
from services.proxy.adapters import tables

t = tables.agent_leave


def record_approved(
    session: Session, tenant: str, leave_id: str, username: str, from_date: date, to_date: date, at: datetime
) -> None:
    """An approved leave of `username` from `from_date` to `to_date` (inclusive)."""
    if to_date < from_date:
        raise ValueError(f"leave {leave_id}: to_date {to_date} is before from_date {from_date}")
    stmt = insert(t).values(
        tenant_id=tenant, leave_id=leave_id, username=username, from_date=from_date, to_date=to_date,
        event_at=at,
    )  # fmt: skip
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[t.c.tenant_id, t.c.leave_id],
            set_={
                "username": stmt.excluded.username,
                "from_date": stmt.excluded.from_date,
                "to_date": stmt.excluded.to_date,
            },
        )  # fmt: skip
    )


def record_cancelled(session: Session, tenant: str, leave_id: str, username: str, at: datetime) -> None:
    """The leave is off (cancelled, or its approval withdrawn): a cancelled row, for good."""
    stmt = insert(t).values(
        tenant_id=tenant, leave_id=leave_id, username=username, cancelled=True, event_at=at
    )
    session.execute(
        stmt.on_conflict_do_update(index_elements=[t.c.tenant_id, t.c.leave_id], set_={"cancelled": True})
    )


def away_on(session: Session, usernames: Iterable[str], day: date) -> set[str]:
    """Those of `usernames` on an approved, not cancelled leave on `day` (the transaction's township)."""
    names = sorted(set(usernames))
    if not names:
        return set()
    rows = session.execute(
        sa.select(t.c.username)
        .where(t.c.username.in_(names), t.c.cancelled.is_(False), t.c.from_date <= day, t.c.to_date >= day)
        .distinct()
    ).scalars()
    return set(rows)


def is_away(session: Session, username: str, day: date) -> bool:
    return username in away_on(session, [username], day)


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


def on_leave_approved(envelope: Envelope, session: Session) -> None:
    record_approved(
        session,
        envelope.tenant_id,
        _field(envelope, "leave_id"),
        _field(envelope, "username"),
        _day(envelope, "from_date"),
        _day(envelope, "to_date"),
        envelope.occurred_at,
    )


def on_leave_cancelled(envelope: Envelope, session: Session) -> None:
    record_cancelled(
        session, envelope.tenant_id, _field(envelope, "leave_id"), _field(envelope, "username"),
        envelope.occurred_at,
    )  # fmt: skip
