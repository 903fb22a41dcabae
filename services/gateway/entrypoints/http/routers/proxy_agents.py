"""Proxy (代办), DOMAIN.md §6.1-§6.3: agents, households in their zones (分片包户), the exclusion
list (不代办对象) and visits (三必访). The proxy service owns them; these routes translate JSON to
its gRPC calls (with the caller's token, and the township as `x-tenant-id`) and back.

Who may do what is proxy's decision (services/proxy/service_layer/access.py): the township admin
(or the county admin) manages agents and households, the township admin the exclusion list; the
township's staff read the agents; the admins, the agents and the county supervisor read
households — names and phones masked for everyone but the household's current agent."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bianmin.proxy.v1 import agent_pb2 as apb
from bianmin.proxy.v1 import household_pb2 as hpb
from bianmin.proxy.v1 import proxy_service_pb2 as pb
from fastapi import APIRouter, Header, Query, Response
from pydantic import AwareDatetime, BaseModel, Field

from libs.common.grpc.enums import enum_number
from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.translate import (
    calling,
    county_tz,
    if_match_version,
    json_word,
    local_time,
)

router = APIRouter(tags=["proxy"])

PROXY = "/v1/townships/{tenant}/proxy"
AGENTS = PROXY + "/agents"
AGENT = AGENTS + "/{username}"
HOUSEHOLDS = PROXY + "/households"
HOUSEHOLD = HOUSEHOLDS + "/{household_id}"
EXCLUSIONS = PROXY + "/exclusions"
VISITS = PROXY + "/visits"
Flag = Literal["wubao", "dibao", "poor", "ill", "disabled", "elderly_alone"]
Level = Literal["village", "township", "group", "petition"]
IfMatch = Annotated[str | None, Header(description='"<version>" (optional); stale → 412')]


# --- agents ------------------------------------------------------------------------------------


class AgentIn(BaseModel):
    username: str = Field(
        min_length=1, max_length=32, description="a staff member of the township with the role proxy_agent"
    )
    level: Level = Field(description="village (村级), township (乡级), group (组级) or petition (信访代办员)")
    village: str | None = Field(
        None, max_length=64, description="village, group and petition agents: their village's code"
    )
    group: str | None = Field(None, max_length=64, description="group agents: their village group's code")
    backup: str | None = Field(
        None, max_length=32, description="the AB backup: another agent of the township"
    )


class AgentPatch(BaseModel):
    backup: str | None = Field(
        None, max_length=32, description='another agent of the township; null or "" removes the backup'
    )
    active: bool | None = None


class AgentOut(BaseModel):
    username: str
    name: str
    level: Level
    village: str | None
    group: str | None
    backup: str | None
    on_leave: bool = Field(description="on approved leave today: the backup covers")
    active: bool
    version: int


class AgentPage(BaseModel):
    items: list[AgentOut]
    next_page_token: str


@router.post(AGENTS, status_code=201, response_model=AgentOut)
async def create_agent(tenant: Tenant, body: AgentIn, c: Authed, gw: GatewayDep, response: Response) -> dict:
    """Register a staff member (role proxy_agent) as an agent (township_admin, county_admin)."""
    request = pb.CreateAgentRequest(
        username=body.username,
        level=enum_number(apb.AgentLevel, "AGENT_LEVEL_", body.level),
        village=body.village or "",
        group=body.group or "",
        backup=body.backup or "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.proxy().CreateAgent(request)
    return _agent_answer(reply.agent, response)


@router.get(AGENTS, response_model=AgentPage)
async def agents(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    level: Level | None = None,
    village: Annotated[str | None, Query(max_length=64)] = None,
) -> dict:
    """The township's agents in username order (its staff, the county admin and supervisor)."""
    request = pb.ListAgentsRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        level=enum_number(apb.AgentLevel, "AGENT_LEVEL_", level or ""),
        village=village or "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.proxy().ListAgents(request)
    return {
        "items": [agent_json(a) for a in reply.agents],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


@router.get(AGENT, response_model=AgentOut)
async def get_agent(tenant: Tenant, username: str, c: Authed, gw: GatewayDep, response: Response) -> dict:
    """One agent."""
    with calling(c.token, tenant):
        reply = await gw.services.proxy().GetAgent(pb.GetAgentRequest(username=username))
    return _agent_answer(reply.agent, response)


@router.patch(AGENT, response_model=AgentOut)
async def patch_agent(
    tenant: Tenant,
    username: str,
    body: AgentPatch,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict:
    """Change an agent's backup or active flag (township_admin, county_admin); fields left out
    stay as they are."""
    request = pb.UpdateAgentRequest(username=username, expected_version=if_match_version(if_match))
    given = body.model_fields_set
    if "backup" in given:
        request.backup = body.backup or ""
    if "active" in given and body.active is not None:
        request.active = body.active
    with calling(c.token, tenant):
        reply = await gw.services.proxy().UpdateAgent(request)
    return _agent_answer(reply.agent, response)


def _agent_answer(a: apb.Agent, response: Response) -> dict:
    response.headers["ETag"] = f'"{a.version}"'
    return agent_json(a)


def agent_json(a: apb.Agent) -> dict[str, Any]:
    return {
        "username": a.username,
        "name": a.name,
        "level": json_word(apb.AgentLevel, "AGENT_LEVEL_", a.level),
        "village": a.village or None,
        "group": a.group or None,
        "backup": a.backup or None,
        "on_leave": a.on_leave,
        "active": a.active,
        "version": a.version,
    }


# --- households and zones (分片包户) -------------------------------------------------------------


class HouseholdIn(BaseModel):
    village: str = Field(min_length=1, max_length=64, description="the village's code")
    group: str | None = Field(None, max_length=64, description="a group of the village")
    head_name: str = Field(min_length=1, max_length=100, description="户主: personal data")
    phone: str = Field(min_length=1, max_length=50, description="personal data")
    address: str | None = Field(None, max_length=300, description="personal data")
    flags: list[Flag] = Field(
        default_factory=list,
        max_length=6,
        description="priority: 五保 wubao, 低保 dibao, poor, ill (重病), disabled, elderly_alone (独居)",
    )
    agent: str | None = Field(
        None,
        max_length=32,
        description="the zone's agent; default: the village agent with the fewest households",
    )


class HouseholdPatch(BaseModel):
    agent: str = Field(min_length=1, max_length=32, description="the agent whose zone the household moves to")


class HouseholdOut(BaseModel):
    id: str
    village: str
    group: str | None
    head_name: str = Field(description="masked unless the caller is the household's agent")
    phone: str = Field(description="masked unless the caller is the household's agent")
    address: str | None
    flags: list[Flag]
    priority: bool
    agent: str
    masked: bool
    last_visited_at: str | None
    version: int


class HouseholdPage(BaseModel):
    items: list[HouseholdOut]
    next_page_token: str


@router.post(HOUSEHOLDS, status_code=201, response_model=HouseholdOut)
async def create_household(
    tenant: Tenant, body: HouseholdIn, c: Authed, gw: GatewayDep, response: Response
) -> dict:
    """Put a household in an agent's zone (township_admin, county_admin); the same head and phone
    in the same village again → 409 already_exists."""
    request = pb.CreateHouseholdRequest(
        village=body.village,
        group=body.group or "",
        head_name=body.head_name,
        phone=body.phone,
        address=body.address or "",
        flags=[enum_number(hpb.HouseholdFlag, "HOUSEHOLD_FLAG_", f) for f in body.flags],
        agent=body.agent or "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.proxy().CreateHousehold(request)
    return _household_answer(reply.household, gw, response)


@router.get(HOUSEHOLDS, response_model=HouseholdPage)
async def households(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    village: Annotated[str | None, Query(max_length=64)] = None,
    agent: Annotated[str | None, Query(max_length=32)] = None,
    priority: bool | None = None,
) -> dict:
    """Households (the admins and the county supervisor: all; an agent: its village's, a township
    agent the township's), masked but for the caller's own."""
    request = pb.ListHouseholdsRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        village=village or "",
        agent=agent or "",
    )
    if priority is not None:
        request.priority = priority
    with calling(c.token, tenant):
        reply = await gw.services.proxy().ListHouseholds(request)
    tz = county_tz(gw)
    return {
        "items": [household_json(h, tz) for h in reply.households],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


@router.patch(HOUSEHOLD, response_model=HouseholdOut)
async def move_household(
    tenant: Tenant,
    household_id: str,
    body: HouseholdPatch,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict:
    """Move a household to another agent's zone (township_admin, county_admin): from now on the
    new agent sees it in full and the previous one masked."""
    request = pb.UpdateHouseholdRequest(
        household_id=household_id, agent=body.agent, expected_version=if_match_version(if_match)
    )
    with calling(c.token, tenant):
        reply = await gw.services.proxy().UpdateHousehold(request)
    return _household_answer(reply.household, gw, response)


def _household_answer(h: hpb.Household, gw: GatewayDep, response: Response) -> dict:
    response.headers["ETag"] = f'"{h.version}"'
    return household_json(h, county_tz(gw))


def household_json(h: hpb.Household, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": h.id,
        "village": h.village,
        "group": h.group or None,
        "head_name": h.head_name,
        "phone": h.phone,
        "address": h.address or None,
        "flags": [json_word(hpb.HouseholdFlag, "HOUSEHOLD_FLAG_", f) for f in h.flags],
        "priority": h.priority,
        "agent": h.agent,
        "masked": h.masked,
        "last_visited_at": local_time(h, "last_visited_at", tz),
        "version": h.version,
    }


# --- the exclusion list (不代办对象) -------------------------------------------------------------


class ExclusionIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="personal data")
    id_number: str | None = Field(None, max_length=30, description="an 18-character resident ID number")
    phone: str | None = Field(None, max_length=50)
    reason: str = Field(
        min_length=1, max_length=500, description="why (kept for the township; never shown again)"
    )


class ExclusionOut(BaseModel):
    id: str
    name: str = Field(description="masked")
    id_number: str | None = Field(description="masked")
    phone: str | None = Field(description="masked")
    reason: str | None = Field(description="only in the answer to the create call")
    created_by: str
    created_at: str | None


class ExclusionPage(BaseModel):
    items: list[ExclusionOut]
    next_page_token: str


@router.post(EXCLUSIONS, status_code=201, response_model=ExclusionOut)
async def create_exclusion(tenant: Tenant, body: ExclusionIn, c: Authed, gw: GatewayDep) -> dict:
    """Put a person on the township's exclusion list (township_admin): no delegation for them."""
    request = pb.CreateExclusionRequest(
        name=body.name, id_number=body.id_number or "", phone=body.phone or "", reason=body.reason
    )
    with calling(c.token, tenant):
        reply = await gw.services.proxy().CreateExclusion(request)
    return exclusion_json(reply.exclusion, county_tz(gw))


@router.get(EXCLUSIONS, response_model=ExclusionPage)
async def exclusions(tenant: Tenant, c: Authed, gw: GatewayDep, page: PageParams) -> dict:
    """The exclusion list, masked and without reasons (township_admin, county_supervisor)."""
    request = pb.ListExclusionsRequest(
        page_size=page.size, page_token=str(page.after) if page.after is not None else ""
    )
    with calling(c.token, tenant):
        reply = await gw.services.proxy().ListExclusions(request)
    tz = county_tz(gw)
    return {
        "items": [exclusion_json(e, tz) for e in reply.exclusions],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


def exclusion_json(e: hpb.Exclusion, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "id_number": e.id_number or None,
        "phone": e.phone or None,
        "reason": e.reason or None,
        "created_by": e.created_by,
        "created_at": local_time(e, "created_at", tz),
    }


# --- visits (三必访) -----------------------------------------------------------------------------


class VisitIn(BaseModel):
    household: str = Field(min_length=1, max_length=64, description="the household's id")
    at: AwareDatetime = Field(description="when the visit happened (RFC 3339; not in the future)")
    needs: list[str] = Field(default_factory=list, max_length=20, description="needs recorded (问事)")
    note: str | None = Field(None, max_length=2000)


class VisitOut(BaseModel):
    id: str
    household: str
    agent: str
    at: str | None
    needs: list[str]
    note: str | None


class DueHousehold(BaseModel):
    household: HouseholdOut
    days_since: int | None = Field(description="days since the last visit; null: never visited")


class AgentDue(BaseModel):
    agent: str
    households: list[DueHousehold]


class DueVisits(BaseModel):
    date: str
    round_days: int
    items: list[AgentDue]


@router.post(VISITS, status_code=201, response_model=VisitOut)
async def record_visit(tenant: Tenant, body: VisitIn, c: Authed, gw: GatewayDep) -> dict:
    """Record a visit to a household (its agent, or the agent's backup)."""
    request = pb.RecordVisitRequest(household_id=body.household, needs=body.needs, note=body.note or "")
    request.at.FromDatetime(body.at.astimezone(UTC))
    with calling(c.token, tenant):
        reply = await gw.services.proxy().RecordVisit(request)
    v, tz = reply.visit, county_tz(gw)
    return {
        "id": v.id,
        "household": v.household_id,
        "agent": v.agent,
        "at": local_time(v, "at", tz),
        "needs": list(v.needs),
        "note": v.note or None,
    }


@router.get(VISITS + "/due", response_model=DueVisits)
async def due_visits(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    day: Annotated[
        str | None, Query(alias="date", max_length=10, description="YYYY-MM-DD; default today")
    ] = None,
) -> dict:
    """The priority households whose last visit is older than the round (setting
    `visit_round_days`, default 14), by agent (the admins and the county supervisor: every
    agent's; an agent: its own)."""
    with calling(c.token, tenant):
        reply = await gw.services.proxy().ListDueVisits(pb.ListDueVisitsRequest(date=day or ""))
    tz = county_tz(gw)
    return {
        "date": reply.date,
        "round_days": reply.round_days,
        "items": [
            {
                "agent": a.agent,
                "households": [
                    {
                        "household": household_json(d.household, tz),
                        "days_since": None if d.never_visited else d.days_since,
                    }
                    for d in a.households
                ],
            }
            for a in reply.agents
        ],
    }
