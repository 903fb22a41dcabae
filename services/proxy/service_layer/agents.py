"""Proxy agents of a township (DOMAIN.md §6.1): registering, reading, changing the backup or the
active flag. Each change and its `agent_saved` event commit together (the outbox).

Who (service_layer/access.py): the township admin (or the county admin) registers and changes
agents; the township's staff, the county admin and the county supervisor read them. `on_leave`
in every answer is whether the agent is away on the county's local date (service_layer/leaves.py,
the one place that knows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.errors import ValidationFailed, VersionConflict
from libs.common.paging import Page, PageRequest
from libs.common.tenancy import Principal, require_tenant, validate_code
from libs.common.tenant_projection import require_known
from libs.common.text import check_one_of
from services.proxy.adapters import agent_repository as repo
from services.proxy.adapters import tables
from services.proxy.domain import agent as domain
from services.proxy.domain.agent import Agent
from services.proxy.service_layer import access, leaves


@dataclass(frozen=True)
class AgentView:
    agent: Agent
    on_leave: bool


def create(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    username: str,
    level: str,
    village: str = "",
    group: str = "",
    backup: str = "",
    today: date,
) -> AgentView:
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *access.ADMINS)
        agent = domain.new_agent(
            username.strip(), level, village, group, backup,
            staff=repo.staff_facts(s, username.strip()), villages=repo.villages(s),
            agents=repo.agents_active(s), at=datetime.now(UTC), by=who.username,
        )  # fmt: skip
        repo.add(s, scope, agent)
        return _view(s, agent, today)


def get(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    username: str,
    today: date,
) -> AgentView:
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        access.require(principal, scope, *access.PEOPLE)
        return _view(s, repo.get(s, username), today)


def list_agents(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    level: str = "",
    village: str = "",
    page_size: int = 0,
    page_token: str = "",
    today: date,
) -> Page[AgentView]:
    """In username order, of one level and/or village when given."""
    if level:
        check_one_of(level, domain.LEVELS, "level")
    if village:
        validate_code(village, "village")
    request = PageRequest.of(page_size, page_token)
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        access.require(principal, scope, *access.PEOPLE)
        rows = repo.page(s, level=level, village=village, after=request.after, limit=request.size + 1)
        items, token = paging.split(rows, request.size, lambda last: paging.key_token(last.username))
        away = leaves.away_on(s, [a.username for a in items], today)
    return Page([AgentView(a, a.username in away) for a in items], token)


def update(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    username: str,
    *,
    backup: str | None = None,
    active: bool | None = None,
    expected_version: int = 0,
    today: date,
) -> AgentView:
    """A new backup ("" removes it) and/or active flag; nothing given changes nothing."""
    if expected_version < 0:
        raise ValidationFailed("expected_version must be ≥ 0")
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        access.require(principal, scope, *access.ADMINS)
        current = repo.get(s, username, lock=True)
        if expected_version and expected_version != current.version:
            raise VersionConflict(f"agent {username} is at version {current.version}, not {expected_version}")
        changed = domain.updated(current, backup=backup, active=active, agents=repo.agents_active(s))
        if changed is not current:
            repo.save(s, scope, changed, current.version)
        return _view(s, changed, today)


def _view(s: Session, agent: Agent, today: date) -> AgentView:
    return AgentView(agent, leaves.is_away(s, agent.username, today))
