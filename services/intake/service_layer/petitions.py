"""Petitions and complaints (信访, 投诉; DOMAIN.md §9): registering, reading, answering, forwarding
and deciding. Each change and its event commit together (the outbox).

Who (DOMAIN.md §1; the township itself is the gRPC interceptor's check):
- a petition is registered and answered by the township's `petition_officer`;
- a complaint is registered at the complaint desk by a `petition_officer` or the management office
  (`township_admin`), forwarded to a department by either, its department's answer recorded by
  either, and decided (verified or groundless) by the management office (`township_admin`) only;
- reading: `petition_officer`, `township_admin` and `county_supervisor` (e-supervision) — the
  petitioner's identity in full only for the township's own petition officers (a role held in
  that township, not through a county scope); everyone else gets it withheld (§9: confidential)
  and phone/ID numbers in the texts masked. The county admin, window staff, the desk, proxies and
  ops do not read petitions at all (a complaint may be about them).

Deadlines: a petition's answer is due 3 calendar days after registration (a leader-received one 7;
see domain/petition.py for why calendar days); a forwarded complaint's N working days of the
tenant's calendar (services/intake/service_layer/calendar.py)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.errors import (
    IdempotencyConflict,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from libs.common.messaging import outbox
from libs.common.paging import Page
from libs.common.tenancy import Principal, require_role, require_tenant, validate_code
from services.intake.adapters import tables
from services.intake.adapters.petition_proto import (
    answered_event,
    decided_event,
    forwarded_event,
    registered_event,
)
from services.intake.domain.inquiry import day_range
from services.intake.domain.petition import (
    ANSWERED,
    COMPLAINT,
    KINDS,
    PETITION,
    STATES,
    NewPetition,
    Petition,
    Subject,
    forward_days,
    new_petition,
    petitioner_data,
    registered,
    to_register,
)
from services.intake.service_layer import pii_audit
from services.intake.service_layer.calendar import tenant_calendar
from services.intake.service_layer.townships import require_known

OFFICER = "petition_officer"
OFFICE = "township_admin"  # the management office (管理办公室)
REGISTER_ROLES = {PETITION: (OFFICER,), COMPLAINT: (OFFICER, OFFICE)}
READER_ROLES = (OFFICER, OFFICE, "county_supervisor")
ANSWER_ROLES = FORWARD_ROLES = (OFFICER, OFFICE)
DECIDE_ROLES = (OFFICE,)
_PREFIX = {PETITION: "XF", COMPLAINT: "TS"}  # 信访 / 投诉

t = tables.petition


def register(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    new: NewPetition,
    tz: ZoneInfo,
    idempotency_key: str = "",
) -> Petition:
    """Register with the caller as the registering officer. A collective petition's event goes
    out with this transaction (notify alerts the leader on duty). A retry with the same key (of
    the same person) and the same registration returns the first; a different one →
    idempotency_conflict."""
    scope = require_tenant(tenant)
    now = datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, scope)
        principal = require_role(principal, *REGISTER_ROLES[new.kind])
        new = to_register(new)  # before the key's comparison: a retry is checked the same way
        if idempotency_key:
            existing = _by_key(s, principal.username, idempotency_key)
            if existing is not None:
                if existing.new != new:
                    raise IdempotencyConflict("this Idempotency-Key was used for a different petition")
                return existing.seen_by(_full(principal, scope))
        if new.subject is not None:
            _require_subject(s, new.subject)
        petition = registered(
            new, id=str(uuid.uuid4()), number=_number(s, scope, new.kind, now, tz),
            by=principal.username, at=now, tz=tz,
        )  # fmt: skip
        inserted = s.execute(
            insert(t)
            .values(tenant_id=scope, **_row(petition), idempotency_key=idempotency_key or None)
            .on_conflict_do_nothing()
            .returning(t.c.id)
        ).first()
        if inserted is None:  # a concurrent retry with the same key won: its registration stands
            raise IdempotencyConflict("this Idempotency-Key is being used by a concurrent registration")
        outbox.record(s, source="intake", message_or_type=registered_event(petition), tenant_id=scope)
        if petition.state == ANSWERED:  # answered on the spot
            outbox.record(s, source="intake", message_or_type=answered_event(petition), tenant_id=scope)
    return petition.seen_by(_full(principal, scope))


def get(
    sessions: sessionmaker[Session], principal: Principal | None, tenant: str | None, petition_id: str
) -> Petition:
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, scope)
        principal = require_role(principal, *READER_ROLES)
        petition = _load(s, petition_id)
        full = _full(principal, scope)
        if full:
            _audit(s, scope, principal, [petition])
    return petition.seen_by(full)


def list_petitions(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    tz: ZoneInfo,
    *,
    kind: str = "",
    state: str = "",
    from_date: str = "",
    to_date: str = "",
    page_size: int = 0,
    page_token: str = "",
) -> Page[Petition]:
    """In registration order, optionally of one kind/state and for the dates `from_date`..
    `to_date` (inclusive, in the county's time zone)."""
    if kind and kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(KINDS)}")
    if state and state not in STATES:
        raise ValidationFailed(f"state must be one of {', '.join(STATES)}")
    size = paging.page_size(page_size)
    start, end = day_range(from_date, to_date, tz)
    query = sa.select(t)
    if kind:
        query = query.where(t.c.kind == kind)
    if state:
        query = query.where(t.c.state == state)
    if start is not None:
        query = query.where(t.c.registered_at >= start)
    if end is not None:
        query = query.where(t.c.registered_at < end)
    if page_token:
        after_at, after_id = paging.decode_time_key(page_token, str)
        query = query.where(sa.tuple_(t.c.registered_at, t.c.id) > sa.tuple_(sa.literal(after_at), after_id))
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, scope)
        principal = require_role(principal, *READER_ROLES)
        rows = s.execute(query.order_by(t.c.registered_at, t.c.id).limit(size + 1)).mappings().all()
        items, token = paging.split([_stored(r) for r in rows], size, _token)
        full = _full(principal, scope)
        if full:
            _audit(s, scope, principal, items)
    return Page([p.seen_by(full) for p in items], token)


