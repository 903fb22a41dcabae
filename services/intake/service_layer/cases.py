"""Cases (办件, DOMAIN.md §3): receiving, acting on, reading, and verifying the history chain.
A change, its history entries and its events commit together (case_repository).

`act` is the one way to move a case: load, check the caller's version (optimistic concurrency,
`If-Match`), call the domain action, save (which refuses if someone else saved meanwhile).
Authorisation (who may take which action) is the caller's (the servicer's) business; `actor`
is the username from the token.

After each save the clock intents the domain appended (start, pause, …) are turned into the
stored clock columns (clock_state, started_at, due_at, warn_at, provisional) in the same
transaction (`store_clock`): derived with `clock.derive` over the township's calendar and the
item's promised working days (an immediate case: 0). A stop keeps the deadline it stopped at.

Known limit: the working days of an extension are not stored (only the count), so a re-derivation
after a later pause/resume or a second extension replays earlier extensions as 0 days."""

from __future__ import annotations

import builtins
import inspect
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import NotFound, ValidationFailed
from services.intake.adapters import case_repository as repo
from services.intake.adapters import tables
from services.intake.domain import clock
from services.intake.domain.case import (
    ACTIONS,
    CLOCKED_STATES,
    STATES,
    Applicant,
    Case,
    ClockIntent,
    HistoryEntry,
)
from services.intake.domain.catalogue import catalogue_item
from services.intake.service_layer.calendar import tenant_calendar

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_LIMIT, MAX_LIMIT = 50, 500

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


@dataclass(frozen=True)
class CaseFilter:
    state: str = ""
    item_code: str = ""
    handler: str = ""
    received_from: datetime | None = None  # inclusive
    received_to: datetime | None = None  # exclusive
    limit: int = DEFAULT_LIMIT


def receive(
    sessions: sessionmaker[Session],
    tenant: str,
    actor: str,
    cmd: ReceiveCase,
    *,
    tz: ZoneInfo = DEFAULT_TZ,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Case:
    """Receive a case for an item of the township's catalogue (its materials are copied)."""
    at = now()
    with db.transaction(sessions, _tenant(tenant)) as s:
        item = _item(s, cmd.item_code)
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
        )
        repo.add(s, case)
        store_clock(s, case, 0)
    return case


def act(
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
    "submit_materials") on the case at `expected_version`, with the action's own arguments."""
    method = _method(action)
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise ValidationFailed("expected_version must be a whole number")
    with db.transaction(sessions, _tenant(tenant)) as s:
        case = repo.get(s, case_id)
        case.check_version(expected_version)
        at = now()
        try:
            inspect.signature(method).bind(case, actor, at, **args)
        except TypeError as exc:  # wrong or missing arguments for this action
            raise ValidationFailed(f"{action}: {exc}") from None
        method(case, actor, at, **args)
        repo.save(s, case, expected_version)
        store_clock(s, case, expected_version)
    return case


def get(sessions: sessionmaker[Session], tenant: str, case_id: str) -> Case:
    with db.transaction(sessions, _tenant(tenant)) as s:
        return repo.get(s, case_id)


def list(  # the service's verb; `builtins.list` below is the type
    sessions: sessionmaker[Session], tenant: str, filters: CaseFilter | None = None
) -> builtins.list[Case]:
    """The township's cases, newest received first, by state / item / handler / received time."""
    f = filters or CaseFilter()
    if not 1 <= f.limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be from 1 to {MAX_LIMIT}")
    query = sa.select(t)
    if f.state and f.state not in STATES:
        raise ValidationFailed(f"state must be one of {', '.join(STATES)}")
    if f.state:
        query = query.where(t.c.state == f.state)
    if f.item_code:
        query = query.where(t.c.item_code == f.item_code)
    if f.handler:
        query = query.where(t.c.handler == f.handler)
    if f.received_from is not None:
        query = query.where(t.c.received_at >= f.received_from)
    if f.received_to is not None:
        query = query.where(t.c.received_at < f.received_to)
    query = query.order_by(t.c.received_at.desc(), t.c.id).limit(f.limit)
    h = tables.case_history
    with db.transaction(sessions, _tenant(tenant)) as s:
        rows = s.execute(query).mappings().all()
        history: dict[str, builtins.list[Any]] = {str(r["id"]): [] for r in rows}
        if rows:
            entries = s.execute(
                sa.select(h).where(h.c.case_id.in_(builtins.list(history))).order_by(h.c.case_id, h.c.seq)
            ).mappings()
            for e in entries:
                history[str(e["case_id"])].append(e)
    return [repo.from_row(r, history[str(r["id"])]) for r in rows]


