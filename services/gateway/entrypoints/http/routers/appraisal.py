"""Appraisal (考核), DOMAIN.md §7: rulebooks, manual score events, the events of a subject, the
table of a period (also as a workbook) and appeals. Appraisal owns them; these routes translate
JSON to its gRPC calls (with the caller's token, and the township as `x-tenant-id`) and back.

Who may do what is appraisal's decision (services/appraisal/service_layer/scores.py,
rulebooks.py): every signed-in user reads the rulebooks, the county admin stores and activates
the county's own; the management office (township_admin) and the county supervisor record manual
events, with evidence; the township admin and the county roles read the township's events and
scores, every other staff member their own and their window's; the subject appeals, the
township admin decides (the county supervisor for the events a county supervisor recorded), and
nobody scores themselves or judges their own appeal."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bianmin.appraisal.v1 import appeal_pb2, rulebook_pb2, score_pb2
from bianmin.appraisal.v1 import appraisal_service_pb2 as pb
from fastapi import APIRouter, Body, Header, Query, Response
from pydantic import BaseModel, Field

from libs.common.grpc.enums import enum_number, enum_word
from libs.common.workbook import xlsx
from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.translate import calling, county_tz, if_match_version, local_time

router = APIRouter(tags=["appraisal"])

RULEBOOKS = "/v1/appraisal/rulebooks"
APPRAISAL = "/v1/townships/{tenant}/appraisal"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SubjectType = Literal["window", "staff", "proxy", "village", "township"]
Period = Annotated[
    str, Query(min_length=4, max_length=7, description="YYYY-MM, YYYYQn or YYYY", examples=["2026-11"])
]


class SubjectIn(BaseModel):
    type: SubjectType
    id: str = Field(min_length=1, max_length=64, description="window code, username, village code or tenant")


class EventIn(BaseModel):
    subject: SubjectIn
    rule_code: str = Field(min_length=1, max_length=64, examples=["W-SVC-08"])
    count: int = Field(1, ge=1, le=100, description="how many times (per case, per time …)")
    variant: str = Field("", max_length=64, description="for rules with variants, e.g. county|city|province")
    evidence: str = Field(min_length=1, max_length=2000, description="what was found and where it is kept")
    occurred_at: datetime = Field(description="RFC 3339; the month it falls in (county time) counts it")


class AppealIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class DecisionIn(BaseModel):
    upheld: bool
    reason: str = Field(min_length=1, max_length=2000)


class ActivateIn(BaseModel):
    from_: str = Field(alias="from", min_length=7, max_length=7, description="YYYY-MM", examples=["2026-12"])


# --- rulebooks -------------------------------------------------------------------------------


def rulebook_json(book: rulebook_pb2.Rulebook) -> dict[str, Any]:
    """The rulebook's document in the API's words (`subject_type` for a rule's `subject`)."""
    document = json.loads(book.document_json or "{}")
    rules = []
    for rule in document.get("rules") or []:
        shown = {"subject_type" if k == "subject" else k: v for k, v in rule.items()}
        rules.append(shown)
    vetoes = [
        {"subject_type" if k == "subject" else k: v for k, v in v.items()}
        for v in document.get("vetoes") or []
    ]
    return document | {"rules": rules, "vetoes": vetoes, "version": book.version, "read_only": book.read_only}


def _document_of(body: dict[str, Any]) -> dict[str, Any]:
    """The API's shape back to the rulebook document (`subject` for `subject_type`)."""
    out = {k: v for k, v in body.items() if k not in ("version", "read_only")}
    for key in ("rules", "vetoes"):
        if isinstance(out.get(key), list):
            out[key] = [
                {"subject" if k == "subject_type" else k: v for k, v in r.items()}
                if isinstance(r, dict)
                else r
                for r in out[key]
            ]
    return out


@router.get(RULEBOOKS)
async def rulebooks(c: Authed, gw: GatewayDep) -> dict:
    """The rulebooks of the caller's county: `default` (seed 001 第二篇, read-only) and its own."""
    with calling(c.token, None):
        reply = await gw.services.appraisal().ListRulebooks(pb.ListRulebooksRequest())
    items = [
        {"id": b.id, "name": b.name, "version": b.version, "read_only": b.read_only,
         "effective_from": b.effective_from, "rules": len(b.rules)}
        for b in reply.rulebooks
    ]  # fmt: skip
    return {"items": items, "next_page_token": ""}


@router.get(RULEBOOKS + "/{rulebook_id}")
async def rulebook(rulebook_id: str, c: Authed, gw: GatewayDep) -> dict:
    """One rulebook whole: rules (code, subject_type, description, points — dated points as a list
    of {from, points} — unit, source, clause, cap, floor, trigger), grades and vetoes."""
    with calling(c.token, None):
        reply = await gw.services.appraisal().GetRulebook(pb.GetRulebookRequest(rulebook_id=rulebook_id))
    return rulebook_json(reply.rulebook)


@router.put(RULEBOOKS + "/{rulebook_id}")
async def put_rulebook(
    rulebook_id: str,
    c: Authed,
    gw: GatewayDep,
    body: Annotated[dict[str, Any], Body(description="a rulebook of the shape GET returns")],
    if_match: Annotated[str | None, Header(description='"<version>" (optional); stale → 412')] = None,
) -> dict:
    """Store a county rulebook (county_admin), checked whole: every problem listed in one
    `validation_error`. `default` is read-only."""
    document = json.dumps(_document_of(body), ensure_ascii=False, default=str)
    request = pb.PutRulebookRequest(
        rulebook=rulebook_pb2.Rulebook(id=rulebook_id, document_json=document),
        expected_version=if_match_version(if_match),
    )
    with calling(c.token, None):
        reply = await gw.services.appraisal().PutRulebook(request)
    return rulebook_json(reply.rulebook)


@router.post(RULEBOOKS + "/{rulebook_id}/activate")
async def activate_rulebook(rulebook_id: str, body: ActivateIn, c: Authed, gw: GatewayDep) -> dict:
    """Score the county's months from `from` (this month or later) with this rulebook (county_admin);
    earlier months keep the rulebook they were scored with."""
    with calling(c.token, None):
        reply = await gw.services.appraisal().ActivateRulebook(
            pb.ActivateRulebookRequest(rulebook_id=rulebook_id, from_month=body.from_)
        )
    return {"rulebook_id": reply.rulebook_id, "from": reply.from_month}


# --- score events ----------------------------------------------------------------------------


def _subject_type(word: str | None) -> int:
    return enum_number(rulebook_pb2.SubjectType, "SUBJECT_TYPE_", word or "")


def _word(enum: Any, prefix: str, number: int) -> str:
    return enum_word(enum, prefix, number, unknown="")


def event_json(e: score_pb2.ScoreEvent, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": e.id,
        "subject": {
            "type": _word(rulebook_pb2.SubjectType, "SUBJECT_TYPE_", e.subject.type),
            "id": e.subject.id,
        },
        "rule_code": e.rule_code,
        "points": e.points,
        "count": e.count,
        "variant": e.variant or None,
        "source": _word(rulebook_pb2.RuleSource, "RULE_SOURCE_", e.source),
        "ref": e.ref,
        "evidence": e.evidence,
        "facts": json.loads(e.facts_json) if e.facts_json else {},
        "period": e.period,
        "occurred_at": local_time(e, "occurred_at", tz),
        "recorded_at": local_time(e, "recorded_at", tz),
        "recorded_by": e.recorded_by,
        "status": "withdrawn" if e.voided else "active",
    }


@router.post(APPRAISAL + "/events", status_code=201)
async def record_event(
    tenant: Tenant,
    body: EventIn,
    c: Authed,
    gw: GatewayDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict:
    """A manual score event with evidence (township_admin, county_supervisor): the rule's source
    must be `manual`; nobody scores themselves; a closed month is `invalid_transition`."""
    request = pb.RecordScoreEventRequest(
        subject=score_pb2.Subject(type=_subject_type(body.subject.type), id=body.subject.id),
        rule_code=body.rule_code,
        count=body.count,
        evidence=body.evidence,
        variant=body.variant,
        idempotency_key=idempotency_key or "",
    )
    request.occurred_at.FromDatetime(body.occurred_at)
    with calling(c.token, tenant):
        reply = await gw.services.appraisal().RecordScoreEvent(request)
    return event_json(reply.event, county_tz(gw))


@router.get(APPRAISAL + "/events")
async def events(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    period: Annotated[str | None, Query(max_length=7, description="YYYY-MM, YYYYQn or YYYY")] = None,
    subject_type: SubjectType | None = None,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
    rule_code: Annotated[str | None, Query(max_length=64)] = None,
) -> dict:
    """Score events in time order: the township's (township_admin, county roles), or the caller's
    own and their window's."""
    request = pb.ListScoreEventsRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        subject=score_pb2.Subject(type=_subject_type(subject_type), id=subject_id or ""),
        period=period or "",
        rule_code=rule_code or "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.appraisal().ListScoreEvents(request)
    tz = county_tz(gw)
    return {
        "items": [event_json(e, tz) for e in reply.events],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


# --- scores ----------------------------------------------------------------------------------


def score_json(s: score_pb2.Score, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "subject": {
            "type": _word(rulebook_pb2.SubjectType, "SUBJECT_TYPE_", s.subject.type),
            "id": s.subject.id,
            "name": s.name,
        },
        "period": s.period,
        "score": s.score,
        "grade": _word(score_pb2.Grade, "GRADE_", s.grade) or None,
        "rank": s.rank,
        "vetoes": [{"code": v.code, "reason": v.description, "consequence": v.consequence} for v in s.vetoes],
        "consequences": list(s.consequences),
        "title": s.title or None,
        "final": s.final,
        "run": s.run,
        "events": [
            {
                "id": e.id,
                "rule_code": e.rule_code,
                "points": e.points,
                "source": event_json(e, tz)["source"],
                "ref": e.ref,
                "occurred_at": local_time(e, "occurred_at", tz),
            }
            for e in s.events
        ],  # fmt: skip
    }


def workbook(items: list[dict[str, Any]]) -> bytes:
    """The table as an .xlsx: one row a subject, then one row an event explaining it."""
    scores = [
        [i["subject"]["type"], i["subject"]["id"], i["subject"]["name"], i["period"], i["score"], i["grade"],
         i["rank"], "；".join(f"{v['code']} {v['reason']}" for v in i["vetoes"]), ",".join(i["consequences"]),
         i["final"]]
        for i in items
    ]  # fmt: skip
    events = [
        [i["subject"]["type"], i["subject"]["id"], e["id"], e["rule_code"], e["points"], e["source"],
         e["ref"], e["occurred_at"]]
        for i in items
        for e in i["events"]
    ]  # fmt: skip
    return xlsx({"scores": (SCORE_COLUMNS, scores), "events": (EVENT_COLUMNS, events)})


SCORE_COLUMNS = ("type", "id", "name", "period", "score", "grade", "rank", "vetoes", "consequences", "final")
EVENT_COLUMNS = ("type", "id", "event", "rule_code", "points", "source", "ref", "occurred_at")


@router.get(APPRAISAL + "/scores", responses={200: {"content": {XLSX: {}}}})
async def scores(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    period: Period,
    subject_type: SubjectType | None = None,
    accept: Annotated[str | None, Header(description=f"{XLSX} for the table as a workbook")] = None,
) -> Any:
    """The period's table: every subject starts at 100; score = 100 + Σ of its active events
    (each rule held to its cap and floor), rank, grade, vetoes with their reasons, and the events
    that explain every point. Staff see their own and their window's rows."""
    request = pb.ListScoresRequest(period=period, subject_type=_subject_type(subject_type))
    with calling(c.token, tenant):
        reply = await gw.services.appraisal().ListScores(request)
    tz = county_tz(gw)
    items = [score_json(s, tz) for s in reply.scores]
    if accept and XLSX in accept.lower():
        return Response(
            content=workbook(items),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="scores-{period}.xlsx"'},
        )
    return {"items": items}


# --- appeals ---------------------------------------------------------------------------------


def appeal_json(a: Any, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": a.id,
        "event_id": a.event_id,
        "state": _word(appeal_pb2.AppealState, "APPEAL_STATE_", a.state),
        "reason": a.reason,
        "filed_by": a.filed_by,
        "filed_at": local_time(a, "filed_at", tz),
        "decision_reason": a.decision_reason or None,
        "decided_by": a.decided_by or None,
        "decided_at": local_time(a, "decided_at", tz),
    }


@router.post(APPRAISAL + "/appeals", status_code=201)
async def file_appeal(
    tenant: Tenant,
    body: AppealIn,
    c: Authed,
    gw: GatewayDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict:
    """Appeal (复核) a score event: its subject (a window's staff for the window's), within the
    rulebook's `appeal_days` working days (default 5) of the day it was recorded."""
    request = pb.FileAppealRequest(
        event_id=body.event_id, reason=body.reason, idempotency_key=idempotency_key or ""
    )
    with calling(c.token, tenant):
        reply = await gw.services.appraisal().FileAppeal(request)
    return appeal_json(reply.appeal, county_tz(gw))


@router.post(APPRAISAL + "/appeals/{appeal_id}/decide")
async def decide_appeal(tenant: Tenant, appeal_id: str, body: DecisionIn, c: Authed, gw: GatewayDep) -> dict:
    """Decide an appeal with a reason (township_admin; an event a county supervisor recorded:
    county_supervisor; never one's own): upheld withdraws the event and re-scores its month."""
    request = pb.DecideAppealRequest(appeal_id=appeal_id, upheld=body.upheld, reason=body.reason)
    with calling(c.token, tenant):
        reply = await gw.services.appraisal().DecideAppeal(request)
    return appeal_json(reply.appeal, county_tz(gw))


# --- the county's township assessment (县对乡镇考核, DOMAIN.md §7.6) -----------------------------

Quarter = Annotated[str, Query(min_length=6, max_length=6, description="YYYYQn", examples=["2026Q4"])]


class IndicatorIn(BaseModel):
    quarter: str = Field(min_length=6, max_length=6, description="YYYYQn", examples=["2026Q4"])
    points: float = Field(ge=-1000, le=1000, description="at most the indicator's maximum")
    evidence: str = Field(min_length=1, max_length=2000, description="what was inspected, where it is kept")


class ReportIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field("", max_length=20000)


def assessment_json(a: Any) -> dict[str, Any]:
    return {
        "tenant": a.tenant_id,
        "name": a.township_name,
        "quarter": a.quarter,
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "max": i.max_points,
                "points": i.points,
                "source": _word(rulebook_pb2.RuleSource, "RULE_SOURCE_", i.source),
                "basis": i.basis,
                "evidence": i.evidence or None,
            }
            for i in a.indicators
        ],  # fmt: skip
        "total": a.total,
    }


@router.get("/v1/appraisal/townships")
async def township_assessments(quarter: Quarter, c: Authed, gw: GatewayDep) -> dict:
    """The ten indicators of each township of the county for a quarter (county_admin,
    county_supervisor): the automatic ones from the platform's data, the manual ones as set."""
    with calling(c.token, None):
        reply = await gw.services.appraisal().ListTownshipAssessments(
            pb.ListTownshipAssessmentsRequest(quarter=quarter)
        )
    return {"items": [assessment_json(a) for a in reply.assessments]}


@router.put("/v1/appraisal/townships/{tenant}/indicators/{code}")
async def set_township_indicator(
    tenant: Tenant, code: str, body: IndicatorIn, c: Authed, gw: GatewayDep
) -> dict:
    """Set a manual indicator of a township for a quarter, with evidence (county_admin,
    county_supervisor); the township's assessment as it now stands."""
    request = pb.SetTownshipIndicatorRequest(code=code, quarter=body.quarter, points=body.points,
                                             evidence=body.evidence)  # fmt: skip
    with calling(c.token, tenant):
        reply = await gw.services.appraisal().SetTownshipIndicator(request)
    return assessment_json(reply.assessment)


@router.post(APPRAISAL + "/reports", status_code=201)
async def record_info_report(tenant: Tenant, body: ReportIn, c: Authed, gw: GatewayDep) -> dict:
    """An information report (信息报送) of the township (township_admin, centre_head); the
    county's indicator counts five a month."""
    with calling(c.token, tenant):
        reply = await gw.services.appraisal().RecordInfoReport(
            pb.RecordInfoReportRequest(title=body.title, body=body.body)
        )
    return {"id": reply.report_id, "title": reply.title, "body": reply.body,
            "reported_at": local_time(reply, "reported_at", county_tz(gw))}  # fmt: skip