def answer(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    petition_id: str,
    text: str,
    expected_version: int = 0,
) -> Petition:
    """Record the answer to a petition, or a forwarded complaint's department's answer; late
    answers carry their days late (`PetitionAnswered.days_late`)."""
    text = text.strip()

    def act(s: Session, who: Principal, p: Petition, now: datetime) -> tuple[Petition, Any]:
        if p.kind == PETITION:
            require_role(who, OFFICER)  # the management office answers complaints only
        done = p.answered(text, who.username, now)
        return done, answered_event(done)

    return _act(sessions, principal, tenant, petition_id, expected_version, ANSWER_ROLES, act)


def forward(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    petition_id: str,
    department: str,
    answer_days: int = 0,
    expected_version: int = 0,
) -> Petition:
    """Forward a complaint to a department of the township, due in `answer_days` working days
    (0: the default) — at the close of office, in the tenant's calendar."""
    department = department.strip()
    validate_code(department, "department")
    days = forward_days(answer_days)

    def act(s: Session, who: Principal, p: Petition, now: datetime) -> tuple[Petition, Any]:
        d = tables.department
        if s.execute(sa.select(d.c.code).where(d.c.code == department)).first() is None:
            raise ValidationFailed(f"department {department!r} is not a department of the township")
        due = tenant_calendar(s, require_tenant(tenant)).due_by_working_days(now, days)
        done = p.forwarded(department, due)
        return done, forwarded_event(done, who.username)

    return _act(sessions, principal, tenant, petition_id, expected_version, FORWARD_ROLES, act)


def decide(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    petition_id: str,
    verified: bool,
    reason: str,
    expected_version: int = 0,
) -> Petition:
    """The management office's decision on a complaint: verified (feeds appraisal) or not."""
    reason = reason.strip()

    def act(s: Session, who: Principal, p: Petition, now: datetime) -> tuple[Petition, Any]:
        done = p.decided(verified, reason, who.username, now)
        return done, decided_event(done)

    return _act(sessions, principal, tenant, petition_id, expected_version, DECIDE_ROLES, act)


# --- helpers ---------------------------------------------------------------------------------


def _act(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    petition_id: str,
    expected_version: int,
    roles: tuple[str, ...],
    act: Any,
) -> Petition:
    """Load (locked), check the version, apply `act`, store it and its event — one transaction."""
    scope = require_tenant(tenant)
    if expected_version < 0:
        raise ValidationFailed("expected_version must be ≥ 0")
    with db.transaction(sessions, scope) as s:
        require_known(s, scope)
        who = require_role(principal, *roles)
        current = _load(s, petition_id, lock=True)
        if expected_version and expected_version != current.version:
            raise VersionConflict(
                f"petition {petition_id} is at version {current.version}, not {expected_version}"
            )
        done, event = act(s, who, current, datetime.now(UTC))
        values = {k: v for k, v in _row(done).items() if k not in _FIXED}
        s.execute(sa.update(t).where(t.c.id == done.id, t.c.version == current.version).values(**values))
        outbox.record(s, source="intake", message_or_type=event, tenant_id=scope)
        full = _full(who, scope)
        if full:
            _audit(s, scope, who, [done])
    return done.seen_by(full)


# columns a transition never changes
_FIXED = frozenset({"id", "number", "kind", "channel", "petitioner", "matter", "collective",
                    "leader_received", "subject_type", "subject_id", "ground", "registered_at",
                    "registered_by"})  # fmt: skip


