"""A case as one caller sees it (API.md *Cases*): the case with its stored clock (and its colour
now), and the applicant masked (DOMAIN.md §11) for everyone but the people who handle the case —
its handler, its first-ask person, and the county department it is escalated to; the county
admin and ops never see it in full. A case shown in full is audited in the transaction that
reads it (pii_audit).

A county department user (DOMAIN.md §1 `county_department`, their department in the token) sees
ONLY the cases escalated to the county and to their department, in any township of the county:
every other case is not_found for them (not forbidden: no existence leak)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import NotFound
from libs.common.pii import mask_address, mask_email, mask_id_number, mask_name, mask_phone
from libs.common.tenancy import CASE_READER_ROLES, Principal
from services.intake.adapters import case_repository as repo
from services.intake.adapters import tables
from services.intake.domain import clock
from services.intake.domain.case import ESCALATED, Applicant, Case
from services.intake.service_layer import case_clock, pii_audit

COUNTY_DEPARTMENT = "county_department"
# roles that never see the applicant in full, whatever else they are
NEVER_IN_FULL = ("county_admin", "ops")

t = tables.case_with_clock  # a case with its clock
h = tables.case_history
# built once: every call reads one
_CASE_WITH_CLOCK = sa.select(t).where(t.c.id == sa.bindparam("the_id"))
# what a view takes from the row beside the case, its times and clock: after a write the case is
# in hand, and its forty-odd columns (JSON among them) are not fetched and parsed again
_TIMES_AND_CLOCK = sa.select(
    t.c.created_at, t.c.updated_at, t.c.clock_state, t.c.started_at, t.c.stopped_at, t.c.due_at, t.c.warn_at,
    t.c.provisional,
).where(t.c.id == sa.bindparam("the_id"))  # fmt: skip
Now = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ClockView:
    state: str
    started_at: datetime | None
    due_at: datetime | None
    warn_at: datetime | None
    colour: str
    provisional: bool
    extensions: int


@dataclass(frozen=True)
class Escalation:
    to_level: str
    department: str | None
    reason: str
    escalated_at: datetime


@dataclass(frozen=True)
class CaseView:
    """A case as one caller may see it."""

    case: Case
    clock: ClockView
    item_name: str
    created_at: datetime
    updated_at: datetime
    masked: bool
    escalation: Escalation | None = None


def one(
    sessions: sessionmaker[Session], who: Principal, tenant: str, case_id: str, *, visible: bool = True
) -> CaseView:
    """One case as `who` sees it; with `visible`, not_found unless `who` may see it."""
    with db.transaction(sessions, tenant) as s:
        return one_in(s, who, case_id, visible=visible)


def one_in(s: Session, who: Principal, case_id: str, *, visible: bool = True) -> CaseView:
    """`_one` in the caller's transaction."""
    query = _CASE_WITH_CLOCK
    if visible and department_only(who):
        query = query.where(escalated_to(who))
    row = s.execute(query, {"the_id": repo.case_uuid(case_id)}).mappings().first()
    if row is None:
        raise NotFound(f"no case {case_id!r}")
    entries = s.execute(repo.HISTORY_OF_CASE, {"the_case": row["id"]}).mappings().all()
    return _view(s, who, row, entries)


def written_view(s: Session, who: Principal, case: Case) -> CaseView:
    """The case just saved in this transaction, as `who` sees it: the case in hand (its history
    is what was just written), with its clock and times read back."""
    row = s.execute(_TIMES_AND_CLOCK, {"the_id": case.id}).mappings().one()
    # as a read finds it: the domain's clock intents are in the stored clock now
    return _view_of(s, who, replace(case, clock_intents=[]), row)


def views(s: Session, who: Principal, rows: Any, now: Now) -> list[CaseView]:
    ids = [r["id"] for r in rows]
    history: dict[str, list[Any]] = {str(i): [] for i in ids}
    if ids:
        query_history = sa.select(h).where(h.c.case_id.in_(ids)).order_by(h.c.case_id, h.c.seq)
        for e in s.execute(query_history).mappings():
            history[str(e["case_id"])].append(e)
    return [_view(s, who, r, history[str(r["id"])], now) for r in rows]


