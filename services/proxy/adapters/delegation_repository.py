"""Delegations in PostgreSQL: the `delegation` row (its steps in `history`) and the events of its
new transitions in the outbox, in the caller's transaction (they commit together or not).
Optimistic concurrency: `save` updates only `WHERE version = expected`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common.errors import NotFound, VersionConflict
from libs.common.messaging import outbox
from services.proxy.adapters import tables
from services.proxy.adapters.delegation_proto import event_to_pb
from services.proxy.domain.delegation import Applicant, Confirmation, Consent, Delegation, Fee, HistoryEntry

SOURCE = "proxy"
t = tables.delegation


def add(s: Session, d: Delegation, *, idempotency_key: str = "") -> bool:
    """Store a new delegation and its events; False (nothing stored) when one with its id exists
    (a retried create: the caller reads that one)."""
    inserted = s.execute(
        insert(t)
        .values(
            tenant_id=d.tenant,
            id=d.id,
            created_at=d.created_at,
            idempotency_key=idempotency_key or None,
            **_row(d),
        )  # fmt: skip
        .on_conflict_do_nothing()
        .returning(t.c.id)
    ).first()
    if inserted is None:
        return False
    _publish(s, d)
    return True


def save(s: Session, d: Delegation, expected_version: int) -> None:
    """Store a changed delegation (its version one or more above `expected_version`, or the same
    when only `case_version` moved) and the events of its new transitions."""
    done = s.execute(
        sa.update(t)
        .where(t.c.id == d.id, t.c.version == expected_version)
        .values(**_row(d))
        .returning(t.c.id)
    ).first()
    if done is None:
        raise VersionConflict(f"delegation {d.id} changed meanwhile: read it again")
    _publish(s, d)


def get(s: Session, delegation_id: str, *, lock: bool = False) -> Delegation:
    found = find(s, delegation_id, lock=lock)
    if found is None:
        raise NotFound(f"no delegation {delegation_id} in this township")
    return found


def find(s: Session, delegation_id: str, *, lock: bool = False) -> Delegation | None:
    query = sa.select(t).where(t.c.id == delegation_id)
    row = s.execute(query.with_for_update() if lock else query).mappings().first()
    return None if row is None else stored(row)


def find_by_case(s: Session, case_id: str, *, lock: bool = False) -> Delegation | None:
    query = sa.select(t).where(t.c.case_id == case_id)
    row = s.execute(query.with_for_update() if lock else query).mappings().first()
    return None if row is None else stored(row)


def page(
    s: Session,
    *,
    state: str = "",
    agent: str = "",
    village: str = "",
    villages: list[str] | None = None,
    after: str | None = None,
    limit: int,
) -> list[Delegation]:
    """In id order after `after`, filtered; `villages` (None: all) bounds what the caller may see."""
    query = sa.select(t)
    if state:
        query = query.where(t.c.state == state)
    if agent:
        query = query.where(t.c.agent == agent)
    if village:
        query = query.where(t.c.village == village)
    if villages is not None:
        query = query.where(t.c.village.in_(villages))
    if after is not None:
        query = query.where(t.c.id > after)
    rows = s.execute(query.order_by(t.c.id).limit(limit)).mappings().all()
    return [stored(r) for r in rows]


def on_trip(s: Session, trip_id: str) -> list[Delegation]:
    """The manifest of a trip: its delegations, in id order."""
    rows = s.execute(sa.select(t).where(t.c.trip_id == trip_id).order_by(t.c.id)).mappings().all()
    return [stored(r) for r in rows]


def on_trips(s: Session, trip_ids: list[str]) -> list[Delegation]:
    rows = s.execute(sa.select(t).where(t.c.trip_id.in_(trip_ids)).order_by(t.c.id)).mappings().all()
    return [stored(r) for r in rows]


def carried_load(s: Session) -> dict[str, int]:
    """Open delegations (waiting for or at a trip's end) by the agent who carries them."""
    rows = s.execute(
        sa.select(t.c.carrier, sa.func.count())
        .where(t.c.state.in_(("awaiting_trip", "at_county")), t.c.carrier != "")
        .group_by(t.c.carrier)
    )
    return {r[0]: int(r[1]) for r in rows}


def missed(s: Session, today: date) -> list[Delegation]:
    """Delegations still waiting for a trip day that has passed."""
    rows = (
        s.execute(
            sa.select(t)
            .where(t.c.state == "awaiting_trip", t.c.trip_date < today)
            .order_by(t.c.id)
            .with_for_update()
        )
        .mappings()
        .all()
    )
    return [stored(r) for r in rows]


def at_county_not_carried_by(s: Session, carriers: list[str]) -> list[Delegation]:
    """Delegations at the county whose carrier is none of `carriers` (the township agents): left
    without a township agent to carry them when they were escalated (locked)."""
    query = sa.select(t).where(t.c.state == "at_county")
    if carriers:
        query = query.where(t.c.carrier.not_in(carriers))
    rows = s.execute(query.order_by(t.c.id).with_for_update()).mappings().all()
    return [stored(r) for r in rows]


def waiting_for(s: Session, day: date, carriers: list[str]) -> list[Delegation]:
    """Delegations waiting for the trip of `day` carried by one of `carriers` (locked)."""
    if not carriers:
        return []
    rows = (
        s.execute(
            sa.select(t)
            .where(t.c.state == "awaiting_trip", t.c.trip_date == day, t.c.carrier.in_(carriers))
            .order_by(t.c.id)
            .with_for_update()
        )
        .mappings()
        .all()
    )
    return [stored(r) for r in rows]


def _publish(s: Session, d: Delegation) -> None:
    """The events not yet stored (a delegation read from here has none), then none are pending."""
    for event in d.events:
        outbox.record(s, source=SOURCE, message_or_type=event_to_pb(event), tenant_id=d.tenant)
    d.events.clear()


def _row(d: Delegation) -> dict[str, Any]:
    c = d.confirmation
    return {
        "agent": d.agent,
        "village": d.village,
        "household_id": d.household_id,
        "applicant_name": d.applicant.name,
        "applicant_phone": d.applicant.phone,
        "applicant_id_number": d.applicant.id_number,
        "applicant_address": d.applicant.address,
        "item_code": d.item_code,
        "item_level": d.item_level,
        "consent_method": d.consent.method,
        "consent_signed_at": d.consent.signed_at,
        "consent_signed_by": d.consent.signed_by,
        "materials": list(d.materials),
        "fee_fen": d.fee.amount_fen if d.fee else 0,
        "fee_receipt": d.fee.receipt if d.fee else "",
        "case_id": d.case_id,
        "case_number": d.case_number,
        "case_version": d.case_version,
        "state": d.state,
        "trip_date": d.trip_date,
        "carrier": d.carrier,
        "trip_id": d.trip_id,
        "outcome": d.outcome,
        "outcome_reason": d.outcome_reason,
        "confirmation_method": c.method if c else "",
        "confirmation_at": c.at if c else None,
        "confirmation_witness": c.witnessed_by if c else "",
        "satisfaction": d.satisfaction,
        "history": [
            {
                "at": h.at.isoformat(),
                "actor": h.actor,
                "action": h.action,
                "state": h.state,
                "reason": h.reason,
            }
            for h in d.history
        ],
        "completed_at": d.completed_at,
        "updated_at": datetime.now(UTC),
        "version": d.version,
    }


def stored(row: sa.RowMapping) -> Delegation:
    trip: date | None = row["trip_date"]
    return Delegation(
        id=row["id"],
        tenant=row["tenant_id"],
        agent=row["agent"],
        village=row["village"],
        household_id=row["household_id"],
        applicant=Applicant(
            row["applicant_name"],
            row["applicant_phone"],
            row["applicant_id_number"],
            row["applicant_address"],
        ),
        item_code=row["item_code"],
        item_level=row["item_level"],
        consent=Consent(row["consent_method"], row["consent_signed_at"], row["consent_signed_by"]),
        materials=tuple(row["materials"]),
        case_id=row["case_id"],
        case_number=row["case_number"],
        created_at=row["created_at"],
        fee=Fee(int(row["fee_fen"]), row["fee_receipt"]) if row["fee_fen"] else None,
        state=row["state"],
        case_version=int(row["case_version"]),
        trip_date=trip,
        carrier=row["carrier"],
        trip_id=row["trip_id"],
        outcome=row["outcome"],
        outcome_reason=row["outcome_reason"],
        confirmation=(
            Confirmation(row["confirmation_method"], row["confirmation_at"], row["confirmation_witness"])
            if row["confirmation_method"]
            else None
        ),
        satisfaction=row["satisfaction"],
        version=int(row["version"]),
        history=[
            HistoryEntry(datetime.fromisoformat(h["at"]), h["actor"], h["action"], h["state"], h["reason"])
            for h in row["history"]
        ],
        events=[],
    )
