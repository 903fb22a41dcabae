"""Intake's events the county's township assessment counts (DOMAIN.md §7.6): one upsert each,
inside the consumer's idempotent, tenant-scoped transaction (a redelivery writes the same row).

- `case_completed` → `case_fact` (on time or not: 办理事项办结率; and the month's callback draw);
- `complaint_decided` verified → a `complaint` finding (群众投诉);
- `case_pressed` → a `supervision` finding (明查暗访电子监察: a press of the e-supervision).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common.messaging import Envelope, Subscription
from services.appraisal.adapters import tables
from services.appraisal.adapters import township_event_proto as proto

SOURCE = "intake"
COMPLAINT, SUPERVISION = "complaint", "supervision"


def on_case_completed(envelope: Envelope, session: Session) -> None:
    case = proto.completed_case(envelope.data, envelope.occurred_at)
    t = tables.case_fact
    values = {
        "number": case.number,
        "item_name": case.item_name,
        "window": case.window,
        "village": case.village,
        "completed_at": case.completed_at,
        "overdue": case.overdue,
        "event_at": envelope.occurred_at,
    }
    stmt = insert(t).values(tenant_id=envelope.tenant_id, case_id=case.case_id, **values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[t.c.tenant_id, t.c.case_id],
            set_={k: stmt.excluded[k] for k in values},
            where=t.c.event_at <= stmt.excluded.event_at,
        )
    )


def on_complaint_decided(envelope: Envelope, session: Session) -> None:
    verified = proto.verified_complaint(envelope.data, envelope.occurred_at)
    if verified is not None:
        _finding(session, envelope.tenant_id, COMPLAINT, *verified)


def on_case_pressed(envelope: Envelope, session: Session) -> None:
    _finding(session, envelope.tenant_id, SUPERVISION, *proto.press(envelope.data, envelope.occurred_at))


def _finding(session: Session, tenant: str, kind: str, ref: str, at: datetime) -> None:
    t = tables.township_finding
    stmt = insert(t).values(tenant_id=tenant, kind=kind, ref=ref, occurred_at=at)
    session.execute(stmt.on_conflict_do_nothing(index_elements=[t.c.tenant_id, t.c.kind, t.c.ref]))


def subscriptions() -> list[Subscription]:
    return [
        Subscription(SOURCE, "case_completed", "appraisal", on_case_completed),
        Subscription(SOURCE, "complaint_decided", "appraisal", on_complaint_decided),
        Subscription(SOURCE, "case_pressed", "appraisal", on_case_pressed),
    ]
