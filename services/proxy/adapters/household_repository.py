"""Households and their visits in PostgreSQL, with their events in the outbox, in the caller's
transaction. A household's identity (village, head's name, phone digits) is unique: a second
create of the same household is `already_exists`. Optimistic concurrency on moves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common.errors import AlreadyExists, NotFound, VersionConflict
from libs.common.messaging import outbox
from services.proxy.adapters import tables
from services.proxy.adapters.household_proto import assigned_event, visit_event
from services.proxy.domain.household import Household, NewHousehold, phone_key
from services.proxy.domain.visit import Visit

SOURCE = "proxy"
t = tables.household
v = tables.visit


def add(s: Session, tenant: str, h: Household, by: str) -> None:
    now = datetime.now(UTC)
    inserted = s.execute(
        insert(t)
        .values(
            tenant_id=tenant,
            id=h.id,
            village=h.village,
            village_group=h.group,
            head_name=h.head_name,
            phone=h.phone,
            phone_key=phone_key(h.phone),
            address=h.address,
            flags=list(h.flags),
            agent=h.agent,
            created_at=h.created_at,
            created_by=by,
            updated_at=now,
            version=h.version,
        )  # fmt: skip
        .on_conflict_do_nothing()
        .returning(t.c.id)
    ).first()
    if inserted is None:
        raise AlreadyExists(
            f"household: village {h.village} has this household already (the same head's name and phone)"
        )
    outbox.record(s, source=SOURCE, message_or_type=assigned_event(h), tenant_id=tenant)


def find_identity(s: Session, new: NewHousehold) -> Household | None:
    row = (
        s.execute(
            sa.select(t).where(
                t.c.village == new.village, t.c.head_name == new.head_name, t.c.phone_key == new.phone_key
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else stored(row)


def get(s: Session, household_id: str, *, lock: bool = False) -> Household:
    query = sa.select(t).where(t.c.id == household_id)
    row = s.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(f"no household {household_id!r} in this township")
    return stored(row)


def move(s: Session, tenant: str, h: Household, previous: Household) -> None:
    done = s.execute(
        sa.update(t)
        .where(t.c.id == h.id, t.c.version == previous.version)
        .values(agent=h.agent, version=h.version, updated_at=datetime.now(UTC))
        .returning(t.c.id)
    ).first()
    if done is None:
        raise VersionConflict(f"household {h.id} changed meanwhile: read it again")
    outbox.record(s, source=SOURCE, message_or_type=assigned_event(h, previous.agent), tenant_id=tenant)


def counts_by_agent(s: Session, usernames: Iterable[str]) -> dict[str, int]:
    names = sorted(set(usernames))
    if not names:
        return {}
    rows = s.execute(
        sa.select(t.c.agent, sa.func.count()).where(t.c.agent.in_(names)).group_by(t.c.agent)
    ).all()
    return {agent: int(n) for agent, n in rows}


def page(
    s: Session,
    *,
    village: str = "",
    villages: Sequence[str] | None = None,
    agent: str = "",
    priority: bool | None = None,
    after: str | None = None,
    limit: int,
) -> list[Household]:
    """Households in id order after `after`; `villages`: only these (None: all)."""
    query = sa.select(t)
    if village:
        query = query.where(t.c.village == village)
    if villages is not None:
        query = query.where(t.c.village.in_(list(villages)))
    if agent:
        query = query.where(t.c.agent == agent)
    if priority is True:
        query = query.where(sa.func.cardinality(t.c.flags) > 0)
    elif priority is False:
        query = query.where(sa.func.cardinality(t.c.flags) == 0)
    if after is not None:
        query = query.where(t.c.id > after)
    return [stored(r) for r in s.execute(query.order_by(t.c.id).limit(limit)).mappings()]


def priority_households(s: Session, *, agent: str = "") -> list[Household]:
    """Every priority household (of `agent` when given), by agent then id."""
    query = sa.select(t).where(sa.func.cardinality(t.c.flags) > 0)
    if agent:
        query = query.where(t.c.agent == agent)
    return [stored(r) for r in s.execute(query.order_by(t.c.agent, t.c.id)).mappings()]


def add_visit(s: Session, tenant: str, visit: Visit, household: Household) -> None:
    s.execute(
        v.insert().values(
            tenant_id=tenant,
            id=visit.id,
            household_id=visit.household_id,
            agent=visit.agent,
            at=visit.at,
            needs=list(visit.needs),
            note=visit.note,
            recorded_at=visit.recorded_at,
            recorded_by=visit.agent,
        )  # fmt: skip
    )
    # the household's last visit: the latest, whatever order visits are recorded in
    s.execute(
        sa.update(t)
        .where(t.c.id == household.id)
        .values(last_visited_at=sa.func.greatest(sa.func.coalesce(t.c.last_visited_at, visit.at), visit.at))
    )
    outbox.record(s, source=SOURCE, message_or_type=visit_event(visit, household.priority), tenant_id=tenant)


def stored(row: sa.RowMapping) -> Household:
    return Household(
        id=row["id"],
        village=row["village"],
        group=row["village_group"],
        head_name=row["head_name"],
        phone=row["phone"],
        address=row["address"],
        flags=tuple(row["flags"]),
        agent=row["agent"],
        created_at=row["created_at"],
        last_visited_at=row["last_visited_at"],
        version=int(row["version"]),
    )
