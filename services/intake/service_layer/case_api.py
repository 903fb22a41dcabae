"""Cases as the API sees them (API.md *Cases*): who may do what, what they see, pages.

On top of `cases` (receive, the one generic `act`): the role checks, the case with its stored
clock (and its colour now), and the applicant masked (DOMAIN.md §11) for everyone but the
people who handle the case — its handler, its first-ask person, and the county department it is
escalated to; the county admin and ops never see it in full. Visibility of the township itself
is the gRPC interceptor's (`x-tenant-id` against the token); a township this service does not
know answers not_found for every role.

A county department user (DOMAIN.md §1 `county_department`, their department in the token) sees
ONLY the cases escalated to the county and to their department, in any township of the county:
every other case is not_found for them (not forbidden: no existence leak), and the one action
they take is `resume` (the case goes back to the township with their note). `list_cases` with
`tenants` instead of a township is their work list across the townships the caller names (each
still read in its own row-level-security transaction).

The `colour` filter is the colour the case view shows now: SQL narrows the rows with the clock's
rule (domain/clock.py `colour`) over the stored `due_at`/`warn_at`/`stopped_at`; a paused clock's
colour depends on its history, so those rows are judged on the built view, which decides."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.errors import Forbidden, NotFound, ValidationFailed
from libs.common.paging import Page
from libs.common.pii import mask_address, mask_email, mask_id_number, mask_name, mask_phone
from libs.common.tenancy import (
    CASE_READER_ROLES,
    Principal,
    require_role,
    require_tenant,
    validate_tenant,
)
from services.intake.adapters import case_repository as repo
from services.intake.adapters import tables
from services.intake.domain import clock
from services.intake.domain.case import ESCALATED, STATES, Applicant, Case
from services.intake.service_layer import case_clock, cases, pii_audit
from services.intake.service_layer.townships import require_known

CREATOR_ROLES = ("intake_desk", "window_staff", "township_admin", "proxy_agent")
ACTOR_ROLES = ("window_staff", "township_admin")
PRESS_ROLES = ("county_supervisor", "township_admin")
COUNTY_DEPARTMENT = "county_department"
DEPARTMENT_ACTIONS = ("resume",)  # what a county department does with a case escalated to it
# roles that never see the applicant in full, whatever else they are
NEVER_IN_FULL = ("county_admin", "ops")
COLOURS = (clock.GREEN, clock.YELLOW, clock.RED, clock.OVERDUE)
MAX_TENANTS = 500  # townships one county-scope listing may name

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


def _utcnow() -> datetime:
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


@dataclass(frozen=True)
class Listing:
    state: str = ""
    item_code: str = ""
    handler: str = ""
    from_date: str = ""
    to_date: str = ""
    page_size: int = 0
    page_token: str = ""
    colour: str = ""
    tenants: tuple[str, ...] = ()  # county scope (no township): the townships to look in


def create(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    cmd: cases.ReceiveCase,
) -> CaseView:
    """Receive a case with the caller as its first-ask person; an empty `kind` is the item's:
    immediate (promised 0 days), joint (two or more departments) or promised. One transaction:
    the case and the caller's view of it."""
    with _checked_on_failure(sessions, tenant) as scope, db.transaction(sessions, scope) as s:
        who = require_role(principal, *CREATOR_ROLES)
        if not cmd.kind:
            cmd = replace(cmd, kind=_kind_of_item(s, scope, cmd.item_code))
        case = cases.receive_in(s, scope, who.username, replace(cmd, first_ask=who.username))
        return _written_view(s, who, case)  # a creator's role reads the township: no filter