def _audit(s: Session, tenant: str, reader: Principal, shown: list[Petition]) -> None:
    """Log the petitioners shown in full (DOMAIN.md §11), in the read's transaction. The
    registering officer's own answer to `register` is not logged: they typed it in."""
    pii_audit.record_many(
        s,
        tenant=tenant,
        actor=reader.username,
        subject=pii_audit.PETITIONER,
        shown=[(p.id, pii_audit.fields_of(p.new.petitioner)) for p in shown],
    )


def _full(principal: Principal, tenant: str) -> bool:
    """The township's own petition officer (not a county-scoped role) sees the identity."""
    return principal.has_role(OFFICER) and tenant in principal.tenants


def _require_subject(s: Session, subject: Subject) -> None:
    if subject.type == "window":
        w = tables.window
        found = s.execute(sa.select(w.c.code).where(w.c.code == subject.id)).first()
    else:
        st = tables.staff
        found = s.execute(sa.select(st.c.username).where(st.c.username == subject.id)).first()
    if found is None:
        raise ValidationFailed(f"the complaint's {subject.type} {subject.id!r} is not one of the township's")


def _number(s: Session, tenant: str, kind: str, now: datetime, tz: ZoneInfo) -> str:
    """XF-20260302-0001: per township, kind and local day."""
    prefix = f"{_PREFIX[kind]}-{now.astimezone(tz):%Y%m%d}"
    n = tables.petition_number
    stmt = insert(n).values(tenant_id=tenant, prefix=prefix, last=1)
    last = s.execute(
        stmt.on_conflict_do_update(index_elements=[n.c.tenant_id, n.c.prefix], set_={"last": n.c.last + 1})
        .returning(n.c.last)
    ).scalar_one()  # fmt: skip
    return f"{prefix}-{last:04d}"


def _load(s: Session, petition_id: str, lock: bool = False) -> Petition:
    try:
        uuid.UUID(petition_id)
    except ValueError:
        raise NotFound(f"no petition {petition_id!r}") from None
    query = sa.select(t).where(t.c.id == petition_id)
    row = s.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(f"no petition {petition_id!r}")
    return _stored(row)


def _by_key(s: Session, username: str, key: str) -> Petition | None:
    row = (
        s.execute(sa.select(t).where(t.c.registered_by == username, t.c.idempotency_key == key))
        .mappings()
        .first()
    )
    return _stored(row) if row is not None else None


def _row(p: Petition) -> dict[str, Any]:
    n = p.new
    return {
        "id": p.id,
        "number": p.number,
        "kind": n.kind,
        "channel": n.channel,
        "state": p.state,
        "petitioner": petitioner_data(n.petitioner),
        "matter": n.matter,
        "collective": n.collective,
        "leader_received": n.leader_received,
        "subject_type": n.subject.type if n.subject else "",
        "subject_id": n.subject.id if n.subject else "",
        "ground": n.ground,
        "forwarded_to": p.forwarded_to,
        "answer_due_at": p.answer_due_at,
        "answer": p.answer,
        "answered_at": p.answered_at,
        "answered_by": p.answered_by,
        "days_late": p.days_late,
        "verified": p.verified,
        "decision_reason": p.decision_reason,
        "decided_by": p.decided_by,
        "decided_at": p.decided_at,
        "registered_at": p.registered_at,
        "registered_by": p.registered_by,
        "case_id": p.case_id,
        "version": p.version,
    }


def _stored(row: sa.RowMapping) -> Petition:
    # the on-the-spot answer is part of the registration (idempotent retries compare it)
    on_the_spot = (
        row["answer"] if row["kind"] == PETITION and row["answered_at"] == row["registered_at"] else ""
    )
    new = new_petition(
        {
            "kind": row["kind"],
            "channel": row["channel"],
            "petitioner": row["petitioner"],
            "matter": row["matter"],
            "collective": row["collective"],
            "leader_received": row["leader_received"],
            "subject": {"type": row["subject_type"], "id": row["subject_id"]}
            if row["subject_type"]
            else None,
            "ground": row["ground"],
            "answer": on_the_spot,
        }
    )
    petition = Petition(
        id=row["id"],
        number=row["number"],
        new=new,
        state=row["state"],
        registered_at=row["registered_at"],
        registered_by=row["registered_by"],
    )
    return replace(
        petition,
        version=int(row["version"]),
        answer_due_at=row["answer_due_at"],
        answer=row["answer"],
        answered_at=row["answered_at"],
        answered_by=row["answered_by"],
        days_late=int(row["days_late"]),
        forwarded_to=row["forwarded_to"],
        verified=row["verified"],
        decision_reason=row["decision_reason"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        case_id=row["case_id"],
    )


def _token(last: Petition) -> str:
    return paging.time_key_token(last.registered_at, last.id)
