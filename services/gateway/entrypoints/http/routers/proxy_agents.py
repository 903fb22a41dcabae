"""Proxy (代办), DOMAIN.md §6.1-§6.3: agents, households in their zones (分片包户), the exclusion
list (不代办对象) and visits (三必访). The proxy service owns them; these routes translate JSON to
its gRPC calls (with the caller's token, and the township as `x-tenant-id`) and back.

Who may do what is proxy's decision (services/proxy/service_layer/access.py): the township admin
(or the county admin) manages agents and households, the township admin the exclusion list; the
township's staff read the agents; the admins, the agents and the county supervisor read
households — names and phones masked for everyone but the household's current agent."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from bianmin.proxy.v1 import agent_pb2 as apb
from bianmin.proxy.v1 import proxy_service_pb2 as pb
from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from libs.common.grpc.enums import enum_number
from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.translate import calling, if_match_version, json_word

router = APIRouter(tags=["proxy"])

PROXY = "/v1/townships/{tenant}/proxy"
AGENTS = PROXY + "/agents"
AGENT = AGENTS + "/{username}"
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
