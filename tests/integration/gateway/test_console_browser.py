"""The staff console in a real browser: Debian's headless Chromium driven by Selenium through
Debian's chromedriver (tests/support/ensure_chromium.sh installs both; nothing is downloaded).
The gateway (with intake, notify and appraisal in process, inprocess.py) is served by uvicorn on
a loopback port, exactly as `make run` serves it.

A window staff member's day: log in, take in a case with a missing material (the one-time notice
is shown and printed at once), supply it, accept, take it on, complete. Screenshots of each main
page go to .test-data/screenshots (not committed); axe-core (vendored, tests/support/axe) finds no
serious or critical violation on them."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from libs.common.runtime import Runtime
from tests.integration.gateway import console_world
from tests.integration.gateway.inprocess import gateway_with_intake
from tests.integration.gateway.support import PASSWORD

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / ".test-data" / "screenshots"
AXE = ROOT / "tests" / "support" / "axe" / "axe.min.js"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# window.print() would open the print preview; recorded instead, so the test can see it was asked for
PRINT_SPY = "window.print = function () { window.__printed = (window.__printed || 0) + 1; };"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(runtime: Runtime, gateway_keys) -> Iterator[tuple[str, console_world.ConsoleWorld]]:  # type: ignore[no-untyped-def]
    import uvicorn

    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.skip("needs Debian's chromium and chromium-driver (tests/support/ensure_chromium.sh)")
    with gateway_with_intake(runtime, gateway_keys) as app, TestClient(app) as client:
        world = console_world.build(runtime, client)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        try:
            yield f"http://127.0.0.1:{port}", world
        finally:
            server.should_exit = True
            thread.join(10)


@pytest.fixture
def driver() -> Iterator:  # type: ignore[type-arg]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not try to download anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--lang=zh-CN",
        "--font-render-hinting=none",
    ):
        options.add_argument(arg)
    d = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    d.set_page_load_timeout(30)
    d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PRINT_SPY})
    try:
        yield d
    finally:
        d.quit()


def shot(d, name: str, width: int = 1280) -> Path:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    height = d.execute_script("return document.documentElement.scrollHeight")
    d.set_window_size(width, max(800, min(int(height) + 40, 4000)))
    d.execute_script("window.scrollTo(0, 0)")
    d.save_screenshot(str(path))
    d.set_window_size(width, 1000 if width == 1280 else 844)
    return path


def no_serious_violation(d, page: str) -> None:  # type: ignore[no-untyped-def]
    """axe-core on the page as shown (injected through the driver, never served by the console)."""
    d.execute_script(AXE.read_text())
    found = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)),"
        " e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}])));"
    )
    bad = [v for v in json.loads(found) if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{page}: " + "; ".join(f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in bad)


def wait_for(d, css: str, timeout: float = 10):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(d, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def submit(d, form_id: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    before = d.current_url + str(d.execute_script("return performance.timeOrigin"))
    d.find_element(By.CSS_SELECTOR, f"#{form_id} button[type=submit]").click()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        now = d.current_url + str(d.execute_script("return performance.timeOrigin"))
        if now != before and d.execute_script("return document.readyState") == "complete":
            return
        time.sleep(0.05)
    raise AssertionError(f"submitting #{form_id} loaded no new page")


def test_a_window_staff_members_day(served, driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, world = served
    d = driver
    d.get(f"{base}/console/")
    assert d.current_url == f"{base}/console/login"
    shot(d, "login")
    no_serious_violation(d, "login")
    d.find_element(By.ID, "username").send_keys(world.users["window_staff"])
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(d, "#worklist")
    assert "今日工作" in d.title

    # take a case in: the checklist comes with the item (htmx swaps it in), one material missing
    d.find_element(By.LINK_TEXT, "收件（新案件）").click()
    Select(wait_for(d, "#item")).select_by_value(world.item)
    wait_for(d, "#name").send_keys("陈晓")
    assert "/console/intake" in d.current_url and "item=" not in d.current_url  # swapped, not reloaded
    d.find_element(By.ID, "phone").send_keys("13912345678")
    boxes = d.find_elements(By.CSS_SELECTOR, "input[name=materials]")
    assert [b.get_attribute("value") for b in boxes] == [
        console_world.ID_CARD,
        console_world.HOUSEHOLD,
        console_world.PHOTO,
    ]
    boxes[0].click()
    shot(d, "intake")
    no_serious_violation(d, "intake")
    d.find_element(By.CSS_SELECTOR, "#checklist button[type=submit]").click()

    # the one-time notice, printed at once
    notice = wait_for(d, "article.a4")
    assert "一次性告知书" in notice.text and "户口簿" in notice.text and "申请人身份证明" not in notice.text
    assert "陈晓：" in notice.text
    assert d.execute_script("return window.__printed") == 1
    shot(d, "notice")
    no_serious_violation(d, "notice")
    d.find_element(By.CSS_SELECTOR, "[data-print]").click()
    assert d.execute_script("return window.__printed") == 2

    # the case: supply, accept, take it on, complete
    d.find_element(By.LINK_TEXT, "返回案件").click()
    wait_for(d, "#act-materials")
    assert "待补正" in d.find_element(By.CSS_SELECTOR, "dd.state").text
    shot(d, "case-supplement")
    no_serious_violation(d, "case")
    submit(d, "act-materials")
    assert "已补齐材料" in d.find_element(By.CSS_SELECTOR, "[role=status]").text
    submit(d, "act-accept")
    assert "已受理" in d.find_element(By.CSS_SELECTOR, "dd.state").text
    clock = d.find_element(By.CSS_SELECTOR, "p.clock").text
    assert "绿" in clock and "剩余" in clock and "个工作日" in clock
    submit(d, "act-assign")
    assert "办理中" in d.find_element(By.CSS_SELECTOR, "dd.state").text
    submit(d, "act-complete")
    assert "已办结" in d.find_element(By.CSS_SELECTOR, "dd.state").text
    history = d.find_element(By.ID, "hist-h").find_element(By.XPATH, "..").text
    for words in ("收件", "一次性告知补正", "补齐材料", "受理", "指派承办人", "办结"):
        assert words in history
    shot(d, "case-completed")
    no_serious_violation(d, "case completed")

    # the worklist shows it, with its words beside the colour, and the filters swap the table in
    for name in ("王芳", "刘强"):
        d.get(f"{base}/console/intake?item={world.item}")
        d.find_element(By.ID, "name").send_keys(name)
        d.find_element(By.ID, "phone").send_keys("13700001111")
        for b in d.find_elements(By.CSS_SELECTOR, "input[name=materials]")[:2]:
            b.click()
        d.find_element(By.CSS_SELECTOR, "#checklist button[type=submit]").click()
        wait_for(d, "[role=status]")
    d.find_element(By.LINK_TEXT, "今日工作").click()
    table = wait_for(d, "#worklist")
    assert "王芳" in table.text and "刘强" in table.text and "剩余" in table.text
    shot(d, "worklist")
    no_serious_violation(d, "worklist")
    d.find_element(By.ID, "q").send_keys("刘强")
    deadline = time.monotonic() + 10
    while "王芳" in d.find_element(By.ID, "worklist").text and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (
        "王芳" not in d.find_element(By.ID, "worklist").text
        and "刘强" in d.find_element(By.ID, "worklist").text
    )
    assert "q=" in d.current_url  # htmx pushed the filtered URL

    # the inbox, then log out: the console is closed again
    d.find_element(By.LINK_TEXT, "消息").click()
    wait_for(d, "ul.inbox")
    no_serious_violation(d, "inbox")
    d.find_element(By.CSS_SELECTOR, "header form button").click()
    wait_for(d, "#username")
    d.get(f"{base}/console/")
    assert d.current_url == f"{base}/console/login"


def test_a_supervisors_dashboard(served, driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    base, world = served
    d = driver
    d.get(f"{base}/console/login")
    d.find_element(By.ID, "username").send_keys(world.users["county_supervisor"])
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    table = wait_for(d, "table.list")
    assert "那坡镇" in table.text and "百都乡" in table.text
    shot(d, "county")
    no_serious_violation(d, "county")
    # the check can fail: an image without its text is a critical violation
    d.execute_script("document.querySelector('main').appendChild(document.createElement('img'))")
    with pytest.raises(AssertionError, match="image-alt"):
        no_serious_violation(d, "county with an unlabelled image")


def test_a_county_admin_uploads_an_onboarding_file(served, driver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    base, world = served
    d = driver
    d.get(f"{base}/console/login")
    d.find_element(By.ID, "username").send_keys(world.users["county_admin"])
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(d, "table.list")
    d.find_element(By.LINK_TEXT, "乡镇导入").click()
    bad = tmp_path / "bad.yaml"
    bad.write_text("townships:\n  - {code: 'Bad Code', name: x}\n  - {code: ok1}\n", encoding="utf-8")
    wait_for(d, "#file").send_keys(str(bad))
    assert d.find_element(By.ID, "onboard-bar").tag_name == "progress"
    d.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()
    problems = wait_for(d, "ol.problems")  # the 422 page, swapped in by htmx
    assert "townships[0].code" in problems.text and "townships[1].name" in problems.text
    assert d.current_url.endswith("/console/county/onboarding")
    shot(d, "onboarding-problems")
    no_serious_violation(d, "onboarding")


def network(d, online: bool, slow_3g: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Chrome's own network emulation (DevTools): offline, the page's requests fail as without
    signal; slow 3G is DevTools' preset (400 ms round trip, 400 kbit/s down and up)."""
    d.execute_cdp_cmd("Network.enable", {})
    rate = 400 * 1000 / 8 if slow_3g else -1
    d.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {
            "offline": not online,
            "latency": 400 if slow_3g else 0,
            "downloadThroughput": rate,
            "uploadThroughput": rate,
        },
    )


