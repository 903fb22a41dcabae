"""The moved deadlines waiting to be published (`moved_deadline`, migration 0015): one row for
each CaseDeadlinesRecomputed to come, recorded by the re-derivation (case_clock_repository.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from libs.common.messaging import outbox
from libs.common.messaging.envelope import event_type_of
from services.intake.adapters import case_proto, tables

SOURCE = "intake"
EVENT_TYPE = event_type_of(case_proto.DEADLINES_RECOMPUTED)  # its data: case_proto.recomputed_json

moved = tables.moved_deadline
t = tables.case_with_clock
FIELDS = (  # of a case with its clock, for its summary and deadline
    *("id", "number", "item_code", "kind", "state", "level", "channel", "first_ask", "handler"),
    *("window", "department", "village", "version", "due_at", "warn_at", "provisional"),
)


def waiting(ops_session: Session, limit: int) -> list[tuple[str, int, int]]:
    """Up to `limit` waiting rows of every township, oldest first: (tenant, row id, how many wait)."""
    query = sa.select(moved.c.tenant_id, moved.c.id, sa.func.count().over()).order_by(moved.c.id).limit(limit)
    return [(tenant, row_id, total) for tenant, row_id, total in ops_session.execute(query)]


def take(session: Session, tenant: str, row_id: int) -> Any | None:
    """Row `row_id` locked for this transaction; None if another publisher holds it or it is gone."""
    return session.execute(
        sa.select(moved)
        .where(moved.c.tenant_id == tenant, moved.c.id == row_id)
        .with_for_update(skip_locked=True)
    ).first()


def delete(session: Session, tenant: str, row_id: int) -> None:
    session.execute(sa.delete(moved).where(moved.c.tenant_id == tenant, moved.c.id == row_id))


def recomputed_cases(
    session: Session, tenant: str, case_ids: Sequence[str], previous_due_at: Sequence[datetime | None]
) -> list[dict[str, Any]]:
    """Each still open case of `case_ids` as a CaseDeadlineRecomputed's JSON, in id order."""
    previous = {str(case_id): due for case_id, due in zip(case_ids, previous_due_at, strict=True)}
    rows = session.execute(
        sa.select(*(t.c[name] for name in FIELDS))
        .where(
            t.c.tenant_id == tenant,
            t.c.id.in_(list(previous)),
            t.c.clock_state.in_(("running", "paused")),
        )
        .order_by(t.c.id)
    ).all()
    return [case_proto.recomputed_json(row, previous[str(row.id)]) for row in rows]


def record_recomputed(session: Session, tenant: str, cases: list[dict[str, Any]]) -> None:
    """The CaseDeadlinesRecomputed of `cases` (their JSON) in the outbox."""
    outbox.record(session, source=SOURCE, message_or_type=EVENT_TYPE, data={"cases": cases}, tenant_id=tenant)
