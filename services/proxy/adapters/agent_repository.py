"""Agents in PostgreSQL: the `agent` row and its `agent_saved` event in the outbox, in the caller's
transaction (they commit together or not). An agent's name is the directory's (`staff.name`),
joined on read. Optimistic concurrency: `save` updates only `WHERE version = expected`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common.errors import AlreadyExists, NotFound, VersionConflict
from libs.common.messaging import outbox
from services.proxy.adapters import tables
from services.proxy.adapters.agent_proto import saved_event
from services.proxy.domain.agent import Agent, StaffFacts

SOURCE = "proxy"
t = tables.agent
st = tables.staff

_SELECT = sa.select(t, sa.func.coalesce(st.c.name, "").label("name")).outerjoin(
    st, sa.and_(st.c.tenant_id == t.c.tenant_id, st.c.username == t.c.username)
)


def staff_facts(s: Session, username: str) -> StaffFacts | None:
    """The directory's record of `username` in the transaction's township (None: not staff)."""
    row = s.execute(sa.select(st.c.name, st.c.roles, st.c.active).where(st.c.username == username)).first()
    return None if row is None else StaffFacts(row.name, frozenset(row.roles), bool(row.active))


def villages(s: Session) -> dict[str, set[str]]:
    """The township's village codes → their group codes."""
    v = tables.village
    return {
        row.code: {g.get("code", "") for g in row.groups or []}
        for row in s.execute(sa.select(v.c.code, v.c.groups))
    }


def agents_active(s: Session) -> dict[str, bool]:
    """The township's agents → active."""
    return {row.username: bool(row.active) for row in s.execute(sa.select(t.c.username, t.c.active))}


def add(s: Session, tenant: str, agent: Agent) -> None:
    inserted = s.execute(
        insert(t)
        .values(tenant_id=tenant, **_row(agent), created_at=agent.created_at, created_by=agent.created_by)
        .on_conflict_do_nothing()
        .returning(t.c.username)
    ).first()
    if inserted is None:
        raise AlreadyExists(f"username: {agent.username} is an agent of the township already")
    outbox.record(s, source=SOURCE, message_or_type=saved_event(agent), tenant_id=tenant)


def save(s: Session, tenant: str, agent: Agent, expected_version: int) -> None:
    """Store a changed agent (its version one above `expected_version`) and its event."""
    done = s.execute(
        sa.update(t)
        .where(t.c.username == agent.username, t.c.version == expected_version)
        .values(**_row(agent))
        .returning(t.c.username)
    ).first()
    if done is None:
        raise VersionConflict(f"agent {agent.username} changed meanwhile: read it again")
    outbox.record(s, source=SOURCE, message_or_type=saved_event(agent), tenant_id=tenant)


def get(s: Session, username: str, *, lock: bool = False) -> Agent:
    query = _SELECT.where(t.c.username == username)
    row = s.execute(query.with_for_update(of=t) if lock else query).mappings().first()
    if row is None:
        raise NotFound(f"no agent {username} in this township")
    return stored(row)


def find(s: Session, username: str) -> Agent | None:
    row = s.execute(_SELECT.where(t.c.username == username)).mappings().first()
    return None if row is None else stored(row)


def page(
    s: Session, *, level: str = "", village: str = "", after: str | None = None, limit: int
) -> list[Agent]:
    """Agents in username order after `after`, of `level` and `village` when given."""
    query = _SELECT
    if level:
        query = query.where(t.c.level == level)
    if village:
        query = query.where(t.c.village == village)
    if after is not None:
        query = query.where(t.c.username > after)
    rows = s.execute(query.order_by(t.c.username).limit(limit)).mappings().all()
    return [stored(r) for r in rows]


def _row(agent: Agent) -> dict[str, Any]:
    return {
        "username": agent.username,
        "level": agent.level,
        "village": agent.village,
        "village_group": agent.group,
        "backup": agent.backup,
        "active": agent.active,
        "updated_at": datetime.now(UTC),
        "version": agent.version,
    }


def stored(row: sa.RowMapping) -> Agent:
    return Agent(
        username=row["username"],
        name=row["name"],
        level=row["level"],
        village=row["village"],
        group=row["village_group"],
        backup=row["backup"],
        active=bool(row["active"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        version=int(row["version"]),
    )


def all_agents(s: Session) -> dict[str, Agent]:
    """Every agent of the township, by username (a township has tens of them)."""
    return {a.username: a for a in (stored(r) for r in s.execute(_SELECT).mappings())}
