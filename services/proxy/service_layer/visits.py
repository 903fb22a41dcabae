"""Visits (三必访, DOMAIN.md §6.3): an agent records its visit to a household of its zone; the due
list names, by agent, the priority households not visited within the round (the tenant setting
`visit_round_days`, default 14 — domain/visit.py).

Who (service_layer/access.py): a visit is recorded by the household's current agent, or by that
agent's backup (AB cover, §6.1); the due list is read by the township admin, the county admin and
supervisor (every agent's) and by an agent (its own households). The households in it are masked
but for their own agent."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import Forbidden, NotFound, ValidationFailed
from libs.common.tenancy import Principal, require_tenant
from libs.common.tenant_projection import require_known
from services.proxy.adapters import agent_repository as agents_repo
from services.proxy.adapters import household_repository as repo
from services.proxy.adapters import tables
from services.proxy.domain import visit as domain
from services.proxy.domain.household import Household
from services.proxy.domain.visit import Visit
from services.proxy.service_layer import access

DUE_READERS = ("township_admin", "county_admin", "county_supervisor", access.AGENT)


@dataclass(frozen=True)
class Due:
    household: Household
    days_since: int | None  # None: never visited


@dataclass(frozen=True)
class DueList:
    day: date
    round_days: int
    by_agent: dict[str, list[Due]]  # agents in username order


def record(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    household_id: str,
    at: datetime,
    needs: Iterable[str] = (),
    note: str = "",
) -> Visit:
    try:
        uuid.UUID(household_id)
    except ValueError:
        raise NotFound(f"no household {household_id!r} in this township") from None
    now = datetime.now(UTC)
    needs_kept, note_kept = domain.checked(at, needs, note, now)
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *access.VISITORS)
        household = repo.get(s, household_id)
        owner = agents_repo.find(s, household.agent)
        if who.username != household.agent and (owner is None or owner.backup != who.username):
            raise Forbidden("only the household's agent, or its backup, records a visit to it")
        visit = Visit(str(uuid.uuid4()), household.id, who.username, at, needs_kept, note_kept, now)
        repo.add_visit(s, scope, visit, household)
    return visit


def due(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    date_text: str = "",
    tz: ZoneInfo,
) -> DueList:
    """The priority households due a visit on `date_text` (YYYY-MM-DD; empty: today, county time)."""
    day = _day(date_text, tz)
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *DUE_READERS)
        own_only = not who.has_role(*(r for r in DUE_READERS if r != access.AGENT))
        rounds = domain.round_days(_setting(s, "visit_round_days"))
        households = repo.priority_households(s, agent=who.username if own_only else "")
    by_agent: dict[str, list[Due]] = {}
    for h in households:
        if domain.is_due(h.last_visited_at, day, rounds, tz):
            since = domain.days_since(h.last_visited_at, day, tz)
            by_agent.setdefault(h.agent, []).append(Due(h.seen_by(who.username), since))
    return DueList(day, rounds, dict(sorted(by_agent.items())))


def _setting(s: Session, name: str) -> object:
    """A tenant setting of proxy's projection (the gateway's `settings_changed`), or None."""
    st = tables.settings
    other = s.execute(sa.select(st.c.other)).scalar_one_or_none()
    return other.get(name) if isinstance(other, dict) else None


def _day(text: str, tz: ZoneInfo) -> date:
    if not text:
        return datetime.now(UTC).astimezone(tz).date()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"date must be YYYY-MM-DD, got {text!r}") from None
