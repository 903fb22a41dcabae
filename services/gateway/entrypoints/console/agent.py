"""A village agent's phone view (API.md *Staff console*: `/console/agent/`): the delegation form
with the villager's consent (代办委托单), the agent's delegations (with the implementation card,
落实卡, once the result is back, and filing), today's trip manifest (and the next trip day's) to
deliver, the agent's households and the priority households due a visit (三必访), each a short form.

It works offline (static/agent.js, static/agent-sw.js): the page and its assets are kept by a
service worker; a delegation or a visit filled without signal is kept in IndexedDB with its own
Idempotency-Key, shown as 待同步, and posted here once the signal returns. These posts forward the
key to the API (`Idempotency-Key` header, else the form's `idempotency_key` field), whose
Idempotency middleware answers a repeat with the first create's answer: sent twice, created once.
Asked with `Accept: application/json` (the sync does), a post answers JSON — the created thing, or
the API's problem with its words — so the device can tell done (201), refused (kept, shown as a
conflict with the reason) and not reached (kept, retried)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import FileResponse, JSONResponse, Response

from services.gateway.entrypoints.console import present, routes, session
from services.gateway.entrypoints.console.api import Api, ApiError, seg
from services.gateway.entrypoints.console.session import ConsoleSession

router = APIRouter(prefix="/console/agent", include_in_schema=False)
SERVICE_WORKER = Path(__file__).parent / "static" / "agent-sw.js"

FLAGS = {
    "wubao": "五保",
    "dibao": "低保",
    "poor": "困难",
    "ill": "重病",
    "disabled": "残疾",
    "elderly_alone": "独居老人",
}
DELEGATION_STATES = {
    "accepted": "已登记",
    "decided": "村级已办结",
    "awaiting_trip": "待送件",
    "at_township": "在乡镇办理",
    "at_county": "在县级办理",
    "returned": "结果已返回",
    "replied": "已回复",
    "filed": "已建档",
    "withdrawn": "已撤回",
}
METHODS = {"signature": "本人签字", "thumbprint": "按手印"}
_MESSAGES = {
    "delegated": "已登记代办",
    "visited": "已记录走访",
    "delivered": "已送达乡镇",
    "reply": "已记录落实卡",
    "file": "已建档",
}
SATISFACTIONS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _section(call: Any) -> tuple[Any, str]:
    """One part of the page: its answer, or the API's refusal in words (the rest still shows)."""
    try:
        return await call, ""
    except ApiError as exc:
        return None, present.problem_words(exc.code, exc.detail)


@router.get("/")
async def agent_page(request: Request, tenant: str = "", msg: str = "") -> Response:
    s = await session.current(request)
    return await _page(request, s, tenant, message=_MESSAGES.get(msg, ""))


