"""Petitions (信访) and complaints (投诉), DOMAIN.md §9. Intake owns them; these routes translate
JSON to its gRPC calls (with the caller's token, and the township as `x-tenant-id`) and back.

Who may do what is intake's decision (services/intake/service_layer/petitions.py): petitions are
registered and answered by the township's petition officer; complaints registered and forwarded
by the petition officer or the management office (township_admin), decided by the management
office; read by the petition officer, the township admin and the county supervisor. The
petitioner comes back only to the township's petition officers — for everyone else it is `null`
(confidential, seed 004 六.七).

Creates take `Idempotency-Key`; every action takes `If-Match: "<version>"` (optional; stale →
412 `version_conflict`) and every answer carries the version as its `ETag`."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bianmin.common.v1 import applicant_pb2
from bianmin.intake.v1 import intake_service_pb2 as pb
from bianmin.intake.v1 import petition_pb2 as ppb
from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, Field

from libs.common.grpc.enums import enum_number
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

router = APIRouter(tags=["petitions"])

PETITIONS = "/v1/townships/{tenant}/petitions"
PETITION = PETITIONS + "/{petition_id}"
Kind = Literal["petition", "complaint"]
State = Literal["registered", "forwarded", "answered", "decided"]
Ground = Literal["attitude", "quality", "efficiency", "discipline", "other"]
IfMatch = Annotated[str | None, Header(description='"<version>" of the petition (optional); stale → 412')]


class PetitionerIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="personal data, confidential")
    phone: str | None = Field(None, max_length=50, description="personal data, confidential")
    id_number: str | None = Field(None, max_length=30, description="personal data, confidential")
    address: str | None = Field(None, max_length=300, description="personal data, confidential")


class SubjectIn(BaseModel):
    type: Literal["window", "staff"]
    id: str = Field(min_length=1, max_length=100, description="the window's code or the staff's username")


class PetitionIn(BaseModel):
    kind: Kind
    channel: Literal["desk", "letter", "phone", "online"] = Field(
        description="desk (来访 / the complaint desk), letter (来信), phone, online"
    )
    petitioner: PetitionerIn
    matter: str = Field(min_length=1, max_length=4000)
    collective: bool = Field(
        False, description="a collective petition (集体上访): the leader on duty is alerted"
    )
    leader_received: bool = Field(False, description="received by a leader: answer within a week, not 3 days")
    subject: SubjectIn | None = Field(
        None, description="complaints: the window or staff member complained of"
    )
    ground: Ground | None = Field(None, description="complaints: what the complaint is about")
    answer: str | None = Field(None, max_length=4000, description="petitions answered on the spot (当场答复)")


class AnswerIn(BaseModel):
    answer: str = Field(min_length=1, max_length=4000)


class ForwardIn(BaseModel):
    department: str = Field(min_length=1, max_length=64, description="a department code of the township")
    answer_days: int = Field(3, ge=1, le=30, description="working days the department has to answer")


class DecideIn(BaseModel):
    verified: bool = Field(description="verified (feeds appraisal) or groundless")
    reason: str = Field(min_length=1, max_length=2000)


@router.post(PETITIONS, status_code=201)
async def register_petition(
    tenant: Tenant,
    body: PetitionIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict:
    """Register a petition (petition_officer) or a complaint (petition_officer, township_admin).
    A petition's answer is due in 3 calendar days (a leader-received one in 7); one with an
    `answer` is answered on the spot. A complaint names its subject (a window or staff member
    of the township) and ground."""
    p = body.petitioner
    request = pb.RegisterPetitionRequest(
        kind=enum_number(ppb.PetitionKind, "PETITION_KIND_", body.kind),
        channel=body.channel,
        petitioner=applicant_pb2.Applicant(
            name=p.name, phone=p.phone or "", id_number=p.id_number or "", address=p.address or ""
        ),
        matter=body.matter,
        collective=body.collective,
        leader_received=body.leader_received,
        ground=enum_number(ppb.ComplaintGround, "COMPLAINT_GROUND_", body.ground or ""),
        answer=body.answer or "",
        idempotency_key=idempotency_key or "",
    )
    if body.subject is not None:
        request.subject.CopyFrom(
            ppb.ComplaintSubject(
                type=enum_number(ppb.ComplaintSubjectType, "COMPLAINT_SUBJECT_TYPE_", body.subject.type),
                id=body.subject.id,
            )
        )
    with calling(c.token, tenant):
        reply = await gw.services.intake().RegisterPetition(request)
    return _answer(reply.petition, gw, response)


@router.get(PETITIONS)
async def petitions(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    kind: Kind | None = None,
    state: State | None = None,
    from_: FromDay = None,
    to: ToDay = None,
) -> dict:
    """Petitions and complaints in registration order (petition_officer, township_admin,
    county_supervisor); the petitioner only for the township's petition officers."""
    request = pb.ListPetitionsRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        kind=enum_number(ppb.PetitionKind, "PETITION_KIND_", kind or ""),
        state=enum_number(ppb.PetitionState, "PETITION_STATE_", state or ""),
        from_date=from_.isoformat() if from_ else "",
        to_date=to.isoformat() if to else "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().ListPetitions(request)
    tz = county_tz(gw)
    return {
        "items": [petition_json(x, tz) for x in reply.petitions],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


@router.get(PETITION)
async def get_petition(
    tenant: Tenant, petition_id: str, c: Authed, gw: GatewayDep, response: Response
) -> dict:
    """One petition or complaint."""
    with calling(c.token, tenant):
        reply = await gw.services.intake().GetPetition(pb.GetPetitionRequest(petition_id=petition_id))
    return _answer(reply.petition, gw, response)


@router.post(f"{PETITION}/answer")
async def answer_petition(
    tenant: Tenant,
    petition_id: str,
    body: AnswerIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict:
    """Answer a petition (petition_officer), or record a forwarded complaint's answer from its
    department (petition_officer, township_admin); `days_late` counts a late answer."""
    request = pb.AnswerPetitionRequest(
        petition_id=petition_id, answer=body.answer, expected_version=if_match_version(if_match)
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().AnswerPetition(request)
    return _answer(reply.petition, gw, response)


@router.post(f"{PETITION}/forward")
async def forward_complaint(
    tenant: Tenant,
    petition_id: str,
    body: ForwardIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict:
    """Forward a complaint to a department of the township, its answer due in `answer_days`
    working days (petition_officer, township_admin)."""
    request = pb.ForwardComplaintRequest(
        petition_id=petition_id,
        department=body.department,
        answer_days=body.answer_days,
        expected_version=if_match_version(if_match),
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().ForwardComplaint(request)
    return _answer(reply.petition, gw, response)


@router.post(f"{PETITION}/decide")
async def decide_complaint(
    tenant: Tenant,
    petition_id: str,
    body: DecideIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict:
    """The management office's decision on a registered or answered complaint: verified (feeds
    appraisal) or groundless, with a reason (township_admin)."""
    request = pb.DecideComplaintRequest(
        petition_id=petition_id,
        verified=body.verified,
        reason=body.reason,
        expected_version=if_match_version(if_match),
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().DecideComplaint(request)
    return _answer(reply.petition, gw, response)


# --- translation -----------------------------------------------------------------------------


def _answer(p: ppb.Petition, gw: GatewayDep, response: Response) -> dict:
    response.headers["ETag"] = f'"{p.version}"'
    return petition_json(p, county_tz(gw))


def petition_json(p: ppb.Petition, tz: ZoneInfo) -> dict[str, Any]:
    who = p.petitioner
    complaint = p.kind == ppb.PETITION_KIND_COMPLAINT
    decided = p.state == ppb.PETITION_STATE_DECIDED
    return {
        "id": p.id,
        "number": p.number,
        "kind": json_word(ppb.PetitionKind, "PETITION_KIND_", p.kind),
        "state": json_word(ppb.PetitionState, "PETITION_STATE_", p.state),
        "channel": p.channel,
        # withheld (null) for all but the township's petition officers
        "petitioner": None
        if who.masked or not who.name
        else {
            "name": who.name,
            "phone": who.phone or None,
            "id_number": who.id_number or None,
            "address": who.address or None,
        },
        "matter": p.matter,
        "collective": p.collective,
        "leader_received": p.leader_received,
        "subject": {
            "type": json_word(ppb.ComplaintSubjectType, "COMPLAINT_SUBJECT_TYPE_", p.subject.type),
            "id": p.subject.id,
        }
        if complaint
        else None,
        "ground": json_word(ppb.ComplaintGround, "COMPLAINT_GROUND_", p.ground),
        "forwarded_to": p.forwarded_to or None,
        "answer_due_at": local_time(p, "answer_due_at", tz),
        "answer": p.answer or None,
        "answered_at": local_time(p, "answered_at", tz),
        "answered_by": p.answered_by or None,
        "on_time": p.on_time if p.HasField("answered_at") else None,
        "days_late": p.days_late,
        "verified": p.verified if decided else None,
        "decision_reason": p.decision_reason or None,
        "decided_by": p.decided_by or None,
        "decided_at": local_time(p, "decided_at", tz),
        "registered_at": local_time(p, "registered_at", tz),
        "registered_by": p.registered_by,
        "version": p.version,
    }
