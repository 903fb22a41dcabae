"""A township's case figures (API.md `GET …/stats`) and its public results board (公开栏,
`GET /v1/public/townships/{tenant}/board`, no token). Intake computes both; the definitions of
the rates are in services/intake/service_layer/stats.py (and the README). A rate whose
denominator is zero in the period (nothing accepted, completed or rated) is `null`, not 0."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from bianmin.intake.v1 import case_pb2, stats_pb2
from bianmin.intake.v1 import intake_service_pb2 as pb
from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from libs.common.errors import NotFound
from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.translate import (
    FromDay,
    ToDay,
    calling,
    county_tz,
    json_word,
    public_tenant,
    public_token,
)
from services.gateway.service_layer import directory

router = APIRouter(tags=["stats"])

RATES = ("completion_rate", "on_time_rate", "immediate_share", "early_completion_rate", "satisfaction_rate")


@router.get("/v1/townships/{tenant}/stats")
async def case_stats(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    from_: FromDay = None,
    to: ToDay = None,
    item_code: Annotated[str | None, Query(max_length=64, description="only this item's cases")] = None,
) -> dict:
    """The township's figures over the period: cases received, accepted and completed in it;
    办结率 (completion_rate: of those accepted in the period, the share completed by its end),
    承诺兑现率 (on_time_rate: of those completed, the share by their deadline), 即办件率
    (immediate_share: of those completed, the share of immediate cases), 提前办结率
    (early_completion_rate: of the non-immediate completed, the share completed before their
    deadline's day), 满意率 (satisfaction_rate: of the completed that were rated, the share
    satisfied or basically satisfied); and overdue_open, the open cases past their deadline now.
    Rates are fractions in [0, 1], `null` when nothing is there to divide by. Township staff and
    the county roles (including ops: counts only, no personal data). Without `from` the period
    starts on the first of `to`'s month, without `to` it ends today: no dates, this month so far."""
    today = datetime.now(county_tz(gw)).date()
    to = to or max(from_ or today, today)
    from_ = from_ or to.replace(day=1)
    request = pb.GetCaseStatsRequest(
        from_date=from_.isoformat(), to_date=to.isoformat(), item_code=item_code or ""
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().GetCaseStats(request)
    return stats_json(reply.stats)


@router.get("/v1/public/townships/{tenant}/board", tags=["public"])
async def board(tenant: str, gw: GatewayDep, page: PageParams) -> dict:
    """The township's completed cases, latest first (no token): item, case number, completion
    date, outcome, on time or not; the applicant as surname and two stars at most (张**), never
    a phone, ID number or address. A suspended or unknown township answers `not_found`."""
    tenant = public_tenant(tenant)
    if await run_in_threadpool(directory.is_suspended, gw.runtime.sessions, tenant):
        raise NotFound("no such township")
    request = pb.ListBoardEntriesRequest(
        page_size=page.size, page_token=str(page.after) if page.after is not None else ""
    )
    with calling(public_token(gw, tenant), tenant):
        reply = await gw.services.intake().ListBoardEntries(request)
    return {
        "items": [board_json(e) for e in reply.entries],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


def stats_json(s: stats_pb2.CaseStats) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "received": s.received,
        "accepted": s.accepted,
        "completed": s.completed,
    }
    for rate in RATES:
        figures[rate] = getattr(s, rate) if s.HasField(rate) else None
    figures["overdue_open"] = s.overdue_open
    return figures


def board_json(e: stats_pb2.BoardEntry) -> dict[str, Any]:
    return {
        "number": e.number,
        "item_code": e.item_code,
        "item_name": e.item_name,
        "applicant": e.applicant_name,
        "completed_date": e.completed_date,
        "outcome": json_word(case_pb2.CaseOutcome, "CASE_OUTCOME_", e.outcome),
        "on_time": e.on_time,
    }
