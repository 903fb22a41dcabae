"""A township's attendance day and a leave end to end through real processes (all-in-one `bianmin
run`, its bus and gRPC), DOMAIN.md §8:

- the centre head and a township leader are staff of the township (the new roles);
- a window's A signs in late on the township's last working day (the national calendar imported
  through the gateway reaches appraisal over the bus); the attendance day says `late` by the
  minutes, and `bianmin jobs judge-attendance` judges it once, the day after, publishing
  `attendance_judged` with status `late` — and `window_unstaffed` for no half-day of A's window;
- a proxy agent's leave of several working days is refused to the centre head (403) and approved
  by the township leader; `leave_approved` crosses the bus to proxy, which then answers the agent
  `on_leave` (the signal its dispatch reads); cancelling it ends that;
- A's late sign-in becomes a deduction on A's score (S-QIN-01, scored from `attendance_judged`);
- B handles A's case only while A is on an approved leave (intake hears `leave_approved`):
  refused before, accepted during, refused again once the leave is cancelled."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import Processes, eventually, login, wait_http, wait_projections
from tests.e2e.test_cases import CASE, ITEM

pytestmark = pytest.mark.e2e

TENANT = "tianyang.napo"
PASSWORD = "e2e-township-password"
STAFF = {
    "napo_a": ["window_staff"],
    "napo_b": ["window_staff"],
    "napo_agent": ["proxy_agent"],
    "napo_head": ["centre_head"],
    "napo_lead": ["township_leader"],
    "napo_admin": ["township_admin"],
}


def db_url(procs: Processes) -> str:
    return procs.env["BIANMIN_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")


def appraisal_events(procs: Processes, event_type: str) -> list[dict]:
    with psycopg.connect(db_url(procs)) as conn:
        rows = conn.execute(
            "SELECT payload FROM appraisal.outbox WHERE event_type = %s ORDER BY id", (event_type,)
        ).fetchall()
    return [r[0].get("data", r[0]) for r in rows]


def exercise(base: str, procs: Processes) -> None:
    tz = ZoneInfo("Asia/Shanghai")
    today = datetime.now(tz).date()
    for year in sorted({today.year, (today - timedelta(days=20)).year}):
        assert procs.run("admin", "calendar-import", "--year", str(year)) == 0, procs.log_tail()
    admin = login(base)
    assert httpx.post(f"{base}/v1/catalog/items", json=ITEM, headers=admin).status_code == 201
    assert (
        httpx.post(f"{base}/v1/townships", json={"code": "napo", "name": "那坡镇"}, headers=admin).status_code
        == 201
    )
    wait_projections(base, admin, TENANT)
    org = f"{base}/v1/townships/{TENANT}"
    assert (
        httpx.post(f"{org}/departments", json={"code": "civil", "name": "民政所"}, headers=admin).status_code
        == 201
    )
    r = httpx.post(
        f"{org}/windows", json={"code": "civil_w", "name": "民政窗口", "department": "civil"}, headers=admin
    )
    assert r.status_code == 201, r.text
    for username, roles in STAFF.items():
        body = {
            "username": username,
            "password": PASSWORD,
            "name": username,
            "phone": "13700000000",
            "roles": roles,
        }
        r = httpx.post(f"{org}/staff", json=body, headers=admin)
        assert r.status_code == 201, r.text
    r = httpx.put(f"{org}/windows/civil_w/posts", json={"a": "napo_a", "b": "napo_b"}, headers=admin)
    assert r.status_code == 200, r.text
    me = {u: login(base, u, PASSWORD) for u in STAFF}

    # the township's last working day before today, on its calendar (the imported national one)
    first = (today - timedelta(days=20)).isoformat()
    last = (today - timedelta(days=1)).isoformat()
    days = httpx.get(f"{org}/calendar", params={"from": first, "to": last}, headers=admin).json()
    day = date.fromisoformat([d for d in days if d["working"]][-1]["date"])

    # A signs in 10 minutes late in the morning, on time after noon
    for at in (f"{day}T08:40:00+08:00", f"{day}T14:20:00+08:00"):
        r = eventually(
            lambda at=at: httpx.post(
                f"{org}/attendance/sign-ins", json={"username": "napo_a", "at": at}, headers=me["napo_a"]
            ),
            lambda r: r.status_code != 422,  # until appraisal's projections have the staff and calendar
            "appraisal knows napo_a and the township's calendar",
        )
        assert r.status_code == 201, r.text
    r = httpx.get(
        f"{org}/attendance", params={"date": day.isoformat(), "username": "napo_a"}, headers=me["napo_head"]
    )
    [a_day] = r.json()["items"]
    assert (a_day["status"], a_day["late_minutes"], a_day["judged"]) == ("late", 10, False)

    # the job judges days from the township's onboarding on: it was onboarded today, so say earlier
    with psycopg.connect(db_url(procs), autocommit=True) as conn:
        conn.execute(
            "UPDATE appraisal.tenant SET onboarded_at = now() - interval '30 days' WHERE tenant_id = %s",
            (TENANT,),
        )
    assert procs.run("jobs", "judge-attendance") == 0, procs.log_tail()
    judged = [
        e for e in appraisal_events(procs, "attendance_judged") if e["ref"] == f"attendance:napo_a:{day}:am"
    ]
    assert [(e["status"], e["late_minutes"], e["window"]) for e in judged] == [("late", 10, "civil_w")]
    assert not [
        e for e in appraisal_events(procs, "window_unstaffed") if e["ref"].startswith(f"window:civil_w:{day}")
    ]
    r = httpx.get(
        f"{org}/attendance", params={"date": day.isoformat(), "username": "napo_a"}, headers=me["napo_head"]
    )
    assert r.json()["items"][0]["judged"] is True
    assert procs.run("jobs", "judge-attendance") == 0, procs.log_tail()  # once: nothing new
    assert (
        len([e for e in appraisal_events(procs, "attendance_judged") if e["ref"].endswith(f"{day}:am")]) == 2
    )  # A and B
    with psycopg.connect(db_url(procs)) as conn:
        scored = eventually(
            lambda: conn.execute(
                "SELECT rule_code, points FROM appraisal.score_event"
                " WHERE subject_id = 'napo_a' ORDER BY rule_code"
            ).fetchall(),
            lambda rows: bool(rows),
            "appraisal scores the judged late half-day",
        )
    assert [(r, float(p)) for r, p in scored] == [("S-QIN-01", -0.2)]  # 第二十三條（一）遲到1次扣0.2分

    # A's case: B may not touch it while A is on post
    cases = f"{org}/cases"
    r = httpx.post(cases, json=CASE | {"materials": ["id_card", "hukou"]}, headers=me["napo_admin"])
    assert r.status_code == 201 and r.json()["state"] == "accepted", r.text
    case = r.json()
    r = httpx.post(f"{cases}/{case['id']}/assign", json={"handler": "napo_a"},
                   headers={**me["napo_admin"], "If-Match": f'"{case["version"]}"'})  # fmt: skip
    assert r.status_code == 200, r.text

    def b_extends() -> httpx.Response:
        version = httpx.get(f"{cases}/{case['id']}", headers=me["napo_admin"]).json()["version"]
        return httpx.post(f"{cases}/{case['id']}/extend", json={"working_days": 1, "reason": "核查"},
                          headers={**me["napo_b"], "If-Match": f'"{version}"'})  # fmt: skip

    r = b_extends()
    assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
    a_leave = {"username": "napo_a", "from": today.isoformat(), "to": (today + timedelta(days=9)).isoformat(),
               "reason": "病假"}  # fmt: skip
    r = httpx.post(f"{org}/leaves", json=a_leave, headers=me["napo_a"])
    assert r.status_code == 201, r.text
    a_leave_id = r.json()["id"]
    r = httpx.post(f"{org}/leaves/{a_leave_id}/approve", json={"reason": "同意"}, headers=me["napo_lead"])
    assert r.status_code == 200, r.text
    eventually(b_extends, lambda r: r.status_code == 200, "B acts on A's case while A is away")
    mine = httpx.get(cases, params={"handler": "napo_b"}, headers=me["napo_b"]).json()["items"]
    assert case["id"] in [c["id"] for c in mine]
    r = httpx.post(f"{org}/leaves/{a_leave_id}/cancel", headers=me["napo_a"])
    assert r.status_code == 200, r.text
    eventually(b_extends, lambda r: r.status_code == 403, "B's authority ends with the leave")

    # a proxy agent's leave: the township leader decides it; proxy hears of it
    r = httpx.post(f"{org}/proxy/agents", json={"username": "napo_agent", "level": "township"}, headers=admin)
    assert r.status_code == 201, r.text
    leave = {
        "username": "napo_agent",
        "from": today.isoformat(),
        "to": (today + timedelta(days=9)).isoformat(),
        "reason": "外出培训",
    }
    r = httpx.post(f"{org}/leaves", json=leave, headers=me["napo_admin"])
    assert r.status_code == 201, r.text
    asked = r.json()
    assert asked["approver_role"] == "township_leader" and asked["working_days"] >= 2
    r = httpx.post(f"{org}/leaves/{asked['id']}/approve", json={}, headers=me["napo_head"])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = httpx.post(f"{org}/leaves/{asked['id']}/approve", json={"reason": "同意"}, headers=me["napo_lead"])
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    agent = f"{org}/proxy/agents/napo_agent"
    eventually(
        lambda: httpx.get(agent, headers=admin).json(),
        lambda a: a.get("on_leave") is True,
        "proxy has the approved leave",
    )
    r = httpx.post(f"{org}/leaves/{asked['id']}/cancel", headers=me["napo_agent"])
    assert r.status_code == 200 and r.json()["state"] == "cancelled", r.text
    eventually(
        lambda: httpx.get(agent, headers=admin).json(),
        lambda a: a.get("on_leave") is False,
        "proxy has the cancellation",
    )


def test_attendance_and_a_leave_all_in_one(processes: Processes) -> None:
    port = free_port()
    proc = processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    exercise(base, processes)
    assert processes.stop(proc) == 0, processes.log_tail()