def act(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    case_id: str,
    expected_version: int,
    action: str,
    **args: Any,
) -> CaseView:
    """Take an action (the generic `cases.act`); `expected_version` 0 = no version check. The
    answer is the case as it is now, even if it has just left the caller's sight (a resume), read
    in the action's transaction."""
    if expected_version and not _department_only(principal):  # the usual call: one transaction
        with _checked_on_failure(sessions, tenant) as scope:
            who = require_role(principal, *(PRESS_ROLES if action == "press" else ACTOR_ROLES))
            return _act_in(sessions, who, scope, case_id, expected_version, action, **args)
    scope = _check(sessions, tenant)
    if _department_only(principal):
        who = require_role(principal, COUNTY_DEPARTMENT)
        seen = _one(sessions, who, scope, case_id).case  # not_found unless escalated to them
        if action not in DEPARTMENT_ACTIONS:
            raise Forbidden(f"a county department may only {', '.join(DEPARTMENT_ACTIONS)} a case")
        # act on the version just checked: a case returned or re-escalated meanwhile conflicts
        seen.check_version(expected_version or seen.version)
        expected_version = seen.version
    else:
        who = require_role(principal, *(PRESS_ROLES if action == "press" else ACTOR_ROLES))
    if not expected_version:
        expected_version = cases.get(sessions, scope, case_id).version
    return _act_in(sessions, who, scope, case_id, expected_version, action, **args)


def _act_in(
    sessions: sessionmaker[Session],
    who: Principal,
    tenant: str,
    case_id: str,
    expected_version: int,
    action: str,
    **args: Any,
) -> CaseView:
    with db.transaction(sessions, tenant) as s:
        case = cases.act_in(s, case_id, expected_version, action, who.username, **args)
        return _written_view(s, who, case)


def get(
    sessions: sessionmaker[Session], principal: Principal | None, tenant: str | None, case_id: str
) -> CaseView:
    with _checked_on_failure(sessions, tenant) as scope, db.transaction(sessions, scope) as s:
        who = require_role(principal, *CASE_READER_ROLES, COUNTY_DEPARTMENT)
        return _one_in(s, who, case_id)


def list_cases(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    tz: ZoneInfo,
    f: Listing,
    now: Now = _utcnow,
) -> Page[CaseView]:
    """The township's cases, newest received first, by state / item / handler / received day /
    colour now. Without a township but with `f.tenants`: a county department's escalated cases
    across those townships."""
    if not tenant and f.tenants:
        return _list_county(sessions, principal, tz, f, now)
    scope = _check(sessions, tenant)
    who = require_role(principal, *CASE_READER_ROLES, COUNTY_DEPARTMENT)
    if f.tenants:
        raise ValidationFailed("name either the township or the townships to look in, not both")
    size = _page_size(f)
    query = _filtered(who, f, tz, now())
    with db.transaction(sessions, scope) as s:
        views = _collect(s, who, query, f, size + 1, now)
    return _paged(views, size)


def _list_county(
    sessions: sessionmaker[Session], principal: Principal | None, tz: ZoneInfo, f: Listing, now: Now
) -> Page[CaseView]:
    """A county department's work: the cases escalated to its department in the townships named
    (each in the caller's scope; one tenant-scoped transaction each), merged newest first."""
    who = require_role(principal, COUNTY_DEPARTMENT)
    if len(f.tenants) > MAX_TENANTS:
        raise ValidationFailed(f"at most {MAX_TENANTS} townships")
    size = _page_size(f)
    query = _filtered(who, f, tz, now())
    views: builtins.list[CaseView] = []
    for tenant in sorted(set(f.tenants)):
        if not who.may_see(validate_tenant(tenant)):
            raise NotFound(f"no township {tenant}")
        with db.transaction(sessions, tenant) as s:
            views.extend(_collect(s, who, query, f, size + 1, now))
    views.sort(key=lambda v: (-v.case.received_at.timestamp(), v.case.id))
    return _paged(views, size)


# --- listing ---------------------------------------------------------------------------------


def _page_size(f: Listing) -> int:
    size = paging.page_size(f.page_size)
    if f.state and f.state not in STATES:
        raise ValidationFailed(f"state must be one of {', '.join(STATES)}")
    if f.colour and f.colour not in COLOURS:
        raise ValidationFailed(f"colour must be one of {', '.join(COLOURS)}")
    return size


