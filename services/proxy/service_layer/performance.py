"""Quotas and stars (DOMAIN.md §6.5; rules in domain/performance.py).

- `list_quotas` (`GET …/proxy/quotas?month=`, default the current month): a closed month's frozen
  figures, else as of now. The township admin, the county admin and supervisor see every agent's;
  an agent its own.
- `list_stars` (`GET …/proxy/stars?quarter=`, default the current quarter): every village of the
  township, frozen once awarded, else as of now; the township's people and the county read.
- `close_months` (`bianmin jobs close-proxy-month`): per active township, the previous month (the
  county's local date) is closed once — the quotas frozen, `proxy_quota_closed` published.
- `award_quarters` (`bianmin jobs award-village-stars`): the previous quarter's stars, once —
  `village_stars_awarded`.
Periods are the township's local days (its time zone setting)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.tenancy import Principal, require_tenant
from libs.common.tenant_projection import require_known
from services.proxy.adapters import agent_repository as agents_repo
from services.proxy.adapters import performance_repository as repo
from services.proxy.adapters import tables
from services.proxy.domain import performance as domain
from services.proxy.domain.delegation import WITHDRAWN
from services.proxy.domain.performance import Counted, Quota, VillageStars
from services.proxy.service_layer import access, trips

log = logging.getLogger(__name__)
QUOTA_READERS = ("township_admin", access.AGENT, "county_admin", "county_supervisor")
STARS_READERS = access.PEOPLE


@dataclass(frozen=True)
class QuotaListing:
    month: str
    closed: bool
    items: list[Quota]


@dataclass(frozen=True)
class StarsListing:
    quarter: str
    awarded: bool
    items: list[VillageStars]


def _utc(day: date, tz: ZoneInfo) -> datetime:
    """The start of the township's local `day`, in UTC."""
    return datetime.combine(day, time(), tz).astimezone(UTC)


def _extra(s: Session, name: str) -> object:
    """A setting of the township's `extra` (the gateway publishes each as JSON text), or None."""
    other = s.execute(sa.select(tables.settings.c.other)).scalar_one_or_none()
    extra = other.get("extra") if isinstance(other, dict) else None
    value = extra.get(name) if isinstance(extra, dict) else None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            log.warning("setting extra.%s is not JSON: its default holds", name)
            return None
    return value


def compute_quotas(s: Session, month: str) -> list[Quota]:
    """Every active agent's quota of `month` as the register stands."""
    tz = trips.township_tz(s)
    first, last = domain.month_span(month)
    weeks = domain.weeks_of(month)
    start = min(first, weeks[0][0]) if weeks else first
    quotas, penalties = domain.quota_settings(_extra(s, "proxy_quotas"), _extra(s, "proxy_penalty_fen"))
    agents = {u: a for u, a in agents_repo.all_agents(s).items() if a.active}
    days: dict[str, list[date]] = {u: [] for u in agents}
    for agent, carrier, at in repo.completions(s, _utc(start, tz), _utc(last + timedelta(days=1), tz)):
        day = at.astimezone(tz).date()
        credited = {agent}
        if carrier in agents and agents[carrier].level == "township":  # it carried the county leg
            credited.add(carrier)
        for username in credited & days.keys():
            days[username].append(day)
    found = (
        domain.quota_of(u, agents[u].level, month, days[u], quotas=quotas, penalties=penalties)
        for u in sorted(agents)
    )
    return [x for x in found if x is not None]


def compute_stars(s: Session, quarter: str) -> list[VillageStars]:
    """Every village's stars of `quarter` as the register stands."""
    tz = trips.township_tz(s)
    first, last = domain.quarter_span(quarter)
    counted = [
        Counted(village, at.astimezone(tz).date() if at else None, satisfaction or "", state == WITHDRAWN)
        for village, state, at, satisfaction in repo.registered(
            s, _utc(first, tz), _utc(last + timedelta(days=1), tz)
        )
    ]
    villages = set(s.execute(sa.select(tables.village.c.code)).scalars()) | {c.village for c in counted}
    return [domain.village_stars(v, quarter, counted) for v in sorted(villages)]


def list_quotas(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    month_text: str = "",
    *,
    now: datetime | None = None,
) -> QuotaListing:
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *QUOTA_READERS)
        month = month_text or domain.month_of(_today(s, now))
        domain.month_span(month)  # validates
        closed = repo.closed_at(s, repo.QUOTA, month) is not None
        items = repo.frozen_quotas(s, month) if closed else compute_quotas(s, month)
        if not who.has_role(*(r for r in QUOTA_READERS if r != access.AGENT)):
            items = [x for x in items if x.agent == who.username]  # an agent: its own
        return QuotaListing(month, closed, items)


def list_stars(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    quarter_text: str = "",
    *,
    now: datetime | None = None,
) -> StarsListing:
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        access.require(principal, scope, *STARS_READERS)
        quarter = quarter_text or domain.quarter_of(_today(s, now))
        domain.quarter_span(quarter)  # validates
        awarded = repo.closed_at(s, repo.STARS, quarter) is not None
        items = repo.frozen_stars(s, quarter) if awarded else compute_stars(s, quarter)
        return StarsListing(quarter, awarded, items)


def _today(s: Session, now: datetime | None) -> date:
    return (now or datetime.now(UTC)).astimezone(trips.township_tz(s)).date()


# --- the jobs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CloseReport:
    townships: int = 0
    closed: int = 0  # townships whose period was closed by this run
    failed: int = 0


def close_months(
    sessions: sessionmaker[Session],
    ops_sessions: sessionmaker[Session],
    now: datetime | None = None,
    *,
    month: str = "",
    townships: Iterable[str] | None = None,
) -> CloseReport:
    """Close each active township's previous month (or `month`) of quotas, once."""

    def close(s: Session, tenant: str, at: datetime) -> bool:
        period = month or domain.previous_month(_today(s, at))
        return repo.close_month(s, tenant, period, compute_quotas(s, period), at)

    return _each_township(sessions, ops_sessions, now, townships, close, "close-proxy-month")


def award_quarters(
    sessions: sessionmaker[Session],
    ops_sessions: sessionmaker[Session],
    now: datetime | None = None,
    *,
    quarter: str = "",
    townships: Iterable[str] | None = None,
) -> CloseReport:
    """Award each active township's villages their stars of the previous quarter (or `quarter`), once."""

    def award(s: Session, tenant: str, at: datetime) -> bool:
        period = quarter or domain.previous_quarter(_today(s, at))
        return repo.award_quarter(s, tenant, period, compute_stars(s, period), at)

    return _each_township(sessions, ops_sessions, now, townships, award, "award-village-stars")


def _each_township(
    sessions: sessionmaker[Session],
    ops_sessions: sessionmaker[Session],
    now: datetime | None,
    townships: Iterable[str] | None,
    step: Callable[[Session, str, datetime], bool],
    job: str,
) -> CloseReport:
    at = now or datetime.now(UTC)
    listed = trips.active_townships(ops_sessions, townships)
    closed = failed = 0
    for tenant in listed:
        try:
            with db.transaction(sessions, tenant) as s:
                closed += step(s, tenant, at)
        except Exception:  # noqa: BLE001 - one township's failure must not stop the others
            log.exception("%s of %s failed", job, tenant)
            failed += 1
    return CloseReport(len(listed), closed, failed)
