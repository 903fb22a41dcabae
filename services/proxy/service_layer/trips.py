"""Trips, dispatch and the trip-day job (DOMAIN.md §6.3 step 3, §6.4; API.md *Proxy* Trips).

- `plan` (in the caller's transaction): a delegation that waits for a trip goes on the trip of its
  carrier on the next trip day (setting `trip_days`, domain/trip.py) at once — to the township
  when registered (the zone's agent, its backup when away …), to the county when its case is
  escalated to a county department (a township agent) — chosen by domain/dispatch.py with who is
  away from `leaves.away_on` (the one place) and the load from the register.
- `list_trips`: the manifests of a day (default: the next trip day); an agent-only caller sees the
  trips it carries, the township's staff and the county admin/supervisor all.
- `deliver`: the carrier (or the township's receiving staff) delivers the trip: each delegation
  still waiting on it is at the township now; the trip is delivered; `trip_delivered`.
- `plan_all` (`bianmin jobs plan-trips`): per active township, a delegation still waiting for a
  trip day that has passed gets `delegation_trip_missed` (the township admin's warning, through
  notify) and goes on the next trip; a carrier away on the next trip day hands its waiting
  delegations to who dispatch picks (its backup); a county item left without a township agent goes
  on one's trip once one can carry it; each trip of the next trip day is told to its carrier once
  (`trip_planned`, whose manifest notify sends to the agent's inbox and SMS)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import Forbidden, NotFound, ValidationFailed
from libs.common.tenancy import Principal, require_tenant
from libs.common.tenant_projection import require_known
from services.proxy.adapters import agent_repository as agents_repo
from services.proxy.adapters import delegation_repository as repo
from services.proxy.adapters import household_repository as households_repo
from services.proxy.adapters import tables
from services.proxy.adapters import trip_repository as trips_repo
from services.proxy.domain import delegation as domain
from services.proxy.domain import dispatch, trip
from services.proxy.domain.agent import TOWNSHIP as TOWNSHIP_AGENT
from services.proxy.domain.delegation import Delegation
from services.proxy.domain.trip import COUNTY, DELIVERED, TOWNSHIP, Trip
from services.proxy.service_layer import access, leaves

log = logging.getLogger(__name__)
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
RECEIVERS = ("township_admin", "window_staff", "intake_desk")  # who receives what a trip delivers
READERS = (*access.TOWNSHIP_STAFF, "county_admin", "county_supervisor")


def township_tz(s: Session) -> ZoneInfo:
    name = s.execute(sa.select(tables.settings.c.timezone)).scalar_one_or_none()
    try:
        return ZoneInfo(name) if name else DEFAULT_TZ
    except (KeyError, ValueError):
        return DEFAULT_TZ


def next_trip_day(s: Session, today: date) -> date:
    days = s.execute(sa.select(tables.settings.c.trip_days)).scalar_one_or_none()
    return trip.next_trip_day(today, trip.trip_days(days))


def plan(s: Session, d: Delegation, *, destination: str, actor: str, at: datetime, reason: str = "") -> None:
    """Put `d` on its carrier's trip of the next trip day (dispatch), in the caller's transaction."""
    today = at.astimezone(township_tz(s)).date()
    day = next_trip_day(s, today)
    agents = agents_repo.all_agents(s)
    away = leaves.away_on(s, agents, day)
    load = repo.carried_load(s)
    if destination == COUNTY:
        carrier = dispatch.to_county(agents, away, load)
        if not carrier or carrier in away:  # no active township agent, or every one away: warned
            log.warning("no township agent in %s can carry delegation %s to the county", d.tenant, d.id)
            trips_repo.warn_uncarried(s, d.tenant, d, day)
        if not carrier:  # nobody to put it on a trip: it waits at the county for the admins
            return
    else:
        zone = d.agent
        if d.household_id:
            zone = households_repo.get(s, d.household_id).agent
        carrier = dispatch.to_township(zone, agents, away, load)
    tid = trips_repo.ensure(s, d.tenant, day, carrier, destination, at) if carrier else ""
    if d.state == domain.ACCEPTED:
        d.await_trip(actor, at, day, carrier=carrier, trip_id=tid)
    else:
        d.carry(actor, at, carrier, day, tid, reason)


# --- reading and delivering ---------------------------------------------------------------------


def list_trips(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    day_text: str = "",
    agent: str = "",
    now: datetime | None = None,
) -> list[Trip]:
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *READERS)
        day = (
            _day(day_text)
            if day_text
            else next_trip_day(s, (now or datetime.now(UTC)).astimezone(township_tz(s)).date())
        )
        if not who.has_role(*(r for r in READERS if r != access.AGENT)):
            agent = who.username  # an agent: its own trips
        rows = trips_repo.on_day(s, day, agent)
        return _trips(s, rows)


def deliver(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    trip_id: str,
    delegation_ids: Iterable[str] = (),
    *,
    now: datetime | None = None,
) -> Trip:
    at = now or datetime.now(UTC)
    scope = require_tenant(tenant)
    _check_id(trip_id)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, access.AGENT, *RECEIVERS)
        row = trips_repo.get(s, trip_id, lock=True)
        if not who.has_role(*RECEIVERS) and row["carrier"] != who.username:
            raise Forbidden("only the trip's carrier or the township's receiving staff deliver it")
        on_trip = {d.id: d for d in repo.on_trip(s, trip_id)}
        wanted = list(dict.fromkeys(delegation_ids)) or list(on_trip)
        strangers = [i for i in wanted if i not in on_trip]
        if strangers:
            raise ValidationFailed(
                f"delegations: not on this trip: {', '.join(strangers)}", field="delegations"
            )
        delivered = []
        for delegation_id in wanted:
            d = repo.get(s, delegation_id, lock=True)
            if row["destination"] == TOWNSHIP and d.state == domain.AWAITING_TRIP:
                before = d.version
                d.deliver(who.username, at)
                repo.save(s, d, before)
                delivered.append(d.id)
            elif row["destination"] == COUNTY and d.state == domain.AT_COUNTY:
                delivered.append(d.id)
        waiting = [d for d in repo.on_trip(s, trip_id) if d.state == domain.AWAITING_TRIP]
        result = _trips(s, [row])[0]
        if not waiting and row["status"] != DELIVERED:
            result = replace(result, status=DELIVERED, delivered_at=at)
            trips_repo.mark_delivered(s, scope, result, who.username, at, delivered)
        return result


def _trips(s: Session, rows: list[sa.RowMapping]) -> list[Trip]:
    agents = agents_repo.all_agents(s)
    by_trip: dict[str, list[Delegation]] = {}
    for d in repo.on_trips(s, [r["id"] for r in rows]) if rows else []:
        by_trip.setdefault(d.trip_id, []).append(d)
    return [
        Trip(
            id=r["id"],
            date=r["trip_date"],
            carrier=r["carrier"],
            village=agents[r["carrier"]].village if r["carrier"] in agents else "",
            destination=r["destination"],
            status=r["status"],
            delivered_at=r["delivered_at"],
            delegations=tuple(by_trip.get(r["id"], ())),
        )  # fmt: skip
        for r in rows
    ]


def _day(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"date must be YYYY-MM-DD, got {text!r}") from None


def _check_id(trip_id: str) -> None:
    try:
        uuid.UUID(trip_id)
    except (ValueError, TypeError, AttributeError):
        raise NotFound(f"no trip {trip_id!r} in this township") from None


# --- the trip-day job ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanReport:
    townships: int = 0
    missed: int = 0  # delegations that missed their trip day (warned, re-planned)
    announced: int = 0  # trips told to their carrier
    failed: int = 0


def plan_all(
    sessions: sessionmaker[Session],
    ops_sessions: sessionmaker[Session],
    now: datetime | None = None,
    *,
    townships: Iterable[str] | None = None,
) -> PlanReport:
    """`plan_township` for every active township (or only `townships`), each in its own transaction."""
    at = now or datetime.now(UTC)
    listed = active_townships(ops_sessions, townships)
    missed = announced = failed = 0
    for tenant in listed:
        try:
            with db.transaction(sessions, tenant) as s:
                m, a = plan_township(s, tenant, at)
        except Exception:  # noqa: BLE001 - one township's failure must not stop the others
            log.exception("plan-trips of %s failed", tenant)
            failed += 1
            continue
        missed, announced = missed + m, announced + a
    return PlanReport(len(listed), missed, announced, failed)


def _dispatch_uncarried(s: Session, day: date, at: datetime) -> None:
    """A county item left without a township agent (the admins were warned) goes on the trip of
    one as soon as one is active and not away on `day`; while none is, it waits (no new warning)."""
    agents = agents_repo.all_agents(s)
    township = sorted(u for u, a in agents.items() if a.active and a.level == TOWNSHIP_AGENT)
    if not set(township) - leaves.away_on(s, agents, day):
        return  # nobody yet: it waits, the admins were warned when it was escalated
    left = repo.at_county_not_carried_by(s, township)
    for d in left:
        before = d.version
        plan(s, d, destination=COUNTY, actor="system", at=at, reason="a township agent carries it now")
        repo.save(s, d, before)


def active_townships(ops_sessions: sessionmaker[Session], only: Iterable[str] | None = None) -> list[str]:
    """The active townships (of `only`, when given), in tenant order: what a job goes through."""
    with db.transaction(ops_sessions, None) as s:
        t = tables.tenant
        query = sa.select(t.c.tenant_id).where(t.c.status == "active").order_by(t.c.tenant_id)
        listed = list(s.execute(query).scalars())
    if only is not None:
        wanted = set(only)
        listed = [x for x in listed if x in wanted]
    return listed


def plan_township(s: Session, tenant: str, at: datetime) -> tuple[int, int]:
    """Warn of and re-plan the missed delegations, move an away carrier's to the backup, tell each
    next-trip-day trip once."""
    today = at.astimezone(township_tz(s)).date()
    late = repo.missed(s, today)
    for d in late:
        missed_day = d.trip_date
        trips_repo.warn_missed(s, tenant, d.id, d.carrier or d.agent, missed_day)
        before = d.version
        plan(s, d, destination=TOWNSHIP, actor="system", at=at, reason=f"missed its trip day {missed_day}")
        repo.save(s, d, before)
    day = next_trip_day(s, today)
    # an agent away on the trip day: its waiting delegations go to who dispatch picks now (the
    # backup — DOMAIN.md §6.1 "the backup takes … the proxy's open ones")
    away = leaves.away_on(s, agents_repo.all_agents(s), day)
    for d in repo.waiting_for(s, day, sorted(away)):
        before, carrier = d.version, d.carrier
        plan(s, d, destination=TOWNSHIP, actor="system", at=at, reason=f"{carrier} is away on {day}")
        if d.carrier != carrier:
            repo.save(s, d, before)
    _dispatch_uncarried(s, day, at)
    told = 0
    for trip_view in _trips(s, trips_repo.unannounced(s, day)):
        if trip_view.delegations:
            trips_repo.announce(s, tenant, trip_view, at)
            told += 1
    return len(late), told
