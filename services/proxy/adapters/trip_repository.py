"""Trips in PostgreSQL: the `trip` row (its id derived from carrier, day and destination, so
planning twice is one trip) and its events in the outbox, in the caller's transaction. The
manifest is read from the delegations (`delegation_repository.on_trip`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from bianmin.proxy.v1 import events_pb2
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common.errors import NotFound
from libs.common.messaging import outbox
from services.proxy.adapters import tables
from services.proxy.adapters.trip_proto import delivered_event, planned_event
from services.proxy.domain.delegation import Delegation
from services.proxy.domain.trip import DELIVERED, Trip

SOURCE = "proxy"
t = tables.trip
_IDS = uuid.UUID("3b0c7a4e-2f61-4f0e-8d0a-6a9e1c5b7d20")


def trip_id(tenant: str, day: date, carrier: str, destination: str) -> str:
    return str(uuid.uuid5(_IDS, f"{tenant}\n{day.isoformat()}\n{carrier}\n{destination}"))


def ensure(s: Session, tenant: str, day: date, carrier: str, destination: str, at: datetime) -> str:
    """The trip of `carrier` on `day` to `destination`, planned now if it was not."""
    tid = trip_id(tenant, day, carrier, destination)
    s.execute(
        insert(t)
        .values(
            tenant_id=tenant, id=tid, trip_date=day, carrier=carrier, destination=destination, planned_at=at
        )
        .on_conflict_do_nothing()
    )
    return tid


def get(s: Session, tid: str, *, lock: bool = False) -> sa.RowMapping:
    query = sa.select(t).where(t.c.id == tid)
    row = s.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(f"no trip {tid!r} in this township")
    return row


def on_day(s: Session, day: date, carrier: str = "") -> list[sa.RowMapping]:
    query = sa.select(t).where(t.c.trip_date == day)
    if carrier:
        query = query.where(t.c.carrier == carrier)
    return list(s.execute(query.order_by(t.c.carrier, t.c.destination, t.c.id)).mappings().all())


def mark_delivered(s: Session, tenant: str, trip: Trip, by: str, at: datetime, delivered: list[str]) -> None:
    s.execute(
        sa.update(t).where(t.c.id == trip.id).values(status=DELIVERED, delivered_at=at, delivered_by=by)
    )
    outbox.record(s, source=SOURCE, message_or_type=delivered_event(trip, delivered, at), tenant_id=tenant)


def unannounced(s: Session, day: date) -> list[sa.RowMapping]:
    """The trips of `day` whose manifest was not told yet (locked: one job run tells each once)."""
    query = sa.select(t).where(t.c.trip_date == day, t.c.announced_at.is_(None)).order_by(t.c.id)
    return list(s.execute(query.with_for_update(skip_locked=True)).mappings().all())


def announce(s: Session, tenant: str, trip: Trip, at: datetime) -> None:
    s.execute(sa.update(t).where(t.c.id == trip.id).values(announced_at=at))
    outbox.record(s, source=SOURCE, message_or_type=planned_event(trip), tenant_id=tenant)


def warn_missed(s: Session, tenant: str, delegation_id: str, agent: str, day: date | None) -> None:
    """`delegation_trip_missed`: the township admin's warning (through notify)."""
    warning = events_pb2.DelegationTripMissed(
        delegation_id=delegation_id, agent=agent, trip_date=day.isoformat() if day else ""
    )
    outbox.record(s, source=SOURCE, message_or_type=warning, tenant_id=tenant)


def warn_uncarried(s: Session, tenant: str, d: Delegation, day: date) -> None:
    """`delegation_uncarried`: no township agent carries this county item (the township admins'
    warning, through notify)."""
    warning = events_pb2.DelegationUncarried(
        delegation_id=d.id,
        case_id=d.case_id,
        case_number=d.case_number,
        agent=d.agent,
        trip_date=day.isoformat(),
    )
    outbox.record(s, source=SOURCE, message_or_type=warning, tenant_id=tenant)
