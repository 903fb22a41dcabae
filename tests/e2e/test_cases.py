"""Cases end to end through real gRPC (all-in-one process), on the 2026 national calendar: a case
received with a material missing gets the one-time notice (supplement_requested); the materials
complete it (received); acceptance starts the clock (a due date); then assign, complete, reply,
archive — each answer the case with its version as ETag and its history. A transition the state
machine refuses is 409 and changes nothing; a stale If-Match is 412; the applicant is masked for
staff who do not handle the case (and for the county admin); another township's staff see 404."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import (
    Processes,
    children,
    eventually,
    gone,
    login,
    wait_http,
    wait_projections,
)

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
    "materials": [
        {"code": "id_card", "name": "身份证", "required": True},
        {"code": "hukou", "name": "户口簿", "required": True},
    ],
}
CASE = {
    "item_code": "db_apply",
    "level": "hall",
    "channel": "walk_in",
    "applicant": {"name": "张三丰", "phone": "13812345678"},
    "materials": ["id_card"],
    "accept": True,
}


def create_user(procs: Processes, username: str, role: str, tenant: str = TENANT) -> None:
    assert procs.run("admin", "create-user", username, "--roles", role,
                     "--tenants", tenant, "--password", PASSWORD) == 0, procs.log_tail()  # fmt: skip


def exercise_cases(base: str, procs: Processes) -> None:
    admin = login(base)
    assert httpx.post(f"{base}/v1/catalog/items", json=ITEM, headers=admin).status_code == 201
    township = {
        "code": "napo",
        "name": "那坡镇",
        "villages": [{"code": "nongcun", "name": "弄村", "groups": []}],
    }
    assert httpx.post(f"{base}/v1/townships", json=township, headers=admin).status_code == 201
    wait_projections(base, admin, TENANT)
    # every published national year is loaded at the first start, with no import run by anyone:
    # 3 working days from Friday 2025-01-24 skip Spring Festival (01-28..02-04) and end on 02-05
    spring = {"start": "2025-01-24T10:00:00+08:00", "working_days": 3}
    deadline = httpx.get(
        f"{base}/v1/townships/{TENANT}/calendar/deadline", params=spring, headers=admin
    ).json()
    assert deadline["due_at"].startswith("2025-02-05T") and deadline["provisional"] is False, deadline
    create_user(procs, "napo_desk", "intake_desk")
    create_user(procs, "napo_window", "window_staff")
    create_user(procs, "napo_other", "window_staff")
    create_user(procs, "bama_window", "window_staff", "tianyang.bama")
    desk = login(base, "napo_desk", PASSWORD)
    window = login(base, "napo_window", PASSWORD)
    other_staff = login(base, "napo_other", PASSWORD)
    url = f"{base}/v1/townships/{TENANT}/cases"

    # received with a material missing and `accept`: the one-time notice
    created = httpx.post(url, json=CASE, headers=desk)
    assert created.status_code == 201, created.text
    case = created.json()
    case_url = f"{url}/{case['id']}"
    assert case["state"] == "supplement_requested" and case["missing_materials"] == ["hukou"]
    assert case["first_ask"] == "napo_desk" and case["kind"] == "promised"
    assert case["applicant"]["name"] == "张三丰" and case["applicant"]["phone"] == "13812345678"
    assert case["clock"]["state"] == "not_started" and case["clock"]["due_at"] is None
    assert created.headers["etag"] == f'"{case["version"]}"'
    assert [h["action"] for h in case["history"]] == ["receive", "request_supplement"]

    def act(
        action: str, body: dict | None = None, version: int | None = None, who: dict | None = None
    ) -> httpx.Response:
        current = httpx.get(case_url, headers=window).json()["version"] if version is None else version
        headers = {**(who or window), "If-Match": f'"{current}"'}
        return httpx.post(f"{case_url}/{action}", json=body, headers=headers)

    # the materials complete it; accepting starts the clock
    r = act("materials", {"materials": ["hukou"]})
    assert r.status_code == 200 and r.json()["state"] == "received", r.text
    assert r.json()["missing_materials"] == []
    r = act("accept")
    assert r.status_code == 200, r.text
    accepted = r.json()
    assert accepted["state"] == "accepted"
    assert accepted["clock"]["state"] == "running" and accepted["clock"]["due_at"], accepted["clock"]
    assert accepted["clock"]["started_at"] and accepted["clock"]["warn_at"]
    assert accepted["clock"]["due_at"].endswith("+08:00")
    assert accepted["clock"]["colour"] == "green" and accepted["clock"]["extensions"] == 0
    assert r.headers["etag"] == f'"{accepted["version"]}"'

    # a refused transition: 409, nothing changes
    r = act("archive")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition", r.text
    assert httpx.get(case_url, headers=window).json()["version"] == accepted["version"]
    # a stale If-Match: 412
    r = act("assign", {"handler": "napo_window"}, version=accepted["version"] - 1)
    assert r.status_code == 412 and r.json()["code"] == "version_conflict", r.text
    assert httpx.get(case_url, headers=window).json()["state"] == "accepted"

    r = act("assign", {"handler": "napo_window"})
    assert r.status_code == 200 and r.json()["state"] == "in_progress", r.text
    assert r.json()["handler"] == "napo_window"

    # the applicant: in full for the handler and the first-ask person, masked for the others
    for viewer, full in ((window, True), (desk, True), (other_staff, False), (admin, False)):
        seen = httpx.get(case_url, headers=viewer)
        assert seen.status_code == 200, seen.text
        applicant = seen.json()["applicant"]
        if full:
            assert applicant["name"] == "张三丰" and not applicant["masked"], applicant
        else:
            assert (applicant["name"], applicant["phone"]) == ("张**", "138****5678"), applicant
            assert applicant["masked"] and "13812345678" not in seen.text
    listed = httpx.get(url, params={"state": "in_progress"}, headers=other_staff)
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()["items"]] == [case["id"]]
    assert listed.json()["items"][0]["applicant"]["name"] == "张**"
    assert httpx.get(url, params={"state": "archived"}, headers=window).json()["items"] == []

    r = act("complete", {"outcome": "approved"})
    assert r.status_code == 200 and r.json()["state"] == "completed", r.text
    assert (
        r.json()["clock"]["state"] == "stopped" and r.json()["clock"]["due_at"] == accepted["clock"]["due_at"]
    )
    r = act("reply", {"satisfaction": "satisfied"})
    assert r.status_code == 200 and r.json()["state"] == "replied", r.text
    r = act("archive")
    assert r.status_code == 200 and r.json()["state"] == "archived", r.text
    final = r.json()
    assert final["outcome"] == "approved" and final["satisfaction"] == "satisfied"
    assert [(h["action"], h["from"], h["to"]) for h in final["history"]] == [
        ("receive", None, "received"),
        ("request_supplement", "received", "supplement_requested"),
        ("submit_materials", "supplement_requested", "received"),
        ("accept", "received", "accepted"),
        ("assign", "accepted", "in_progress"),
        ("complete", "in_progress", "completed"),
        ("reply", "completed", "replied"),
        ("archive", "replied", "archived"),
    ]
    assert final["version"] == len(final["history"])

    # who may act: not the intake desk (403); another township's staff: 404
    r = act("press", {"note": "请尽快办理"}, who=desk)
    assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
    bama = login(base, "bama_window", PASSWORD)
    for r in (
        httpx.get(case_url, headers=bama),
        httpx.get(url, headers=bama),
        httpx.post(url, json=CASE, headers=bama),
        httpx.post(f"{case_url}/press", json={"note": "x"}, headers=bama),
    ):
        assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
    assert len(httpx.get(url, headers=window).json()["items"]) == 1


def test_cases_all_in_one(processes: Processes) -> None:
    port = free_port()
    proc = processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    exercise_cases(base, processes)
    exercise_case_details(base, processes)
    assert processes.stop(proc) == 0, processes.log_tail()


def test_all_in_one_intake_api_child_is_started_again(processes: Processes) -> None:
    """`bianmin run` serves intake's gRPC API from a child process (BIANMIN_RUN_INTAKE_PROCESS);
    killed, it is started again and the case path answers as before; stopping the platform
    stops it too."""
    port = free_port()
    proc = processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    (child,) = children(proc.pid, "serve", "intake", "api")
    admin = login(base)
    township = {"code": "napo", "name": "那坡镇", "villages": []}
    assert httpx.post(f"{base}/v1/townships", json=township, headers=admin).status_code == 201
    wait_projections(base, admin, TENANT)  # intake's answer comes from the child

    os.kill(child, signal.SIGKILL)
    again = eventually(
        lambda: children(proc.pid, "serve", "intake", "api"),
        lambda found: len(found) == 1 and found[0] != child,
        "a new intake API process",
    )
    cases = f"{base}/v1/townships/{TENANT}/cases"
    eventually(
        lambda: httpx.get(cases, headers=admin).status_code, lambda code: code == 200, "cases listed again"
    )
    assert processes.stop(proc) == 0, processes.log_tail()
    assert not Path(f"/proc/{again[0]}").exists()  # stopped (and reaped) with the platform


def test_all_in_one_intake_api_child_stops_when_the_platform_is_killed(processes: Processes) -> None:
    """Killed without a chance to stop its child (SIGKILL), the platform leaves no intake API
    process behind holding its port and its database connections."""
    port = free_port()
    proc = processes.start("run", "--port", str(port))
    wait_http(f"http://127.0.0.1:{port}/healthz", processes)
    (child,) = children(proc.pid, "serve", "intake", "api")
    proc.kill()
    proc.wait(10)
    eventually(lambda: gone(child), bool, "the orphaned intake API gone", timeout=30)


def exercise_case_details(base: str, procs: Processes) -> None:
    """After `exercise_cases` (the township, its users and the item exist): the applicant's
    e-mail and village, the colour filter, and a county department that sees and returns only
    the cases escalated to its department."""
    admin = login(base)
    desk = login(base, "napo_desk", PASSWORD)
    window = login(base, "napo_window", PASSWORD)
    url = f"{base}/v1/townships/{TENANT}/cases"
    body = {**CASE, "materials": ["id_card", "hukou"], "village": "nongcun",
            "applicant": {**CASE["applicant"], "email": "zhangsan@example.com"}}  # fmt: skip

    r = httpx.post(url, json={**body, "applicant": {**body["applicant"], "email": "zhangsan@"}}, headers=desk)
    assert r.status_code == 422 and r.json()["code"] == "validation_error", r.text
    r = httpx.post(url, json={**body, "village": "nosuch"}, headers=desk)  # not one of napo's villages
    assert r.status_code == 422 and r.json()["code"] == "validation_error", r.text
    before = len(httpx.get(url, params={"page_size": 200}, headers=admin).json()["items"])
    for phone in ("123", "call me"):  # no SMS could reach it
        r = httpx.post(url, json={**body, "applicant": {**body["applicant"], "phone": phone}}, headers=desk)
        assert r.status_code == 422 and "applicant phone must be a phone number" in r.json()["detail"], r.text
    r = httpx.post(url, json={**body, "applicant": {**body["applicant"], "id_number": "12345"}}, headers=desk)
    assert r.status_code == 422 and "resident ID number" in r.json()["detail"], r.text
    assert len(httpx.get(url, params={"page_size": 200}, headers=admin).json()["items"]) == before
    created = httpx.post(url, json=body, headers=desk)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["applicant"]["email"] == "zhangsan@example.com" and case["village"] == "nongcun"
    seen = httpx.get(f"{url}/{case['id']}", headers=login(base, "napo_other", PASSWORD)).json()
    assert seen["applicant"]["email"] == "z***@example.com" and "zhangsan@" not in str(seen)
    other = httpx.post(url, json=body, headers=desk).json()  # stays accepted: not the department's

    # the colour now: a case accepted a moment ago is green
    for colour, expected in (("green", True), ("yellow", False), ("red", False), ("overdue", False)):
        listed = httpx.get(url, params={"colour": colour, "page_size": 200}, headers=window)
        assert listed.status_code == 200, listed.text
        assert (case["id"] in [c["id"] for c in listed.json()["items"]]) is expected, colour
    r = httpx.get(url, params={"colour": "blue"}, headers=window)
    assert r.status_code == 422 and r.json()["code"] == "validation_error", r.text

    # escalation to a county department
    assert procs.run("admin", "create-user", "civil_officer", "--roles", "county_department",
                     "--department", "civil", "--password", PASSWORD) == 0, procs.log_tail()  # fmt: skip
    civil = login(base, "civil_officer", PASSWORD)
    assert httpx.get(f"{base}/v1/me", headers=civil).json()["department"] == "civil"
    case_url = f"{url}/{case['id']}"
    assert (
        httpx.post(f"{case_url}/assign", json={"handler": "napo_window"}, headers=window).status_code == 200
    )
    r = httpx.post(
        f"{case_url}/escalate", json={"to_level": "county", "reason": "需县级审批"}, headers=window
    )
    assert r.status_code == 422 and r.json()["code"] == "validation_error", r.text
    r = httpx.post(f"{case_url}/escalate", json={"to_level": "county", "department": "civil",
                                                 "reason": "需县民政局审批"}, headers=window)  # fmt: skip
    assert r.status_code == 200 and r.json()["state"] == "escalated", r.text
    assert r.json()["escalation"]["department"] == "civil" and r.json()["clock"]["state"] == "paused"

    work = httpx.get(f"{base}/v1/county/escalated-cases", headers=civil)
    assert work.status_code == 200, work.text
    assert [c["id"] for c in work.json()["items"]] == [case["id"]]
    assert work.json()["items"][0]["applicant"]["email"] == "zhangsan@example.com"  # they handle it
    r = httpx.get(f"{base}/v1/county/escalated-cases", headers=window)
    assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
    r = httpx.get(f"{url}/{other['id']}", headers=civil)  # not escalated to them: does not exist
    assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
    listed = httpx.get(url, headers=civil).json()["items"]
    assert [c["id"] for c in listed] == [case["id"]]
    r = httpx.post(f"{case_url}/complete", json={"outcome": "approved"}, headers=civil)
    assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
    r = httpx.post(f"{case_url}/resume", json={"note": "县民政局已审批"}, headers=civil)
    assert r.status_code == 200 and r.json()["state"] == "in_progress", r.text
    assert r.json()["history"][-1]["actor"] == "civil_officer" and r.json()["clock"]["state"] == "running"
    assert httpx.get(case_url, headers=civil).status_code == 404  # back at the township
    assert httpx.get(f"{base}/v1/county/escalated-cases", headers=civil).json()["items"] == []
    # the county department's reads in the township are in its audit trail
    trail = httpx.get(f"{base}/v1/townships/{TENANT}/audit", headers=admin)
    assert trail.status_code == 200, trail.text
    paths = {(e["username"], e["path"]) for e in trail.json()["items"]}
    assert ("civil_officer", "/v1/county/escalated-cases") in paths
    assert ("civil_officer", f"/v1/townships/{TENANT}/cases/{case['id']}/resume") in paths
