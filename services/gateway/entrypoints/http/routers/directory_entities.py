"""A township's organisation: villages, departments, windows and AB posts, staff, settings
(API.md *Directory*). Writes: township_admin of the township or county_admin; reads: whoever
may see the township. Saving an existing village or window answers 200, adding one 201."""

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from libs.common.errors import Forbidden
from services.gateway.entrypoints.http.deps import Authed, Sessions, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.routers.townships import GroupIn
from services.gateway.service_layer import organisation, settings

router = APIRouter(tags=["directory"])
SAVED: dict[int | str, dict[str, Any]] = {200: {"description": "Saved: it existed and was changed"}}


def _saved(response: Response, view: dict, created: bool) -> dict:
    response.status_code = 201 if created else 200
    return view


# --- villages ----------------------------------------------------------------------------------


class VillageIn(BaseModel):
    code: str
    name: str
    groups: list[GroupIn] = []


@router.post("/v1/townships/{tenant}/villages", status_code=201, responses=SAVED)
def save_village(tenant: Tenant, body: VillageIn, c: Authed, sessions: Sessions, response: Response) -> dict:
    return _saved(response, *organisation.save_village(sessions, c.principal, tenant, body.model_dump()))


@router.get("/v1/townships/{tenant}/villages")
def villages(tenant: Tenant, sessions: Sessions, page: PageParams) -> dict:
    rows = organisation.list_villages(sessions, tenant, after=page.after, limit=page.size + 1)
    return page.of(rows, key=lambda v: v["code"])


# --- departments -------------------------------------------------------------------------------


class DepartmentIn(BaseModel):
    code: str
    name: str


@router.post("/v1/townships/{tenant}/departments", status_code=201)
def create_department(tenant: Tenant, body: DepartmentIn, c: Authed, sessions: Sessions) -> dict:
    return organisation.create_department(sessions, c.principal, tenant, body.model_dump())


@router.get("/v1/townships/{tenant}/departments")
def departments(tenant: Tenant, sessions: Sessions, page: PageParams) -> dict:
    rows = organisation.list_departments(sessions, tenant, after=page.after, limit=page.size + 1)
    return page.of(rows, key=lambda d: d["code"])


# --- windows -----------------------------------------------------------------------------------


class WindowIn(BaseModel):
    code: str
    name: str
    department: str
    item_codes: list[str] = []


class PostsIn(BaseModel):
    a: str
    b: str


@router.post("/v1/townships/{tenant}/windows", status_code=201, responses=SAVED)
def save_window(tenant: Tenant, body: WindowIn, c: Authed, sessions: Sessions, response: Response) -> dict:
    return _saved(response, *organisation.save_window(sessions, c.principal, tenant, body.model_dump()))


@router.get("/v1/townships/{tenant}/windows")
def windows(tenant: Tenant, sessions: Sessions, page: PageParams) -> dict:
    rows = organisation.list_windows(sessions, tenant, after=page.after, limit=page.size + 1)
    return page.of(rows, key=lambda w: w["code"])


@router.put("/v1/townships/{tenant}/windows/{code}/posts")
def assign_posts(tenant: Tenant, code: str, body: PostsIn, c: Authed, sessions: Sessions) -> dict:
    return organisation.assign_posts(sessions, c.principal, tenant, code, body.model_dump())


# --- staff -------------------------------------------------------------------------------------


class StaffIn(BaseModel):
    username: str
    password: str
    name: str
    phone: str
    roles: list[str]
    window: str | None = None
    village: str | None = None


@router.post("/v1/townships/{tenant}/staff", status_code=201)
def create_staff(tenant: Tenant, body: StaffIn, c: Authed, sessions: Sessions) -> dict:
    return organisation.create_staff(sessions, c.principal, tenant, body.model_dump())


@router.get("/v1/townships/{tenant}/staff")
def staff(tenant: Tenant, c: Authed, sessions: Sessions, page: PageParams) -> dict:
    # staff are people: ops (metrics and health) sees no personal data (DOMAIN.md §1)
    if c.principal.roles <= {"ops"}:
        raise Forbidden("ops sees no personal data")
    rows = organisation.list_staff(sessions, tenant, after=page.after, limit=page.size + 1)
    return page.of(rows, key=lambda m: m["username"])


# --- settings ----------------------------------------------------------------------------------


class SettingsPatch(BaseModel):
    """Only the settings given change; the domain validates their values (all or nothing)."""

    model_config = ConfigDict(extra="forbid")

    office_hours: list[list[str]] | None = None
    trip_days: list[str] | None = None
    warn_ratio: float | None = None
    escalation_notice_days: int | None = None
    appeal_days: int | None = None
    visit_round_days: int | None = None
    callback_ratio: float | None = None
    locale: str | None = None
    sign_in_times: list[str] | None = None
    extra: dict[str, Any] | None = None


@router.patch("/v1/townships/{tenant}/settings")
def patch_settings(tenant: Tenant, body: SettingsPatch, c: Authed, sessions: Sessions) -> dict:
    return settings.patch(sessions, c.principal, tenant, body.model_dump(exclude_unset=True))


@router.get("/v1/townships/{tenant}/settings")
def get_settings(tenant: Tenant, sessions: Sessions) -> dict:
    return settings.get_settings(sessions, tenant)