def _filtered(who: Principal, f: Listing, tz: ZoneInfo, now: datetime) -> Any:
    """The listing's query before paging (the caller's tenant is row-level security's)."""
    query = sa.select(t)
    if _department_only(who):
        query = query.where(_escalated_to(who))
    if f.state:
        query = query.where(t.c.state == f.state)
    if f.item_code:
        query = query.where(t.c.item_code == f.item_code)
    if f.handler:
        query = query.where(t.c.handler == f.handler)
    if f.from_date:
        query = query.where(t.c.received_at >= _midnight(f.from_date, tz, "from_date"))
    if f.to_date:
        query = query.where(t.c.received_at < _midnight(f.to_date, tz, "to_date") + timedelta(days=1))
    if f.colour:
        query = query.where(_colour_may_be(f.colour, now, tz))
    return query


def _colour_may_be(colour: str, now: datetime, tz: ZoneInfo) -> Any:
    """Rows whose clock may be `colour` at `now`: exact for running and stopped clocks (the rule
    of clock.colour over the stored columns; a stopped clock judged at its stop), every paused
    one for the colours a paused clock can have (the view decides those)."""
    state = t.c.clock_state
    stopped_early = sa.and_(state == clock.STOPPED, t.c.stopped_at < now)
    at = sa.case((stopped_early, t.c.stopped_at), else_=sa.literal(now, sa.DateTime(timezone=True)))
    timed = sa.and_(
        state.in_((clock.RUNNING, clock.STOPPED)), t.c.due_at.is_not(None), t.c.warn_at.is_not(None)
    )

    def local_day(x: Any) -> Any:
        return sa.func.date(sa.func.timezone(tz.key, x))

    overdue = at > t.c.due_at
    red = sa.and_(~overdue, local_day(at) == local_day(t.c.due_at))
    yellow = sa.and_(~overdue, ~red, at >= t.c.warn_at)
    green = sa.or_(
        state.is_(None),
        state == clock.NOT_STARTED,
        sa.and_(state == clock.STOPPED, t.c.due_at.is_(None)),
        sa.and_(timed, ~overdue, ~red, at < t.c.warn_at),
    )
    paused = state == clock.PAUSED
    return {
        clock.GREEN: sa.or_(green, paused),
        clock.YELLOW: sa.or_(sa.and_(timed, yellow), paused),
        clock.RED: sa.and_(timed, red),
        clock.OVERDUE: sa.or_(sa.and_(timed, overdue), paused),
    }[colour]


def _collect(
    s: Session, who: Principal, query: Any, f: Listing, want: int, now: Now
) -> builtins.list[CaseView]:
    """Up to `want` views after the page token, newest received first; with a colour filter,
    rows are read in batches until `want` views have the colour (or the rows run out)."""
    cursor = paging.decode_time_key(f.page_token) if f.page_token else None
    found: builtins.list[CaseView] = []
    while True:
        q = query
        if cursor is not None:
            at, case_id = cursor
            q = q.where(
                sa.or_(
                    t.c.received_at < at, sa.and_(t.c.received_at == at, sa.cast(t.c.id, sa.Text) > case_id)
                )
            )
        rows = (
            s.execute(q.order_by(t.c.received_at.desc(), sa.cast(t.c.id, sa.Text)).limit(want))
            .mappings()
            .all()
        )
        views = _views(s, who, rows, now)
        found.extend(v for v in views if not f.colour or v.clock.colour == f.colour)
        if len(found) >= want or len(rows) < want:
            return found[:want]
        cursor = (rows[-1]["received_at"], str(rows[-1]["id"]))


def _views(s: Session, who: Principal, rows: Any, now: Now) -> builtins.list[CaseView]:
    ids = [r["id"] for r in rows]
    history: dict[str, builtins.list[Any]] = {str(i): [] for i in ids}
    if ids:
        query_history = sa.select(h).where(h.c.case_id.in_(ids)).order_by(h.c.case_id, h.c.seq)
        for e in s.execute(query_history).mappings():
            history[str(e["case_id"])].append(e)
    return [_view(s, who, r, history[str(r["id"])], now) for r in rows]


