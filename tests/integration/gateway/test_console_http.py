"""The staff console over HTTP (FastAPI's TestClient) on a gateway whose intake, notify and
appraisal are real (inprocess.py): logging in and out, the session cookie, CSRF on every form,
escaping, the Content-Security-Policy, access (the console does what the caller's token allows
and nothing else), If-Match, a window staff member's case from intake to completion, the county
dashboard and the onboarding upload."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from libs.common.runtime import Runtime
from services.gateway.entrypoints.console import session as console_session
from tests.integration.gateway import console_world
from tests.integration.gateway.console_world import HOUSEHOLD, ID_CARD, ConsoleWorld
from tests.integration.gateway.inprocess import deliver, gateway_with_intake
from tests.integration.gateway.support import PASSWORD, login, unique_code

pytestmark = pytest.mark.integration
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def stack(runtime: Runtime, gateway_keys) -> Iterator[tuple[TestClient, ConsoleWorld]]:  # type: ignore[no-untyped-def]
    with gateway_with_intake(runtime, gateway_keys) as app, TestClient(app) as client:
        yield client, console_world.build(runtime, client)


@pytest.fixture
def world(stack: tuple[TestClient, ConsoleWorld]) -> ConsoleWorld:
    return stack[1]


def browser(stack: tuple[TestClient, ConsoleWorld]) -> TestClient:
    """A client of its own (its own cookies), on the module's app; no lifespan of its own."""
    return TestClient(stack[0].app, follow_redirects=False)


