"""Who is away on a day: proxy's projection of the approved leaves of the township's staff
(DOMAIN.md §6.1 "when the proxy is on leave, the backup takes new delegations and the proxy's
open ones"; §8). The ONE place proxy asks "is this agent away on <date>?" — the agents' answers
(`on_leave`) and dispatch read `away_on`.

The mechanism (idempotent, order-tolerant recorders, `away_on`, the handlers of appraisal's
`leave_approved` / `leave_cancelled`) is libs/common/leave_projection.py, shared with intake;
here it is bound to proxy's table `agent_leave`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from libs.common import leave_projection
from services.proxy.adapters import tables

t = tables.agent_leave

on_leave_approved = leave_projection.leave_approved(t)
on_leave_cancelled = leave_projection.leave_cancelled(t)


def record_approved(
    session: Session, tenant: str, leave_id: str, username: str, from_date: date, to_date: date, at: datetime
) -> None:
    """An approved leave of `username` from `from_date` to `to_date` (inclusive)."""
    leave_projection.record_approved(t, session, tenant, leave_id, username, from_date, to_date, at)


def record_cancelled(session: Session, tenant: str, leave_id: str, username: str, at: datetime) -> None:
    """The leave is off (cancelled, or its approval withdrawn): a cancelled row, for good."""
    leave_projection.record_cancelled(t, session, tenant, leave_id, username, at)


def away_on(session: Session, usernames: Iterable[str], day: date) -> set[str]:
    """Those of `usernames` on an approved, not cancelled leave on `day` (the transaction's township)."""
    return leave_projection.away_on(t, session, usernames, day)


def is_away(session: Session, username: str, day: date) -> bool:
    return username in away_on(session, [username], day)
