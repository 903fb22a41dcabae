"""The service catalogue (API.md *Catalogue*): the county template, a township's items and their
overrides, the public service guides. Intake owns the catalogue; these routes translate JSON to
its gRPC calls (with the caller's token, and the township as `x-tenant-id`) and back.

Money: `fee` is in yuan (CNY) with at most two decimals; intake keeps it in fen."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bianmin.intake.v1 import catalogue_pb2 as cpb
from bianmin.intake.v1 import intake_service_pb2 as pb
from fastapi import APIRouter, Header, Query, Response
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, Field

from libs.common.errors import ValidationFailed
from libs.common.grpc.enums import enum_number, enum_word
from services.gateway.entrypoints.http.answers import PageOf, documented
from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.translate import (
    calling,
    county_tz,
    if_match_version,
    public_tenant,
    public_token,
)

router = APIRouter(tags=["catalogue"])

Category = Literal[
    "civil_affairs",
    "family_planning",
    "household_registration",
    "forestry",
    "land",
    "social_security",
    "rural_economy",
    "party_affairs",
    "petition",
    "other",
]
Level = Literal["village", "township", "county"]
Kind = Literal["registration", "filing", "approval"]
_ENUMS = {
    "category": (cpb.ItemCategory, "ITEM_CATEGORY_"),
    "level": (cpb.HandlingLevel, "HANDLING_LEVEL_"),
    "kind": (cpb.ItemKind, "ITEM_KIND_"),
}


class MaterialIn(BaseModel):
    code: str
    name: str
    required: bool = True
    originals: int = Field(1, ge=0, le=100)
    copies: int = Field(0, ge=0, le=100)
    supply_later: bool = False


class CatalogueItemIn(BaseModel):
    code: str
    name: str
    category: Category
    level: Level
    kind: Kind
    statutory_days: int | None = Field(
        None, ge=0, le=366, description="working days; 0 = decided on the spot; "
        "absent: the kind's (registration and filing 0, approval 3)"
    )  # fmt: skip
    promised_days: int | None = Field(
        None, ge=0, le=366, description="working days; ≤ statutory_days; absent: the statutory limit"
    )
    materials: list[MaterialIn] = []
    proxyable: bool = False
    in_person: bool = False
    privacy_sensitive: bool = False
    departments: list[str] = []
    fee: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2, description="yuan (CNY)")
    procedure: str = ""
    legal_basis: str = ""


class CatalogueItemPatch(BaseModel):
    promised_days: int = Field(ge=0, le=366, description="working days; ≤ the item's statutory_days")


PageSize = Annotated[int, Query(ge=0, le=200)]


# --- county template -------------------------------------------------------------------------


# --- what an item and a guide look like (_item_json, _guide_json) --------------------------------


class MaterialOut(BaseModel):
    code: str
    name: str
    required: bool
    originals: int
    copies: int
    supply_later: bool


class CatalogueItem(BaseModel):
    code: str
    name: str
    category: str
    level: str
    kind: str
    statutory_days: int
    promised_days: int
    materials: list[MaterialOut]
    proxyable: bool
    in_person: bool
    privacy_sensitive: bool
    departments: list[str]
    fee: float = Field(description="yuan (CNY), at most two decimals")
    procedure: str
    legal_basis: str
    windows: list[str]
    overridden: bool = Field(description="the township has overridden the county template")
    version: int = Field(description="also the ETag; send it back as If-Match")
    updated_at: datetime


class Guide(BaseModel):
    item_code: str
    item_name: str
    procedure: str
    legal_basis: str
    windows: list[str]
    materials: list[MaterialOut]
    promised_days: int
    fee: float = Field(description="yuan (CNY), at most two decimals")


@router.post("/v1/catalog/items", **documented(CatalogueItem, 201))
async def create_template_item(
    body: CatalogueItemIn,
    c: Authed,
    gw: GatewayDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict:
    """Add an item to the county catalogue template (county_admin); townships onboarded from now
    on get a copy."""
    request = pb.CreateCatalogueTemplateItemRequest(
        item=_item_pb(body), idempotency_key=idempotency_key or ""
    )
    with calling(c.token, None):
        reply = await gw.services.intake().CreateCatalogueTemplateItem(request)
    return _item_json(reply.item, county_tz(gw))


@router.put("/v1/catalog/items/{code}", **documented(CatalogueItem))
async def update_template_item(
    code: str,
    body: CatalogueItemIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> dict:
    """Change an item of the county template (county_admin). The change reaches every active
    township's copy; a township's own shorter promised limit is kept while it is within the new
    statutory limit."""
    if body.code != code:
        raise ValidationFailed(f"the body's code {body.code!r} is not the path's {code!r}")
    request = pb.UpdateCatalogueTemplateItemRequest(
        item=_item_pb(body), expected_version=if_match_version(if_match)
    )
    with calling(c.token, None):
        reply = await gw.services.intake().UpdateCatalogueTemplateItem(request)
    response.headers["ETag"] = f'"{reply.item.version}"'
    return _item_json(reply.item, county_tz(gw))


@router.get("/v1/catalog/items", **documented(PageOf[CatalogueItem]))
async def template_items(c: Authed, gw: GatewayDep, page_size: PageSize = 0, page_token: str = "") -> dict:
    request = pb.ListCatalogueTemplateItemsRequest(page_size=page_size, page_token=page_token)
    with calling(c.token, None):
        reply = await gw.services.intake().ListCatalogueTemplateItems(request)
    return {
        "items": [_item_json(i, county_tz(gw)) for i in reply.items],
        "next_page_token": reply.next_page_token,
    }


# --- a township's catalogue ------------------------------------------------------------------


@router.get("/v1/townships/{tenant}/catalog/items", **documented(PageOf[CatalogueItem]))
async def township_items(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page_size: PageSize = 0,
    page_token: str = "",
    category: Category | None = None,
    level: Level | None = None,
) -> dict:
    request = pb.ListCatalogueItemsRequest(
        page_size=page_size,
        page_token=page_token,
        category=enum_number(*_ENUMS["category"], category or ""),
        level=enum_number(*_ENUMS["level"], level or ""),
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().ListCatalogueItems(request)
    return {
        "items": [_item_json(i, county_tz(gw)) for i in reply.items],
        "next_page_token": reply.next_page_token,
    }


@router.get("/v1/townships/{tenant}/catalog/items/{code}", **documented(CatalogueItem))
async def township_item(tenant: Tenant, code: str, c: Authed, gw: GatewayDep, response: Response) -> dict:
    with calling(c.token, tenant):
        reply = await gw.services.intake().GetCatalogueItem(pb.GetCatalogueItemRequest(code=code))
    response.headers["ETag"] = f'"{reply.item.version}"'
    return _item_json(reply.item, county_tz(gw))


@router.patch("/v1/townships/{tenant}/catalog/items/{code}", **documented(CatalogueItem))
async def override_item(
    tenant: Tenant,
    code: str,
    body: CatalogueItemPatch,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> dict:
    """The township's promised limit for an item (township_admin, county_admin): shorter than
    the statutory limit or equal to it, never longer (`validation_error`)."""
    request = pb.UpdateCatalogueItemRequest(
        code=code, promised_days=body.promised_days, expected_version=if_match_version(if_match)
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().UpdateCatalogueItem(request)
    response.headers["ETag"] = f'"{reply.item.version}"'
    return _item_json(reply.item, county_tz(gw))


# --- public guides (no auth, no personal data) ------------------------------------------------


@router.get("/v1/public/townships/{tenant}/guides", tags=["public"], **documented(PageOf[Guide]))
async def guides(tenant: str, gw: GatewayDep, page_size: PageSize = 0, page_token: str = "") -> dict:
    tenant = public_tenant(tenant)
    request = pb.ListServiceGuidesRequest(page_size=page_size, page_token=page_token)
    with calling(public_token(gw, tenant), tenant):
        reply = await gw.services.intake().ListServiceGuides(request)
    return {"items": [_guide_json(g) for g in reply.guides], "next_page_token": reply.next_page_token}


@router.get("/v1/public/townships/{tenant}/guides/{code}", tags=["public"], **documented(Guide))
async def guide(tenant: str, code: str, gw: GatewayDep) -> dict:
    tenant = public_tenant(tenant)
    with calling(public_token(gw, tenant), tenant):
        reply = await gw.services.intake().GetServiceGuide(pb.GetServiceGuideRequest(item_code=code))
    return _guide_json(reply.guide)


# --- translation -----------------------------------------------------------------------------


def _item_pb(body: CatalogueItemIn) -> cpb.CatalogueItem:
    return cpb.CatalogueItem(
        code=body.code,
        name=body.name,
        category=enum_number(*_ENUMS["category"], body.category),
        level=enum_number(*_ENUMS["level"], body.level),
        kind=enum_number(*_ENUMS["kind"], body.kind),
        statutory_days=body.statutory_days,
        promised_days=body.promised_days,
        materials=[cpb.Material(**m.model_dump()) for m in body.materials],
        proxyable=body.proxyable,
        in_person=body.in_person,
        privacy_sensitive=body.privacy_sensitive,
        departments=body.departments,
        fee_fen=int(body.fee * 100),
        guide=cpb.ServiceGuide(procedure=body.procedure, legal_basis=body.legal_basis),
    )


def _item_json(item: cpb.CatalogueItem, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "category": enum_word(*_ENUMS["category"], item.category),
        "level": enum_word(*_ENUMS["level"], item.level),
        "kind": enum_word(*_ENUMS["kind"], item.kind),
        "statutory_days": item.statutory_days,
        "promised_days": item.promised_days,
        "materials": [_material_json(m) for m in item.materials],
        "proxyable": item.proxyable,
        "in_person": item.in_person,
        "privacy_sensitive": item.privacy_sensitive,
        "departments": list(item.departments),
        "fee": _yuan(item.fee_fen),
        "procedure": item.guide.procedure,
        "legal_basis": item.guide.legal_basis,
        "windows": list(item.guide.windows),
        "overridden": item.overridden,
        "version": item.version,
        "updated_at": _time(item.updated_at, tz),
    }


def _guide_json(guide: cpb.ServiceGuide) -> dict[str, Any]:
    return {
        "item_code": guide.item_code,
        "item_name": guide.item_name,
        "procedure": guide.procedure,
        "legal_basis": guide.legal_basis,
        "windows": list(guide.windows),
        "materials": [_material_json(m) for m in guide.materials],
        "promised_days": guide.promised_days,
        "fee": _yuan(guide.fee_fen),
    }


def _material_json(m: cpb.Material) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "required": m.required,
        "originals": m.originals,
        "copies": m.copies,
        "supply_later": m.supply_later,
    }


def _yuan(fen: int) -> int | float:
    return fen // 100 if fen % 100 == 0 else fen / 100


def _time(ts: Timestamp, tz: ZoneInfo) -> str:
    return ts.ToDatetime(tzinfo=UTC).astimezone(tz).isoformat()