def verify_history(ops_sessions: sessionmaker[Session]) -> builtins.list[repo.ChainProblem]:
    """Walk every case's history chain in every township (the ops role crosses tenants) and
    return every broken link; empty when all is intact."""
    h = tables.case_history
    problems: builtins.list[repo.ChainProblem] = []
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


# --- the clock ---------------------------------------------------------------------------------

# history action → clock intent (withdraw stops only a clock that ran: see `history_intents`)
_INTENT_OF = {
    "accept": "start",
    "escalate": "pause",
    "resume": "resume",
    "extend": "extend",
    "complete": "stop",
    "return": "stop",
}


def history_intents(entries: Iterable[HistoryEntry]) -> builtins.list[ClockIntent]:
    """The clock intents a history implies (an extension's days are not in the history: 0)."""
    intents = []
    for e in entries:
        action = _INTENT_OF.get(e.action)
        if e.action == "withdraw" and e.from_state in CLOCKED_STATES:
            action = "stop"
        if action is not None:
            intents.append(ClockIntent(action, e.at))
    return intents


def promised_days(s: Session, case: Case) -> int:
    """The item's promised working days (0 for an immediate case or an item gone since)."""
    if case.kind == "immediate":
        return 0
    item = tables.catalogue_item
    days = s.execute(sa.select(item.c.promised_days).where(item.c.code == case.item_code)).scalar()
    return int(days or 0)


def store_clock(s: Session, case: Case, since: int) -> None:
    """Store the clock after the transitions since version `since` (in the save's transaction)."""
    if not case.clock_intents:
        return
    if any(i.action == "stop" for i in case.clock_intents):  # the deadline stays as it stood
        stopped = t.update().where(t.c.tenant_id == case.tenant, t.c.id == case.id)
        s.execute(stopped.values(clock_state=clock.STOPPED))
        return
    intents = [*history_intents(case.history[:since]), *case.clock_intents]
    derived = clock.derive(intents, tenant_calendar(s, case.tenant), promised_days(s, case))
    s.execute(
        t.update()
        .where(t.c.tenant_id == case.tenant, t.c.id == case.id)
        .values(
            clock_state=derived.state,
            started_at=derived.started_at,
            due_at=derived.due_at,
            warn_at=derived.warn_at,
            provisional=derived.provisional,
        )
    )


# --- helpers ---------------------------------------------------------------------------------


def _method(action: str) -> Callable[..., None]:
    if action not in ACTIONS:
        raise ValidationFailed(f"unknown action {action!r}; one of: {', '.join(ACTIONS)}")
    return getattr(Case, "return_" if action == "return" else action)  # type: ignore[no-any-return]


def _tenant(tenant: str | None) -> str:
    if not tenant:
        raise NotFound("no township in the call")
    return tenant


def _item(s: Session, code: str) -> Any:
    item = tables.catalogue_item
    row = s.execute(sa.select(item).where(item.c.code == code)).mappings().first()
    if row is None:
        raise ValidationFailed(f"item_code {code!r} is not in the township's catalogue")
    return catalogue_item(dict(row))


def _next_number(s: Session, tenant: str, day: str) -> str:
    """`<township code>-<yyyymmdd>-<seq>`: the seq counts the township's cases of that day."""
    n = tables.case_number
    seq = s.execute(
        insert(n)
        .values(tenant_id=tenant, day=day, last=1)
        .on_conflict_do_update(index_elements=[n.c.tenant_id, n.c.day], set_={"last": n.c.last + 1})
        .returning(n.c.last)
    ).scalar_one()
    return f"{tenant.rsplit('.', 1)[-1]}-{day}-{seq:04d}"