def api_delegations(base: str, world: console_world.ConsoleWorld, name: str) -> list[dict]:
    """The delegations of this applicant as the API has them (asked from here, not the browser)."""
    import httpx

    with httpx.Client(base_url=base) as http:
        token = http.post(
            "/v1/auth/token", json={"username": world.users["proxy_agent"], "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        r = http.get(f"/v1/townships/{world.own}/proxy/delegations", headers=headers)
    assert r.status_code == 200, r.text
    return [d for d in r.json()["items"] if d["applicant"]["name"] == name]


def wait_until(check, what: str, timeout: float = 15) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        time.sleep(0.1)


def test_an_agents_delegation_filled_offline_is_synced_exactly_once(served, driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, world = served
    d = driver
    d.set_window_size(390, 844)  # a phone
    d.get(f"{base}/console/login")
    d.find_element(By.ID, "username").send_keys(world.users["proxy_agent"])
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(d, "main")
    # on slow 3G, nothing cached yet: the page's first content within 3 s
    d.execute_cdp_cmd("Network.clearBrowserCache", {})
    network(d, online=True, slow_3g=True)
    d.get(f"{base}/console/agent/")
    wait_for(d, "#delegate")
    first_paint = d.execute_script(
        "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null"
    )
    assert first_paint is not None and first_paint <= 3000, first_paint
    network(d, online=True)
    # the service worker takes the page in hand; loaded once more, the page is kept on the phone
    d.execute_async_script("navigator.serviceWorker.ready.then(() => arguments[arguments.length - 1]())")
    d.refresh()
    wait_until(lambda: d.execute_script("return !!navigator.serviceWorker.controller"), "the service worker")

    # no signal: the form is kept on the phone, 待同步, nothing sent
    network(d, online=False)
    wait_until(lambda: "离线" in d.find_element(By.ID, "net").text, "the page to see it is offline")
    outbox = lambda: d.find_element(By.ID, "outbox-list").text  # noqa: E731 (redrawn as it changes)

    def fill(applicant: str, consent_at: str | None = None) -> None:
        Select(d.find_element(By.ID, "item_code")).select_by_value(world.proxy_item)
        d.find_element(
            By.CSS_SELECTOR, f"fieldset[data-item='{world.proxy_item}'] input[name=materials]"
        ).click()
        d.find_element(By.ID, "name").send_keys(applicant)
        d.find_element(By.ID, "phone").send_keys("13612340000")
        d.find_element(By.CSS_SELECTOR, "input[name=consent_method][value=thumbprint]").click()
        if consent_at:
            d.execute_script("document.getElementById('consent_at').value = arguments[0]", consent_at)
        d.find_element(By.CSS_SELECTOR, "#delegate button[type=submit]").click()
        wait_until(lambda: applicant in outbox(), f"{applicant}'s form kept")

    name, refused = "韦秀兰", "韦明天"
    fill(name)
    assert "待同步" in outbox()
    assert d.find_element(By.ID, "name").get_attribute("value") == ""  # the form is free for the next
    tomorrow = datetime.now(ZoneInfo(world.runtime.settings.timezone)) + timedelta(days=1)
    fill(refused, consent_at=tomorrow.strftime("%Y-%m-%dT%H:%M"))  # a consent the platform refuses
    d.find_element(By.ID, "sync-now").click()  # still no signal: it stays
    time.sleep(0.5)
    assert "待同步" in outbox()
    # the page opened again without signal: from the phone, the form still waiting
    d.refresh()
    wait_until(lambda: "待同步" in outbox(), "the kept form on the page opened offline")
    assert api_delegations(base, world, name) == []
    shot(d, "agent-offline", width=390)
    no_serious_violation(d, "agent offline")

    # the signal returns: sent by itself, once
    network(d, online=True)
    wait_until(lambda: "已同步" in outbox() and "案件号" in outbox(), "the form sent on reconnect")
    (made,) = api_delegations(base, world, name)
    assert made["case_number"] in outbox() and made["consent"]["method"] == "thumbprint"
    signed = datetime.fromisoformat(made["consent"]["signed_at"])  # the county's clock, as filled
    assert abs(datetime.now(signed.tzinfo) - signed) < timedelta(minutes=5), signed
    # the refused one: shown with the reason, kept on the phone, nothing created
    wait_until(
        lambda: "有冲突" in outbox() and "填写有误" in outbox(), "the refused form shown as a conflict"
    )
    assert api_delegations(base, world, refused) == []
    d.find_element(By.ID, "sync-now").click()  # again, and the page again: nothing more is sent
    d.refresh()
    wait_until(lambda: "已同步" in outbox(), "the sent form shown on the page loaded again")
    assert len(api_delegations(base, world, name)) == 1
    assert made["case_number"] in d.find_element(By.ID, "delegations").text  # the server's list has it
    assert "有冲突" in outbox()  # still kept after the page loaded again
    shot(d, "agent-synced", width=390)
    no_serious_violation(d, "agent")
    # put back in the form to correct it: the form has it, the queue no longer
    d.find_element(By.XPATH, "//button[text()='放回表单修改']").click()
    assert d.find_element(By.ID, "name").get_attribute("value") == refused
    wait_until(lambda: refused not in outbox(), "the refused form out of the queue")


def test_a_township_admins_screens(served, driver) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    base, world = served
    d = driver
    d.get(f"{base}/console/login")
    d.find_element(By.ID, "username").send_keys(world.users["township_admin"])
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(d, "main")
    d.find_element(By.LINK_TEXT, "乡镇管理").click()
    rota = wait_for(d, "#form-rota")
    assert "带班领导" in rota.text and "一号窗口" in d.find_element(By.ID, "window").text
    shot(d, "admin")
    no_serious_violation(d, "township admin")
