"""Attendance and leave (考勤, 请假, DOMAIN.md §8; API.md *Attendance, leave, posts and duty*).
Appraisal owns them (its WorkforceService); these routes translate JSON to its gRPC calls (with the
caller's token, and the township as `x-tenant-id`) and back.

Who may do what is appraisal's decision (services/appraisal/service_layer/leaves.py,
attendance.py): a leave is requested by the staff member or the township admin and decided by a
`centre_head` (up to 1 working day) or a `township_leader` (2 or more) — another role is
`forbidden`; a sign-in is entered by the staff member or back-filled by the township admin.
Dates are taken as strings and checked by appraisal's rules (a strict YYYY-MM-DD), so a malformed
date is one `validation_error` like any other. Actions take `If-Match: "<version>"` (optional;
stale → 412 `version_conflict`) and every leave answer carries its version as the `ETag`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bianmin.appraisal.v1 import attendance_pb2
from bianmin.appraisal.v1 import workforce_service_pb2 as pb
from fastapi import APIRouter, Header, Query, Response
from pydantic import AfterValidator, BaseModel, Field

from libs.common.errors import ValidationFailed
from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.translate import calling, county_tz, if_match_version, local_time

router = APIRouter(tags=["attendance and leave"])


def _utf8(value: str) -> str:
    """Text the services can store and send: no lone surrogate (JSON's `\\udc00`), no NUL."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


def _instant(value: datetime) -> datetime:
    """An instant with its offset, in years a sign-in can have (far dates and offsets that leave
    the calendar's range when turned to UTC are a 422, not an OverflowError)."""
    if value.tzinfo is None:
        raise ValueError("the time must carry its offset (RFC 3339)")
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range") from None
    if not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise ValueError(f"the time must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return value


MIN_YEAR, MAX_YEAR = 2000, 2100
Text = Annotated[str, AfterValidator(_utf8)]
Instant = Annotated[datetime, AfterValidator(_instant)]
Username = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$", description="a username")]

LEAVES = "/v1/townships/{tenant}/leaves"
LEAVE = LEAVES + "/{leave_id}"
ATTENDANCE = "/v1/townships/{tenant}/attendance"
SIGN_INS = ATTENDANCE + "/sign-ins"
SIGN_IN_IMPORTS = ATTENDANCE + "/imports"
SPOT_CHECKS = ATTENDANCE + "/spot-checks"
LeaveState = Literal["pending", "approved", "rejected", "cancelled"]
IfMatch = Annotated[str | None, Header(description='"<version>" of the leave (optional); stale → 412')]
_STATES = {
    "pending": attendance_pb2.LEAVE_STATE_REQUESTED,
    "approved": attendance_pb2.LEAVE_STATE_APPROVED,
    "rejected": attendance_pb2.LEAVE_STATE_REJECTED,
    "cancelled": attendance_pb2.LEAVE_STATE_CANCELLED,
}
_WORDS = {number: word for word, number in _STATES.items()}


class LeaveIn(BaseModel):
    username: Username
    from_: Text = Field(alias="from", max_length=10, description="YYYY-MM-DD, the first day (inclusive)")
    to: Text = Field(max_length=10, description="YYYY-MM-DD, the last day (inclusive)")
    reason: Text = Field(min_length=1, max_length=500)
    substitute: Text | None = Field(
        None,
        max_length=64,
        description="the substitute the department sends (代岗) when neither A nor B would be on post",
    )
    substitute_letter: Text | None = Field(
        None, max_length=200, description="the department's letter naming the substitute (来函备案)"
    )


class DecisionIn(BaseModel):
    reason: Text = Field("", max_length=500, description="the decision's reason (required to reject)")


class SignInIn(BaseModel):
    username: Username
    at: Instant = Field(description="RFC 3339 with its offset: when they signed in")


class SpotCheckIn(BaseModel):
    username: Username
    at: Instant = Field(description="RFC 3339 with its offset: when the check found them")
    finding: Literal["off_post", "present"]


class ImportRowIn(BaseModel):
    at: Text = Field("", max_length=40, description="where the row is in the file, e.g. `row 12`")
    username: Username
    time: Instant = Field(description="RFC 3339 with its offset")


class ImportIn(BaseModel):
    rows: list[ImportRowIn] = Field(max_length=10_000, description="a part of a sign-in device's export")
    dry_run: bool = Field(False, description="check only: store nothing and answer every problem")


@router.post(LEAVES, status_code=201)
async def request_leave(
    tenant: Tenant,
    body: LeaveIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict:
    """Request a leave (the staff member, or the township admin for them): its working days are
    counted on the township's calendar and say who decides (`approver_role`). A leave that would
    leave a window with neither A nor B on post needs a `substitute` with its letter."""
    request = pb.RequestLeaveRequest(
        username=body.username,
        from_date=body.from_,
        to_date=body.to,
        reason=body.reason,
        substitute=body.substitute or "",
        substitute_letter=body.substitute_letter or "",
        idempotency_key=idempotency_key or "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.workforce().RequestLeave(request)
    return _answer(reply.leave, gw, response)


@router.get(LEAVES)
async def leaves(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    username: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{1,31}$")] = None,
    state: LeaveState | None = None,
    first: Annotated[
        str | None, Query(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")
    ] = None,
    last: Annotated[
        str | None, Query(alias="to", pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")
    ] = None,
) -> dict:
    """Leaves by first day: every leave for the township admin, the centre head, township leaders,
    the county admin and supervisor; their own for other staff."""
    request = pb.ListLeavesRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        username=username or "",
        state=_STATES.get(state or "", 0),  # type: ignore[arg-type]
        from_date=first or "",
        to_date=last or "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.workforce().ListLeaves(request)
    tz = county_tz(gw)
    return {
        "items": [leave_json(x, tz) for x in reply.leaves],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


async def _decide(
    tenant: str,
    leave_id: str,
    approved: bool,
    body: DecisionIn,
    c: Any,
    gw: Any,
    response: Response,
    if_match: str | None,
) -> dict:
    request = pb.ApproveLeaveRequest(
        leave_id=leave_id, approved=approved, reason=body.reason, expected_version=if_match_version(if_match)
    )
    with calling(c.token, tenant):
        reply = await gw.services.workforce().ApproveLeave(request)
    return _answer(reply.leave, gw, response)


@router.post(f"{LEAVE}/approve")
async def approve_leave(
    tenant: Tenant,
    leave_id: str,
    body: DecisionIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict:
    """Approve a pending leave: a `centre_head` for up to 1 working day, a `township_leader` for 2
    or more (another role → `forbidden`). Appraisal publishes `leave_approved`."""
    return await _decide(tenant, leave_id, True, body, c, gw, response, if_match)


@router.post(f"{LEAVE}/reject")
async def reject_leave(
    tenant: Tenant,
    leave_id: str,
    body: DecisionIn,
    c: Authed,
    gw: GatewayDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict:
    """Reject a pending leave with a `reason` (the same person who would approve it)."""
    return await _decide(tenant, leave_id, False, body, c, gw, response, if_match)


@router.post(f"{LEAVE}/cancel")
async def cancel_leave(
    tenant: Tenant, leave_id: str, c: Authed, gw: GatewayDep, response: Response, if_match: IfMatch = None
) -> dict:
    """Cancel a pending or approved leave (the staff member, the township admin or the role that
    decides it), an approved one until its last day: the cover it lent ends (`leave_cancelled`)."""
    request = pb.CancelLeaveRequest(leave_id=leave_id, expected_version=if_match_version(if_match))
    with calling(c.token, tenant):
        reply = await gw.services.workforce().CancelLeave(request)
    return _answer(reply.leave, gw, response)


def _answer(leave: attendance_pb2.Leave, gw: Any, response: Response) -> dict:
    response.headers["ETag"] = f'"{leave.version}"'
    return leave_json(leave, county_tz(gw))


def leave_json(x: attendance_pb2.Leave, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": x.id,
        "username": x.username,
        "from": x.from_date,
        "to": x.to_date,
        "reason": x.reason,
        "state": _WORDS.get(x.state, ""),
        "working_days": x.working_days,
        "approver_role": x.approver_role,
        "substitute": x.substitute or None,
        "substitute_letter": x.substitute_letter or None,
        "requested_by": x.requested_by,
        "requested_at": local_time(x, "requested_at", tz),
        "decided_by": x.approved_by or None,
        "decided_at": local_time(x, "decided_at", tz),
        "decision_reason": x.decision_reason or None,
        "cancelled_by": x.cancelled_by or None,
        "cancelled_at": local_time(x, "cancelled_at", tz),
        "version": x.version,
    }


# --- sign-ins and the attendance day ------------------------------------------------------------


@router.post(SIGN_INS, status_code=201)
async def record_sign_in(tenant: Tenant, body: SignInIn, c: Authed, gw: GatewayDep) -> dict:
    """Record a sign-in: the staff member's own, or back-filled by the township admin (the record
    says who entered it). Working days of the township's calendar only; an unknown user or a
    non-working day is a `validation_error` and nothing is stored."""
    if body.at.tzinfo is None:
        raise ValidationFailed("at must carry its offset (RFC 3339)")
    request = pb.RecordSignInRequest(username=body.username)
    request.at.FromDatetime(body.at.astimezone(UTC))
    with calling(c.token, tenant):
        reply = await gw.services.workforce().RecordSignIn(request)
    return sign_in_json(reply.sign_in, county_tz(gw))


@router.post(SIGN_IN_IMPORTS)
async def import_sign_ins(tenant: Tenant, body: ImportIn, c: Authed, gw: GatewayDep) -> dict:
    """Import (a part of) a sign-in device's export (township_admin): all or nothing — every
    problem listed in one `validation_error`, nothing stored; a sign-in already stored (same user
    and instant) counts as a duplicate. `dry_run` checks only (what `bianmin client attendance
    import` sends for every part before it stores any)."""
    request = pb.ImportSignInsRequest(dry_run=body.dry_run)
    for r in body.rows:
        if r.time.tzinfo is None:
            raise ValidationFailed(f"{r.at or r.username}: the time must carry its offset (RFC 3339)")
        row = request.rows.add(at=r.at, username=r.username)
        row.at_time.FromDatetime(r.time.astimezone(UTC))
    with calling(c.token, tenant):
        reply = await gw.services.workforce().ImportSignIns(request)
    return {"stored": reply.stored, "duplicates": reply.duplicates, "problems": list(reply.problems)}


@router.get(ATTENDANCE)
async def attendance_day(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    day: Annotated[
        str, Query(alias="date", pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD, a working day")
    ],
    username: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{1,31}$")] = None,
) -> dict:
    """Each staff member's day against the township's sign-in times (setting `sign_in_times`,
    default 08:30 and 14:30): `present|late|early|off_post|absent_half_day|absent|on_leave`, with
    the minutes late or early. `judged` once the judge-attendance job judged it (the day after);
    until then provisional. Everyone for the township admin, the centre head, township leaders and
    the county; their own for other staff."""
    with calling(c.token, tenant):
        reply = await gw.services.workforce().ListAttendanceDays(
            pb.ListAttendanceDaysRequest(date=day, username=username or "")
        )
    tz = county_tz(gw)
    return {
        "items": [
            {
                "username": d.username,
                "date": d.date,
                "window": d.window or None,
                "sign_ins": [sign_in_json(x, tz) for x in d.sign_ins],
                "status": d.status,
                "late_minutes": d.late_minutes,
                "early_minutes": d.early_minutes,
                "judged": d.judged,
            }
            for d in reply.days
        ]
    }


def sign_in_json(x: attendance_pb2.SignIn, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": x.id,
        "username": x.username,
        "at": local_time(x, "at", tz),
        "entered_by": x.entered_by,
        "source": x.source,
    }


@router.post(SPOT_CHECKS, status_code=201)
async def record_spot_check(tenant: Tenant, body: SpotCheckIn, c: Authed, gw: GatewayDep) -> dict:
    """Record a spot check (明查暗访) of the management office (township_admin): a staff member
    found `off_post` turns the half-day it falls in to `off_post` when it was otherwise on post."""
    if body.at.tzinfo is None:
        raise ValidationFailed("at must carry its offset (RFC 3339)")
    request = pb.RecordSpotCheckRequest(username=body.username, finding=body.finding)
    request.at.FromDatetime(body.at.astimezone(UTC))
    with calling(c.token, tenant):
        reply = await gw.services.workforce().RecordSpotCheck(request)
    tz = county_tz(gw)
    return {
        "id": reply.id,
        "username": reply.username,
        "at": local_time(reply, "at", tz),
        "finding": reply.finding,
        "half": reply.half,
        "recorded_by": reply.recorded_by,
    }
