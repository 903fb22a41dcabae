"""The first-ask register (API.md *Inquiries*, DOMAIN.md §4). Intake owns the register; these
routes translate JSON to its gRPC calls (with the caller's token, and the township as
`x-tenant-id`) and back. The first-ask person is the caller — taken from the token by intake,
never from the body. Citizen name and contact come back masked except to the person who
registered the entry (DOMAIN.md §11)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bianmin.intake.v1 import inquiry_pb2 as ipb
from bianmin.intake.v1 import intake_service_pb2 as pb
from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from libs.common.grpc.enums import enum_number, enum_word
from services.gateway.entrypoints.http.answers import PageOf, documented
from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.translate import FromDay, ToDay, calling, county_tz

router = APIRouter(tags=["inquiries"])

Channel = Literal["walk_in", "phone"]
Result = Literal["answered", "handled", "routed"]
_PREFIX = "INQUIRY_CHANNEL_"


class InquiryIn(BaseModel):
    channel: Channel
    citizen_name: str = Field(min_length=1, max_length=100, description="personal data")
    contact: str = Field(min_length=1, max_length=100, description="personal data: phone or other contact")
    matter: str = Field(min_length=1, max_length=2000)
    item_code: str | None = Field(None, description="a code of the township's catalogue, if known")
    result: Result = Field(
        description="answered (咨询解答), handled (办理) by the first-ask person, or routed (引导) "
        "to another window or office"
    )
    routed_to: str | None = Field(
        None, max_length=200, description="where the citizen was sent; required when routed"
    )
    organisation: str | None = Field(None, max_length=200, description="the citizen's organisation, if any")


class Inquiry(BaseModel):
    id: str
    channel: str
    citizen_name: str = Field(description="masked except to the person who registered the entry")
    organisation: str | None
    contact: str = Field(description="masked except to the person who registered the entry")
    matter: str
    item_code: str | None
    result: str
    routed_to: str | None
    first_ask: str = Field(description="the username of the first-ask responsible person")
    registered_at: datetime
    case_id: str | None = Field(description="the case it became, if any")


@router.post("/v1/townships/{tenant}/inquiries", **documented(Inquiry, 201))
async def register_inquiry(
    tenant: Tenant,
    body: InquiryIn,
    c: Authed,
    gw: GatewayDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict:
    """Register an inquiry (首问登记) with the caller as the first-ask responsible person
    (intake_desk, window_staff, township_admin, proxy_agent of the township). A routed matter
    must say where the citizen was sent (`routed_to`), and a named item must be in the township's
    catalogue (`validation_error` otherwise)."""
    request = pb.RegisterInquiryRequest(
        channel=enum_number(ipb.InquiryChannel, _PREFIX, body.channel),
        citizen_name=body.citizen_name,
        organisation=body.organisation or "",
        contact=body.contact,
        matter=body.matter,
        item_code=body.item_code or "",
        result=body.result,
        routed_to=body.routed_to or "",
        idempotency_key=idempotency_key or "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().RegisterInquiry(request)
    return _inquiry_json(reply.inquiry, county_tz(gw))


@router.get("/v1/townships/{tenant}/inquiries", **documented(PageOf[Inquiry]))
async def inquiries(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    from_: FromDay = None,
    to: ToDay = None,
) -> dict:
    """The register in time order, optionally for a range of dates. Citizen name and contact are
    masked except in the caller's own entries."""
    request = pb.ListInquiriesRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        from_date=from_.isoformat() if from_ else "",
        to_date=to.isoformat() if to else "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().ListInquiries(request)
    tz = county_tz(gw)
    return {
        "items": [_inquiry_json(i, tz) for i in reply.inquiries],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


# --- translation -----------------------------------------------------------------------------


def _inquiry_json(i: ipb.Inquiry, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": i.id,
        "channel": enum_word(ipb.InquiryChannel, _PREFIX, i.channel),
        "citizen_name": i.citizen_name,
        "organisation": i.organisation or None,
        "contact": i.contact,
        "matter": i.matter,
        "item_code": i.item_code or None,
        "result": i.result,
        "routed_to": i.routed_to or None,
        "first_ask": i.first_ask,
        "registered_at": i.registered_at.ToDatetime(tzinfo=UTC).astimezone(tz).isoformat(),
        "case_id": i.case_id or None,
    }
