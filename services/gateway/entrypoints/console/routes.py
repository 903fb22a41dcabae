"""The staff console's pages (API.md *Staff console*): server-rendered Jinja2 (autoescaped: an
applicant named `<script>` stays text), htmx for the worklist filters and the intake checklist,
no inline script, nothing from another origin. Every page reads and every form acts through the
HTTP API with the caller's own token (`api.Api`); a refusal of the API is shown in words
(`present.problem_words`), never turned into something the API did not allow.

Paths: `/console/` (the caller's worklist; county roles go to `/console/county/`), `/console/login`,
`/console/logout`, `/console/intake` (taking in a case with its materials checklist),
`/console/cases/{tenant}/{id}` (the case, its clock, history, notices and the actions the caller may
take), `…/notice` (the one-time notice on A4), `/console/inbox`, `/console/county/` (townships by
overdue and red cases) and `/console/county/onboarding` (townships from a YAML/Excel file); a
village agent's phone view, `/console/agent/`, is agent.py; a township admin's screens,
`/console/admin/`, admin.py."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import jinja2
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from libs.common import onboarding_file
from services.gateway.entrypoints.console import present, session
from services.gateway.entrypoints.console.api import MAX_ITEMS, Api, ApiError, seg
from services.gateway.entrypoints.console.session import ConsoleSession, CsrfRejected, LoginRequired

HERE = Path(__file__).parent
STATIC = HERE / "static"
MAX_UPLOAD = 5 * 1024 * 1024  # an onboarding file

router = APIRouter(prefix="/console", include_in_schema=False)

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,  # every value escaped, whatever the template's name
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(date_zh=present.date_zh, datetime_zh=present.datetime_zh)
_env.globals.update(
    shows_colour=present.shows_colour,
    STATES=present.STATES,
    COLOURS=present.COLOURS,
    ACTIONS=present.ACTIONS,
    HISTORY_ACTIONS=present.HISTORY_ACTIONS,
    SATISFACTIONS=present.SATISFACTIONS,
    OUTCOMES=present.OUTCOMES,
    LEVELS=present.LEVELS,
    CHANNELS=present.CHANNELS,
    CLOCK_STATES=present.CLOCK_STATES,
    ROLES=present.ROLES,
    NOTICE_KINDS=present.NOTICE_KINDS,
    NOTICE_STATUS=present.NOTICE_STATUS,
)


def _tz(request: Request) -> ZoneInfo:
    gw = request.app.state.gateway
    return ZoneInfo(gw.runtime.settings.timezone)


def _now(request: Request) -> datetime:
    return datetime.now(_tz(request))


def render(
    request: Request, template: str, s: ConsoleSession | None, status: int = 200, **context: Any
) -> Response:
    html = _env.get_template(template).render(
        me=s, csrf=s.csrf if s else context.pop("login_csrf", ""), today=_now(request).date(), **context
    )
    return session.save(request, HTMLResponse(html, status_code=status), s)


def redirect(request: Request, url: str, s: ConsoleSession | None = None) -> Response:
    if request.headers.get("hx-request"):  # htmx follows a redirect itself, without the page's URL
        response: Response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    return session.save(request, response, s)


async def _form(request: Request) -> FormData:
    return await request.form(max_files=1, max_fields=300, max_part_size=MAX_UPLOAD)


async def _acting(request: Request) -> tuple[ConsoleSession, FormData]:
    """The session and the form of a POST whose CSRF token is the session's."""
    s = await session.current(request)
    form = await _form(request)
    session.check_csrf(request, s, _text(form, "csrf"))
    return s, form


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _texts(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


# --- login and logout --------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request, reason: str = "") -> Response:
    try:
        s = await session.current(request)
    except LoginRequired:
        s = None
    if s is not None:  # logged in already: to the work
        return redirect(request, "/console/", s)
    return _login_form(request, message=present.PROBLEMS["unauthenticated"] if reason == "expired" else "")


def _login_form(request: Request, message: str = "", username: str = "", status: int = 200) -> Response:
    token, sealed = session.login_csrf(request)
    response = render(
        request, "login.html.j2", None, status=status, login_csrf=token, message=message, username=username
    )
    session.set_login_cookie(request, response, sealed)
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    try:
        session.check_login_csrf(request, _text(form, "csrf"))
    except CsrfRejected:
        return _login_form(request, "页面已过期，请重新登录", status=400)
    username, password = _text(form, "username"), form.get("password")
    if not username or not isinstance(password, str) or not password:
        return _login_form(request, "请输入用户名和密码", username, status=422)
    try:
        s = await session.log_in(request, username, password)
    except ApiError as exc:
        words = "用户名或密码错误" if exc.code == "unauthenticated" else present.problem_words(exc.code, None)
        return _login_form(request, words, username, status=exc.status)
    response = redirect(request, "/console/", s)
    response.delete_cookie(session.LOGIN_COOKIE, path=session.PATH)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    s, _ = await _acting(request)
    await session.log_out(request, s)
    return session.clear(request, redirect(request, "/console/login"))


# --- the worklist ------------------------------------------------------------------------------


def _home_tenant(s: ConsoleSession, asked: str) -> str | None:
    if asked:
        return asked
    return s.townships[0] if s.townships else None


@router.get("/")
async def worklist(
    request: Request,
    tenant: str = "",
    state: str = "",
    colour: str = "",
    q: str = "",
    mine: str = "",
    msg: str = "",
) -> Response:
    s = await session.current(request)
    t = _home_tenant(s, tenant)
    if t is None:
        return redirect(request, "/console/county/", s)
    api = Api(request, s.access)
    states = [state] if state in present.WORKLIST_STATES else list(present.WORKLIST_STATES)
    search = _search(s, q.strip())  # the API finds it (and logs an applicant looked up)
    try:
        township, *lists = await asyncio.gather(
            api.get(f"/v1/townships/{seg(t)}"),
            *(api.items(f"/v1/townships/{seg(t)}/cases", MAX_ITEMS, state=st, **search) for st in states),
        )
    except ApiError as exc:
        return _problem_page(request, s, exc)
    cases = [c for found, _ in lists for c in found]
    capped = any(more for _, more in lists)
    counts = {st: 0 for st in present.WORKLIST_STATES}
    for c in cases:
        counts[c["state"]] = counts.get(c["state"], 0) + 1
    colours = {k: 0 for k in present.COLOUR_ORDER}
    for c in cases:
        if present.shows_colour(c["clock"]) and c["clock"]["colour"] in colours:
            colours[c["clock"]["colour"]] += 1
    shown = [c for c in cases if _matches(c, colour, "" if search else q, s.username if mine else "")]
    shown.sort(key=lambda c: (c["clock"]["due_at"] is None, c["clock"]["due_at"] or "", c["number"]))
    now = _now(request)
    calendar = await _calendar(api, t, now.date(), [c["clock"]["due_at"] for c in shown])
    rows = [(c, present.clock_words(c["clock"], now, calendar)) for c in shown]
    return render(
        request,
        "worklist.html.j2",
        s,
        tenant=t,
        township=township,
        rows=rows,
        counts=counts,
        colours=colours,
        capped=capped,
        cap=MAX_ITEMS,
        filters={"state": state, "colour": colour, "q": q, "mine": mine},
        message=_message(msg),
        can_receive=s.has(*present.RECEIVERS),
    )


_CASE_NUMBER = re.compile(r"[A-Za-z0-9._]+(-[A-Za-z0-9._]+)+")  # e.g. napo-20261207-0001


def _search(s: ConsoleSession, q: str) -> dict[str, Any]:
    """The API's own search for `q`: a case number as such; an applicant's name or phone for the
    roles that may look applicants up (API.md: audited). Otherwise none: the list is filtered
    by what it shows (`_matches`)."""
    if not q:
        return {}
    if _CASE_NUMBER.fullmatch(q):
        return {"number": q}
    if s.has(*present.APPLICANT_SEARCHERS):
        return {"applicant": q}
    return {}


def _matches(case: dict, colour: str, q: str, handler: str) -> bool:
    if colour and (case["clock"]["colour"] != colour or not present.shows_colour(case["clock"])):
        return False
    if handler and case.get("handler") != handler:
        return False
    if q:
        # the number, or the applicant as the API showed them to this caller (masked but for the
        # cases they handle): the search finds nothing the list did not already show
        a = case["applicant"]
        if not any(q.lower() in (v or "").lower() for v in (case["number"], a["name"], a["phone"])):
            return False
    return True


async def _calendar(api: Api, tenant: str, today: date, dues: list[str | None]) -> present.WorkingDays | None:
    days = [datetime.fromisoformat(d).date() for d in dues if d]
    first = min([today, *days]) - timedelta(days=1)
    last = max([today, *days])
    first = max(first, last - timedelta(days=365))  # the API gives at most 366 days at once
    try:
        found = await api.get(
            f"/v1/townships/{seg(tenant)}/calendar", **{"from": first.isoformat(), "to": last.isoformat()}
        )
    except ApiError:
        return None  # the words fall back to calendar days (约)
    return present.WorkingDays.of(found)


_MESSAGES = {f"done-{k}": f"已{v}" for k, v in present.ACTIONS.items()} | {
    "accepted": "已收件并受理",
    "received": "已收件",
    "supplement": "已收件，一次性告知书已生成",
}


def _message(code: str) -> str:
    return _MESSAGES.get(code, "")


def _problem_page(request: Request, s: ConsoleSession, exc: ApiError) -> Response:
    if exc.status == 401:  # the API no longer takes the session's token (revoked, its key retired)
        return session.clear(request, redirect(request, "/console/login?reason=expired"))
    return render(
        request,
        "problem.html.j2",
        s,
        status=exc.status if 400 <= exc.status < 600 else 500,
        message=present.problem_words(exc.code, exc.detail),
    )


# --- taking in a case --------------------------------------------------------------------------


@router.get("/intake")
async def intake_page(request: Request, tenant: str = "", item: str = "") -> Response:
    s = await session.current(request)
    t = _home_tenant(s, tenant)
    if t is None:
        return redirect(request, "/console/county/", s)
    return await _intake_form(request, s, t, item, {}, [], form_key=uuid.uuid4().hex)


async def _intake_form(
    request: Request,
    s: ConsoleSession,
    t: str,
    item: str,
    values: dict,
    chosen: list[str],
    error: str = "",
    form_key: str = "",
) -> Response:
    api = Api(request, s.access)
    try:
        township, (items, _) = await asyncio.gather(
            api.get(f"/v1/townships/{seg(t)}"), api.items(f"/v1/townships/{seg(t)}/catalog/items")
        )
    except ApiError as exc:
        return _problem_page(request, s, exc)
    selected = next((i for i in items if i["code"] == item), None)
    return render(
        request,
        "intake.html.j2",
        s,
        status=422 if error else 200,
        tenant=t,
        township=township,
        items=items,
        item=selected,
        values=values,
        chosen=set(chosen),
        error=error,
        form_key=form_key or uuid.uuid4().hex,
    )


@router.post("/intake")
async def intake(request: Request) -> Response:
    s, form = await _acting(request)
    t = _text(form, "tenant") or _home_tenant(s, "") or ""
    item = _text(form, "item_code")
    values = {
        k: _text(form, k) for k in ("name", "phone", "id_number", "address", "village", "level", "channel")
    }
    chosen = _texts(form, "materials")
    body = {
        "item_code": item,
        "level": values["level"] or "hall",
        "channel": values["channel"] or "walk_in",
        "applicant": {
            "name": values["name"],
            "phone": values["phone"],
            **({"id_number": values["id_number"]} if values["id_number"] else {}),
            **({"address": values["address"]} if values["address"] else {}),
        },
        "materials": chosen,
        "accept": True,  # accepted at once when complete; else the one-time notice (API.md)
        **({"village": values["village"]} if values["village"] else {}),
    }
    key = _text(form, "idempotency_key") or uuid.uuid4().hex  # the form's own: a resubmit creates once
    try:
        case = await Api(request, s.access).post(f"/v1/townships/{seg(t)}/cases", body, idempotency_key=key)
    except ApiError as exc:
        error = present.problem_words(exc.code, exc.detail)
        return await _intake_form(request, s, t, item, values, chosen, error=error, form_key=key)
    base = _case_url(t, case["id"])
    if case["state"] == "supplement_requested":
        return redirect(request, f"{base}/notice?print=1", s)
    return redirect(request, f"{base}?msg={'accepted' if case['state'] == 'accepted' else 'received'}", s)


def _case_url(tenant: str, case_id: str) -> str:
    return f"/console/cases/{quote(tenant, safe='')}/{quote(case_id, safe='')}"


# --- one case ----------------------------------------------------------------------------------


@router.get("/cases/{tenant}/{case_id}")
async def case_page(request: Request, tenant: str, case_id: str, msg: str = "") -> Response:
    s = await session.current(request)
    return await _case_view(request, s, tenant, case_id, message=_message(msg))


async def _case_view(
    request: Request,
    s: ConsoleSession,
    tenant: str,
    case_id: str,
    message: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    api = Api(request, s.access)
    try:
        case = await api.get(f"/v1/townships/{seg(tenant)}/cases/{seg(case_id)}")
    except ApiError as exc:
        return _problem_page(request, s, exc)
    (notices, notices_error), materials = await asyncio.gather(
        _notices(api, tenant, case_id), _materials(api, tenant, case)
    )
    now = _now(request)
    calendar = await _calendar(api, tenant, now.date(), [case["clock"]["due_at"]])
    actions = [
        a for a, states in present.ALLOWED.items() if case["state"] in states and s.has(*present.ACTORS[a])
    ]
    return render(
        request,
        "case.html.j2",
        s,
        status=status,
        tenant=tenant,
        case=case,
        words=present.clock_words(case["clock"], now, calendar),
        actions=actions,
        materials=materials,
        missing=[m for m in materials if m["code"] in case["missing_materials"]],
        notices=notices,
        notices_error=notices_error,
        message=message,
        error=error,
    )


async def _materials(api: Api, tenant: str, case: dict) -> list[dict]:
    """The item's whole checklist with what the case has received (the case lists only those)."""
    received = {m["code"]: m for m in case["materials"]}
    try:
        item = await api.get(f"/v1/townships/{seg(tenant)}/catalog/items/{seg(case['item_code'])}")
        listed = item["materials"]
    except ApiError:
        listed = [{"code": code, "name": code, "required": True} for code in case["missing_materials"]]
        listed += [m | {"required": True} for m in case["materials"]]
    return [
        {
            "code": m["code"],
            "name": m["name"],
            "required": m.get("required", True),
            "received_at": received.get(m["code"], {}).get("received_at"),
        }
        for m in listed
    ]


async def _notices(api: Api, tenant: str, case_id: str) -> tuple[list[dict], str]:
    try:
        found, _ = await api.items(f"/v1/townships/{seg(tenant)}/cases/{seg(case_id)}/notices", limit=50)
    except ApiError as exc:
        return [], present.problem_words(exc.code, None)
    return found, ""


def _action_body(action: str, form: FormData, s: ConsoleSession) -> dict:
    t = lambda name: _text(form, name)  # noqa: E731
    bodies: dict[str, Any] = {
        "accept": dict,
        "archive": dict,
        "request-supplement": lambda: {"note": t("note")},
        "materials": lambda: {"materials": _texts(form, "materials")},
        "refuse": lambda: {"reason": t("reason"), "refer_to": t("refer_to")},
        "assign": lambda: {"handler": t("handler") or s.username},
        "escalate": lambda: {"to_level": t("to_level"), "department": t("department"), "reason": t("reason")},
        "resume": lambda: {"note": t("note")},
        "extend": lambda: {
            "working_days": int(t("working_days")) if t("working_days").isdigit() else 0,
            "reason": t("reason"),
        },
        "complete": lambda: {"outcome": t("outcome") or "approved", "reason": t("reason")},
        "reply": lambda: {"satisfaction": t("satisfaction"), "confirmation": t("confirmation")},
        "return": lambda: {"reason": t("reason")},
        "withdraw": lambda: {"reason": t("reason")},
        "press": lambda: {"note": t("note")},
    }
    return bodies[action]()


@router.post("/cases/{tenant}/{case_id}/act/{action}")
async def act(request: Request, tenant: str, case_id: str, action: str) -> Response:
    s, form = await _acting(request)
    if action not in present.ACTIONS:
        return await _case_view(request, s, tenant, case_id, error="没有这个操作", status=404)
    version = _text(form, "version")
    try:
        await Api(request, s.access).post(
            f"/v1/townships/{seg(tenant)}/cases/{seg(case_id)}/{action}",
            _action_body(action, form, s),
            if_match=int(version) if version.isdigit() else None,
        )
    except ApiError as exc:
        # the page again, as it is now (a stale version shows the newer case), with the reason
        return await _case_view(
            request, s, tenant, case_id, error=present.problem_words(exc.code, exc.detail), status=exc.status
        )
    return redirect(request, f"{_case_url(tenant, case_id)}?msg=done-{action}", s)


@router.get("/cases/{tenant}/{case_id}/notice")
async def supplement_notice(request: Request, tenant: str, case_id: str, print: str = "") -> Response:
    """The one-time notice (一次性告知书) on A4, from the case itself: every missing material, at
    once, to print while the applicant is at the window (notify's PDF of the same notice is on
    the case page once it is made)."""
    s = await session.current(request)
    api = Api(request, s.access)
    try:
        case, township = await asyncio.gather(
            api.get(f"/v1/townships/{seg(tenant)}/cases/{seg(case_id)}"),
            api.get(f"/v1/townships/{seg(tenant)}"),
        )
    except ApiError as exc:
        return _problem_page(request, s, exc)
    materials = await _materials(api, tenant, case)
    listed = [h for h in case["history"] if h["action"] == "request_supplement"]
    return render(
        request,
        "notice.html.j2",
        s,
        tenant=tenant,
        case=case,
        township=township,
        missing=[m for m in materials if m["code"] in case["missing_materials"]],
        issued=listed[0]["at"] if listed else case["created_at"],
        autoprint=bool(print),
    )


@router.get("/cases/{tenant}/{case_id}/notices/{notice_id}.pdf")
async def notice_pdf(request: Request, tenant: str, case_id: str, notice_id: str) -> Response:
    s = await session.current(request)
    reply = await Api(request, s.access).call(
        "GET",
        f"/v1/townships/{seg(tenant)}/cases/{seg(case_id)}/notices/{seg(notice_id)}",
        headers={"Accept": "application/pdf"},
    )
    if reply.status_code != 200 or not reply.headers.get("content-type", "").startswith("application/pdf"):
        problem = reply.json() if reply.headers.get("content-type", "").endswith("json") else {}
        return _problem_page(
            request, s, ApiError(reply.status_code, problem.get("code"), problem.get("detail"))
        )
    headers = {"Content-Disposition": reply.headers.get("content-disposition", "inline")}
    return session.save(request, Response(reply.content, media_type="application/pdf", headers=headers), s)


# --- the inbox ---------------------------------------------------------------------------------


@router.get("/inbox")
async def inbox(request: Request) -> Response:
    s = await session.current(request)
    try:
        box = await Api(request, s.access).get("/v1/me/inbox", page_size=100)
    except ApiError as exc:
        return _problem_page(request, s, exc)
    return render(request, "inbox.html.j2", s, box=box)


@router.post("/inbox/{item_id}/read")
async def inbox_read(request: Request, item_id: str) -> Response:
    s, _ = await _acting(request)
    try:
        await Api(request, s.access).post(f"/v1/me/inbox/{seg(item_id)}/read")
    except ApiError as exc:
        return _problem_page(request, s, exc)
    return redirect(request, "/console/inbox", s)


# --- the county --------------------------------------------------------------------------------


@router.get("/county/")
async def county(request: Request) -> Response:
    """Townships by overdue, then red cases (due today), each a link to its worklist so filtered."""
    s = await session.current(request)
    api = Api(request, s.access)
    try:
        townships, _ = await api.items("/v1/townships")

        async def counts(t: dict) -> dict:
            try:
                (overdue, more_o), (red, more_r) = await asyncio.gather(
                    api.items(f"/v1/townships/{seg(t['id'])}/cases", colour="overdue"),
                    api.items(f"/v1/townships/{seg(t['id'])}/cases", colour="red"),
                )
            except ApiError as exc:  # one township unanswered (just onboarded, …): its row says so
                words = present.problem_words(exc.code, None)
                return {"township": t, "overdue": 0, "red": 0, "capped": False, "error": words}
            open_overdue = [c for c in overdue if c["state"] in present.WORKLIST_STATES]
            open_red = [c for c in red if c["state"] in present.WORKLIST_STATES]
            return {
                "township": t,
                "overdue": len(open_overdue),
                "red": len(open_red),
                "capped": more_o or more_r,
                "error": "",
            }

        rows = list(await asyncio.gather(*(counts(t) for t in townships)))
    except ApiError as exc:
        return _problem_page(request, s, exc)
    rows.sort(key=lambda r: (-r["overdue"], -r["red"], r["township"]["code"]))
    return render(
        request,
        "county.html.j2",
        s,
        rows=rows,
        totals={"overdue": sum(r["overdue"] for r in rows), "red": sum(r["red"] for r in rows)},
        drill=lambda t, colour: "/console/?" + urlencode({"tenant": t, "colour": colour}),
    )


@router.get("/county/onboarding")
async def onboarding_page(request: Request) -> Response:
    s = await session.current(request)
    return render(request, "onboarding.html.j2", s, problems=[], outcomes=[], filename="")


@router.post("/county/onboarding")
async def onboarding(request: Request) -> Response:
    """Check the whole file (every problem listed, nothing sent), then create each township not
    there yet, each with the file's idempotency key (a second upload creates nothing)."""
    s, form = await _acting(request)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return render(
            request, "onboarding.html.j2", s, status=422, problems=["请选择文件"], outcomes=[], filename=""
        )
    content = await upload.read()
    filename = upload.filename
    try:
        townships = await run_in_threadpool(onboarding_file.parse, content, filename)
    except onboarding_file.OnboardingFileError as exc:
        return render(
            request,
            "onboarding.html.j2",
            s,
            status=422,
            problems=exc.problems,
            outcomes=[],
            filename=filename,
        )
    county = s.county
    if county is None or not s.has("county_admin"):
        error = ApiError(403, "forbidden", "onboarding townships needs a county_admin")
        return _problem_page(request, s, error)
    api = Api(request, s.access)
    outcomes = [await _onboard(api, county, t, content) for t in townships]
    return render(request, "onboarding.html.j2", s, problems=[], outcomes=outcomes, filename=filename)


async def _onboard(api: Api, county: str, township: dict, content: bytes) -> dict:
    tenant = f"{county}.{township['code']}"
    row = {
        "code": township["code"],
        "name": township["name"],
        "tenant": tenant,
        "villages": len(township["villages"]),
    }
    exists = await api.call("GET", f"/v1/townships/{seg(tenant)}")
    if exists.status_code == 200:
        return row | {"result": "已存在", "detail": ""}
    try:
        await api.post(
            "/v1/townships",
            township,
            idempotency_key=onboarding_file.idempotency_key(content, township["code"]),
        )
    except ApiError as exc:
        return row | {"result": "失败", "detail": present.problem_words(exc.code, exc.detail)}
    return row | {"result": "已创建", "detail": ""}


# --- installing it -----------------------------------------------------------------------------


def install(app: Any) -> None:
    """Mount the console on the gateway app: its pages, its static files, its session plumbing."""
    from starlette.staticfiles import StaticFiles

    from libs.common.sealing import Sealer
    from libs.common.settings import Settings

    runtime = app.state.gateway.runtime
    app.state.console_sealer = Sealer.deferred(runtime.settings if runtime else Settings())  # type: ignore[call-arg]
    app.state.console_refreshed = {}
    from services.gateway.entrypoints.console import admin, agent

    app.include_router(router)
    app.include_router(agent.router)
    app.include_router(admin.router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")

    async def login_required(request: Request, exc: Exception) -> Response:
        response = redirect(
            request, "/console/login" + ("?reason=expired" if getattr(exc, "reason", "") else "")
        )
        return session.clear(request, response)

    async def csrf_rejected(request: Request, exc: Exception) -> Response:
        s = getattr(request.state, "console_session", None)
        return render(
            request,
            "problem.html.j2",
            s,
            status=403,
            message="页面已过期或来源不明（CSRF 校验未通过），请刷新后重试",
        )

    async def api_refused(request: Request, exc: Exception) -> Response:
        s = getattr(request.state, "console_session", None)
        assert isinstance(exc, ApiError)
        if s is None:  # no session to show the refusal to
            return await login_required(request, LoginRequired())
        return _problem_page(request, s, exc)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(ApiError, api_refused)
    app.add_exception_handler(CsrfRejected, csrf_rejected)
