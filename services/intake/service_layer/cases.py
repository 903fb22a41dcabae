"""Cases (办件, DOMAIN.md §3): receiving them, acting on them, reading them, and verifying the
history chain. A change, its history entries and its events commit together (case_repository).

As the API calls them (`create`, `act`, `get`): who may do what, and the answer is the case as
the caller sees it (case_views). Visibility of the township itself is the gRPC interceptor's
(`x-tenant-id` against the token); a township this service does not know answers not_found for
every role. A county department user sees only the cases escalated to their department, and
the one action they take is `resume` (the case goes back to the township with their note).

Trusted (`receive`, `act_as`, `load`; a job, the operator, tests): the actor is named and no role
is checked. `act_in` is the one way to move a case: load, check the caller's version (optimistic
concurrency, `If-Match`), call the domain action, save (which refuses if someone else saved
meanwhile).

Before each save the clock change of the new transitions is derived, after it the case's stored
clock written, in the same transaction (case_clock.py).

Assigning a handler also sets the case's window and department (DOMAIN.md §3.4) from intake's
projection of the directory: the handler's window, that window's department (else the staff
member's, else the item's first department)."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import Forbidden, IdempotencyConflict, ValidationFailed
from libs.common.observability.metrics import CASES_ACCEPTED, CASES_COMPLETED, CASES_RECEIVED
from libs.common.tenancy import CASE_READER_ROLES, Principal, require_role, require_tenant
from services.intake.adapters import case_repository as repo
from services.intake.adapters import tables
from services.intake.domain.case import (
    ACTIONS,
    Applicant,
    Case,
)
from services.intake.domain.catalogue import catalogue_item
from services.intake.service_layer import case_clock, case_views, posts, townships
from services.intake.service_layer.case_views import COUNTY_DEPARTMENT, CaseView

CREATOR_ROLES = ("intake_desk", "window_staff", "township_admin", "proxy_agent")
ACTOR_ROLES = ("window_staff", "township_admin")
# a proxy agent acts on the cases it brought in for a delegation (channel proxy, itself the first-ask
# person): it decides a village-level item on the spot (seed 002 "代办员在职权范围内可以当场办理的，
# 给予当场办理"), and brings any result back (reply, archive) — nothing else, and on no other case
AGENT_ROLE = "proxy_agent"
AGENT_ACTIONS = ("accept", "assign", "complete", "reply", "archive")
ON_THE_SPOT = ("accept", "assign", "complete")
PRESS_ROLES = ("county_supervisor", "township_admin")
DEPARTMENT_ACTIONS = ("resume",)  # what a county department does with a case escalated to it
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")

t = tables.case


@dataclass(frozen=True)
class ReceiveCase:
    """The command to receive a case (收件)."""

    item_code: str
    kind: str
    level: str
    channel: str
    applicant: Applicant
    materials: tuple[str, ...] = ()
    first_ask: str | None = None  # default: the actor
    accept_if_complete: bool = False
    village: str | None = None


# --- as the API calls them: the caller's roles, the case as they see it -----------------------


def create(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    cmd: ReceiveCase,
    idempotency_key: str = "",
) -> CaseView:
    """Receive a case with the caller as its first-ask person; an empty `kind` is the item's:
    immediate (promised 0 days), joint (two or more departments) or promised. One transaction:
    the case and the caller's view of it. With an `idempotency_key`, a retry by the same caller
    returns the case the first call made (the same item and applicant, else idempotency_conflict);
    a concurrent retry waits for the first one's commit on the key's row."""
    with _checked_on_failure(sessions, tenant) as scope, db.transaction(sessions, scope) as s:
        who = require_role(principal, *CREATOR_ROLES)
        if idempotency_key:
            if len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
                raise ValidationFailed(f"Idempotency-Key: at most {MAX_IDEMPOTENCY_KEY} characters")
            first = _claim(s, scope, who.username, idempotency_key)
            if first is not None:
                earlier = repo.get(s, first)
                same = (earlier.item_code, earlier.applicant.name.strip()) == (
                    cmd.item_code, cmd.applicant.name.strip(),
                )  # fmt: skip
                if not same:
                    raise IdempotencyConflict("this Idempotency-Key was used for a different case")
                return case_views.one_in(s, who, first)
        if not cmd.kind:
            cmd = replace(cmd, kind=_kind_of_item(s, scope, cmd.item_code))
        case = receive_in(s, scope, who.username, replace(cmd, first_ask=who.username))
        if idempotency_key:
            s.execute(
                sa.update(_idem)
                .where(_idem.c.creator == who.username, _idem.c.idempotency_key == idempotency_key)
                .values(case_id=case.id)
            )
        return case_views.written_view(s, who, case)  # a creator's role reads the township: no filter


def act(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    case_id: str,
    expected_version: int,
    action: str,
    **args: Any,
) -> CaseView:
    """Take an action (the generic `act_in`); `expected_version` 0 = no version check. The
    answer is the case as it is now, even if it has just left the caller's sight (a resume), read
    in the action's transaction."""
    if (
        expected_version and not case_views.department_only(principal) and not _agent_only(principal, action)
    ):  # the usual call: one transaction
        with _checked_on_failure(sessions, tenant) as scope:
            who = require_role(principal, *(PRESS_ROLES if action == "press" else ACTOR_ROLES))
            return _act_and_view(sessions, who, scope, case_id, expected_version, action, **args)
    scope = townships.known(sessions, tenant)
    if case_views.department_only(principal):
        who = require_role(principal, COUNTY_DEPARTMENT)
        seen = case_views.one(sessions, who, scope, case_id).case  # not_found unless escalated to them
        if action not in DEPARTMENT_ACTIONS:
            raise Forbidden(f"a county department may only {', '.join(DEPARTMENT_ACTIONS)} a case")
        # act on the version just checked: a case returned or re-escalated meanwhile conflicts
        seen.check_version(expected_version or seen.version)
        expected_version = seen.version
    elif _agent_only(principal, action):
        who = require_role(principal, AGENT_ROLE)
        _require_own_proxy_case(sessions, who, scope, case_id, action)
    else:
        who = require_role(principal, *(PRESS_ROLES if action == "press" else ACTOR_ROLES))
    if not expected_version:
        expected_version = load(sessions, scope, case_id).version
    return _act_and_view(sessions, who, scope, case_id, expected_version, action, **args)


