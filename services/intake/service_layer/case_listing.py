"""Listing cases (API.md *Cases*, `GET …/cases`): a township's cases, newest received first, by
state / item / handler / received day / colour now / case number / applicant (a name or phone,
for the roles that handle cases: each case it finds is logged as a personal-data access, in the
read's transaction — pii_audit), a page at a time; or, for a county
department, its work list across the townships the caller names (each still read in its own
row-level-security transaction). Each case as the caller sees it (case_views).

The `colour` filter is the colour the case view shows now: SQL narrows the rows with the clock's
rule (domain/clock.py `colour`) over the stored `due_at`/`warn_at`/`stopped_at`; a paused clock's
colour depends on its history, so those rows are judged on the built view, which decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.contact import check_phone
from libs.common.errors import NotFound, ValidationFailed
from libs.common.paging import Page
from libs.common.tenancy import CASE_READER_ROLES, Principal, require_role, validate_tenant
from libs.common.text import clean_name
from services.intake.adapters import tables
from services.intake.domain import clock
from services.intake.domain.case import OPEN_STATES, STATES
from services.intake.service_layer import case_views, pii_audit, posts, townships
from services.intake.service_layer.case_views import COUNTY_DEPARTMENT, CaseView, Now

COLOURS = (clock.GREEN, clock.YELLOW, clock.RED, clock.OVERDUE)
# who may look a case up by its applicant: the people who take in and handle cases (DOMAIN.md §11)
APPLICANT_SEARCH_ROLES = ("intake_desk", "window_staff", "township_admin", "proxy_agent", "petition_officer")
MAX_TENANTS = 500  # townships one county-scope listing may name

t = tables.case_with_clock  # a case with its clock


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
    number: str = ""
    applicant: str = ""  # a name or a phone, exact


def list_cases(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    tz: ZoneInfo,
    f: Listing,
    now: Now = case_views.utcnow,
) -> Page[CaseView]:
    """The township's cases, newest received first, by state / item / handler / received day /
    colour now. Without a township but with `f.tenants`: a county department's escalated cases
    across those townships."""
    if not tenant and f.tenants:
        return _list_county(sessions, principal, tz, f, now)
    scope = townships.known(sessions, tenant)
    who = require_role(principal, *CASE_READER_ROLES, COUNTY_DEPARTMENT)
    if f.tenants:
        raise ValidationFailed("name either the township or the townships to look in, not both")
    if f.applicant:
        require_role(who, *APPLICANT_SEARCH_ROLES)
    size = _page_size(f)
    at = now()
    query = _filtered(who, f, tz, at)
    with db.transaction(sessions, scope) as s:
        if f.handler and f.handler == who.username and who.has_role("window_staff"):
            # a B standing in for an A on leave sees A's open cases beside their own (posts.py)
            covering = sorted(posts.cover(s, who.username, at.astimezone(tz).date()).covering)
            theirs = sa.and_(t.c.handler.in_(covering), t.c.state.in_(sorted(OPEN_STATES)))
            query = query.where(
                sa.or_(t.c.handler == who.username, theirs) if covering else t.c.handler == who.username
            )
        views = _collect(s, who, query, f, size + 1, now)
        if f.applicant:  # who looked whom up: logged with the read, never the term itself
            field = "phone" if _is_phone(f.applicant) else "name"
            shown = [(str(v.case.id), (field,)) for v in views[:size]]
            pii_audit.record_many(
                s, tenant=scope, actor=who.username, subject=pii_audit.APPLICANT, shown=shown
            )
    return _paged(views, size)


def _list_county(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tz: ZoneInfo,
    f: Listing,
    now: Now,
) -> Page[CaseView]:
    """A county department's work: the cases escalated to its department in the townships named
    (each in the caller's scope; one tenant-scoped transaction each), merged newest first."""
    who = require_role(principal, COUNTY_DEPARTMENT)
    if f.applicant:
        require_role(who, *APPLICANT_SEARCH_ROLES)
    if len(f.tenants) > MAX_TENANTS:
        raise ValidationFailed(f"at most {MAX_TENANTS} townships")
    size = _page_size(f)
    query = _filtered(who, f, tz, now())
    views: list[CaseView] = []
    for tenant in sorted(set(f.tenants)):
        if not who.may_see(validate_tenant(tenant)):
            raise NotFound(f"no township {tenant}")
        with db.transaction(sessions, tenant) as s:
            views.extend(_collect(s, who, query, f, size + 1, now))
    views.sort(key=lambda v: (-v.case.received_at.timestamp(), v.case.id))
    return _paged(views, size)


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
    if case_views.department_only(who):
        query = query.where(case_views.escalated_to(who))
    if f.number:
        query = query.where(t.c.number == f.number.strip())
    if f.applicant:
        term = f.applicant.strip()
        if _is_phone(term):
            query = query.where(t.c.applicant["phone"].astext == term)
        else:
            query = query.where(t.c.applicant["name"].astext == clean_name(term, "applicant"))
    if f.state:
        query = query.where(t.c.state == f.state)
    if f.item_code:
        query = query.where(t.c.item_code == f.item_code)
    if f.handler and not (f.handler == who.username and who.has_role("window_staff")):
        query = query.where(t.c.handler == f.handler)  # (one's own: list_cases, with those covered)
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


def _collect(s: Session, who: Principal, query: Any, f: Listing, want: int, now: Now) -> list[CaseView]:
    """Up to `want` views after the page token, newest received first; with a colour filter,
    rows are read in batches until `want` views have the colour (or the rows run out)."""
    cursor = paging.decode_time_key(f.page_token, str) if f.page_token else None
    found: list[CaseView] = []
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
        views = case_views.views(s, who, rows, now)
        found.extend(v for v in views if not f.colour or v.clock.colour == f.colour)
        if len(found) >= want or len(rows) < want:
            return found[:want]
        cursor = (rows[-1]["received_at"], str(rows[-1]["id"]))


def _paged(views: list[CaseView], size: int) -> Page[CaseView]:
    return Page(*paging.split(views, size, lambda v: paging.time_key_token(v.case.received_at, v.case.id)))


def _is_phone(term: str) -> bool:
    try:
        check_phone(term)
    except ValidationFailed:
        return False
    return True


def _midnight(day: str, tz: ZoneInfo, name: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(day), time(), tz)
    except ValueError:
        raise ValidationFailed(f"{name} must be YYYY-MM-DD") from None
