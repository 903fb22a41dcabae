"""Townships, the tenants: onboard, list, get, suspend (API.md *Directory*)."""

import asyncio
from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from libs.common.auth import acting_as
from libs.common.errors import BianminError
from libs.common.tenancy import require_role
from services.gateway.entrypoints.http.answers import PageOf, documented
from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Sessions, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.service_layer import audit, directory

router = APIRouter(tags=["directory"])
PROJECTING_SERVICES = ("intake", "proxy", "appraisal", "notify")


class GroupIn(BaseModel):
    code: str
    name: str


class VillageIn(BaseModel):
    code: str
    name: str
    groups: list[GroupIn] = []


class TownshipIn(BaseModel):
    code: str
    name: str
    villages: list[VillageIn] = []


class Group(BaseModel):
    code: str
    name: str


class Village(BaseModel):
    code: str
    name: str
    groups: list[Group]


class Township(BaseModel):
    id: str = Field(description="the tenant id, <county>.<code>")
    code: str
    name: str
    county: str
    status: Literal["active", "suspended"]
    villages: list[Village]


class TownshipView(Township):
    services: dict[str, Literal["ready", "pending", "unavailable"]] = Field(
        description="whether each service has recorded the township yet"
    )


@router.post("/v1/townships", **documented(Township, 201))
async def onboard(body: TownshipIn, c: Authed, gw: GatewayDep) -> dict:
    """Onboard a township; answered once every service that answers has recorded it (read your
    writes: its catalogue and cases answer at once), or after `onboard_wait_seconds` whatever
    they say — `GET /v1/townships/{tenant}` then tells which service is still pending."""
    principal = require_role(c.principal, "county_admin")
    township = await run_in_threadpool(
        directory.onboard_township, gw.runtime.sessions, principal, body.model_dump()
    )
    with acting_as(c.token):
        await _until_recorded(gw, township["id"], gw.runtime.settings.onboard_wait_seconds)
    return township


async def _until_recorded(gw: GatewayDep, tenant: str, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + seconds, 0.02
    waiting = set(PROJECTING_SERVICES)
    while waiting and loop.time() < deadline:
        states = await asyncio.gather(*(_probe(gw, s, tenant) for s in sorted(waiting)))
        # a service that does not answer is not waited for (a deployment may not run it)
        waiting -= {s for s, state in zip(sorted(waiting), states, strict=True) if state != "pending"}
        if waiting:
            await asyncio.sleep(min(pause, max(deadline - loop.time(), 0)))
            pause = min(pause * 2, 0.5)


@router.get("/v1/townships", **documented(PageOf[Township]))
def townships(c: Authed, sessions: Sessions, page: PageParams) -> dict:
    rows = directory.list_townships(sessions, c.principal, after=page.after, limit=page.size + 1)
    return page.of(rows, key=lambda township: township["id"])


@router.get("/v1/townships/{tenant}", **documented(TownshipView))
async def township(tenant: Tenant, c: Authed, gw: GatewayDep) -> dict:
    view = await run_in_threadpool(directory.get_township, gw.runtime.sessions, c.principal, tenant)
    with acting_as(c.token):  # the services asked at once (each probe copies this context)
        states = await asyncio.gather(*(_probe(gw, s, tenant) for s in PROJECTING_SERVICES))
    view["services"] = dict(zip(PROJECTING_SERVICES, states, strict=True))
    return view


@router.post("/v1/townships/{tenant}/suspend", **documented(Township))
def suspend(tenant: Tenant, c: Authed, sessions: Sessions) -> dict:
    principal = require_role(c.principal, "county_admin")
    return directory.suspend_township(sessions, principal, tenant)


async def _probe(gw: GatewayDep, service: str, tenant: str) -> str:
    """'ready' once the service has recorded the township, 'pending' before."""
    try:
        return "ready" if await gw.services.knows_tenant(service, tenant) else "pending"
    except BianminError:
        return "unavailable"


@router.post("/v1/townships/{tenant}/reactivate", **documented(Township))
def reactivate(tenant: Tenant, c: Authed, sessions: Sessions) -> dict:
    principal = require_role(c.principal, "county_admin")
    return directory.reactivate_township(sessions, principal, tenant)


@router.get("/v1/townships/{tenant}/audit")
def audit_trail(tenant: Tenant, c: Authed, gw: GatewayDep) -> dict:
    """Who of the county roles read or acted in this township (newest first): for the county's
    administrators and supervisors, and for the township's own administrator."""
    require_role(c.principal, "county_admin", "county_supervisor", "township_admin")
    sessions, zone = gw.runtime.sessions, ZoneInfo(gw.runtime.settings.timezone)
    directory.get_township(sessions, c.principal, tenant)  # a township that does not exist: not_found
    items = [
        {
            "at": e["at"].astimezone(zone).isoformat(),
            "username": e["username"],
            "roles": e["roles"],
            "method": e["method"],
            "path": e["path"],
        }
        for e in audit.entries(sessions, tenant)
    ]
    return {"items": items, "next_page_token": ""}
