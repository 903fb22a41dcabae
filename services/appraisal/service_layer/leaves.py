"""Leaves of a township's staff (请假, DOMAIN.md §8; the rules in domain/leave.py): requesting,
approving or rejecting, cancelling, listing.

Who (DOMAIN.md §1; the township itself is the gRPC interceptor's check, repeated here):
- requesting: the staff member for themself (any township staff role), or the `township_admin`
  for a staff member; the staff member must be an active staff member of the township in
  appraisal's projection of the gateway's directory (else `validation_error`);
- deciding: a `centre_head` for a leave of at most 1 working day, a `township_leader` for 2 or
  more (the domain's rule; anyone else `forbidden`);
- cancelling: the staff member, the `township_admin` or the role that decides the leave;
- reading: the township admin, the centre head, township leaders, the county admin and the county
  supervisor read every leave; other staff their own.

Working days are counted on the township's calendar (the calendar projection); the A/B rule reads
the windows' posts (the directory projection) and the other post's pending and approved leaves.
Each change and its events (`leave_approved`, `leave_cancelled`, `leave_rule_broken`) commit in
one transaction (the outbox). A leave's changes are serialised by a row lock; two requests that
could leave one window empty are serialised by a transaction-level advisory lock of the township."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.errors import Forbidden, IdempotencyConflict, ValidationFailed, VersionConflict
from libs.common.paging import Page, PageRequest
from libs.common.tenancy import Principal, require_tenant, validate_username
from libs.common.tenant_projection import require_known
from services.appraisal.adapters import leave_repository as repo
from services.appraisal.adapters import tables
from services.appraisal.domain import duty_rota as dates
from services.appraisal.domain import leave as lv
from services.appraisal.domain.leave import Leave, Post
from services.appraisal.service_layer.calendar import sign_in_slots, tenant_calendar
from services.appraisal.service_layer.duty_rota import STAFF_ROLES, require_caller

ALL_READERS = ("township_admin", lv.CENTRE_HEAD, lv.TOWNSHIP_LEADER, "county_admin", "county_supervisor")
READER_ROLES = (*STAFF_ROLES, "county_admin", "county_supervisor")
DECIDER_ROLES = (lv.CENTRE_HEAD, lv.TOWNSHIP_LEADER)
CANCELLER_ROLES = (*STAFF_ROLES,)
MAX_BACK = MAX_AHEAD = timedelta(days=366)  # a leave starts at most a year before or after today


def request_leave(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    username: str,
    from_date: str,
    to_date: str,
    reason: str,
    substitute: str = "",
    substitute_letter: str = "",
    idempotency_key: str = "",
    tz: ZoneInfo,
    now: datetime | None = None,
) -> Leave:
    scope = require_tenant(tenant)
    at = now or datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *STAFF_ROLES)
        if who.username != username and not who.has_role("township_admin"):
            raise Forbidden("a leave is requested by the staff member themself or the township admin")
        if idempotency_key:
            found = repo.by_idempotency_key(s, idempotency_key)
            if found is not None:
                if (found.username, found.first.isoformat(), found.last.isoformat()) != (
                    username,
                    from_date,
                    to_date,
                ):
                    raise IdempotencyConflict("the Idempotency-Key was used for another leave")
                return found
        first, last = dates.parse_date(from_date, "from"), dates.parse_date(to_date, "to")
        validate_username(username)
        today = at.astimezone(tz).date()
        if not today - MAX_BACK <= first <= today + MAX_AHEAD:
            raise ValidationFailed(f"a leave starts within a year of today ({today}); {first} does not")
        require_active_staff(s, [username])
        _lock_posts(s, scope)
        calendar = tenant_calendar(s, scope, min(first.year, at.year) - 1, max(last.year, at.year) + 1)
        local = at.astimezone(calendar.tz)
        begun = first < local.date() or (
            first == local.date() and local.hour * 60 + local.minute > sign_in_slots(s, scope).am[0]
        )
        leave = Leave.request(
            username=username,
            first=first,
            last=last,
            reason=reason,
            requested_by=who.username,
            at=at,
            is_working=lambda d: calendar.day_info(d).working,
            posts=_posts(s),
            away=_away(s, first, last, exclude=None),
            substitute=substitute,
            substitute_letter=substitute_letter,
            begun=begun,
        )
        _no_overlap(s, leave)
        repo.add(s, scope, leave, idempotency_key)
    return leave


def decide(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    leave_id: str,
    *,
    approved: bool,
    reason: str,
    expected_version: int = 0,
    now: datetime | None = None,
) -> Leave:
    scope = require_tenant(tenant)
    at = now or datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *DECIDER_ROLES)
        _lock_posts(s, scope)
        leave = repo.get(s, leave_id, for_update=True)
        version = _check_version(leave, expected_version)
        if approved:
            calendar = tenant_calendar(s, scope, leave.first.year, leave.last.year)
            days = lv.working_days(leave.first, leave.last, lambda d: calendar.day_info(d).working)
            gaps = lv.uncovered(
                leave.username, days, _posts(s), _away(s, leave.first, leave.last, exclude=leave.id)
            )
            leave.approve(who, at, reason, gaps=gaps)
        else:
            leave.reject(who, at, reason)
        repo.save(s, scope, leave, version)
    return leave


def cancel(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    leave_id: str,
    *,
    tz: ZoneInfo,
    expected_version: int = 0,
    now: datetime | None = None,
) -> Leave:
    scope = require_tenant(tenant)
    at = now or datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *CANCELLER_ROLES)
        leave = repo.get(s, leave_id, for_update=True)
        version = _check_version(leave, expected_version)
        leave.cancel(who, at, at.astimezone(tz).date())
        repo.save(s, scope, leave, version)
    return leave


def list_leaves(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    username: str = "",
    state: str = "",
    from_date: str = "",
    to_date: str = "",
    page_size: int = 0,
    page_token: str = "",
) -> Page[Leave]:
    scope = require_tenant(tenant)
    page = PageRequest.of(page_size, page_token)
    after = None
    if page.after is not None:
        try:
            after = (date.fromisoformat(page.after.split("|")[0]), page.after.split("|")[1])
        except (ValueError, IndexError):
            raise ValidationFailed("page_token is not valid") from None
    if state and state not in lv.STATES:
        raise ValidationFailed(f"state must be one of {', '.join(lv.STATES)}")
    if username:
        validate_username(username)
    first = dates.parse_date(from_date, "from") if from_date else None
    last = dates.parse_date(to_date, "to") if to_date else None
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *READER_ROLES)
        if not who.has_role(*ALL_READERS):
            if username and username != who.username:
                return Page([], "")
            username = who.username
        rows = repo.listed(
            s, username=username, state=state, first=first, last=last, after=after, limit=page.size + 1
        )
    items, token = paging.split(rows, page.size, lambda x: paging.key_token(f"{x.first.isoformat()}|{x.id}"))
    return Page(items, token)


# --- what the rules read ---------------------------------------------------------------------------


def require_active_staff(s: Session, usernames: Iterable[str]) -> None:
    st = tables.staff
    wanted = set(usernames)
    active = set(
        s.execute(
            sa.select(st.c.username).where(st.c.username.in_(sorted(wanted)), st.c.active.is_(True))
        ).scalars()
    )
    missing = sorted(wanted - active)
    if missing:
        raise ValidationFailed(
            f"not an active staff member of the township: {', '.join(missing)}", usernames=missing
        )


def _posts(s: Session) -> list[Post]:
    w = tables.window
    rows = s.execute(
        sa.select(w.c.code, w.c.post_a, w.c.post_b).where(
            sa.or_(w.c.post_a.is_not(None), w.c.post_b.is_not(None))
        )
    ).all()
    return [Post(r.code, r.post_a, r.post_b) for r in rows]


def _away(s: Session, first: date, last: date, *, exclude: str | None):  # type: ignore[no-untyped-def]
    """Who is on a pending or approved leave on a day of `first`..`last` (another leave than
    `exclude`): a predicate `(username, day) -> bool`."""
    leaves = [x for x in repo.live_between(s, first, last) if x.id != exclude]

    def away(username: str, day: date) -> bool:
        return any(x.username == username and x.covers(day) for x in leaves)

    return away


def _no_overlap(s: Session, leave: Leave) -> None:
    mine = [x for x in repo.live_between(s, leave.first, leave.last, [leave.username])]
    if mine:
        other = mine[0]
        raise ValidationFailed(
            f"{leave.username} already has a {other.state} leave from {other.first} to {other.last}"
        )


def _check_version(leave: Leave, expected: int) -> int:
    if expected and expected != leave.version:
        raise VersionConflict(f"leave {leave.id} is at version {leave.version}, not {expected}")
    return leave.version


def _lock_posts(s: Session, tenant: str) -> None:
    s.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(f"leave:{tenant}", 0))))