async def _page(
    request: Request,
    s: ConsoleSession,
    tenant: str,
    message: str = "",
    error: str = "",
    values: dict | None = None,
    status: int = 200,
) -> Response:
    t = routes._home_tenant(s, tenant)
    if t is None:
        return routes.redirect(request, "/console/county/", s)
    api = Api(request, s.access)
    today = routes._now(request).date()
    mine = {"agent": s.username} if s.has("proxy_agent") else {}
    base = f"/v1/townships/{seg(t)}"
    try:
        township = await api.get(base)
    except ApiError as exc:
        return routes._problem_page(request, s, exc)
    (items, items_error), delegations, trips_today, trips_next, households, due = await asyncio.gather(
        _section(api.items(f"{base}/catalog/items")),
        _section(api.items(f"{base}/proxy/delegations", limit=200, **mine)),
        _section(api.get(f"{base}/proxy/trips", date=today.isoformat())),
        _section(api.get(f"{base}/proxy/trips")),  # the next trip day's
        _section(api.items(f"{base}/proxy/households", limit=200, **mine)),
        _section(api.get(f"{base}/proxy/visits/due", date=today.isoformat())),
    )
    proxyable = [i for i in (items[0] if items else []) if i.get("proxyable")]
    found = delegations[0][0] if delegations[0] else []
    found.sort(key=lambda d: d.get("created_at") or "", reverse=True)
    next_trips = [
        trip
        for trip in (trips_next[0] or {}).get("items", [])
        if trip["date"] != today.isoformat()  # today's are shown as today's
    ]
    return routes.render(
        request,
        "agent.html.j2",
        s,
        status=status,
        tenant=t,
        township=township,
        items=proxyable,
        items_error=items_error,
        delegations=found,
        delegations_error=delegations[1],
        trips_today=(trips_today[0] or {}).get("items", []),
        trips_next=next_trips,
        trips_error=trips_today[1] or trips_next[1],
        households=households[0][0] if households[0] else [],
        households_error=households[1],
        due=(due[0] or {}).get("items", []),
        due_error=due[1],
        round_days=(due[0] or {}).get("round_days"),
        now_local=routes._now(request).strftime("%Y-%m-%dT%H:%M"),
        utc_offset=int((routes._now(request).utcoffset() or timedelta()).total_seconds() // 60),
        can_delegate=s.has("proxy_agent"),
        message=message,
        error=error,
        values=values or {},
        village_names={v["code"]: v["name"] for v in township.get("villages", [])},
        item_names={i["code"]: i["name"] for i in (items[0] if items else [])},
        FLAGS=FLAGS,
        DELEGATION_STATES=DELEGATION_STATES,
        METHODS=METHODS,
        SATISFACTIONS=SATISFACTIONS,
        today_iso=today.isoformat(),
    )


@router.get("/sw.js")
async def service_worker() -> Response:
    """The service worker, from this path so that its scope is the agent's pages (/console/agent/)."""
    return FileResponse(SERVICE_WORKER, media_type="text/javascript")


def _local(request: Request, value: str) -> datetime | None:
    """A `datetime-local` value (the county's wall clock) as an aware time; None if not one."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=routes._tz(request))


def _key(request: Request, form: FormData) -> str | None:
    return request.headers.get("idempotency-key") or routes._text(form, "idempotency_key") or None


async def _create(
    request: Request, s: ConsoleSession, form: FormData, path: str, body: dict | str, done: str
) -> Response:
    """POST one create to the API with the form's key; the answer as JSON (a sync) or a page."""
    t = routes._text(form, "tenant") or routes._home_tenant(s, "") or ""
    try:
        if isinstance(body, str):  # the form's own mistake, found before the API is asked
            raise ApiError(422, "validation_error", body)
        created = await Api(request, s.access).post(
            f"/v1/townships/{seg(t)}{path}", body, idempotency_key=_key(request, form)
        )
    except ApiError as exc:
        words = present.problem_words(exc.code, exc.detail)
        if _wants_json(request):
            return session.save(
                request,
                JSONResponse(
                    {"ok": False, "status": exc.status, "code": exc.code, "words": words},
                    status_code=exc.status,
                ),
                s,
            )
        values = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf"}
        return await _page(request, s, t, error=words, values=values, status=exc.status)
    if _wants_json(request):
        answer = {
            "ok": True,
            "id": created.get("id"),
            "case_number": created.get("case_number"),
            "state": created.get("state"),
            "words": _MESSAGES[done],
        }
        return session.save(request, JSONResponse(answer, status_code=201), s)
    return routes.redirect(request, f"/console/agent/?tenant={quote(t, safe='')}&msg={done}", s)


def delegation_body(request: Request, form: FormData) -> dict | str:
    """The API's delegation from the phone's form; a mistake of the form as words."""
    text = lambda name: routes._text(form, name)  # noqa: E731
    signed_at = _local(request, text("consent_at"))
    if signed_at is None:
        return "请填写委托单签字（按手印）的时间"
    if text("consent_method") not in METHODS:
        return "请选择委托方式（签字或按手印）"
    applicant = {"name": text("name"), "phone": text("phone")}
    for optional in ("id_number", "address"):
        if text(optional):
            applicant[optional] = text(optional)
    return {
        "item_code": text("item_code"),
        "applicant": applicant,
        "consent": {"signed_at": signed_at.isoformat(), "method": text("consent_method")},
        "materials": routes._texts(form, "materials"),
        **({"household": text("household")} if text("household") else {}),
    }


@router.post("/delegations")
async def create_delegation(request: Request) -> Response:
    s, form = await routes._acting(request)
    return await _create(
        request, s, form, "/proxy/delegations", delegation_body(request, form), done="delegated"
    )


def visit_body(request: Request, form: FormData) -> dict | str:
    at = _local(request, routes._text(form, "at"))
    if at is None:
        return "请填写走访时间"
    needs = [n.strip() for n in routes._text(form, "needs").replace("，", ",").split(",") if n.strip()]
    note = routes._text(form, "note")
    return {
        "household": routes._text(form, "household"),
        "at": at.isoformat(),
        "needs": needs,
        **({"note": note} if note else {}),
    }


@router.post("/visits")
async def record_visit(request: Request) -> Response:
    s, form = await routes._acting(request)
    return await _create(request, s, form, "/proxy/visits", visit_body(request, form), done="visited")


@router.post("/trips/{trip_id}/deliver")
async def deliver_trip(request: Request, trip_id: str) -> Response:
    """The trip handed over at the township (its carrier): online only, it is done there."""
    s, form = await routes._acting(request)
    t = routes._text(form, "tenant") or routes._home_tenant(s, "") or ""
    try:
        await Api(request, s.access).post(f"/v1/townships/{seg(t)}/proxy/trips/{seg(trip_id)}/deliver", {})
    except ApiError as exc:
        return await _page(
            request, s, t, error=present.problem_words(exc.code, exc.detail), status=exc.status
        )
    return routes.redirect(request, f"/console/agent/?tenant={quote(t, safe='')}&msg=delivered", s)


@router.post("/delegations/{delegation_id}/{action}")
async def follow_up(request: Request, delegation_id: str, action: str) -> Response:
    """The implementation card (代办事项落实卡: how the villager confirmed, and whether satisfied)
    once the result is back, then filing it (建档): online, with the version the page showed
    (If-Match), so a card already recorded elsewhere is refused, not recorded twice."""
    s, form = await routes._acting(request)
    t = routes._text(form, "tenant") or routes._home_tenant(s, "") or ""
    text = lambda name: routes._text(form, name)  # noqa: E731
    try:
        if action not in ("reply", "file"):
            raise ApiError(404, "not_found", "no such action")
        body: dict[str, Any] = {}
        if action == "reply":
            at = _local(request, text("at"))
            if at is None:
                raise ApiError(422, "validation_error", "请填写落实卡签字（按手印）的时间")
            body = {
                "confirmation": {"method": text("method"), "at": at.isoformat()},
                "satisfaction": text("satisfaction"),
            }
        version = text("version")
        await Api(request, s.access).post(
            f"/v1/townships/{seg(t)}/proxy/delegations/{seg(delegation_id)}/{action}",
            body,
            if_match=int(version) if version.isdigit() else None,
        )
    except ApiError as exc:
        return await _page(
            request, s, t, error=present.problem_words(exc.code, exc.detail), status=exc.status
        )
    return routes.redirect(request, f"/console/agent/?tenant={quote(t, safe='')}&msg={action}", s)
