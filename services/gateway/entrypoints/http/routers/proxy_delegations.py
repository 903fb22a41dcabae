"""Proxy delegations (委托, DOMAIN.md §6.2-§6.3; API.md *Proxy*): an agent registers a villager's
matter with written consent, the proxy service creates its intake case and follows it; the agent
records the implementation card (reply) and files it. These routes translate JSON to the proxy
service's gRPC calls (the caller's token, the township as `x-tenant-id`) and back; who may do what
is proxy's decision (services/proxy/service_layer/delegations.py)."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bianmin.common.v1 import applicant_pb2, satisfaction_pb2
from bianmin.proxy.v1 import agent_pb2 as apb
from bianmin.proxy.v1 import delegation_pb2 as dpb
from bianmin.proxy.v1 import proxy_service_pb2 as pb
from bianmin.proxy.v1 import trip_pb2 as tpb
from fastapi import APIRouter, Header, Query, Response
from pydantic import AwareDatetime, BaseModel, Field

from libs.common.grpc.enums import enum_number
from services.gateway.entrypoints.http.answers import documented
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

DELEGATIONS = "/v1/townships/{tenant}/proxy/delegations"
DELEGATION = DELEGATIONS + "/{delegation_id}"
TRIPS = "/v1/townships/{tenant}/proxy/trips"
State = Literal[
    "accepted",
    "decided",
    "awaiting_trip",
    "at_township",
    "at_county",
    "returned",
    "replied",
    "filed",
    "withdrawn",
]
Method = Literal["signature", "thumbprint"]
Satisfaction = Literal["satisfied", "basically_satisfied", "dissatisfied"]
IfMatch = Annotated[str | None, Header(description='"<version>" (optional); stale → 412')]
METHOD, STATE = "CONFIRMATION_METHOD_", "DELEGATION_STATE_"
PDF = "application/pdf"


class ApplicantIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=1, max_length=50)
    id_number: str | None = Field(None, max_length=32)
    address: str | None = Field(None, max_length=300)


class ConsentIn(BaseModel):
    signed_at: AwareDatetime = Field(description="when the entrustment form was signed (not in the future)")
    method: Method
    signed_by: str | None = Field(None, max_length=100, description="who signed; default: the applicant")


class FeeIn(BaseModel):
    amount: Decimal = Field(
        ge=0, le=1_000_000, decimal_places=2, description="yuan: the item's statutory fee"
    )
    receipt: str = Field(max_length=64, description="the receipt number")


class DelegationIn(BaseModel):
    household: str | None = Field(None, max_length=64, description="the household's id (its zone)")
    applicant: ApplicantIn
    item_code: str = Field(min_length=1, max_length=64)
    consent: ConsentIn | None = Field(None, description="the signed entrustment form (代办委托单): required")
    materials: list[str] = Field(default_factory=list, max_length=100)
    village: str | None = Field(None, max_length=64, description="default: the agent's village")
    fee: FeeIn | None = Field(None, description="a statutory fee passed through; the proxying is free")
    outcome: Literal["approved", "denied"] | None = Field(
        None, description="a village-level item decided on the spot (default approved)"
    )
    reason: str | None = Field(None, max_length=500, description="required with outcome denied")


class ConfirmationIn(BaseModel):
    method: Method
    at: AwareDatetime
    witnessed_by: str | None = Field(None, max_length=100, description="default: the caller")


class ReplyIn(BaseModel):
    confirmation: ConfirmationIn
    satisfaction: Satisfaction


class StepOut(BaseModel):
    at: str | None
    actor: str
    action: str
    state: State | None
    reason: str | None


class DelegationOut(BaseModel):
    id: str
    case_id: str
    case_number: str
    agent: str
    village: str
    household: str | None
    applicant: dict[str, Any] = Field(description="masked unless the caller is the delegation's agent")
    item_code: str
    item_level: str
    state: State | None
    consent: dict[str, Any]
    materials: list[str]
    fee: dict[str, Any] | None
    trip_date: str | None
    outcome: str | None
    reason: str | None
    confirmation: dict[str, Any] | None
    satisfaction: Satisfaction | None
    history: list[StepOut]
    created_at: str | None
    carrier: str | None = Field(description="the agent who carries it on its trip (dispatch)")
    trip_id: str | None
    version: int


class DelegationPage(BaseModel):
    items: list[DelegationOut]
    next_page_token: str


@router.post(DELEGATIONS, status_code=201, response_model=DelegationOut)
async def create_delegation(
    tenant: Tenant,
    body: DelegationIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict:
    """Register a delegation (proxy_agent) and its intake case (level village, channel proxy, the
    agent the first-ask person). `validation_error`, nothing created: no or a future consent; a
    privacy-sensitive, in-person (the agent accompanies instead) or not proxyable item; a person on
    the exclusion list (the reason is not told); a fee above the statutory one or without receipt."""
    a = body.applicant
    request = pb.CreateDelegationRequest(
        household_id=body.household or "",
        applicant=applicant_pb2.Applicant(
            name=a.name, phone=a.phone, id_number=a.id_number or "", address=a.address or ""
        ),  # fmt: skip
        item_code=body.item_code,
        materials=body.materials,
        village=body.village or "",
        idempotency_key=idempotency_key or "",
        outcome=body.outcome or "",
        reason=body.reason or "",
    )
    if body.consent is not None:
        request.consent.method = enum_number(dpb.ConfirmationMethod, METHOD, body.consent.method)
        request.consent.signed_by = body.consent.signed_by or ""
        request.consent.signed_at.FromDatetime(body.consent.signed_at.astimezone(UTC))
    if body.fee is not None:
        request.fee.CopyFrom(dpb.Fee(amount_fen=int(body.fee.amount * 100), receipt=body.fee.receipt))
    with calling(c.token, tenant):
        reply = await gw.services.proxy().CreateDelegation(request)
    return _answer(reply.delegation, gw, response)


@router.get(DELEGATIONS, response_model=DelegationPage)
async def delegations(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    state: State | None = None,
    agent: Annotated[str | None, Query(max_length=32)] = None,
    village: Annotated[str | None, Query(max_length=64)] = None,
) -> dict:
    """The proxy register (代办台账) in id order: the township's staff and the county supervisor all,
    a village-level agent its village's; applicants masked but for their own agent."""
    request = pb.ListDelegationsRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        state=enum_number(dpb.DelegationState, STATE, state or ""),
        agent=agent or "",
        village=village or "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.proxy().ListDelegations(request)
    tz = county_tz(gw)
    return {
        "items": [delegation_json(d, tz) for d in reply.delegations],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


@router.get(DELEGATION, response_model=DelegationOut)
async def get_delegation(
    tenant: Tenant, delegation_id: str, c: Authed, gw: GatewayDep, response: Response
) -> dict:
    """One delegation with its steps (who, when, what)."""
    with calling(c.token, tenant):
        reply = await gw.services.proxy().GetDelegation(pb.GetDelegationRequest(delegation_id=delegation_id))
    return _answer(reply.delegation, gw, response)


@router.post(DELEGATION + "/reply", response_model=DelegationOut)
async def reply_delegation(
    tenant: Tenant,
    delegation_id: str,
    body: ReplyIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict:
    """The implementation card (代办事项落实卡) signed or thumbprinted, with the satisfaction (the
    delegation's agent or its backup); only once the case is completed (else invalid_transition);
    the case's reply records the satisfaction."""
    request = pb.ReplyDelegationRequest(
        delegation_id=delegation_id,
        satisfaction=enum_number(satisfaction_pb2.Satisfaction, "SATISFACTION_", body.satisfaction),
        expected_version=if_match_version(if_match),
    )
    request.confirmation.method = enum_number(dpb.ConfirmationMethod, METHOD, body.confirmation.method)
    request.confirmation.witnessed_by = body.confirmation.witnessed_by or ""
    request.confirmation.at.FromDatetime(body.confirmation.at.astimezone(UTC))
    with calling(c.token, tenant):
        reply = await gw.services.proxy().ReplyDelegation(request)
    return _answer(reply.delegation, gw, response)


@router.post(DELEGATION + "/file", response_model=DelegationOut)
async def file_delegation(
    tenant: Tenant,
    delegation_id: str,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict:
    """Close and file (建档) a replied delegation: its case is archived."""
    request = pb.ArchiveDelegationRequest(
        delegation_id=delegation_id, expected_version=if_match_version(if_match)
    )
    with calling(c.token, tenant):
        reply = await gw.services.proxy().ArchiveDelegation(request)
    return _answer(reply.delegation, gw, response)


@router.get(
    DELEGATION + "/card",
    response_class=Response,
    responses={200: {"content": {PDF: {}}, "description": "the implementation card (PDF)"}},
)
async def delegation_card(tenant: Tenant, delegation_id: str, c: Authed, gw: GatewayDep) -> Response:
    """The implementation card (代办事项落实卡) to print, for the applicant to sign or press a
    thumbprint: the matter, its steps and outcome, the fee, boxes for the satisfaction, the
    confirmation, its date and witness. The applicant is named in full on the delegation's own
    agent's copy only."""
    request = pb.RenderDelegationCardRequest(delegation_id=delegation_id)
    with calling(c.token, tenant):
        rendered = await gw.services.proxy().RenderDelegationCard(request)
    return _pdf(rendered)


def _pdf(rendered: pb.RenderTripsResponse | pb.RenderDelegationCardResponse) -> Response:
    return Response(
        content=rendered.pdf,
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{rendered.filename}"'},
    )


# --- trips (the manifests of a trip day) --------------------------------------------------------


class TripEntryOut(BaseModel):
    id: str
    case_number: str
    item_code: str
    to_level: Literal["township", "county"]
    applicant: str = Field(description="masked, e.g. 张**")
    village: str


class TripOut(BaseModel):
    id: str
    date: str
    agent: str
    village: str | None
    status: Literal["planned", "delivered"] | None
    delivered_at: str | None
    delegations: list[TripEntryOut]


class TripPage(BaseModel):
    items: list[TripOut]


class DeliverIn(BaseModel):
    delegations: list[str] | None = Field(None, max_length=500, description="default: all of the trip's")


@router.get(
    TRIPS, **documented(TripPage, content={PDF: {}}, description="the manifests (JSON), or their PDF")
)
async def trips(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    day: Annotated[
        str | None, Query(alias="date", max_length=10, description="YYYY-MM-DD; default: the next trip day")
    ] = None,
    agent: Annotated[str | None, Query(max_length=32)] = None,
    accept: Annotated[str | None, Header(description="application/pdf for the printable manifests")] = None,
) -> Any:
    """The trips of a trip day, one per carrying agent and destination, with their manifests (an agent:
    its own trips; the township's staff and the county admin and supervisor: all). With
    `Accept: application/pdf` the manifests to print, one trip a page (代办员送件清单)."""
    with calling(c.token, tenant):
        if accept and PDF in accept.lower():
            rendered = await gw.services.proxy().RenderTrips(
                pb.RenderTripsRequest(trip_date=day or "", agent=agent or "")
            )
            return _pdf(rendered)
        reply = await gw.services.proxy().ListTrips(
            pb.ListTripsRequest(trip_date=day or "", agent=agent or "")
        )
    tz = county_tz(gw)
    return {"items": [trip_json(t, tz) for t in reply.trips]}


@router.post(TRIPS + "/{trip_id}/deliver", response_model=TripOut)
async def deliver_trip(
    tenant: Tenant, trip_id: str, c: Authed, gw: GatewayDep, body: DeliverIn | None = None
) -> dict:
    """The trip delivered (its carrier, or the township's receiving staff): its waiting delegations
    are at the township now."""
    request = pb.DeliverTripRequest(trip_id=trip_id, delegation_ids=(body.delegations or []) if body else [])
    with calling(c.token, tenant):
        reply = await gw.services.proxy().DeliverTrip(request)
    return trip_json(reply.trip, county_tz(gw))


def trip_json(t: tpb.Trip, tz: ZoneInfo) -> dict[str, Any]:
    to_level = json_word(tpb.TripDestination, "TRIP_DESTINATION_", t.destination) or "township"
    return {
        "id": t.id,
        "date": t.trip_date,
        "agent": t.agent,
        "village": t.village or None,
        "status": json_word(tpb.TripState, "TRIP_STATE_", t.state),
        "delivered_at": local_time(t, "delivered_at", tz),
        "delegations": [
            {
                "id": e.delegation_id,
                "case_number": e.case_number,
                "item_code": e.item_code,
                "to_level": to_level,
                "applicant": e.applicant_name,
                "village": e.village,
            }  # fmt: skip
            for e in t.entries
        ],
    }


def _answer(d: dpb.Delegation, gw: Any, response: Response) -> dict:
    response.headers["ETag"] = f'"{d.version}"'
    return delegation_json(d, county_tz(gw))


def delegation_json(d: dpb.Delegation, tz: ZoneInfo) -> dict[str, Any]:
    a = d.applicant
    return {
        "id": d.id,
        "case_id": d.case_id,
        "case_number": d.case_number,
        "agent": d.agent,
        "village": d.village,
        "household": d.household_id or None,
        "applicant": {
            "name": a.name,
            "phone": a.phone,
            "id_number": a.id_number or None,
            "address": a.address or None,
            "masked": a.masked,
        },  # fmt: skip
        "item_code": d.item_code,
        "item_level": d.item_level,
        "state": json_word(dpb.DelegationState, STATE, d.state),
        "consent": {
            "signed_at": local_time(d.consent, "signed_at", tz),
            "method": json_word(dpb.ConfirmationMethod, METHOD, d.consent.method),
            "signed_by": d.consent.signed_by,
        },
        "materials": list(d.materials),
        "fee": ({"amount": d.fee.amount_fen / 100, "receipt": d.fee.receipt} if d.HasField("fee") else None),
        "trip_date": d.trip_date or None,
        "outcome": d.outcome or None,
        "reason": d.outcome_reason or None,
        "confirmation": (
            {
                "method": json_word(dpb.ConfirmationMethod, METHOD, d.confirmation.method),
                "at": local_time(d.confirmation, "at", tz),
                "witnessed_by": d.confirmation.witnessed_by,
            }
            if d.HasField("confirmation")
            else None
        ),
        "satisfaction": json_word(satisfaction_pb2.Satisfaction, "SATISFACTION_", d.satisfaction),
        "history": [
            {
                "at": local_time(h, "at", tz),
                "actor": h.actor,
                "action": h.action,
                "state": json_word(dpb.DelegationState, STATE, h.state),
                "reason": h.reason or None,
            }
            for h in d.history
        ],
        "created_at": local_time(d, "created_at", tz),
        "carrier": d.carrier or None,
        "trip_id": d.trip_id or None,
        "version": d.version,
    }


# --- quotas and stars (DOMAIN.md §6.5) -----------------------------------------------------------


class QuotaOut(BaseModel):
    agent: str
    level: Literal["village", "township", "group", "petition"] | None
    month: str
    required: int
    done: int
    shortfall: int
    penalty: float = Field(description="yuan: shortfall × the level's penalty (settings)")


class QuotaPage(BaseModel):
    month: str
    closed: bool = Field(description="frozen by `bianmin jobs close-proxy-month`; else as of now")
    items: list[QuotaOut]


class StarsOut(BaseModel):
    village: str
    quarter: str
    delegations: int
    completion_rate: float
    satisfaction_rate: float
    stars: int = Field(ge=0, le=3)


class StarsPage(BaseModel):
    quarter: str
    awarded: bool = Field(description="frozen by `bianmin jobs award-village-stars`; else as of now")
    items: list[StarsOut]


@router.get("/v1/townships/{tenant}/proxy/quotas", response_model=QuotaPage)
async def quotas(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    month: Annotated[str | None, Query(max_length=7, description="YYYY-MM; default: this month")] = None,
) -> dict:
    """The agents' monthly quotas (seed 002 篇6: township agents 1 a week, village 2 and group 1 a
    month), done, shortfall and penalty; an agent sees its own."""
    with calling(c.token, tenant):
        reply = await gw.services.proxy().ListQuotas(pb.ListQuotasRequest(month=month or ""))
    return {
        "month": reply.month,
        "closed": reply.closed,
        "items": [
            {
                "agent": q.agent,
                "level": json_word(apb.AgentLevel, "AGENT_LEVEL_", q.level),
                "month": q.month,
                "required": q.required,
                "done": q.done,
                "shortfall": q.shortfall,
                "penalty": q.penalty_fen / 100,
            }  # fmt: skip
            for q in reply.quotas
        ],
    }


@router.get("/v1/townships/{tenant}/proxy/stars", response_model=StarsPage)
async def stars(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    quarter: Annotated[str | None, Query(max_length=6, description="YYYYQn; default: this quarter")] = None,
) -> dict:
    """Each village service point's stars for a quarter (seed 002 篇7: 0–3 from its completion and
    satisfaction rates)."""
    with calling(c.token, tenant):
        reply = await gw.services.proxy().ListStars(pb.ListStarsRequest(quarter=quarter or ""))
    return {
        "quarter": reply.quarter,
        "awarded": reply.awarded,
        "items": [
            {
                "village": v.village,
                "quarter": v.quarter,
                "delegations": v.delegations,
                "completion_rate": v.completion_rate,
                "satisfaction_rate": v.satisfaction_rate,
                "stars": v.stars,
            }  # fmt: skip
            for v in reply.stars
        ],
    }