def get(
    sessions: sessionmaker[Session], principal: Principal | None, tenant: str | None, case_id: str
) -> CaseView:
    with _checked_on_failure(sessions, tenant) as scope, db.transaction(sessions, scope) as s:
        who = require_role(principal, *CASE_READER_ROLES, COUNTY_DEPARTMENT)
        return case_views.one_in(s, who, case_id)


# --- trusted: the actor named, no role checked ------------------------------------------------


def receive(
    sessions: sessionmaker[Session],
    tenant: str,
    actor: str,
    cmd: ReceiveCase,
    *,
    tz: ZoneInfo = DEFAULT_TZ,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Case:
    """Receive a case for an item of the township's catalogue (its materials are copied), in a
    transaction of its own (`receive_in`: in the caller's, scoped to `tenant`)."""
    with db.transaction(sessions, require_tenant(tenant)) as s:
        return receive_in(s, tenant, actor, cmd, tz=tz, now=now)


def receive_in(
    s: Session,
    tenant: str,
    actor: str,
    cmd: ReceiveCase,
    *,
    tz: ZoneInfo = DEFAULT_TZ,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Case:
    at = now()
    item = _item(s, tenant, cmd.item_code)
    case = Case.receive(
        id=str(uuid.uuid4()),
        number=_next_number(s, tenant, at.astimezone(tz).strftime("%Y%m%d")),
        tenant=tenant,
        item=item,
        kind=cmd.kind,
        level=cmd.level,
        channel=cmd.channel,
        applicant=cmd.applicant,
        materials=cmd.materials,
        actor=actor,
        at=at,
        first_ask=cmd.first_ask,
        accept_if_complete=cmd.accept_if_complete,
        village=cmd.village,
    )
    if case.village is not None:
        _require_village(s, case.village)
    change = case_clock.clock_change(s, case, 0, None)
    repo.add(s, case, clocks=change.events)
    case_clock.write_clock(s, case, change)
    count_on_commit(s, case, since=0)
    return case


def act_as(
    sessions: sessionmaker[Session],
    tenant: str,
    case_id: str,
    expected_version: int,
    action: str,
    actor: str,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    **args: Any,
) -> Case:
    """Take `action` (a name of the domain's state machine, e.g. "accept", "return",
    "submit_materials") on the case at `expected_version`, with the action's own arguments; in a
    transaction of its own (`act_in`: in the caller's, scoped to the case's township)."""
    with db.transaction(sessions, require_tenant(tenant)) as s:
        return act_in(s, case_id, expected_version, action, actor, now=now, **args)


def act_in(
    s: Session,
    case_id: str,
    expected_version: int,
    action: str,
    actor: str,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    **args: Any,
) -> Case:
    method = _method(action)
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise ValidationFailed("expected_version must be a whole number")
    read = repo.get_to_act(s, case_id)
    case = read.case
    case.check_version(expected_version)
    if action == "assign" and isinstance(args.get("handler"), str):
        args = {**where_handled(s, case, args["handler"]), **args}
    at = now()
    try:
        inspect.signature(method).bind(case, actor, at, **args)
    except TypeError as exc:  # wrong or missing arguments for this action
        raise ValidationFailed(f"{action}: {exc}") from None
    method(case, actor, at, **args)
    # the clock first: its facts travel in the events the save records
    change = case_clock.clock_change(s, case, expected_version, read.due_at)
    repo.save(s, case, expected_version, clocks=change.events, head=read.head)
    case_clock.write_clock(s, case, change)
    count_on_commit(s, case, since=expected_version)
    return case


# the transitions DOMAIN.md §12 counts, by the action of their history entry
COUNTED = {"receive": CASES_RECEIVED, "accept": CASES_ACCEPTED, "complete": CASES_COMPLETED}


def count_on_commit(s: Session, case: Case, *, since: int) -> None:
    """Count the case's transitions after history entry `since` once `s` commits: a rolled-back
    transaction (a conflict, a failed idempotent write) counts nothing."""
    counters = [COUNTED[e.action] for e in case.history[since:] if e.action in COUNTED]
    if not counters:
        return
    county, township = case.tenant.split(".", 1)

    def count(_: Session) -> None:
        for counter in counters:
            counter.labels(county, township).inc()

    sa.event.listen(s, "after_commit", count, once=True)


def load(sessions: sessionmaker[Session], tenant: str, case_id: str) -> Case:
    with db.transaction(sessions, require_tenant(tenant)) as s:
        return repo.get(s, case_id)


def verify_history(ops_sessions: sessionmaker[Session]) -> list[repo.ChainProblem]:
    """Walk every case's history chain in every township (the ops role crosses tenants) and
    return every broken link; empty when all is intact."""
    h = tables.case_history
    problems: list[repo.ChainProblem] = []
    with db.transaction(ops_sessions, None) as s:
        cases = s.execute(sa.select(t).order_by(t.c.tenant_id, t.c.id)).mappings().all()
        entries = iter(
            s.execute(
                sa.select(h).order_by(h.c.tenant_id, h.c.case_id, h.c.seq),
                execution_options={"yield_per": 1000},
            ).mappings()
        )
        pending = next(entries, None)
        for case_row in cases:  # both in (tenant, case id) order: one merge walk
            key = (case_row["tenant_id"], str(case_row["id"]))
            chain = []
            while pending is not None and (pending["tenant_id"], str(pending["case_id"])) == key:
                chain.append(pending)
                pending = next(entries, None)
            problems.extend(repo.verify_chain(case_row, chain))
    return problems


def where_handled(s: Session, case: Case, handler: str) -> dict[str, str | None]:
    """The window and department of a case handled by `handler`, from the directory projection:
    the handler's window (else the window whose post they hold) and its department, else the
    handler's department, else the item's first department (None where nothing is known)."""
    person = s.execute(_STAFF_PLACE, {"the_user": handler}).first()
    code = person.window if person is not None else None
    if not code:  # no window of their own: the window whose A (else B) post they hold
        code = s.execute(_POST_WINDOW, {"the_user": handler}).scalar()
    department = None
    if code:
        department = s.execute(_WINDOW_DEPARTMENT, {"the_code": code}).scalar()
    if not department and person is not None:
        department = person.department
    if not department:
        item = repo.catalogue_item(s, case.tenant, case.item_code)
        departments = item["departments"] if item is not None else None
        department = departments[0] if departments else None
    return {"window": code or None, "department": department or None}


# --- helpers ---------------------------------------------------------------------------------


def _act_and_view(
    sessions: sessionmaker[Session],
    who: Principal,
    tenant: str,
    case_id: str,
    expected_version: int,
    action: str,
    **args: Any,
) -> CaseView:
    with db.transaction(sessions, tenant) as s:
        if _window_staff_only(who) and action != "press":
            row = s.execute(
                sa.select(t.c.item_code, t.c.window, t.c.handler).where(t.c.id == case_id)
            ).first()
            if row is not None:  # an unknown case is act_in's not_found
                posts.require_may_act(s, who.username, row, datetime.now(UTC).astimezone(DEFAULT_TZ).date())
        case = act_in(s, case_id, expected_version, action, who.username, **args)
        return case_views.written_view(s, who, case)


def _window_staff_only(who: Principal) -> bool:
    """Window staff (and no township admin): they act on their own window's cases (posts.py)."""
    return who.has_role("window_staff") and not who.has_role("township_admin")


@contextmanager
def _checked_on_failure(sessions: sessionmaker[Session], tenant: str | None) -> Iterator[str]:
    """The township of a call that checks it only when the call fails: an unknown township is
    then not_found whatever else went wrong, and a call that succeeds reads it not at all (a
    case of the township exists only once it is known)."""
    try:
        yield require_tenant(tenant)
    except Exception:
        townships.known(sessions, tenant)
        raise


def _claim(s: Session, tenant: str, creator: str, key: str) -> str | None:
    """Claim `key` for `creator`'s create: None when claimed now (the caller creates the case),
    else the id of the case the first create made."""
    claimed = s.execute(
        insert(_idem)
        .values(
            tenant_id=tenant, creator=creator, idempotency_key=key, case_id="", created_at=datetime.now(UTC)
        )
        .on_conflict_do_nothing()
        .returning(_idem.c.case_id)
    ).first()
    if claimed is not None:
        return None
    return str(
        s.execute(
            sa.select(_idem.c.case_id).where(_idem.c.creator == creator, _idem.c.idempotency_key == key)
        ).scalar_one()
    )


def _agent_only(principal: Principal | None, action: str) -> bool:
    """A proxy agent (and no case handler) taking one of the actions it may take on its own cases."""
    return (
        principal is not None
        and action in AGENT_ACTIONS
        and principal.has_role(AGENT_ROLE)
        and not principal.has_role(*ACTOR_ROLES)
    )


def _require_own_proxy_case(
    sessions: sessionmaker[Session], who: Principal, tenant: str, case_id: str, action: str
) -> None:
    """The agent's own delegation case (channel proxy, the agent its first-ask person); on the spot
    (accept, assign, complete) only for an item the village decides."""
    case = case_views.one(sessions, who, tenant, case_id).case
    if case.channel != "proxy" or case.first_ask != who.username:
        raise Forbidden("a proxy agent acts only on the cases of its own delegations")
    if action in ON_THE_SPOT:
        with db.transaction(sessions, tenant) as s:
            item = repo.catalogue_item(s, tenant, case.item_code)
        if item is None or item["level"] != "village":
            raise Forbidden(f"item {case.item_code} is not decided in the village: the township handles it")


def _kind_of_item(s: Session, tenant: str, code: str) -> str:
    row = repo.catalogue_item(s, tenant, code)
    if row is None:
        return "promised"  # receive refuses the unknown item
    if not row["promised_days"]:
        return "immediate"
    return "joint" if len(row["departments"] or ()) >= 2 else "promised"


def _method(action: str) -> Callable[..., None]:
    if action not in ACTIONS:
        raise ValidationFailed(f"unknown action {action!r}; one of: {', '.join(ACTIONS)}")
    return getattr(Case, "return_" if action == "return" else action)  # type: ignore[no-any-return]


def _require_village(s: Session, code: str) -> None:
    """A case's village is one of the township's (intake's projection of the directory)."""
    if s.execute(_VILLAGE, {"the_code": code}).first() is None:
        raise ValidationFailed(f"the township has no village {code!r}", field="village")


def _item(s: Session, tenant: str, code: str) -> Any:
    row = repo.catalogue_item(s, tenant, code)
    if row is None:
        raise ValidationFailed(f"item_code {code!r} is not in the township's catalogue")
    return catalogue_item(dict(row))


def _next_number(s: Session, tenant: str, day: str) -> str:
    """`<township code>-<yyyymmdd>-<seq>`: the seq counts the township's cases of that day."""
    seq = s.execute(_NEXT_NUMBER, {"tenant_id": tenant, "day": day}).scalar_one()
    return f"{tenant.rsplit('.', 1)[-1]}-{day}-{seq:04d}"


# --- statements --------------------------------------------------------------------------------
# Built once: a lifecycle runs each of them, and SQLAlchemy builds (coerces, keys) a statement
# with literal values anew on every call. Bound names differ from the columns'.

_staff, _window, _number = tables.staff, tables.window, tables.case_number
_idem = tables.case_idempotency
MAX_IDEMPOTENCY_KEY = 200
_VILLAGE = sa.select(tables.village.c.code).where(tables.village.c.code == sa.bindparam("the_code"))
_user: sa.BindParameter[str] = sa.bindparam("the_user")
_STAFF_PLACE = sa.select(_staff.c.window, _staff.c.department).where(_staff.c.username == _user)
_POST_WINDOW = (
    sa.select(_window.c.code)
    .where(sa.or_(_window.c.post_a == _user, _window.c.post_b == _user))
    .order_by((_window.c.post_a == _user).desc(), _window.c.code)
    .limit(1)
)
_WINDOW_DEPARTMENT = sa.select(_window.c.department).where(_window.c.code == sa.bindparam("the_code"))
_NEXT_NUMBER = (
    insert(_number)
    .values(last=1)
    .on_conflict_do_update(
        index_elements=[_number.c.tenant_id, _number.c.day], set_={"last": _number.c.last + 1}
    )
    .returning(_number.c.last)
)
