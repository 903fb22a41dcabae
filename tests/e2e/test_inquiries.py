"""The first-ask register end to end through real gRPC (all-in-one process): the intake desk
registers inquiries (the first-ask person is the caller, whatever the body says), the register is
read by date range and page, the citizen's name and contact are in full for the registrar only
(masked for other staff and for the county), a routed matter must say where to, a named item must
be in the township's catalogue, refusals write nothing, and another township's staff cannot see
the register at all."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import Processes, login, wait_http, wait_projections

pytestmark = pytest.mark.e2e

TENANT = "tianyang.napo"
PASSWORD = "e2e-township-password"
ITEM = {
    "code": "db_apply",
    "name": "低保申请",
    "category": "civil_affairs",
    "level": "township",
    "kind": "approval",
    "statutory_days": 30,
    "promised_days": 20,
}
FIRST = {
    "channel": "walk_in",
    "citizen_name": "张三丰",
    "contact": "13812345678",
    "matter": "咨询低保申请需要哪些材料",
    "item_code": "db_apply",
    "result": "answered",
}
SECOND = {
    "channel": "phone",
    "citizen_name": "李四",
    "contact": "0776-5551234",
    "matter": "林权证补办",
    "result": "routed",
    "routed_to": "县林业局林权股",
}


def create_user(procs: Processes, username: str, role: str, tenant: str = TENANT) -> None:
    assert procs.run("admin", "create-user", username, "--roles", role,
                     "--tenants", tenant, "--password", PASSWORD) == 0, procs.log_tail()  # fmt: skip


def exercise_inquiries(base: str, procs: Processes) -> None:
    admin = login(base)
    assert httpx.post(f"{base}/v1/catalog/items", json=ITEM, headers=admin).status_code == 201
    township = {"code": "napo", "name": "那坡镇", "villages": []}
    assert httpx.post(f"{base}/v1/townships", json=township, headers=admin).status_code == 201
    wait_projections(base, admin, TENANT)
    create_user(procs, "napo_desk", "intake_desk")
    create_user(procs, "napo_window", "window_staff")
    create_user(procs, "napo_petition", "petition_officer")
    create_user(procs, "bama_desk", "intake_desk", "tianyang.bama")
    desk = login(base, "napo_desk", PASSWORD)
    window = login(base, "napo_window", PASSWORD)
    url = f"{base}/v1/townships/{TENANT}/inquiries"

    # register two: the first-ask person is the caller, not what the body claims
    first = httpx.post(url, json={**FIRST, "first_ask": "somebody_else"}, headers=desk)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["first_ask"] == "napo_desk"
    assert (body["citizen_name"], body["contact"], body["item_code"]) == ("张三丰", "13812345678", "db_apply")
    assert (body["channel"], body["result"], body["routed_to"]) == ("walk_in", "answered", None)
    assert body["registered_at"].endswith("+08:00") and body["id"]
    second = httpx.post(url, json=SECOND, headers=desk)
    assert second.status_code == 201, second.text
    assert second.json()["routed_to"] == "县林业局林权股" and second.json()["item_code"] is None

    # the register by date range (county time), in time order, paged
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    yesterday = today - timedelta(days=1)
    listed = httpx.get(url, params={"from": today.isoformat(), "to": today.isoformat()}, headers=desk)
    assert listed.status_code == 200, listed.text
    assert [i["id"] for i in listed.json()["items"]] == [first.json()["id"], second.json()["id"]]
    assert listed.json()["next_page_token"] == ""
    mine = listed.json()["items"]
    assert [(i["citizen_name"], i["contact"]) for i in mine] == [
        ("张三丰", "13812345678"),
        ("李四", "0776-5551234"),
    ]
    past = httpx.get(url, params={"from": yesterday.isoformat(), "to": yesterday.isoformat()}, headers=desk)
    assert past.status_code == 200 and past.json()["items"] == [], past.text
    page1 = httpx.get(url, params={"page_size": 1}, headers=desk).json()
    assert [i["id"] for i in page1["items"]] == [first.json()["id"]] and page1["next_page_token"]
    page2 = httpx.get(
        url, params={"page_size": 1, "page_token": page1["next_page_token"]}, headers=desk
    ).json()
    assert [i["id"] for i in page2["items"]] == [second.json()["id"]] and page2["next_page_token"] == ""
    bad_range = httpx.get(url, params={"from": today.isoformat(), "to": yesterday.isoformat()}, headers=desk)
    assert bad_range.status_code == 422 and bad_range.json()["code"] == "validation_error", bad_range.text
    bad_date = httpx.get(url, params={"from": "2026-13-01"}, headers=desk)
    assert bad_date.status_code == 422 and bad_date.json()["code"] == "validation_error", bad_date.text

    # another staff member of the township, and the county: masked
    for viewer in (window, admin):
        seen = httpx.get(url, headers=viewer)
        assert seen.status_code == 200, seen.text
        masked = seen.json()["items"]
        assert [(i["citizen_name"], i["contact"]) for i in masked] == [
            ("张**", "138****5678"),
            ("李*", "0776-***1234"),
        ]
        assert [i["first_ask"] for i in masked] == ["napo_desk", "napo_desk"]
        assert masked[1]["routed_to"] == "县林业局林权股"  # the register's purpose stays readable
        assert "张三丰" not in seen.text and "13812345678" not in seen.text

    # validation errors: 422, and nothing is written
    refusals = [
        {**SECOND, "routed_to": None},  # routed, but not said where: never "not my business"
        {**SECOND, "routed_to": "  "},
        {**FIRST, "item_code": "no_such_item"},  # not in the township's catalogue
        {**FIRST, "channel": "online"},
        {**FIRST, "result": "not_my_business"},
        {**FIRST, "citizen_name": ""},
        {key: value for key, value in FIRST.items() if key != "contact"},
    ]
    for refused in refusals:
        r = httpx.post(url, json=refused, headers=desk)
        assert r.status_code == 422 and r.json()["code"] == "validation_error", (refused, r.text)
    assert len(httpx.get(url, headers=desk).json()["items"]) == 2
    assert registered_events(procs) == 2

    # who may register: the desk, windows, the township admin, proxies — not a petition officer
    # and not the county (403); another township's staff do not see this township at all (404)
    petition = login(base, "napo_petition", PASSWORD)
    r = httpx.post(url, json=FIRST, headers=petition)
    assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
    r = httpx.post(url, json=FIRST, headers=admin)
    assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
    other = login(base, "bama_desk", PASSWORD)
    for r in (httpx.get(url, headers=other), httpx.post(url, json=FIRST, headers=other)):
        assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
    assert len(httpx.get(url, headers=desk).json()["items"]) == 2

    # a window staff member registers their own: full for them, masked for the desk
    own = httpx.post(url, json={**FIRST, "citizen_name": "王五", "item_code": None}, headers=window)
    assert own.status_code == 201, own.text
    by_window = {i["id"]: i for i in httpx.get(url, headers=window).json()["items"]}
    by_desk = {i["id"]: i for i in httpx.get(url, headers=desk).json()["items"]}
    assert by_window[own.json()["id"]]["citizen_name"] == "王五"
    assert by_desk[own.json()["id"]]["citizen_name"] == "王*"
    # the events carry no personal data (notify needs none)
    assert registered_events(procs) == 3


def registered_events(procs: Processes) -> int:
    """intake's `inquiry_registered` outbox rows; each must carry no name, contact or matter."""
    url = procs.env["BIANMIN_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT payload::text FROM intake.outbox WHERE event_type = 'inquiry_registered'"
        ).fetchall()
    for (payload,) in rows:
        for personal in ("张三丰", "13812345678", "李四", "5551234", "王五", "低保申请需要"):
            assert personal not in payload, payload
    return len(rows)


def test_inquiries_all_in_one(processes: Processes) -> None:
    port = free_port()
    proc = processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    exercise_inquiries(base, processes)
    assert processes.stop(proc) == 0, processes.log_tail()