def _paged(views: builtins.list[CaseView], size: int) -> Page[CaseView]:
    return Page(*paging.split(views, size, lambda v: paging.time_key_token(v.case.received_at, v.case.id)))


# --- helpers ---------------------------------------------------------------------------------


def _check(sessions: sessionmaker[Session], tenant: str | None) -> str:
    """The township, known here (else not_found for everyone, before any role check)."""
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tenant)
    return scope


@contextmanager
def _checked_on_failure(sessions: sessionmaker[Session], tenant: str | None) -> Iterator[str]:
    """The township of a call that checks it only when the call fails: an unknown township is
    then not_found whatever else went wrong, and a call that succeeds reads it not at all (a
    case of the township exists only once it is known)."""
    try:
        yield require_tenant(tenant)
    except Exception:
        _check(sessions, tenant)
        raise


def _department_only(principal: Principal | None) -> bool:
    """Whether the caller sees a township only as a county department (no other reading role)."""
    if principal is None or not principal.has_role(COUNTY_DEPARTMENT):
        return False
    return not principal.has_role(*CASE_READER_ROLES)


def _escalated_to(who: Principal) -> Any:
    """The cases escalated to the county department of `who` (none without a department)."""
    return sa.and_(
        t.c.state == ESCALATED,
        t.c.escalated_to == "county",
        t.c.escalated_department == (who.department or None),
    )


def _one(
    sessions: sessionmaker[Session], who: Principal, tenant: str, case_id: str, *, visible: bool = True
) -> CaseView:
    """One case as `who` sees it; with `visible`, not_found unless `who` may see it."""
    with db.transaction(sessions, tenant) as s:
        return _one_in(s, who, case_id, visible=visible)


def _one_in(s: Session, who: Principal, case_id: str, *, visible: bool = True) -> CaseView:
    """`_one` in the caller's transaction."""
    query = _CASE_WITH_CLOCK
    if visible and _department_only(who):
        query = query.where(_escalated_to(who))
    row = s.execute(query, {"the_id": repo.case_uuid(case_id)}).mappings().first()
    if row is None:
        raise NotFound(f"no case {case_id!r}")
    entries = s.execute(repo.HISTORY_OF_CASE, {"the_case": row["id"]}).mappings().all()
    return _view(s, who, row, entries)


def _written_view(s: Session, who: Principal, case: Case) -> CaseView:
    """The case just saved in this transaction, as `who` sees it: the case in hand (its history
    is what was just written), with its clock and times read back."""
    row = s.execute(_TIMES_AND_CLOCK, {"the_id": case.id}).mappings().one()
    # as a read finds it: the domain's clock intents are in the stored clock now
    return _view_of(s, who, replace(case, clock_intents=[]), row)


def _view(s: Session, who: Principal, row: Any, entries: Any, now: Now = _utcnow) -> CaseView:
    return _view_of(s, who, repo.from_row(row, entries), row, now)


def _view_of(s: Session, who: Principal, case: Case, row: Any, now: Now = _utcnow) -> CaseView:
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


def _clock(s: Session, case: Case, row: Any, now: Now = _utcnow) -> ClockView:
    """The clock as stored, with its colour now (the calendar and promised days are read once
    per transaction: a page of cases is not one read per row)."""
    state = row["clock_state"] or clock.NOT_STARTED
    colour = clock.GREEN
    if state == clock.PAUSED:  # judged by the budget used so far: the clock's history decides
        calendar = case_clock.township_calendar(s, case.tenant)
        days = case_clock.promised_days(s, case)
        derived = clock.derive(case_clock.history_intents(case.history), calendar, days)
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


def _kind_of_item(s: Session, tenant: str, code: str) -> str:
    row = repo.catalogue_item(s, tenant, code)
    if row is None:
        return "promised"  # receive refuses the unknown item
    if not row["promised_days"]:
        return "immediate"
    return "joint" if len(row["departments"] or ()) >= 2 else "promised"


def _midnight(day: str, tz: ZoneInfo, name: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(day), time(), tz)
    except ValueError:
        raise ValidationFailed(f"{name} must be YYYY-MM-DD") from None