def _view(s: Session, who: Principal, row: Any, entries: Any, now: Now = utcnow) -> CaseView:
    return _view_of(s, who, repo.from_row(row, entries), row, now)


def _view_of(s: Session, who: Principal, case: Case, row: Any, now: Now = utcnow) -> CaseView:
    """The view of `case`, its clock and times from `row` (its case_with_clock row)."""
    seen = _seen_by(case, who)
    if seen is case:  # shown in full: audited in the same transaction as the read (DOMAIN.md §11)
        pii_audit.record(
            s,
            tenant=case.tenant,
            actor=who.username,
            subject=pii_audit.APPLICANT,
            subject_id=str(case.id),
            fields=pii_audit.fields_of(case.applicant),
        )
    return CaseView(
        case=seen,
        masked=seen is not case,
        clock=_clock(s, case, row, now),
        item_name=repo.catalogue_item_name(s, case.tenant, case.item_code),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        escalation=_escalation(case),
    )


def department_only(principal: Principal | None) -> bool:
    """Whether the caller sees a township only as a county department (no other reading role)."""
    if principal is None or not principal.has_role(COUNTY_DEPARTMENT):
        return False
    return not principal.has_role(*CASE_READER_ROLES)


def escalated_to(who: Principal) -> Any:
    """The cases escalated to the county department of `who` (none without a department)."""
    return sa.and_(
        t.c.state == ESCALATED,
        t.c.escalated_to == "county",
        t.c.escalated_department == (who.department or None),
    )


def _escalation(case: Case) -> Escalation | None:
    """Where an escalated case is (its newest escalation), None when it is not escalated."""
    if case.escalated_to is None:
        return None
    last = next((e for e in reversed(case.history) if e.action == "escalate"), None)
    if last is None:
        return None
    return Escalation(case.escalated_to, case.escalated_department, last.reason, last.at)


def _handles(case: Case, who: Principal) -> bool:
    """The people who handle the case: its handler, its first-ask person, and the county
    department it is escalated to (never the county admin or ops)."""
    if who.has_role(*NEVER_IN_FULL):
        return False
    if who.username in (case.handler, case.first_ask):
        return True
    return (
        who.has_role(COUNTY_DEPARTMENT)
        and bool(who.department)
        and case.escalated_to == "county"
        and case.escalated_department == who.department
    )


def _seen_by(case: Case, who: Principal) -> Case:
    """In full for the people who handle the case (`_handles`); masked for everyone else."""
    if _handles(case, who):
        return case
    a = case.applicant
    masked = Applicant(
        name=mask_name(a.name),
        phone=mask_phone(a.phone),
        id_number=mask_id_number(a.id_number) if a.id_number else None,
        address=mask_address(a.address) if a.address else None,
        email=mask_email(a.email) if a.email else None,
    )
    return replace(case, applicant=masked)


def _clock(s: Session, case: Case, row: Any, now: Now = utcnow) -> ClockView:
    """The clock as stored, with its colour now (the calendar and promised days are read once
    per transaction: a page of cases is not one read per row)."""
    state = row["clock_state"] or clock.NOT_STARTED
    colour = clock.GREEN
    if state == clock.PAUSED:  # judged by the budget used so far: the clock's history decides
        calendar = case_clock.township_calendar(s, case.tenant)
        days = case_clock.promised_days(s, case)
        ratio = case_clock.warn_ratio(s, case.tenant)
        derived = clock.derive(case_clock.history_intents(case.history), calendar, days, ratio)
        colour = clock.colour(derived, calendar, now())
    elif state != clock.NOT_STARTED and row["due_at"] is not None and row["warn_at"] is not None:
        # running or stopped: the stored deadline, as the colour filter reads it
        stored = clock.Clock(
            state=state,
            promised_days=case_clock.promised_days(s, case),
            started_at=row["started_at"],
            stopped_at=row["stopped_at"],
            due_at=row["due_at"],
            warn_at=row["warn_at"],
        )
        colour = clock.colour(stored, case_clock.township_calendar(s, case.tenant), now())
    return ClockView(
        state=state,
        started_at=row["started_at"],
        due_at=row["due_at"],
        warn_at=row["warn_at"],
        colour=colour,
        provisional=bool(row["provisional"]),
        extensions=case.extensions,
    )
