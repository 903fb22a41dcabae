"""Cases (API.md *Cases*, DOMAIN.md §3). Intake owns them; these routes translate JSON to its
gRPC calls (with the caller's token, and the township as `x-tenant-id`) and back. Who may do what
is intake's decision: receiving by the staff who meet citizens (the caller is the first-ask
person), the actions by window staff and the township admin (a press also by the county
supervisor), reading by every role of the township and the county roles. The applicant comes
back masked except to the case's handler and first-ask person (DOMAIN.md §11).

Every action takes `If-Match: "<version>"` (optional; a stale one → 412 `version_conflict`) and
every answer carries the case's version as its `ETag`.

A county department user (role `county_department`, their department in the token) sees only
the cases escalated to their department: `GET /v1/county/escalated-cases` lists them across the
county's townships (each township reached is audited like any county-scope access), and they
return a case with `POST …/cases/{id}/resume` in the township's path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bianmin.common.v1 import applicant_pb2, satisfaction_pb2
from bianmin.intake.v1 import case_pb2, catalogue_pb2
from bianmin.intake.v1 import intake_service_pb2 as pb
from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from libs.common.grpc.enums import enum_number
from libs.common.tenancy import require_role
from services.gateway.entrypoints.http.answers import PageOf, documented
from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.translate import (
    FromDay,
    ToDay,
    calling,
    county_tz,
    if_match_version,
    json_word,
    local_time,
)
from services.gateway.service_layer import audit, directory

router = APIRouter(tags=["cases"])

CASE = "/v1/townships/{tenant}/cases/{case_id}"
State = Literal[
    "received",
    "supplement_requested",
    "not_accepted",
    "accepted",
    "in_progress",
    "escalated",
    "completed",
    "returned",
    "replied",
    "archived",
    "withdrawn",
]
Colour = Literal["green", "yellow", "red", "overdue"]
IfMatch = Annotated[str | None, Header(description='"<version>" of the case (optional); stale → 412')]
Reason = Field(min_length=1, max_length=2000)


class ApplicantIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="personal data")
    phone: str = Field(min_length=1, max_length=50, description="personal data")
    id_number: str | None = Field(None, max_length=30, description="personal data, where the item needs it")
    address: str | None = Field(None, max_length=300, description="personal data, where the item needs it")
    email: str | None = Field(
        None, max_length=254, description="personal data; where e-mail notices go (name@example.com)"
    )


class CaseIn(BaseModel):
    item_code: str = Field(min_length=1, max_length=64, description="a code of the township's catalogue")
    level: Literal["hall", "township", "village"]
    channel: Literal["walk_in", "phone", "proxy", "online"]
    applicant: ApplicantIn
    materials: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=100, description="codes of the materials received"
    )
    village: str | None = Field(None, max_length=64, description="code of the village the case comes from")
    accept: bool = Field(
        False,
        description="accept at once when complete; when not, send the one-time supplement notice",
    )


class Empty(BaseModel):
    pass


class SupplementIn(BaseModel):
    note: str = Field("", max_length=2000)
    materials: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list,
        max_length=100,
        description="materials asked for again (a received one found defective) or optional ones; a request "
        "listing anything the first notice did not is a second supplement, a recorded violation (W-SVC-02, "
        "S-NENG-02)",
    )


class MaterialsIn(BaseModel):
    materials: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=100)


class RefuseIn(BaseModel):
    reason: str = Reason
    refer_to: str = Field("", max_length=200)


class AssignIn(BaseModel):
    handler: str = Field(min_length=1, max_length=100, description="username of the responsible handler")


class EscalateIn(BaseModel):
    to_level: Literal["township", "county"]
    department: str = Field("", max_length=64)
    reason: str = Reason


class NoteIn(BaseModel):
    note: str = Field("", max_length=2000)


class ExtendIn(BaseModel):
    working_days: int = Field(ge=1, le=365)
    reason: str = Reason


class CompleteIn(BaseModel):
    outcome: Literal["approved", "denied"]
    reason: str = Field("", max_length=2000, description="required when denied")


class ReplyIn(BaseModel):
    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied"]
    confirmation: str = Field("", max_length=2000)


class ReasonIn(BaseModel):
    reason: str = Reason


class PressIn(BaseModel):
    note: str = Reason


# --- what a case looks like (case_json) --------------------------------------------------------


class ApplicantOut(BaseModel):
    name: str
    phone: str
    id_number: str | None
    address: str | None
    email: str | None
    masked: bool = Field(description="true when the caller may not see the applicant in full")


class ReceivedMaterial(BaseModel):
    code: str
    name: str
    received_at: datetime | None


class Escalation(BaseModel):
    to_level: str | None = Field(description="township or county")
    department: str | None
    reason: str
    escalated_at: datetime | None


class Clock(BaseModel):
    state: str | None = Field(description="running, paused or stopped")
    started_at: datetime | None
    due_at: datetime | None
    warn_at: datetime | None
    colour: Colour | None
    provisional: bool = Field(description="the deadline crosses a year whose calendar is not published")
    extensions: int


class HistoryEntry(BaseModel):
    at: datetime | None
    actor: str
    action: str
    from_: State | None = Field(alias="from")
    to: State | None
    reason: str


class Case(BaseModel):
    id: str
    number: str = Field(description="the case number the applicant is told")
    tenant: str
    item_code: str
    item_name: str
    kind: str | None
    state: State
    level: str | None
    channel: str | None
    applicant: ApplicantOut
    materials: list[ReceivedMaterial]
    missing_materials: list[str]
    first_ask: str
    handler: str | None
    window: str | None
    department: str | None
    village: str | None
    escalation: Escalation | None
    clock: Clock
    outcome: str | None
    satisfaction: str | None
    presses: int
    version: int = Field(description="also the ETag; send it back as If-Match")
    created_at: datetime | None
    updated_at: datetime | None
    history: list[HistoryEntry]


@router.post("/v1/townships/{tenant}/cases", **documented(Case, 201))
async def create_case(
    tenant: Tenant,
    body: CaseIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict:
    """Receive a case (收件) with the caller as its first-ask person (intake_desk, window_staff,
    township_admin, proxy_agent of the township). With `accept: true` it is accepted at once
    when complete, else moved to supplement_requested (the one-time notice). An
    `Idempotency-Key` is kept by intake with the case, so a retry after any failure finds it."""
    a = body.applicant
    request = pb.CreateCaseRequest(
        item_code=body.item_code,
        level=enum_number(case_pb2.IntakeLevel, "INTAKE_LEVEL_", body.level),
        channel=enum_number(case_pb2.CaseChannel, "CASE_CHANNEL_", body.channel),
        applicant=applicant_pb2.Applicant(
            name=a.name,
            phone=a.phone,
            id_number=a.id_number or "",
            address=a.address or "",
            email=a.email or "",
        ),
        materials=body.materials,
        village=body.village or "",
        accept=body.accept,
        idempotency_key=idempotency_key or "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().CreateCase(request)
    return _answer(reply.case, gw, response)


@router.get("/v1/townships/{tenant}/cases", **documented(PageOf[Case]))
async def cases(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    state: State | None = None,
    item_code: Annotated[str | None, Query(max_length=64)] = None,
    handler: Annotated[str | None, Query(max_length=100)] = None,
    from_: FromDay = None,
    to: ToDay = None,
    colour: Annotated[Colour | None, Query(description="the clock's colour now")] = None,
    number: Annotated[str | None, Query(max_length=64, description="the case number")] = None,
    applicant: Annotated[
        str | None,
        Query(max_length=100, description="an applicant's name or phone (audited as a personal-data access)"),
    ] = None,
) -> dict:
    """The township's cases, newest received first (applicants masked but the caller's own);
    `colour` is the clock's colour now (green, yellow, red = due today, overdue); `number` finds
    a case by its number, `applicant` by its applicant's name or phone (for the roles that
    handle cases; each case found is logged as a personal-data access)."""
    request = pb.ListCasesRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        state=enum_number(case_pb2.CaseState, "CASE_STATE_", state or ""),
        colour=enum_number(case_pb2.ClockColour, "CLOCK_COLOUR_", colour or ""),
        item_code=item_code or "",
        handler=handler or "",
        from_date=from_.isoformat() if from_ else "",
        to_date=to.isoformat() if to else "",
        number=number or "",
        applicant=applicant or "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().ListCases(request)
    tz = county_tz(gw)
    return {
        "items": [case_json(x, tz) for x in reply.cases],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


@router.get("/v1/county/escalated-cases", **documented(PageOf[Case]))
async def escalated_cases(
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    request: Request,
    colour: Annotated[Colour | None, Query(description="the clock's colour now")] = None,
) -> dict:
    """A county department's work (county_department): the cases escalated to its department
    from every township of the county, newest received first. Each township a page reaches is
    recorded in that township's audit trail."""
    require_role(c.principal, "county_department")  # intake checks again; here: before the reads
    sessions = gw.runtime.sessions
    townships = [t["id"] for t in await run_in_threadpool(directory.list_townships, sessions, c.principal)]
    if not townships:
        return {"items": [], "next_page_token": ""}
    listing = pb.ListCasesRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        colour=enum_number(case_pb2.ClockColour, "CLOCK_COLOUR_", colour or ""),
        tenant_ids=townships,
    )
    with calling(c.token, None):
        reply = await gw.services.intake().ListCases(listing)
    for tenant in sorted({x.tenant_id for x in reply.cases}):
        if audit.is_cross_township(c.principal, tenant):
            await run_in_threadpool(
                audit.record, sessions, c.principal, tenant, request.method, request.url.path
            )
    tz = county_tz(gw)
    return {
        "items": [case_json(x, tz) for x in reply.cases],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


@router.get(CASE, **documented(Case))
async def get_case(tenant: Tenant, case_id: str, c: Authed, gw: GatewayDep, response: Response) -> dict:
    """One case with its clock and history (applicant masked unless the caller handles it)."""
    with calling(c.token, tenant):
        reply = await gw.services.intake().GetCase(pb.GetCaseRequest(case_id=case_id, include_history=True))
    return _answer(reply.case, gw, response)


# --- the actions: one route each (its own body), all through the one generic intake action ---


async def _act(rpc: str, request: Any, tenant: str, c: Any, gw: GatewayDep, response: Response) -> dict:
    with calling(c.token, tenant):
        reply = await getattr(gw.services.intake(), rpc)(request)
    return _answer(reply.case, gw, response)


def _route(
    action: str,
    rpc: str,
    request_type: Any,
    body_type: type[BaseModel],
    fields: Callable[[Any], dict],
    doc: str,
) -> None:
    async def endpoint(
        *,
        tenant: Tenant,
        case_id: str,
        body: BaseModel | None,
        c: Authed,
        gw: GatewayDep,
        response: Response,
        if_match: IfMatch = None,
    ) -> dict:
        request = request_type(case_id=case_id, expected_version=if_match_version(if_match), **fields(body))
        return await _act(rpc, request, tenant, c, gw, response)

    # the action's own body (a closure variable); an action without fields needs no body at all
    if body_type is Empty:
        endpoint.__annotations__["body"] = Empty | None
        endpoint.__kwdefaults__ = {**(endpoint.__kwdefaults__ or {}), "body": None}
    else:
        endpoint.__annotations__["body"] = body_type
    endpoint.__doc__ = doc
    endpoint.__name__ = f"case_{action.replace('-', '_')}"
    router.post(f"{CASE}/{action}", name=endpoint.__name__, **documented(Case))(endpoint)


def _no_fields(body: Any) -> dict:
    return {}


_STAFF = "(window_staff, township_admin)"
_route("accept", "AcceptCase", pb.AcceptCaseRequest, Empty, _no_fields,
       f"Accept (受理) a received case whose materials are complete; the clock starts {_STAFF}.")  # fmt: skip
_route("request-supplement", "RequestSupplement", pb.RequestSupplementRequest, SupplementIn,
       lambda b: {"note": b.note, "extra_missing": b.materials},
       f"The one-time supplement notice (补件) listing every missing material {_STAFF}.")  # fmt: skip
_route("materials", "SubmitMaterials", pb.SubmitMaterialsRequest, MaterialsIn,
       lambda b: {"materials": b.materials},
       f"Materials supplied (补齐): back to received {_STAFF}.")  # fmt: skip
_route("refuse", "RefuseCase", pb.RefuseCaseRequest, RefuseIn,
       lambda b: {"reason": b.reason, "refer_to": b.refer_to},
       f"Refuse (不予受理) with a reason {_STAFF}.")  # fmt: skip
_route("assign", "AssignCase", pb.AssignCaseRequest, AssignIn, lambda b: {"handler": b.handler},
       f"Assign (or re-assign) the responsible handler {_STAFF}.")  # fmt: skip
_route("escalate", "EscalateCase", pb.EscalateCaseRequest, EscalateIn,
       lambda b: {
           "to_level": enum_number(catalogue_pb2.HandlingLevel, "HANDLING_LEVEL_", b.to_level),
           "department": b.department,
           "reason": b.reason,
       },
       f"Escalate (上报) to the township or county; the clock pauses {_STAFF}.")  # fmt: skip
_route("resume", "ResumeCase", pb.ResumeCaseRequest, NoteIn, lambda b: {"note": b.note},
       f"Back from the higher level; the clock resumes {_STAFF}.")  # fmt: skip
_route("extend", "ExtendCase", pb.ExtendCaseRequest, ExtendIn,
       lambda b: {"working_days": b.working_days, "reason": b.reason},
       f"Extend (延期) the deadline by working days, with a reason {_STAFF}.")  # fmt: skip
_route("complete", "CompleteCase", pb.CompleteCaseRequest, CompleteIn,
       lambda b: {
           "outcome": enum_number(case_pb2.CaseOutcome, "CASE_OUTCOME_", b.outcome),
           "reason": b.reason,
       },
       f"Complete (办结): approved, or denied with a reason; the clock stops {_STAFF}.")  # fmt: skip
_route("reply", "ReplyCase", pb.ReplyCaseRequest, ReplyIn,
       lambda b: {
           "satisfaction": enum_number(satisfaction_pb2.Satisfaction, "SATISFACTION_", b.satisfaction),
           "confirmation": b.confirmation,
       },
       f"Tell the applicant the outcome (回复) and record their satisfaction {_STAFF}.")  # fmt: skip
_route("archive", "ArchiveCase", pb.ArchiveCaseRequest, Empty, _no_fields,
       f"File the replied case (建档) {_STAFF}.")  # fmt: skip
_route("return", "ReturnCase", pb.ReturnCaseRequest, ReasonIn, lambda b: {"reason": b.reason},
       f"Return (退件) with a reason; the clock stops {_STAFF}.")  # fmt: skip
_route("withdraw", "WithdrawCase", pb.WithdrawCaseRequest, ReasonIn, lambda b: {"reason": b.reason},
       f"The applicant withdraws an open case; the reason is required {_STAFF}.")  # fmt: skip
_route("press", "PressCase", pb.PressCaseRequest, PressIn, lambda b: {"note": b.note},
       "Supervision (督办): press an open case (county_supervisor, township_admin); counted.")  # fmt: skip


# --- translation -----------------------------------------------------------------------------


def _answer(case: case_pb2.Case, gw: GatewayDep, response: Response) -> dict:
    response.headers["ETag"] = f'"{case.version}"'
    return case_json(case, county_tz(gw))


def case_json(x: case_pb2.Case, tz: ZoneInfo) -> dict[str, Any]:
    a = x.applicant
    k = x.clock
    return {
        "id": x.id,
        "number": x.number,
        "tenant": x.tenant_id,
        "item_code": x.item_code,
        "item_name": x.item_name,
        "kind": json_word(case_pb2.CaseKind, "CASE_KIND_", x.kind),
        "state": json_word(case_pb2.CaseState, "CASE_STATE_", x.state),
        "level": json_word(case_pb2.IntakeLevel, "INTAKE_LEVEL_", x.level),
        "channel": json_word(case_pb2.CaseChannel, "CASE_CHANNEL_", x.channel),
        "applicant": {
            "name": a.name,
            "phone": a.phone,
            "id_number": a.id_number or None,
            "address": a.address or None,
            "email": a.email or None,
            "masked": a.masked,
        },
        "materials": [
            {"code": m.code, "name": m.name, "received_at": local_time(m, "received_at", tz)}
            for m in x.materials
        ],
        "missing_materials": list(x.missing_materials),
        "first_ask": x.first_ask,
        "handler": x.handler or None,
        "window": x.window or None,
        "department": x.department or None,
        "village": x.village or None,
        "escalation": _escalation_json(x, tz),
        "clock": {
            "state": json_word(case_pb2.ClockState, "CLOCK_STATE_", k.state),
            "started_at": local_time(k, "started_at", tz),
            "due_at": local_time(k, "due_at", tz),
            "warn_at": local_time(k, "warn_at", tz),
            "colour": json_word(case_pb2.ClockColour, "CLOCK_COLOUR_", k.colour),
            "provisional": k.provisional,
            "extensions": k.extensions,
        },
        "outcome": json_word(case_pb2.CaseOutcome, "CASE_OUTCOME_", x.outcome),
        "satisfaction": json_word(satisfaction_pb2.Satisfaction, "SATISFACTION_", x.satisfaction),
        "presses": x.presses,
        "version": x.version,
        "created_at": local_time(x, "created_at", tz),
        "updated_at": local_time(x, "updated_at", tz),
        "history": [
            {
                "at": local_time(e, "at", tz),
                "actor": e.actor,
                "action": e.action,
                "from": json_word(case_pb2.CaseState, "CASE_STATE_", e.from_state),
                "to": json_word(case_pb2.CaseState, "CASE_STATE_", e.to_state),
                "reason": e.reason,
            }
            for e in x.history
        ],
    }


def _escalation_json(x: case_pb2.Case, tz: ZoneInfo) -> dict[str, Any] | None:
    """Where an escalated case is; None when it is not escalated."""
    if not x.HasField("escalation"):
        return None
    e = x.escalation
    return {
        "to_level": json_word(catalogue_pb2.HandlingLevel, "HANDLING_LEVEL_", e.to_level),
        "department": e.department or None,
        "reason": e.reason,
        "escalated_at": local_time(e, "escalated_at", tz),
    }
