"""Attendance and leave over the gateway's HTTP API (routers/workforce.py) with a real appraisal
served in process and real tokens (API.md *Attendance, leave, posts and duty*): a leave requested
by the staff member, decided by the right person (another role → 403 `forbidden`), the A/B rule
(422 without a substitute), cancellation, the listing, `If-Match`; sign-ins by the staff member
and back-filled by the township admin, the day's attendance, and the device import."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import typer
from fastapi.testclient import TestClient

from cli.client import attendance as attendance_cli
from libs.common import db
from libs.common.runtime import Runtime
from services.gateway.service_layer import identity
from tests.integration.gateway.inprocess import deliver, gateway_with_intake
from tests.integration.gateway.support import PASSWORD, assert_problem, login, unique_code

pytestmark = pytest.mark.integration

ROLES = {
    "a": ["window_staff"],
    "b": ["window_staff"],
    "head": ["centre_head"],
    "lead": ["township_leader"],
    "admin": ["township_admin"],
}


@dataclass
class Township:
    client: TestClient
    tenant: str
    users: dict[str, str]  # key → username
    headers: dict[str, dict[str, str]]  # key → the user's headers
    tz: ZoneInfo

    def path(self, tail: str) -> str:
        return f"/v1/townships/{self.tenant}/{tail}"


def weekday(after: date, n: int) -> date:
    """The n-th weekday after `after` (the provisional calendar: no national days imported)."""
    day = after
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


@pytest.fixture(scope="module")
def township(runtime: Runtime, gateway_keys: Any, county: str) -> Iterator[Township]:
    with gateway_with_intake(runtime, gateway_keys) as app, TestClient(app) as client:
        bootstrap = unique_code("u")
        identity.create_user(
            runtime.sessions, username=bootstrap, password=PASSWORD, county=county, roles=["county_admin"]
        )
        ca = login(client, bootstrap)
        r = client.post("/v1/townships", json={"code": unique_code(), "name": "那坡镇"}, headers=ca)
        assert r.status_code == 201, r.text
        tenant = r.json()["id"]
        users = {}
        for key, roles in ROLES.items():
            body = {
                "username": unique_code(key),
                "password": PASSWORD,
                "name": "王五",
                "phone": "13800138000",
                "roles": roles,
            }
            r = client.post(f"/v1/townships/{tenant}/staff", json=body, headers=ca)
            assert r.status_code == 201, r.text
            users[key] = r.json()["username"]
        r = client.post(
            f"/v1/townships/{tenant}/departments", json={"code": "mz", "name": "民政办"}, headers=ca
        )
        assert r.status_code == 201, r.text
        r = client.post(
            f"/v1/townships/{tenant}/windows",
            json={"code": "w1", "name": "民政", "department": "mz", "item_codes": []},
            headers=ca,
        )
        assert r.status_code == 201, r.text
        r = client.put(
            f"/v1/townships/{tenant}/windows/w1/posts", json={"a": users["a"], "b": users["b"]}, headers=ca
        )
        assert r.status_code == 200, r.text
        deliver(runtime, "gateway", "appraisal", [tenant])
        headers = {key: login(client, username) for key, username in users.items()}
        yield Township(client, tenant, users, headers, ZoneInfo(runtime.settings.timezone))


def _events(runtime: Runtime, tenant: str, event_type: str) -> list[dict]:
    with db.transaction(runtime.ops_sessions, None) as s:
        query = "SELECT payload FROM appraisal.outbox WHERE tenant_id = :t AND event_type = :e ORDER BY id"
        return list(s.execute(sa.text(query), {"t": tenant, "e": event_type}).scalars())


def test_a_leave_is_requested_and_approved_by_the_right_person(runtime: Runtime, township: Township) -> None:
    t = township
    today = datetime.now(t.tz).date()
    first, last = weekday(today, 20), weekday(today, 21)
    body = {"username": t.users["a"], "from": first.isoformat(), "to": last.isoformat(), "reason": "探亲"}
    r = t.client.post(t.path("leaves"), json=body, headers=t.headers["a"])
    assert r.status_code == 201, r.text
    leave = r.json()
    assert (leave["state"], leave["working_days"], leave["approver_role"]) == (
        "pending",
        2,
        "township_leader",
    )
    assert r.headers["ETag"] == '"1"'

    for other in ("head", "admin", "b"):
        r = t.client.post(t.path(f"leaves/{leave['id']}/approve"), json={}, headers=t.headers[other])
        assert_problem(r, 403, "forbidden")
    r = t.client.post(
        t.path(f"leaves/{leave['id']}/approve"),
        json={"reason": "同意"},
        headers={**t.headers["lead"], "If-Match": '"7"'},
    )
    assert_problem(r, 412, "version_conflict")
    r = t.client.post(
        t.path(f"leaves/{leave['id']}/approve"),
        json={"reason": "同意"},
        headers={**t.headers["lead"], "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["decided_by"]) == ("approved", t.users["lead"])
    assert {
        "leave_id": leave["id"],
        "username": t.users["a"],
        "from_date": first.isoformat(),
        "to_date": last.isoformat(),
    } in _events(runtime, t.tenant, "leave_approved")

    # B may not leave the window empty while A is away, unless the department sends a substitute
    body = {"username": t.users["b"], "from": last.isoformat(), "to": last.isoformat(), "reason": "病假"}
    r = t.client.post(t.path("leaves"), json=body, headers=t.headers["b"])
    assert_problem(r, 422, "validation_error")
    r = t.client.post(
        t.path("leaves"),
        json=body | {"substitute": "黄代岗", "substitute_letter": "民政办函〔2026〕3号"},
        headers=t.headers["b"],
    )
    assert r.status_code == 201, r.text
    b_leave = r.json()
    r = t.client.post(
        t.path(f"leaves/{b_leave['id']}/reject"), json={"reason": ""}, headers=t.headers["head"]
    )
    assert_problem(r, 422, "validation_error")  # a rejection needs a reason
    r = t.client.post(
        t.path(f"leaves/{b_leave['id']}/reject"), json={"reason": "另行安排"}, headers=t.headers["head"]
    )
    assert r.status_code == 200 and r.json()["state"] == "rejected"

    # A cancels: the cover ends
    r = t.client.post(t.path(f"leaves/{leave['id']}/cancel"), headers=t.headers["a"])
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert {"leave_id": leave["id"], "username": t.users["a"]} in _events(
        runtime, t.tenant, "leave_cancelled"
    )

    # listing: the centre head sees both, B only B's
    r = t.client.get(t.path("leaves"), params={"from": first.isoformat()}, headers=t.headers["head"])
    assert r.status_code == 200 and {x["id"] for x in r.json()["items"]} >= {leave["id"], b_leave["id"]}
    r = t.client.get(t.path("leaves"), headers=t.headers["b"])
    assert {x["username"] for x in r.json()["items"]} == {t.users["b"]}


@pytest.mark.parametrize(
    "change",
    [
        {"from": "2026-13-01"},
        {"to": "2020-01-01"},
        {"username": "nobody_here"},
        {"reason": ""},
        {"from": None},
    ],
)
def test_invalid_leaves_are_422(township: Township, change: dict) -> None:
    t = township
    day = weekday(datetime.now(t.tz).date(), 30).isoformat()
    body = {"username": t.users["a"], "from": day, "to": day, "reason": "事假"} | change
    r = t.client.post(
        t.path("leaves"), json={k: v for k, v in body.items() if v is not None}, headers=t.headers["admin"]
    )
    assert_problem(r, 422, "validation_error")


def test_an_unknown_leave_is_404(township: Township) -> None:
    t = township
    r = t.client.post(
        t.path("leaves/3f0c1d2e-0000-4000-8000-000000000000/approve"), json={}, headers=t.headers["head"]
    )
    assert_problem(r, 404, "not_found")
    r = t.client.post(t.path("leaves/not-a-uuid/cancel"), headers=t.headers["head"])
    assert_problem(r, 404, "not_found")


def last_weekday(today: date) -> date:
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def test_sign_ins_and_the_attendance_day(township: Township) -> None:
    t = township
    day = last_weekday(datetime.now(t.tz).date())
    at = f"{day.isoformat()}T08:36:00+08:00"
    r = t.client.post(
        t.path("attendance/sign-ins"), json={"username": t.users["a"], "at": at}, headers=t.headers["a"]
    )
    assert r.status_code == 201, r.text
    assert (r.json()["source"], r.json()["entered_by"], r.json()["at"]) == ("self", t.users["a"], at)
    back = {"username": t.users["b"], "at": f"{day.isoformat()}T00:20:00Z"}  # 08:20 local, any offset
    r = t.client.post(t.path("attendance/sign-ins"), json=back, headers=t.headers["admin"])
    assert (
        r.status_code == 201
        and r.json()["source"] == "back_fill"
        and r.json()["entered_by"] == t.users["admin"]
    )
    r = t.client.post(t.path("attendance/sign-ins"), json=back, headers=t.headers["a"])
    assert_problem(r, 403, "forbidden")
    for bad in (
        {"username": "nobody_here", "at": at},
        {"username": t.users["a"], "at": "2026-12-06T08:30:00+08:00"},
        {"username": t.users["a"], "at": "yesterday"},
    ):
        r = t.client.post(t.path("attendance/sign-ins"), json=bad, headers=t.headers["admin"])
        assert_problem(r, 422, "validation_error")

    r = t.client.get(t.path("attendance"), params={"date": day.isoformat()}, headers=t.headers["head"])
    assert r.status_code == 200, r.text
    items = {x["username"]: x for x in r.json()["items"]}
    assert (items[t.users["a"]]["status"], items[t.users["a"]]["late_minutes"]) == ("absent_half_day", 6)
    assert items[t.users["a"]]["window"] == "w1" and items[t.users["a"]]["judged"] is False
    assert [s["source"] for s in items[t.users["b"]]["sign_ins"]] == ["back_fill"]
    r = t.client.get(t.path("attendance"), params={"date": day.isoformat()}, headers=t.headers["b"])
    assert [x["username"] for x in r.json()["items"]] == [t.users["b"]]


def test_a_device_import_is_checked_whole(township: Township) -> None:
    t = township
    day = last_weekday(last_weekday(datetime.now(t.tz).date()))
    rows = [
        {"at": "row 2", "username": t.users["a"], "time": f"{day}T14:29:00+08:00"},
        {"at": "row 3", "username": "nobody_here", "time": f"{day}T14:31:00+08:00"},
    ]
    r = t.client.post(
        t.path("attendance/imports"), json={"rows": rows, "dry_run": True}, headers=t.headers["admin"]
    )
    assert r.status_code == 200 and [p.split(":")[0] for p in r.json()["problems"]] == ["row 3"]
    r = t.client.post(t.path("attendance/imports"), json={"rows": rows}, headers=t.headers["admin"])
    body = assert_problem(r, 422, "validation_error")
    assert "row 3" in body["detail"]
    r = t.client.post(t.path("attendance/imports"), json={"rows": rows[:1]}, headers=t.headers["admin"])
    assert r.status_code == 200 and r.json() == {"stored": 1, "duplicates": 0, "problems": []}
    r = t.client.post(t.path("attendance/imports"), json={"rows": rows[:1]}, headers=t.headers["a"])
    assert_problem(r, 403, "forbidden")


def _run_import(t: Township, path: Path, dry_run: bool = False) -> int:
    token = t.headers["admin"]["Authorization"].removeprefix("Bearer ")
    creds = {"url": str(t.client.base_url), "token": token}
    try:
        attendance_cli.import_(path, dry_run, creds, t.tenant, transport=t.client._transport)
    except typer.Exit as exc:
        return int(exc.exit_code)
    return 0


def test_the_cli_imports_a_device_export_whole_or_not_at_all(
    township: Township, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    t = township
    day = last_weekday(last_weekday(last_weekday(datetime.now(t.tz).date())))
    sunday = day - timedelta(days=(day.weekday() + 1))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"工号,日期,时间\n{t.users['a']},{day},08:29\nnobody_here,{day},08:30\n{t.users['b']},{sunday},08:30\n"
    )
    assert _run_import(t, bad) == 2
    err = capsys.readouterr().err
    assert "2 problems, nothing was stored" in err and "row 3" in err and "row 4" in err
    r = t.client.get(t.path("attendance"), params={"date": day.isoformat()}, headers=t.headers["admin"])
    assert all(not x["sign_ins"] for x in r.json()["items"])  # nothing stored

    good = tmp_path / "good.csv"
    good.write_text(
        f"工号,日期,时间\n{t.users['a']},{day},08:29\n{t.users['a']},{day},14:35\n{t.users['b']},{day},08:30\n"
    )
    assert _run_import(t, good, dry_run=True) == 0
    assert _run_import(t, good) == 0
    assert "3 stored, 0 duplicate(s)" in capsys.readouterr().out
    assert _run_import(t, good) == 0
    assert "0 stored, 3 duplicate(s)" in capsys.readouterr().out
    r = t.client.get(t.path("attendance"), params={"date": day.isoformat()}, headers=t.headers["admin"])
    items = {x["username"]: x for x in r.json()["items"]}
    assert (items[t.users["a"]]["status"], items[t.users["a"]]["late_minutes"]) == ("late", 5)
    assert [s["source"] for s in items[t.users["a"]]["sign_ins"]] == ["device", "device"]


def test_a_spot_check(township: Township) -> None:
    t = township
    day = last_weekday(datetime.now(t.tz).date())
    body = {"username": t.users["b"], "at": f"{day}T10:05:00+08:00", "finding": "off_post"}
    r = t.client.post(t.path("attendance/spot-checks"), json=body, headers=t.headers["admin"])
    assert r.status_code == 201, r.text
    assert (r.json()["half"], r.json()["finding"], r.json()["recorded_by"]) == (
        "am",
        "off_post",
        t.users["admin"],
    )
    r = t.client.post(t.path("attendance/spot-checks"), json=body, headers=t.headers["head"])
    assert_problem(r, 403, "forbidden")
    r = t.client.post(
        t.path("attendance/spot-checks"), json=body | {"finding": "asleep"}, headers=t.headers["admin"]
    )
    assert_problem(r, 422, "validation_error")


@pytest.mark.parametrize(
    "when",
    [
        "0001-01-01T00:10:00+19:00",
        "9999-12-31T23:59:00-19:00",
        "0385-07-21T20:41:50+19:00",
        "2026-12-01T08:30:00",
    ],
)
def test_a_time_out_of_range_or_without_offset_is_422(township: Township, when: str) -> None:
    t = township  # found by schemathesis: far years with big offsets overflowed turning to UTC
    row = {"username": "nobody_here", "time": when}
    r = t.client.post(t.path("attendance/imports"), json={"rows": [row]}, headers=t.headers["admin"])
    assert r.status_code == 422, r.text
    r = t.client.post(
        t.path("attendance/sign-ins"),
        json={"username": "nobody_here", "at": when},
        headers=t.headers["admin"],
    )
    assert r.status_code == 422, r.text


def test_an_import_of_old_sign_ins_is_refused_before_any_calendar_is_read(township: Township) -> None:
    t = township
    row = {"at": "row 2", "username": t.users["a"], "time": "2001-03-05T08:30:00+08:00"}
    r = t.client.post(t.path("attendance/imports"), json={"rows": [row]}, headers=t.headers["admin"])
    assert r.status_code == 422 and "more than a year ago" in r.json()["detail"], r.text