def csrf_of(page: Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def sealed_session(stack: tuple[TestClient, ConsoleWorld], c: TestClient) -> dict:
    """The fields of the session cookie (set quoted: a Fernet token ends in '=')."""
    return stack[0].app.state.console_sealer.open(c.cookies.get(console_session.COOKIE).strip('"'))


def replace_session(c: TestClient, value: str) -> None:
    c.cookies.delete(console_session.COOKIE)
    c.cookies.set(console_session.COOKIE, value, domain="testserver.local", path="/console")


def log_in(c: TestClient, username: str, password: str = PASSWORD) -> Response:
    page = c.get("/console/login")
    return c.post("/console/login", data={"csrf": csrf_of(page), "username": username, "password": password})


def logged_in(stack: tuple[TestClient, ConsoleWorld], role: str) -> TestClient:
    c = browser(stack)
    r = log_in(c, stack[1].users[role])
    assert r.status_code == 303, r.text
    return c


def take_in(
    c: TestClient, world: ConsoleWorld, name: str = "李四", materials: tuple[str, ...] = (ID_CARD,)
) -> str:
    """Take in a case through the intake form; returns the case page's path."""
    form = c.get(f"/console/intake?tenant={world.own}&item={world.item}")
    assert form.status_code == 200, form.text
    data = {
        "csrf": csrf_of(form),
        "tenant": world.own,
        "item_code": world.item,
        "name": name,
        "phone": "13912345678",
        "level": "hall",
        "channel": "walk_in",
        "materials": list(materials),
    }
    r = c.post("/console/intake", data=data)
    assert r.status_code == 303, r.text
    return r.headers["location"].split("?")[0].removesuffix("/notice")


def act(c: TestClient, case_path: str, action: str, **fields: object) -> Response:
    page = c.get(case_path)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    data = {"csrf": csrf_of(page), "version": version.group(1) if version else "", **fields}
    return c.post(f"{case_path}/act/{action}", data=data)


def api_case(stack: tuple[TestClient, ConsoleWorld], case_path: str) -> dict:
    tenant, case_id = case_path.split("/")[-2:]
    headers = login(stack[0], stack[1].users["township_admin"])
    r = stack[0].get(f"/v1/townships/{tenant}/cases/{case_id}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


# --- login, the cookie, logout, expiry ----------------------------------------------------------


def test_a_page_without_a_session_sends_to_the_login_page(stack) -> None:  # type: ignore[no-untyped-def]
    c = browser(stack)
    for path in ("/console/", "/console/inbox", "/console/county/", f"/console/cases/{stack[1].own}/x"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/console/login", path


def test_login_sets_an_httponly_samesite_cookie_and_shows_the_worklist(stack) -> None:  # type: ignore[no-untyped-def]
    c = browser(stack)
    page = c.get("/console/login")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text and "工作人员登录" in page.text
    r = c.post(
        "/console/login",
        data={"csrf": csrf_of(page), "username": stack[1].users["window_staff"], "password": PASSWORD},
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/"
    cookie = next(
        v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("bianmin_console=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    home = c.get("/console/")
    assert home.status_code == 200 and "今日工作" in home.text and "那坡镇" in home.text
    again = c.get("/console/login")  # logged in already
    assert again.status_code == 303 and again.headers["location"] == "/console/"


def test_a_wrong_password_or_a_missing_csrf_token_logs_nobody_in(stack) -> None:  # type: ignore[no-untyped-def]
    c = browser(stack)
    r = log_in(c, stack[1].users["window_staff"], "not the password")
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    assert "bianmin_console=" not in r.headers.get("set-cookie", "")
    c.get("/console/login")
    r = c.post("/console/login", data={"username": stack[1].users["window_staff"], "password": PASSWORD})
    assert r.status_code == 400 and "bianmin_console=" not in r.headers.get("set-cookie", "")


def test_logout_is_a_form_with_csrf_and_revokes_the_refresh_token(stack) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "window_staff")
    home = c.get("/console/")
    refresh = sealed_session(stack, c)["refresh"]
    assert c.post("/console/logout", data={"csrf": "forged"}).status_code == 403  # still logged in
    assert c.get("/console/").status_code == 200
    r = c.post("/console/logout", data={"csrf": csrf_of(home)})
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    assert c.get("/console/").status_code == 303
    spent = stack[0].post("/v1/auth/refresh", json={"refresh_token": refresh})
    assert spent.status_code == 401


def test_an_expired_access_token_is_refreshed_and_a_dead_session_ends(stack) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "window_staff")
    sealer = stack[0].app.state.console_sealer
    fields = sealed_session(stack, c)
    # the access token about to expire: the next page refreshes it (a new cookie, a new refresh token)
    replace_session(c, sealer.seal(fields | {"expires_at": time.time()}))
    r = c.get("/console/")
    assert r.status_code == 200
    renewed = sealed_session(stack, c)
    assert renewed["refresh"] != fields["refresh"] and renewed["expires_at"] > time.time() + 60
    assert renewed["csrf"] == fields["csrf"]  # the forms already on screen still post
    # a session the API no longer honours (the spent refresh token): back to the login page
    replace_session(c, sealer.seal(fields | {"expires_at": 0, "refresh": "spent"}))
    r = c.get("/console/")
    assert r.status_code == 303 and r.headers["location"] == "/console/login?reason=expired"
    # an access token the API does not take (here: not a token at all): the session ends too
    replace_session(c, sealer.seal(fields | {"access": "not-a-token", "expires_at": time.time() + 600}))
    r = c.get("/console/")
    assert r.status_code == 303 and r.headers["location"] == "/console/login?reason=expired"
    # a forged cookie (not sealed with the deployment's keys) is no session at all
    replace_session(c, "forged")
    assert c.get("/console/").headers["location"] == "/console/login"


def test_the_console_pages_carry_a_csp_without_inline_script_and_no_other_origin(stack) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "window_staff")
    for path in (
        "/console/login",
        "/console/",
        f"/console/intake?tenant={stack[1].own}&item={stack[1].item}",
    ):
        r = c.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and r.headers["cache-control"] == "no-store"
        assert not re.search(r"<script(?![^>]*\bsrc=\"/console/static/)", r.text), "an inline script"
        assert not re.search(r"(src|href|action)=\"(https?:)?//", r.text), "an asset from another origin"
        assert " style=" not in r.text
    js = c.get("/console/static/htmx.min.js")
    assert js.status_code == 200 and js.headers["cache-control"].startswith("public")
    assert c.get("/console/static/LICENSE-htmx.txt").text.startswith("Zero-Clause BSD")


def test_a_page_is_charged_once_however_many_api_calls_it_makes(stack) -> None:  # type: ignore[no-untyped-def]
    from libs.common.rate import TokenBuckets

    c = logged_in(stack, "window_staff")
    limits = stack[0].app.state.limits
    lifted = limits.by_ip
    limits.by_ip = TokenBuckets(0.001, 3)  # three requests per IP, then (nearly) none
    try:
        # a worklist makes ten API calls (the township, seven states, the calendar): still three pages
        for _ in range(3):
            assert c.get("/console/").status_code == 200
        refused = c.get("/console/")
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    finally:
        limits.by_ip = lifted


# --- a window staff member's case -----------------------------------------------------------------


def test_a_case_from_intake_with_a_missing_material_to_completion(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "window_staff")
    form = c.get(f"/console/intake?tenant={world.own}&item={world.item}")
    assert "申请人身份证明" in form.text and "户口簿" in form.text and "（必需）" in form.text
    data = {
        "csrf": csrf_of(form), "tenant": world.own, "item_code": world.item, "name": "李四",
        "phone": "13912345678", "materials": [ID_CARD],
    }  # fmt: skip
    r = c.post("/console/intake", data=data)
    assert r.status_code == 303 and r.headers["location"].endswith("/notice?print=1")
    notice = c.get(r.headers["location"])
    assert "一次性告知书" in notice.text and "户口簿" in notice.text and "申请人身份证明" not in notice.text
    assert 'class="print-page autoprint"' in notice.text and "李四" in notice.text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", notice.text)
    case_path = r.headers["location"].removesuffix("/notice?print=1")
    assert api_case(stack, case_path)["state"] == "supplement_requested"
    page = c.get(case_path)
    assert "待补正" in page.text and "补齐材料" in page.text and "不予受理" in page.text
    assert ">受理</button>" not in page.text  # not from this state

    assert act(c, case_path, "materials", materials=[HOUSEHOLD]).status_code == 303
    assert api_case(stack, case_path)["state"] == "received"
    assert act(c, case_path, "accept").status_code == 303
    accepted = api_case(stack, case_path)
    assert accepted["state"] == "accepted" and accepted["clock"]["state"] == "running"
    page = c.get(case_path)
    assert "剩余" in page.text and "个工作日" in page.text and "chip-green" in page.text
    assert act(c, case_path, "assign", handler=world.users["window_staff"]).status_code == 303
    # a denial needs its reason: the API's validation_error, shown, and nothing changes
    r = act(c, case_path, "complete", outcome="denied", reason="")
    assert r.status_code == 422 and "填写有误" in r.text
    assert api_case(stack, case_path)["state"] == "in_progress"
    assert act(c, case_path, "complete", outcome="approved").status_code == 303
    done = api_case(stack, case_path)
    assert done["state"] == "completed" and done["outcome"] == "approved"
    history = c.get(case_path).text
    for words in ("收件", "一次性告知补正", "补齐材料", "受理", "指派承办人", "办结"):
        assert words in history


def test_the_case_page_lists_notifys_notices_and_prints_their_pdf(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "window_staff")
    case_path = take_in(c, world, materials=(ID_CARD,))
    assert "暂无通知书" in c.get(case_path).text
    deliver(world.runtime, "intake", "notify", [world.own])  # what the relay does
    page = c.get(case_path)
    link = re.search(r'href="([^"]+\.pdf)">打印（PDF）', page.text)
    assert "一次性告知书" in page.text and link, page.text
    pdf = c.get(link.group(1))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert c.get(case_path + "/notices/nope.pdf").status_code in (404, 422)
    # a dot segment from the browser climbs nowhere: it names nothing
    assert c.get(f"/console/cases/{world.own}/%2E%2E/notices/x.pdf").status_code == 404
    assert c.get("/console/", params={"tenant": ".."}).status_code == 404


def test_the_worklist_counts_sorts_filters_and_searches(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "window_staff")
    first = take_in(c, world, name="王五", materials=(ID_CARD, HOUSEHOLD))
    second = take_in(c, world, name="赵六", materials=(ID_CARD, HOUSEHOLD))
    number = api_case(stack, second)["number"]
    page = c.get("/console/")
    assert page.status_code == 200
    assert "已受理" in page.text and re.search(r'<span class="n">\d+</span> 已受理', page.text)
    assert page.text.index(api_case(stack, first)["number"]) < page.text.index(number)  # by deadline
    found = c.get("/console/", params={"q": number})
    assert number in found.text and api_case(stack, first)["number"] not in found.text
    by_name = c.get("/console/", params={"q": "赵六"})  # the caller's own case: the name is in clear
    assert number in by_name.text and api_case(stack, first)["number"] not in by_name.text
    colleague = logged_in(stack, "township_admin")  # handles neither: found by the API, shown masked
    theirs = colleague.get("/console/", params={"q": "赵六"})
    assert number in theirs.text and theirs.text.count("赵六") == 1  # only in the search box they typed
    none = c.get("/console/", params={"state": "escalated"})
    assert number not in none.text and "没有符合条件的案件" in none.text
    green = c.get("/console/", params={"colour": "green"})
    assert number in green.text
    # htmx asks for the same page; the filter form swaps the table in
    assert 'hx-get="/console/"' in page.text and 'hx-select="#worklist"' in page.text


def test_an_applicant_named_script_stays_text(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "window_staff")
    name = '<script>alert("x")</script>'
    case_path = take_in(c, world, name=name)
    for page in (c.get(case_path), c.get(f"{case_path}/notice"), c.get("/console/", params={"q": name})):
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


def test_every_form_needs_the_sessions_csrf_token(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "window_staff")
    case_path = take_in(c, world, materials=(ID_CARD,))
    version = str(api_case(stack, case_path)["version"])
    other = logged_in(stack, "township_admin")
    foreign = csrf_of(other.get("/console/"))  # a real token, of another session
    for token in (None, "", "forged", foreign):
        data = {"version": version, "materials": [HOUSEHOLD]} | ({"csrf": token} if token is not None else {})
        r = c.post(f"{case_path}/act/materials", data=data)
        assert r.status_code == 403 and "CSRF" in r.text
    r = c.post(
        "/console/intake", data={"tenant": world.own, "item_code": world.item, "name": "x", "phone": "1"}
    )
    assert r.status_code == 403
    page = c.get(case_path)
    r = c.post(
        f"{case_path}/act/materials",
        data={"csrf": csrf_of(page), "version": version, "materials": [HOUSEHOLD]},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    assert api_case(stack, case_path)["state"] == "supplement_requested"  # nothing changed


def test_a_stale_version_is_refused_and_the_page_shows_the_case_as_it_is(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "window_staff")
    case_path = take_in(c, world, materials=(ID_CARD, HOUSEHOLD))
    stale = c.get(case_path)
    assert act(c, case_path, "assign", handler=world.users["window_staff"]).status_code == 303
    version = re.search(r'name="version" value="(\d+)"', stale.text)
    assert version is not None
    data = {"csrf": csrf_of(stale), "version": version.group(1), "reason": "申请人要求"}
    r = c.post(f"{case_path}/act/return", data=data)
    assert r.status_code == 412 and "已被他人更新" in r.text and "办理中" in r.text
    assert api_case(stack, case_path)["state"] == "in_progress"


# --- access: what the caller's token allows, and nothing else -----------------------------------


def test_the_console_can_do_nothing_the_token_cannot(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    staff = logged_in(stack, "window_staff")
    case_path = take_in(staff, world, materials=(ID_CARD,))
    # the intake desk takes cases in but does not act on them: no action offered, and a forged
    # post (with its own valid CSRF token) gets the API's refusal, changing nothing
    desk = logged_in(stack, "intake_desk")
    page = desk.get(case_path)
    assert page.status_code == 200 and "可办理的操作" not in page.text
    r = act(desk, case_path, "materials", materials=[HOUSEHOLD])
    assert r.status_code == 403 and "无此权限" in r.text
    assert api_case(stack, case_path)["state"] == "supplement_requested"
    # another township's window staff: the case does not exist for them (not_found, no leak)
    other = browser(stack)
    assert log_in(other, world.other_staff).status_code == 303
    r = other.get(case_path)
    assert r.status_code == 404 and "李四" not in r.text
    assert other.get(f"/console/?tenant={world.own}").status_code == 404
    r = act(other, case_path, "refuse", reason="x")
    assert r.status_code == 404
    assert api_case(stack, case_path)["state"] == "supplement_requested"
    # a window staff member cannot onboard townships
    r = staff.post(
        "/console/county/onboarding",
        data={"csrf": csrf_of(staff.get("/console/"))},
        files={"file": ("t.yaml", b"townships:\n  - {code: zz, name: x}\n")},
    )
    assert r.status_code == 403


# --- the county ---------------------------------------------------------------------------------


def overdue(world: ConsoleWorld, case_path: str, days: int) -> None:
    """Move the case's deadline `days` back (what the calendar's days passing would do)."""
    import sqlalchemy as sa

    from libs.common import db

    with db.transaction(world.runtime.ops_sessions, None) as s:
        s.execute(
            sa.text(
                "UPDATE intake.case_clock SET due_at = now() - make_interval(days => :d),"
                " warn_at = now() - make_interval(days => :d + 1) WHERE case_id = :id"
            ),
            {"d": days, "id": case_path.split("/")[-1]},
        )


def test_the_supervisors_dashboard_lists_townships_with_a_drill_down(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    staff = logged_in(stack, "window_staff")
    late = take_in(staff, world, name="迟办", materials=(ID_CARD, HOUSEHOLD))
    overdue(world, late, 3)
    number = api_case(stack, late)["number"]
    c = logged_in(stack, "county_supervisor")
    home = c.get("/console/")
    assert home.status_code == 303 and home.headers["location"] == "/console/county/"
    page = c.get("/console/county/")
    assert page.status_code == 200 and "那坡镇" in page.text and "百都乡" in page.text
    assert f"/console/?tenant={world.own}&amp;colour=overdue" in page.text
    # the township with the overdue case comes first, its count a link to the cases themselves
    assert page.text.index("那坡镇") < page.text.index("百都乡")
    assert re.search(r"colour=overdue\">[1-9]\d*件</a>", page.text)
    drill = c.get("/console/", params={"tenant": world.own, "colour": "overdue"})
    assert drill.status_code == 200 and "那坡镇" in drill.text and "收件（新案件）" not in drill.text
    assert (
        number in drill.text
        and "chip-overdue" in drill.text
        and re.search(r"已超期\d+天|今日已超期", drill.text)
    )
    # a township intake does not know yet (just onboarded, its events not delivered): its row says
    # so, and the other townships are still counted
    admin = login(stack[0], world.users["county_admin"])
    r = stack[0].post(
        "/v1/townships", json={"code": f"n{time.time_ns() % 10**9}", "name": "新立乡"}, headers=admin
    )
    assert r.status_code == 201, r.text
    page = c.get("/console/county/")
    assert page.status_code == 200 and "新立乡" in page.text and "那坡镇" in page.text
    assert re.search(r'<td colspan="2" class="hint">[^<]+</td>', page.text)


def test_onboarding_lists_every_problem_then_creates_once(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "county_admin")
    page = c.get("/console/county/onboarding")
    bad = b"townships:\n  - {code: 'Bad Code', name: x}\n  - {code: ok1}\n  - {code: ok1, name: y}\n"
    r = c.post("/console/county/onboarding", data={"csrf": csrf_of(page)}, files={"file": ("bad.yaml", bad)})
    assert r.status_code == 422 and "发现3处问题" in r.text and "未创建任何乡镇" in r.text
    assert "townships[0].code" in r.text and "townships[1].name" in r.text and "duplicate" in r.text
    code = f"on{time.time_ns() % 10**9}"
    good = f"townships:\n  - code: {code}\n    name: 平孟镇\n    villages: [{{code: v1, name: 那布村}}]\n"
    good = good.encode()
    r = c.post("/console/county/onboarding", data={"csrf": csrf_of(page)}, files={"file": ("t.yaml", good)})
    assert r.status_code == 200 and "已创建" in r.text and f"{world.county}.{code}" in r.text
    r = c.post("/console/county/onboarding", data={"csrf": csrf_of(page)}, files={"file": ("t.yaml", good)})
    assert r.status_code == 200 and "已存在" in r.text and "已创建" not in r.text


# --- a village agent's phone view --------------------------------------------------------------


def delegation_form(world: ConsoleWorld, page: Response, name: str = "韦阿婆", **extra: object) -> dict:
    return {
        "csrf": csrf_of(page),
        "tenant": world.own,
        "item_code": world.proxy_item,
        "name": name,
        "phone": "13612345678",
        "consent_method": "thumbprint",
        "consent_at": (
            datetime.now(ZoneInfo(world.runtime.settings.timezone)) - timedelta(minutes=3)
        ).strftime("%Y-%m-%dT%H:%M"),
        "materials": [ID_CARD],
    } | extra


def agent_delegations(stack: tuple[TestClient, ConsoleWorld], name: str) -> list[dict]:
    world = stack[1]
    headers = login(stack[0], world.users["proxy_agent"])
    r = stack[0].get(f"/v1/townships/{world.own}/proxy/delegations", headers=headers)
    assert r.status_code == 200, r.text
    return [d for d in r.json()["items"] if d["applicant"]["name"] == name]


def test_the_agents_page_has_the_consent_form_households_and_visits_due(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "proxy_agent")
    page = c.get("/console/agent/")
    assert page.status_code == 200, page.text
    text = page.text
    assert 'name="viewport"' in text and 'data-offline="delegation"' in text
    assert "代办委托单" in text and 'name="consent_method"' in text and "低保申请" in text
    assert "户口迁入登记" not in text  # not proxyable: not offered
    assert "黄大爷" in text and "五保" in text and "从未走访" in text  # the agent's own household, unmasked
    assert "今日送件清单" in text and "立即同步" in text and "/console/static/agent.js" in text
    assert ">代办</a>" in c.get("/console/").text  # the nav leads there
    sw = c.get("/console/agent/sw.js")
    assert sw.status_code == 200 and "javascript" in sw.headers["content-type"]


def test_a_queued_delegation_sent_twice_with_its_key_is_created_once(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "proxy_agent")
    page = c.get("/console/agent/")
    form = delegation_form(world, page, name="覃秀英")
    sync = {"Accept": "application/json", "Idempotency-Key": "device-key-1"}
    first = c.post("/console/agent/delegations", data=form, headers=sync)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["ok"] and body["case_number"] and body["state"] == "awaiting_trip"
    again = c.post("/console/agent/delegations", data=form, headers=sync)  # the answer was lost: sent again
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    (made,) = agent_delegations(stack, "覃秀英")
    assert made["consent"]["method"] == "thumbprint" and made["materials"] == [ID_CARD]
    # the page lists it and its trip's manifest (the next trip day's)
    text = c.get("/console/agent/").text
    assert body["case_number"] in text and "待送件" in text and "下一送件日" in text
    # a plain form post (no script) with the key in the form: once too, then back to the page
    plain = delegation_form(world, page, name="蒙大姐", idempotency_key="device-key-2")
    for _ in range(2):
        r = c.post("/console/agent/delegations", data=plain)
        assert r.status_code == 303 and r.headers["location"].endswith("msg=delegated")
    assert len(agent_delegations(stack, "蒙大姐")) == 1


def test_a_refused_delegation_answers_why_and_creates_nothing(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "proxy_agent")
    page = c.get("/console/agent/")
    sync = {"Accept": "application/json", "Idempotency-Key": "device-key-3"}
    future = (datetime.now(ZoneInfo(world.runtime.settings.timezone)) + timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    r = c.post(
        "/console/agent/delegations",
        data=delegation_form(world, page, "黎未来", consent_at=future),
        headers=sync,
    )
    assert (
        r.status_code == 422
        and r.json()["code"] == "validation_error"
        and r.json()["words"].startswith("填写有误")
    )
    r = c.post(
        "/console/agent/delegations", data=delegation_form(world, page, "黎未来", consent_at=""), headers=sync
    )
    assert r.status_code == 422 and "签字" in r.json()["words"]
    # without script: the page again, saying why, the values kept
    r = c.post("/console/agent/delegations", data=delegation_form(world, page, "黎未来", consent_at=future))
    assert r.status_code == 422 and "填写有误" in r.text and 'value="黎未来"' in r.text
    assert agent_delegations(stack, "黎未来") == []
    # without the session's CSRF token: refused, nothing created
    r = c.post(
        "/console/agent/delegations", data=delegation_form(world, page, "黎无令", csrf="x"), headers=sync
    )
    assert r.status_code == 403 and agent_delegations(stack, "黎无令") == []
    # a window clerk is no agent: the API refuses, the console shows it
    clerk = logged_in(stack, "window_staff")
    clerk_page = clerk.get("/console/agent/")
    assert clerk_page.status_code == 200 and 'data-offline="delegation"' not in clerk_page.text
    r = clerk.post(
        "/console/agent/delegations", data=delegation_form(world, clerk_page, "黎窗口"), headers=sync
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_a_visit_is_recorded_once_and_leaves_the_due_list(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "proxy_agent")
    page = c.get("/console/agent/")
    assert f'id="visit-{world.household}"' in page.text
    at = (datetime.now(ZoneInfo(world.runtime.settings.timezone)) - timedelta(minutes=10)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    form = {
        "csrf": csrf_of(page),
        "tenant": world.own,
        "household": world.household,
        "at": at,
        "needs": "修路，低保",
    }
    sync = {"Accept": "application/json", "Idempotency-Key": "visit-key-1"}
    first = c.post("/console/agent/visits", data=form, headers=sync)
    assert first.status_code == 201, first.text
    assert c.post("/console/agent/visits", data=form, headers=sync).json()["id"] == first.json()["id"]
    assert f'id="visit-{world.household}"' not in c.get("/console/agent/").text


# --- a township admin's screens ----------------------------------------------------------------


def admin_post(c: TestClient, world: ConsoleWorld, form: str, **fields: object) -> Response:
    page = c.get(f"/console/admin/?tenant={world.own}")
    assert page.status_code == 200, page.text
    return c.post(f"/console/admin/{form}", data={"csrf": csrf_of(page), "tenant": world.own, **fields})


def test_a_township_admin_sets_up_villages_posts_settings_days_and_the_rota(
    stack, world: ConsoleWorld
) -> None:  # type: ignore[no-untyped-def]
    client = stack[0]
    c = logged_in(stack, "township_admin")
    page = c.get("/console/admin/")
    assert page.status_code == 200, page.text
    for words in (
        "人员与角色",
        "窗口与AB岗",
        "一号窗口",
        "百云村",
        "代办送件日",
        "带班表",
        world.users["window_staff"],
    ):
        assert words in page.text, words
    assert ">乡镇管理</a>" in page.text
    api = login(client, world.users["township_admin"])
    base = f"/v1/townships/{world.own}"

    r = admin_post(c, world, "village", code="longhe", name="龙合村")
    assert r.status_code == 303 and "msg=village" in r.headers["location"], r.text
    assert "龙合村" in {v["name"] for v in client.get(f"{base}/villages", headers=api).json()["items"]}

    b = unique_code("b")
    r = admin_post(
        c,
        world,
        "staff",
        username=b,
        password=PASSWORD,
        name="农晓",
        phone="13811112222",
        roles=["window_staff"],
        window="w1",
    )
    assert r.status_code == 303 and "msg=staff" in r.headers["location"], r.text
    (made,) = [p for p in client.get(f"{base}/staff", headers=api).json()["items"] if p["username"] == b]
    assert (made["roles"], made["window"], made["phone"]) == (["window_staff"], "w1", "138****2222")
    a = world.users["window_staff"]
    r = admin_post(c, world, "posts", window="w1", a=a, b=b)
    assert r.status_code == 303, r.text
    (w1,) = [w for w in client.get(f"{base}/windows", headers=api).json()["items"] if w["code"] == "w1"]
    assert w1["posts"] == {"a": a, "b": b}

    r = admin_post(
        c,
        world,
        "settings",
        office_hours="08:30-12:00，14:30-17:30",
        sign_in_times="08:30 14:30",
        warn_ratio="0.7",
        visit_round_days="10",
        trip_days=["mon", "thu"],
    )
    assert r.status_code == 303, r.text
    got = client.get(f"{base}/settings", headers=api).json()
    assert got["office_hours"] == [["08:30", "12:00"], ["14:30", "17:30"]]
    assert (got["trip_days"], got["warn_ratio"], got["visit_round_days"]) == (["mon", "thu"], 0.7, 10)
    r = admin_post(c, world, "settings", office_hours="全天", warn_ratio="很高", trip_days=["mon"])
    assert r.status_code == 422 and "填写有误" in r.text  # the API's refusal, in words; nothing changed
    assert client.get(f"{base}/settings", headers=api).json()["trip_days"] == ["mon", "thu"]

    day = (date.today() + timedelta(days=20)).isoformat()
    r = admin_post(c, world, "day", date=day, kind="off", reason="乡镇集中培训")
    assert r.status_code == 303, r.text
    listed = client.get(f"{base}/calendar", params={"from": day, "to": day}, headers=api).json()
    assert (listed[0]["working"], listed[0]["source"]) == (False, "township")
    assert "本乡镇" in c.get("/console/admin/").text
    r = admin_post(c, world, "day-removed", date=day)
    assert r.status_code == 303, r.text
    assert (
        client.get(f"{base}/calendar", params={"from": day, "to": day}, headers=api).json()[0]["source"]
        != "township"
    )

    first = (date.today().replace(day=1) + timedelta(days=40)).replace(day=1)
    month = f"{first:%Y-%m}"
    leader = world.users["township_admin"]
    duty = {f"duty-{first.isoformat()}": leader, f"duty-{(first + timedelta(days=1)).isoformat()}": leader}
    r = admin_post(c, world, "rota", month=month, **duty)
    assert r.status_code == 303 and f"month={month}" in r.headers["location"], r.text
    rota = client.get(
        f"{base}/duty-rota",
        params={"from": first.isoformat(), "to": (first + timedelta(days=5)).isoformat()},
        headers=api,
    ).json()
    assert [d["date"] for d in rota["days"]] == [first.isoformat(), (first + timedelta(days=1)).isoformat()]
    shown = c.get(f"/console/admin/?month={month}").text
    assert f'<option value="{leader}" selected>' in shown


def test_a_window_clerk_sees_the_township_but_changes_nothing(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(stack, "window_staff")
    page = c.get("/console/admin/")
    assert page.status_code == 200 and "一号窗口" in page.text
    assert 'id="form-staff"' not in page.text and "修改需乡镇管理员" in page.text
    r = admin_post(c, world, "village", code="clerkcun", name="窗口村")
    assert r.status_code == 403 and "无此权限" in r.text
    api = login(stack[0], stack[1].users["township_admin"])
    names = {
        v["name"] for v in stack[0].get(f"/v1/townships/{world.own}/villages", headers=api).json()["items"]
    }
    assert "窗口村" not in names
    # another township's admin screens: not found, as through the API
    assert c.get(f"/console/admin/?tenant={world.other}").status_code == 404


def test_an_agent_delivers_the_trip_then_records_the_card_and_files_it(stack, world: ConsoleWorld) -> None:  # type: ignore[no-untyped-def]
    client = stack[0]
    c = logged_in(stack, "proxy_agent")
    page = c.get("/console/agent/")
    sync = {"Accept": "application/json", "Idempotency-Key": "device-key-card"}
    made = c.post(
        "/console/agent/delegations", data=delegation_form(world, page, "陆卡片"), headers=sync
    ).json()
    base = f"/v1/townships/{world.own}"
    agent_api = login(client, world.users["proxy_agent"])
    trip_date = client.get(f"{base}/proxy/delegations/{made['id']}", headers=agent_api).json()["trip_date"]
    (trip,) = [
        t
        for t in client.get(f"{base}/proxy/trips", params={"date": trip_date}, headers=agent_api).json()[
            "items"
        ]
        if made["id"] in {e["id"] for e in t["delegations"]}
    ]
    page = c.get("/console/agent/")
    assert f"/console/agent/trips/{trip['id']}/deliver" in page.text
    r = c.post(
        f"/console/agent/trips/{trip['id']}/deliver", data={"csrf": csrf_of(page), "tenant": world.own}
    )
    assert r.status_code == 303 and r.headers["location"].endswith("msg=delivered"), r.text
    # the township does the case; its events reach proxy (as the relay would)
    clerk = login(client, world.users["window_staff"])
    case_id = client.get(f"{base}/proxy/delegations/{made['id']}", headers=agent_api).json()["case_id"]
    case_url = f"{base}/cases/{case_id}"
    version = client.get(case_url, headers=clerk).json()["version"]
    for action, extra in (
        ("accept", {}),
        ("assign", {"handler": world.users["window_staff"]}),
        ("complete", {"outcome": "approved"}),
    ):
        r = client.post(f"{case_url}/{action}", json=extra, headers=clerk | {"If-Match": f'"{version}"'})
        assert r.status_code == 200, (action, r.text)
        version = r.json()["version"]
    deliver(world.runtime, "intake", "proxy", [world.own])
    page = c.get("/console/agent/")
    assert f'id="reply-{made["id"]}"' in page.text and "结果已返回" in page.text
    found = re.search(
        rf'action="/console/agent/delegations/{made["id"]}/reply".*?name="version" value="(\d+)"',
        page.text,
        re.S,
    )
    assert found, page.text
    at = datetime.now(ZoneInfo(world.runtime.settings.timezone)).strftime("%Y-%m-%dT%H:%M")
    card = {"csrf": csrf_of(page), "tenant": world.own, "version": found.group(1), "at": at}
    r = c.post(
        f"/console/agent/delegations/{made['id']}/reply",
        data=card | {"method": "signature", "satisfaction": "satisfied"},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("msg=reply"), r.text
    # the same card again, from the page as it was: refused (the version moved on), nothing changes
    r = c.post(
        f"/console/agent/delegations/{made['id']}/reply",
        data=card | {"method": "signature", "satisfaction": "dissatisfied"},
    )
    assert r.status_code in (409, 412) and "alert" in r.text
    got = client.get(f"{base}/proxy/delegations/{made['id']}", headers=agent_api).json()
    assert (got["state"], got["satisfaction"]) == ("replied", "satisfied")
    page = c.get("/console/agent/")
    assert f'id="file-{made["id"]}"' in page.text
    r = c.post(
        f"/console/agent/delegations/{made['id']}/file",
        data={"csrf": csrf_of(page), "tenant": world.own, "version": str(got["version"])},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("msg=file"), r.text
    assert client.get(f"{base}/proxy/delegations/{made['id']}", headers=agent_api).json()["state"] == "filed"
