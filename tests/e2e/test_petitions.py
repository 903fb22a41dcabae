"""Petitions and complaints end to end through real gRPC (all-in-one process), DOMAIN.md §9:

- the petition officer registers a petition (due in 3 calendar days), a leader-received one (7),
  one answered on the spot, and a collective one — whose `petition_registered` event is in the
  outbox with `collective: true` at once and without the petitioner, and which alerts the leader
  on duty of the day in the township's rota (published through appraisal, projected by notify)
  and no other township_admin;
- the petitioner is in full for the petition officer only: the township admin reads the petition
  with `petitioner: null` and phone numbers in the matter masked; window staff and the county
  admin may not read petitions (403), another township's officer does not see them (404);
- a complaint about a window is forwarded to a department (working-day deadline), answered late
  (`days_late` on the answer and on `petition_answered`), then verified by the management office
  (`complaint_decided`); each action checks If-Match (412) and the state machine (409);
- bad input is 422 and writes nothing; a retried create with the same Idempotency-Key is one."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import Processes, eventually, login, wait_http, wait_projections

pytestmark = pytest.mark.e2e

TENANT = "tianyang.napo"
PASSWORD = "e2e-township-password"
PETITIONER = {"name": "张三丰", "phone": "13812345678", "id_number": "450121199001011230"}
PETITION = {
    "kind": "petition",
    "channel": "desk",
    "petitioner": PETITIONER,
    "matter": "反映村道损坏,联系电话13812345678",
}
COMPLAINT = {
    "kind": "complaint",
    "channel": "online",
    "petitioner": {"name": "李四", "phone": "13900001111"},
    "matter": "民政窗口工作人员态度生硬",
    "subject": {"type": "window", "id": "civil_w"},
    "ground": "attitude",
}
PERSONAL = ("张三丰", "13812345678", "450121199001011230", "李四", "13900001111")


def create_user(procs: Processes, username: str, role: str, tenant: str = TENANT) -> None:
    assert procs.run("admin", "create-user", username, "--roles", role,
                     "--tenants", tenant, "--password", PASSWORD) == 0, procs.log_tail()  # fmt: skip


def db_url(procs: Processes) -> str:
    return procs.env["BIANMIN_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")


def wait_window(procs: Processes, code: str, timeout: float = 60) -> None:
    """Until intake's projection of the directory has the window (it comes over the bus)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(db_url(procs), autocommit=True) as conn:
        while time.monotonic() < deadline:
            if conn.execute("SELECT 1 FROM intake.window WHERE code = %s", (code,)).fetchone():
                return
            time.sleep(0.3)
    pytest.fail(f"window {code} never reached intake")


def events(procs: Processes, event_type: str) -> list[dict[str, Any]]:
    """intake's outbox rows of a type; none may carry the petitioner."""
    with psycopg.connect(db_url(procs)) as conn:
        rows = conn.execute(
            "SELECT payload::text FROM intake.outbox WHERE event_type = %s ORDER BY id", (event_type,)
        ).fetchall()
    for (payload,) in rows:
        for personal in PERSONAL:
            assert personal not in payload, payload
    return [json.loads(payload) for (payload,) in rows]


def data_of(envelope: dict[str, Any]) -> dict[str, Any]:
    return envelope.get("data", envelope)


