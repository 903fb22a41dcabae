"""Cases as the API sees them (API.md *Cases*): who may do what, what they see, pages.

On top of `cases` (receive, the one generic `act`): the role checks, the case with its stored
clock (and its colour now), and the applicant masked (DOMAIN.md §11) for everyone but the
people who handle the case — its handler and its first-ask person; the county admin and ops never
see it in full. Visibility of the township itself is the gRPC interceptor's (`x-tenant-id`
against the token); a township this service does not know answers not_found for every role."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from libs.common.pii import mask_address, mask_id_number, mask_name, mask_phone
from libs.common.tenancy import Principal
from services.intake.adapters import case_repository as repo
from services.intake.adapters import tables
from services.intake.domain import clock
from services.intake.domain.case import STATES, Applicant, Case
from services.intake.service_layer import cases
from services.intake.service_layer.calendar import tenant_calendar

CREATOR_ROLES = ("intake_desk", "window_staff", "township_admin", "proxy_agent")
ACTOR_ROLES = ("window_staff", "township_admin")
PRESS_ROLES = ("county_supervisor", "township_admin")
READER_ROLES = (
    *CREATOR_ROLES,
    "petition_officer",
    "county_admin",
    "county_supervisor",
    "ops",
)
# roles that never see the applicant in full, whatever else they are
NEVER_IN_FULL = ("county_admin", "ops")
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 200

t = tables.case
h = tables.case_history


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
class CaseView:
    """A case as one caller may see it."""

    case: Case
    clock: ClockView
    item_name: str
    created_at: datetime
    updated_at: datetime
    masked: bool


@dataclass(frozen=True)
class Page:
    items: builtins.list[CaseView]
    next_page_token: str


@dataclass(frozen=True)
class Listing:
    state: str = ""
    item_code: str = ""
    handler: str = ""
    from_date: str = ""
    to_date: str = ""
    page_size: int = 0
    page_token: str = ""


def create(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    cmd: cases.ReceiveCase,
) -> CaseView:
    """Receive a case with the caller as its first-ask person; an empty `kind` is the item's:
    immediate (promised 0 days), joint (two or more departments) or promised."""
    scope = _check(sessions, tenant)
    who = _require(principal, *CREATOR_ROLES)
    if not cmd.kind:
        cmd = replace(cmd, kind=_kind_of_item(sessions, scope, cmd.item_code))
    case = cases.receive(sessions, scope, who.username, replace(cmd, first_ask=who.username))
    return _one(sessions, who, scope, case.id)


def act(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    case_id: str,
    expected_version: int,
    action: str,
    **args: Any,
) -> CaseView:
    """Take an action (the generic `cases.act`); `expected_version` 0 = no version check."""
    scope = _check(sessions, tenant)
    who = _require(principal, *(PRESS_ROLES if action == "press" else ACTOR_ROLES))
    if not expected_version:
        expected_version = cases.get(sessions, scope, case_id).version
    cases.act(sessions, scope, case_id, expected_version, action, who.username, **args)
    return _one(sessions, who, scope, case_id)


def get(
    sessions: sessionmaker[Session], principal: Principal | None, tenant: str | None, case_id: str
) -> CaseView:
    scope = _check(sessions, tenant)
    who = _require(principal, *READER_ROLES)
    return _one(sessions, who, scope, case_id)


def list_cases(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    tz: ZoneInfo,
    f: Listing,
) -> Page:
    """The township's cases, newest received first, by state / item / handler / received day."""
    scope = _check(sessions, tenant)
    who = _require(principal, *READER_ROLES)
    if f.page_size < 0:
        raise ValidationFailed("page_size must be ≥ 0")
    size = min(f.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    if f.state and f.state not in STATES:
        raise ValidationFailed(f"state must be one of {', '.join(STATES)}")
    query = sa.select(t)
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
    if f.page_token:
        at, case_id = _decode_token(f.page_token)
        query = query.where(
            sa.or_(t.c.received_at < at, sa.and_(t.c.received_at == at, sa.cast(t.c.id, sa.Text) > case_id))
        )
    query = query.order_by(t.c.received_at.desc(), sa.cast(t.c.id, sa.Text)).limit(size + 1)
    with db.transaction(sessions, scope) as s:
        rows = s.execute(query).mappings().all()
        ids = [r["id"] for r in rows[:size]]
        history: dict[str, builtins.list[Any]] = {str(i): [] for i in ids}
        if ids:
            query_history = sa.select(h).where(h.c.case_id.in_(ids)).order_by(h.c.case_id, h.c.seq)
            for e in s.execute(query_history).mappings():
                history[str(e["case_id"])].append(e)
        items = [_view(s, who, r, history[str(r["id"])]) for r in rows[:size]]
    token = ""
    if len(rows) > size:
        last = items[-1].case
        token = f"{last.received_at.astimezone(UTC).isoformat()}|{last.id}"
    return Page(items, token)


# --- helpers ---------------------------------------------------------------------------------


def _check(sessions: sessionmaker[Session], tenant: str | None) -> str:
    """The township, known here (else not_found for everyone, before any role check)."""
    if not tenant:
        raise NotFound("no township in the call")
    with db.transaction(sessions, tenant) as s:
        if s.execute(sa.select(tables.tenant.c.tenant_id)).first() is None:
            raise NotFound(f"township {tenant} is not known here (yet)")
    return tenant


def _require(principal: Principal | None, *roles: str) -> Principal:
    if principal is None:
        raise Unauthenticated("a bearer token is required")
    if not principal.has_role(*roles):
        raise Forbidden(f"needs one of the roles: {', '.join(roles)}")
    return principal


def _one(sessions: sessionmaker[Session], who: Principal, tenant: str, case_id: str) -> CaseView:
    with db.transaction(sessions, tenant) as s:
        row = s.execute(sa.select(t).where(t.c.id == repo._uuid(case_id))).mappings().first()
        if row is None:
            raise NotFound(f"no case {case_id!r}")
        entries = s.execute(sa.select(h).where(h.c.case_id == row["id"]).order_by(h.c.seq)).mappings().all()
        return _view(s, who, row, entries)


def _view(s: Session, who: Principal, row: Any, entries: Any) -> CaseView:
    case = repo.from_row(row, entries)
    seen = _seen_by(case, who)
    return CaseView(
        case=seen,
        masked=seen is not case,
        clock=_clock(s, case, row),
        item_name=_item_name(s, case.item_code),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _seen_by(case: Case, who: Principal) -> Case:
    """In full for the case's handler and first-ask person (never for the county admin or
    ops); masked for everyone else."""
    if who.username in (case.handler, case.first_ask) and not who.has_role(*NEVER_IN_FULL):
        return case
    a = case.applicant
    masked = Applicant(
        name=mask_name(a.name),
        phone=mask_phone(a.phone),
        id_number=mask_id_number(a.id_number) if a.id_number else None,
        address=mask_address(a.address) if a.address else None,
    )
    return replace(case, applicant=masked)


def _clock(
    s: Session, case: Case, row: Any, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> ClockView:
    state = row["clock_state"] or clock.NOT_STARTED
    colour = clock.GREEN
    if state != clock.NOT_STARTED:
        calendar = tenant_calendar(s, case.tenant)
        days = cases.promised_days(s, case)
        derived = clock.derive(cases.history_intents(case.history), calendar, days)
        if state == clock.PAUSED:
            colour = clock.colour(derived, calendar, now())
        elif row["due_at"] is not None and row["warn_at"] is not None:
            stored = replace(derived, state=state, due_at=row["due_at"], warn_at=row["warn_at"])
            colour = clock.colour(stored, calendar, now())
    return ClockView(
        state=state,
        started_at=row["started_at"],
        due_at=row["due_at"],
        warn_at=row["warn_at"],
        colour=colour,
        provisional=bool(row["provisional"]),
        extensions=case.extensions,
    )


def _kind_of_item(sessions: sessionmaker[Session], tenant: str, code: str) -> str:
    item = tables.catalogue_item
    with db.transaction(sessions, tenant) as s:
        row = s.execute(sa.select(item).where(item.c.code == code)).mappings().first()
    if row is None:
        return "promised"  # receive refuses the unknown item
    if not row["promised_days"]:
        return "immediate"
    return "joint" if len(row["departments"] or ()) >= 2 else "promised"


def _item_name(s: Session, code: str) -> str:
    item = tables.catalogue_item
    return s.execute(sa.select(item.c.name).where(item.c.code == code)).scalar() or ""


def _midnight(day: str, tz: ZoneInfo, name: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(day), time(), tz)
    except ValueError:
        raise ValidationFailed(f"{name} must be YYYY-MM-DD") from None


def _decode_token(token: str) -> tuple[datetime, str]:
    invalid = ValidationFailed("page_token is not valid")
    at, sep, case_id = token.partition("|")
    if not sep or not case_id or len(token) > 200:
        raise invalid
    try:
        after = datetime.fromisoformat(at)
    except ValueError:
        raise invalid from None
    if after.tzinfo is None:
        raise invalid
    return after, case_id
