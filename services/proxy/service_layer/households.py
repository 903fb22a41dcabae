"""Households in the agents' zones (分片包户, DOMAIN.md §6.1): creating, listing, moving to another
agent. Each change and its `household_assigned` event commit together (the outbox).

Who (service_layer/access.py): the township admin (or the county admin) creates and moves
households; the admins, the county supervisor and agents read them — a village, group or
petition agent those of its own village, a township agent the township's, a proxy_agent who is
not an agent none. Names, phones and addresses are masked in every answer except to the
household's CURRENT agent (access is checked against the current owner, so a move moves it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.errors import NotFound, ValidationFailed, VersionConflict
from libs.common.paging import Page, PageRequest
from libs.common.tenancy import Principal, require_tenant, validate_code, validate_username
from libs.common.tenant_projection import require_known
from services.proxy.adapters import agent_repository as agents_repo
from services.proxy.adapters import household_repository as repo
from services.proxy.adapters import tables
from services.proxy.domain import household as domain
from services.proxy.domain.household import Household
from services.proxy.service_layer import access


def create(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    village: str,
    group: str = "",
    head_name: str,
    phone: str,
    address: str = "",
    flags: Iterable[str] = (),
    agent: str = "",
) -> Household:
    """A household in the zone of `agent`, or of the village agent with the fewest households."""
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *access.ADMINS)
        new = domain.new_household(
            village=village, group=group, head_name=head_name, phone=phone, address=address,
            flags=flags, agent=agent, villages=agents_repo.villages(s),
        )  # fmt: skip
        everyone = agents_repo.all_agents(s)
        owner = domain.zone_agent(new, everyone.values(), repo.counts_by_agent(s, everyone))
        household = Household(
            id=str(uuid.uuid4()), village=new.village, group=new.group, head_name=new.head_name,
            phone=new.phone, address=new.address, flags=new.flags, agent=owner, created_at=datetime.now(UTC),
        )  # fmt: skip
        repo.add(s, scope, household, who.username)
    return household.seen_by(who.username)


def list_households(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    village: str = "",
    agent: str = "",
    priority: bool | None = None,
    page_size: int = 0,
    page_token: str = "",
) -> Page[Household]:
    """In id order (stable), of `village`, `agent`, priority or not when given."""
    if village:
        validate_code(village, "village")
    if agent:
        validate_username(agent, "agent")
    request = PageRequest.of(page_size, page_token)
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *access.HOUSEHOLD_READERS)
        villages = _zone_of(s, who)
        rows = repo.page(
            s, village=village, villages=villages, agent=agent, priority=priority,
            after=request.after, limit=request.size + 1,
        )  # fmt: skip
        items, token = paging.split(rows, request.size, lambda last: paging.key_token(last.id))
    return Page([h.seen_by(who.username) for h in items], token)


def move(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    household_id: str,
    agent: str,
    expected_version: int = 0,
) -> Household:
    """The household into `agent`'s zone: from now on that agent sees it in full, the previous
    one masked."""
    if expected_version < 0:
        raise ValidationFailed("expected_version must be ≥ 0")
    _check_id(household_id)
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *access.ADMINS)
        current = repo.get(s, household_id, lock=True)
        if expected_version and expected_version != current.version:
            raise VersionConflict(
                f"household {household_id} is at version {current.version}, not {expected_version}"
            )
        done = domain.moved(current, agent, agents_repo.all_agents(s))
        if done is not current:
            repo.move(s, scope, done, current)
    return done.seen_by(who.username)


def _zone_of(s: Session, who: Principal) -> list[str] | None:
    """The villages whose households `who` may list (None: all). Someone who only holds
    proxy_agent sees its agent's village, all as a township agent, none when not an agent."""
    if who.has_role(*(r for r in access.HOUSEHOLD_READERS if r != access.AGENT)):
        return None
    me = agents_repo.find(s, who.username)
    if me is None:
        return []
    return None if me.township_wide else [me.village]


def _check_id(household_id: str) -> None:
    try:
        uuid.UUID(household_id)
    except ValueError:
        raise NotFound(f"no household {household_id!r} in this township") from None
