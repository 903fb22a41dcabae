"""Quotas and stars in PostgreSQL: what they count (the delegations' completions and
registrations, read as narrow rows), a closed period (`period_closed`) with its frozen figures
(`quota`, `village_stars`) and its event in the outbox, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common.messaging import outbox
from services.proxy.adapters import tables
from services.proxy.adapters.performance_proto import quota_closed_event, stars_awarded_event
from services.proxy.domain.performance import Quota, VillageStars

SOURCE = "proxy"
QUOTA, STARS = "quota", "stars"
d, pc, q, vs = tables.delegation, tables.period_closed, tables.quota, tables.village_stars


def completions(s: Session, start: datetime, end: datetime) -> list[sa.Row]:
    """(agent, carrier, completed_at) of the delegations whose result came back in [start, end)."""
    query = sa.select(d.c.agent, d.c.carrier, d.c.completed_at).where(
        d.c.completed_at >= start, d.c.completed_at < end
    )
    return list(s.execute(query).all())


def registered(s: Session, start: datetime, end: datetime) -> list[sa.Row]:
    """(village, state, completed_at, satisfaction) of the delegations registered in [start, end)."""
    query = sa.select(d.c.village, d.c.state, d.c.completed_at, d.c.satisfaction).where(
        d.c.created_at >= start, d.c.created_at < end
    )
    return list(s.execute(query).all())


def closed_at(s: Session, kind: str, period: str) -> datetime | None:
    query = sa.select(pc.c.closed_at).where(pc.c.kind == kind, pc.c.period == period)
    return s.execute(query).scalar_one_or_none()


def _close(s: Session, tenant: str, kind: str, period: str, at: datetime) -> bool:
    """Mark the period closed; False when it was already (a concurrent or repeated run)."""
    done = s.execute(
        insert(pc)
        .values(tenant_id=tenant, kind=kind, period=period, closed_at=at)
        .on_conflict_do_nothing()
        .returning(pc.c.period)
    ).first()
    return done is not None


def close_month(s: Session, tenant: str, month: str, quotas: list[Quota], at: datetime) -> bool:
    """Freeze the month's quotas and publish `proxy_quota_closed`, once."""
    if not _close(s, tenant, QUOTA, month, at):
        return False
    if quotas:
        s.execute(insert(q), [{"tenant_id": tenant, **_quota_row(x)} for x in quotas])
    outbox.record(s, source=SOURCE, message_or_type=quota_closed_event(month, quotas, at), tenant_id=tenant)
    return True


def award_quarter(s: Session, tenant: str, quarter: str, stars: list[VillageStars], at: datetime) -> bool:
    """Freeze the quarter's stars and publish `village_stars_awarded`, once."""
    if not _close(s, tenant, STARS, quarter, at):
        return False
    if stars:
        s.execute(insert(vs), [{"tenant_id": tenant, **_stars_row(x)} for x in stars])
    event = stars_awarded_event(quarter, stars, at)
    outbox.record(s, source=SOURCE, message_or_type=event, tenant_id=tenant)
    return True


def frozen_quotas(s: Session, month: str) -> list[Quota]:
    rows = s.execute(sa.select(q).where(q.c.month == month).order_by(q.c.agent)).mappings()
    return [
        Quota(r["agent"], r["level"], r["month"], r["required"], r["done"], r["shortfall"], r["penalty_fen"])
        for r in rows
    ]


def frozen_stars(s: Session, quarter: str) -> list[VillageStars]:
    rows = s.execute(sa.select(vs).where(vs.c.quarter == quarter).order_by(vs.c.village)).mappings()
    return [
        VillageStars(r["village"], r["quarter"], r["delegations"], r["completion_rate"],
                     r["satisfaction_rate"], r["stars"])
        for r in rows
    ]  # fmt: skip


def _quota_row(x: Quota) -> dict:
    return {"month": x.month, "agent": x.agent, "level": x.level, "required": x.required, "done": x.done,
            "shortfall": x.shortfall, "penalty_fen": x.penalty_fen}  # fmt: skip


def _stars_row(x: VillageStars) -> dict:
    return {"quarter": x.quarter, "village": x.village, "delegations": x.delegations,
            "completion_rate": x.completion_rate, "satisfaction_rate": x.satisfaction_rate,
            "stars": x.stars}  # fmt: skip