def exercise_petitions(base: str, procs: Processes) -> None:
    assert procs.run("admin", "calendar-import", "--year", str(date.today().year)) == 0, procs.log_tail()
    admin = login(base)
    township = {"code": "napo", "name": "那坡镇", "villages": []}
    assert httpx.post(f"{base}/v1/townships", json=township, headers=admin).status_code == 201
    wait_projections(base, admin, TENANT)
    org = f"{base}/v1/townships/{TENANT}"
    r = httpx.post(f"{org}/departments", json={"code": "civil", "name": "民政所"}, headers=admin)
    assert r.status_code == 201, r.text
    r = httpx.post(f"{org}/windows", json={"code": "civil_w", "name": "民政窗口", "department": "civil"},
                   headers=admin)  # fmt: skip
    assert r.status_code == 201, r.text
    create_user(procs, "napo_petition", "petition_officer")
    create_user(procs, "napo_admin", "township_admin")
    for username, phone in (("napo_leader", "13700000000"), ("napo_head", "13700000001")):
        staff = {"username": username, "password": PASSWORD, "name": username, "phone": phone,
                 "roles": ["township_admin"]}  # fmt: skip
        r = httpx.post(f"{org}/staff", json=staff, headers=admin)  # staff: in every service's directory
        assert r.status_code == 201, r.text
    create_user(procs, "napo_window", "window_staff")
    create_user(procs, "bama_petition", "petition_officer", "tianyang.bama")
    officer = login(base, "napo_petition", PASSWORD)
    office = login(base, "napo_admin", PASSWORD)
    window = login(base, "napo_window", PASSWORD)
    url = f"{org}/petitions"

    # a petition: due at the end of the 3rd calendar day; the petitioner in full for the officer
    first = httpx.post(url, json=PETITION, headers={**officer, "Idempotency-Key": "xf-1"})
    assert first.status_code == 201, first.text
    p = first.json()
    assert (p["kind"], p["state"], p["channel"], p["registered_by"]) == ("petition", "registered", "desk",
                                                                         "napo_petition")  # fmt: skip
    assert p["petitioner"]["name"] == "张三丰" and p["petitioner"]["id_number"] == "450121199001011230"
    assert p["number"].startswith("XF-") and first.headers["ETag"] == '"1"'
    registered_on = datetime.fromisoformat(p["registered_at"]).date()
    due = datetime.fromisoformat(p["answer_due_at"])
    assert (due.date(), due.strftime("%H:%M:%S %z")) == (registered_on + timedelta(days=3), "23:59:59 +0800")
    again = httpx.post(url, json=PETITION, headers={**officer, "Idempotency-Key": "xf-1"})
    assert again.status_code == 201 and again.json()["id"] == p["id"], again.text

    leader = httpx.post(url, json={**PETITION, "leader_received": True}, headers=officer).json()
    assert datetime.fromisoformat(leader["answer_due_at"]).date() == registered_on + timedelta(days=7)
    spot = httpx.post(url, json={**PETITION, "answer": "当场解释政策"}, headers=officer).json()
    assert (spot["state"], spot["on_time"], spot["answer"]) == ("answered", True, "当场解释政策")
    # today's leader on duty, in the month's rota (appraisal knows the leader once the directory's
    # event reached it); the alert needs notify to have the rota before the petition comes
    leader = login(base, "napo_leader", PASSWORD)
    rota = {"days": [{"date": registered_on.isoformat(), "username": "napo_leader"}]}
    eventually(
        lambda: httpx.put(f"{org}/duty-rota/{registered_on:%Y-%m}", json=rota, headers=office),
        lambda r: r.status_code == 200,
        "the rota accepted",
    )
    with psycopg.connect(db_url(procs), autocommit=True) as conn:
        eventually(
            lambda: conn.execute(
                "SELECT username FROM notify.duty_day WHERE day = %s", (registered_on,)
            ).fetchall(),
            lambda rows: rows == [("napo_leader",)],
            "notify's projection of the rota",
        )
    collective = httpx.post(url, json={**PETITION, "collective": True, "matter": "集体反映征地补偿"},
                            headers=officer)  # fmt: skip
    assert collective.status_code == 201 and collective.json()["collective"] is True, collective.text
    alert = eventually(
        lambda: httpx.get(f"{base}/v1/me/inbox", headers=leader).json()["items"],
        lambda items: [i["topic"] for i in items] == ["collective_petition"],
        "the leader on duty alerted",
    )[0]
    assert collective.json()["number"] in alert["title"] and alert["tenant_id"] == TENANT
    head = login(base, "napo_head", PASSWORD)
    topics = [i["topic"] for i in httpx.get(f"{base}/v1/me/inbox", headers=head).json()["items"]]
    assert "collective_petition" not in topics  # the other township_admin is not on duty

    # the collective petition's event is already in the outbox (notify alerts the leader on duty)
    registered = [data_of(e) for e in events(procs, "petition_registered")]
    assert len(registered) == 4
    flagged = [e for e in registered if e.get("collective")]
    assert [e["petitionId"] if "petitionId" in e else e["petition_id"] for e in flagged] == [
        collective.json()["id"]
    ]
    assert len(events(procs, "petition_answered")) == 1  # the one answered on the spot

    # the township admin reads it without the petitioner; window staff and the county may not read
    seen = httpx.get(f"{url}/{p['id']}", headers=office)
    assert seen.status_code == 200, seen.text
    assert seen.json()["petitioner"] is None and seen.json()["matter"] == "反映村道损坏,联系电话138****5678"
    listed = httpx.get(url, params={"kind": "petition"}, headers=office)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 4, listed.text
    for personal in PERSONAL:
        assert personal not in listed.text
    for outsider in (window, admin):
        r = httpx.get(url, headers=outsider)
        assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
    other = login(base, "bama_petition", PASSWORD)
    r = httpx.get(f"{url}/{p['id']}", headers=other)
    assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
    officer_list = httpx.get(url, params={"state": "answered"}, headers=officer).json()["items"]
    assert [x["id"] for x in officer_list] == [spot["id"]] and officer_list[0]["petitioner"][
        "name"
    ] == "张三丰"

    # answering: only the officer for a petition, If-Match checked, then once only
    r = httpx.post(f"{url}/{p['id']}/answer", json={"answer": "已答复"}, headers=office)
    assert r.status_code == 403, r.text
    r = httpx.post(
        f"{url}/{p['id']}/answer", json={"answer": "已答复"}, headers={**officer, "If-Match": '"7"'}
    )
    assert r.status_code == 412 and r.json()["code"] == "version_conflict", r.text
    r = httpx.post(
        f"{url}/{p['id']}/answer", json={"answer": "已答复"}, headers={**officer, "If-Match": '"1"'}
    )
    assert r.status_code == 200 and r.json()["state"] == "answered" and r.json()["on_time"] is True, r.text
    assert r.headers["ETag"] == '"2"' and r.json()["days_late"] == 0
    r = httpx.post(f"{url}/{p['id']}/answer", json={"answer": "再答复"}, headers=officer)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition", r.text
    r = httpx.post(f"{url}/{p['id']}/forward", json={"department": "civil"}, headers=officer)
    assert r.status_code == 409, r.text

    # a complaint about a window: registered by the management office, forwarded, answered late
    wait_window(procs, "civil_w")
    c = httpx.post(url, json=COMPLAINT, headers=office)
    assert c.status_code == 201, c.text
    complaint = c.json()
    assert complaint["number"].startswith("TS-") and complaint["answer_due_at"] is None
    assert complaint["subject"] == {"type": "window", "id": "civil_w"} and complaint["petitioner"] is None
    cid = complaint["id"]
    r = httpx.post(f"{url}/{cid}/forward", json={"department": "nowhere"}, headers=office)
    assert r.status_code == 422 and r.json()["code"] == "validation_error", r.text
    r = httpx.post(f"{url}/{cid}/forward", json={"department": "civil", "answer_days": 2}, headers=office)
    assert r.status_code == 200, r.text
    forwarded = r.json()
    assert (forwarded["state"], forwarded["forwarded_to"], forwarded["version"]) == ("forwarded", "civil", 2)
    assert datetime.fromisoformat(forwarded["answer_due_at"]).strftime("%H:%M") == "17:30"  # close of office
    assert [data_of(e)["department"] for e in events(procs, "complaint_forwarded")] == ["civil"]
    r = httpx.post(f"{url}/{cid}/decide", json={"verified": True, "reason": "属实"}, headers=office)
    assert r.status_code == 409, r.text  # the department's answer first
    with psycopg.connect(db_url(procs)) as conn:  # as if the deadline had passed 2 days 1 hour ago
        conn.execute(
            "UPDATE intake.petition SET answer_due_at = now() - interval '2 days 1 hour' WHERE id = %s",
            (cid,),
        )
    r = httpx.post(f"{url}/{cid}/answer", json={"answer": "已批评教育并整改"}, headers=officer)
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["on_time"], r.json()["days_late"]) == ("answered", False, 3)
    late = [data_of(e) for e in events(procs, "petition_answered")][-1]
    assert (late.get("daysLate", late.get("days_late")), late["department"]) == (3, "civil")

    # decided by the management office only
    r = httpx.post(f"{url}/{cid}/decide", json={"verified": True, "reason": "经核实属实"}, headers=officer)
    assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
    r = httpx.post(f"{url}/{cid}/decide", json={"verified": True, "reason": "经核实属实"}, headers=office)
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["verified"], r.json()["decided_by"]) == (
        "decided",
        True,
        "napo_admin",
    )
    decided = [data_of(e) for e in events(procs, "complaint_decided")]
    assert len(decided) == 1 and decided[0]["verified"] is True

    # bad input: 422, nothing written
    before = len(httpx.get(url, headers=officer).json()["items"])
    refusals = [
        {**COMPLAINT, "subject": {"type": "window", "id": "no_such_window"}},  # not the township's
        {**COMPLAINT, "subject": None},
        {**COMPLAINT, "ground": None},
        {**PETITION, "subject": {"type": "window", "id": "civil_w"}},
        {**PETITION, "channel": "fax"},
        {**PETITION, "petitioner": {"name": ""}},
        {key: value for key, value in PETITION.items() if key != "matter"},
    ]
    for refused in refusals:
        r = httpx.post(url, json=refused, headers=officer)
        assert r.status_code == 422 and r.json()["code"] == "validation_error", (refused, r.text)
    # who registers: a petition is the officer's (the admin may not), a complaint not the window's
    r = httpx.post(url, json=PETITION, headers=office)
    assert r.status_code == 403, r.text
    r = httpx.post(url, json=COMPLAINT, headers=window)
    assert r.status_code == 403, r.text
    assert len(httpx.get(url, headers=officer).json()["items"]) == before == 5
    assert len(events(procs, "petition_registered")) == 5


def test_petitions_all_in_one(processes: Processes) -> None:
    port = free_port()
    proc = processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    exercise_petitions(base, processes)
    assert processes.stop(proc) == 0, processes.log_tail()
