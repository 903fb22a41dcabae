"""Appraisal over the gateway's HTTP API (routers/appraisal.py) with real intake and appraisal
served in process and real tokens: a second supplement asked for over HTTP (`materials`) reaches
the rules through intake's event; the management office records a manual event with evidence;
the month's table (100 + Σ, every point explained, also as a workbook) as the township admin
and as a window staff member sees it; an appeal by the window's staff, judged by someone other
than the recorder, withdraws the event and re-scores; the rulebooks (the default read-only, a
county's own checked whole and activated)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from fastapi.testclient import TestClient

from libs.common.runtime import Runtime
from services.appraisal.adapters import rulebook_files
from services.gateway.service_layer import identity
from tests.integration.gateway.inprocess import deliver, deliver_to_intake, gateway_with_intake
from tests.integration.gateway.support import PASSWORD, assert_problem, login, unique_code

pytestmark = pytest.mark.integration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WINDOW = "w_land"


@dataclass
class World:
    runtime: Runtime
    client: TestClient
    tenant: str
    item: str
    county_admin: dict[str, str]
    admin: dict[str, str]  # township admin who records
    admin2: dict[str, str]  # another township admin who judges
    supervisor: dict[str, str]
    staff: tuple[str, str]  # the window's two staff
    headers: dict[str, dict[str, str]]
    month: str

    @property
    def base(self) -> str:
        return f"/v1/townships/{self.tenant}"

    def to_appraisal(self) -> None:
        deliver(self.runtime, "intake", "appraisal", [self.tenant])


@pytest.fixture(scope="module")
def world(runtime: Runtime, gateway_keys: Any) -> Iterator[World]:
    county = unique_code("apr")
    identity.ensure_county(runtime.sessions, county, "考核县", runtime.settings.timezone)
    with gateway_with_intake(runtime, gateway_keys) as app, TestClient(app) as client:
        boss = unique_code("u")
        identity.create_user(
            runtime.sessions, username=boss, password=PASSWORD, county=county, roles=["county_admin"]
        )
        ca = login(client, boss)
        materials = [
            {"code": "id_card", "name": "身份证", "required": True},
            {"code": "hukou", "name": "户口簿", "required": True},
            {"code": "photo", "name": "照片", "required": False},
        ]
        item = {
            "code": unique_code("i"),
            "name": "低保申请",
            "category": "civil_affairs",
            "level": "township",
            "kind": "registration",
            "statutory_days": 10,
            "promised_days": 5,
            "materials": materials,
        }
        r = client.post("/v1/catalog/items", json=item, headers=ca)
        assert r.status_code == 201, r.text
        r = client.post("/v1/townships", json={"code": unique_code(), "name": "那坡镇"}, headers=ca)
        assert r.status_code == 201, r.text
        tenant = r.json()["id"]
        base = f"/v1/townships/{tenant}"
        assert (
            client.post(f"{base}/departments", json={"code": "land", "name": "国土"}, headers=ca).status_code
            == 201
        )
        window = {"code": WINDOW, "name": "国土窗口", "department": "land", "item_codes": [item["code"]]}
        assert client.post(f"{base}/windows", json=window, headers=ca).status_code == 201
        people: dict[str, str] = {}
        for key, roles, window_code in (
            ("a", ["window_staff"], WINDOW),
            ("b", ["window_staff"], WINDOW),
            ("admin", ["township_admin"], None),
            ("admin2", ["township_admin"], None),
            ("desk", ["intake_desk"], None),
        ):
            body = {
                "username": unique_code("s"),
                "password": PASSWORD,
                "name": f"人{key}",
                "phone": "13800138000",
                "roles": roles,
            } | ({"window": window_code} if window_code else {})
            r = client.post(f"{base}/staff", json=body, headers=ca)
            assert r.status_code == 201, r.text
            people[key] = r.json()["username"]
        r = client.put(
            f"{base}/windows/{WINDOW}/posts", json={"a": people["a"], "b": people["b"]}, headers=ca
        )
        assert r.status_code == 200, r.text
        sup = unique_code("sup")
        identity.create_user(
            runtime.sessions, username=sup, password=PASSWORD, county=county, roles=["county_supervisor"]
        )
        deliver_to_intake(runtime, [tenant])
        month = datetime.now(ZoneInfo(runtime.settings.timezone)).strftime("%Y-%m")
        headers = {k: login(client, v) for k, v in people.items()}
        yield World(
            runtime,
            client,
            tenant,
            item["code"],
            ca,
            headers["admin"],
            headers["admin2"],
            login(client, sup),
            (people["a"], people["b"]),
            headers,
            month,
        )


def _events(w: World, who: dict[str, str], **params: str) -> list[dict]:
    r = w.client.get(f"{w.base}/appraisal/events", params=params, headers=who)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _scores(w: World, who: dict[str, str]) -> dict[tuple[str, str], dict]:
    r = w.client.get(f"{w.base}/appraisal/scores", params={"period": w.month}, headers=who)
    assert r.status_code == 200, r.text
    return {(i["subject"]["type"], i["subject"]["id"]): i for i in r.json()["items"]}


def test_a_second_supplement_over_http_is_scored(world: World) -> None:
    w, actor = world, world.headers["a"]
    applicant = {"name": "张三", "phone": "13800138000"}
    case = {
        "item_code": w.item,
        "level": "hall",
        "channel": "walk_in",
        "applicant": applicant,
        "materials": ["id_card"],
    }
    r = w.client.post(f"{w.base}/cases", json=case, headers=actor)
    assert r.status_code == 201, r.text
    url = f"{w.base}/cases/{r.json()['id']}"
    for action, body in (
        ("request-supplement", {}),
        ("materials", {"materials": ["hukou"]}),
        ("request-supplement", {"materials": ["photo"], "note": "照片也要"}),
    ):
        r = w.client.post(f"{url}/{action}", json=body, headers=actor)
        assert r.status_code == 200, (action, r.text)
    w.to_appraisal()
    w.to_appraisal()  # delivered twice: counted once
    found = {(e["rule_code"], e["subject"]["id"]): e for e in _events(w, w.admin, period=w.month)}
    assert set(found) == {("W-SVC-02", WINDOW), ("S-NENG-02", w.staff[0])}
    assert found[("W-SVC-02", WINDOW)]["points"] == -1
    assert found[("W-SVC-02", WINDOW)]["ref"] == f"case:{r.json()['id']}"
    assert found[("S-NENG-02", w.staff[0])]["facts"]["second_request"] is True
    assert found[("S-NENG-02", w.staff[0])]["source"] == "auto"


def _manual(w: World, who: dict[str, str], **changes: Any) -> Any:
    body = {
        "subject": {"type": "window", "id": WINDOW},
        "rule_code": "W-SVC-08",
        "evidence": "第3号办件未录入",
        "occurred_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(),
    } | changes
    return w.client.post(f"{w.base}/appraisal/events", json=body, headers=who)


def test_manual_events_need_the_management_office_a_manual_rule_and_evidence(world: World) -> None:
    w = world
    assert_problem(_manual(w, w.headers["a"]), 403, "forbidden")  # window staff do not score
    assert_problem(_manual(w, w.admin, rule_code="W-SVC-07"), 422, "validation_error")  # an auto rule
    assert_problem(_manual(w, w.admin, evidence=" "), 422, "validation_error")
    assert_problem(_manual(w, w.admin, subject={"type": "window", "id": "nosuch"}), 422, "validation_error")
    later = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=3)).isoformat()
    assert_problem(_manual(w, w.admin, occurred_at=later), 422, "validation_error")
    r = _manual(
        w,
        w.supervisor,
        subject={"type": "staff", "id": w.staff[1]},
        rule_code="S-BON-04",
        evidence="群众锦旗一面，存档于办公室",
    )
    assert r.status_code == 201, r.text
    assert r.json()["points"] == 2 and r.json()["source"] == "manual" and r.json()["status"] == "active"


def test_the_table_explains_every_point_and_appeals_re_score(world: World) -> None:
    w = world
    r = _manual(w, w.admin, count=2)
    assert r.status_code == 201, r.text
    manual = r.json()
    assert manual["points"] == -2
    table = _scores(w, w.admin)
    window = table[("window", WINDOW)]
    assert window["subject"]["name"] == "国土窗口"
    assert window["score"] == 100 + sum(e["points"] for e in window["events"])
    assert {e["rule_code"] for e in window["events"]} >= {"W-SVC-08"}
    assert window["grade"] in ("excellent", "qualified")
    # a window staff member sees their own row and their window's
    mine = _scores(w, w.headers["b"])
    assert set(mine) == {("window", WINDOW), ("staff", w.staff[1])}
    own = mine[("staff", w.staff[1])]
    assert own["score"] == 100 + sum(e["points"] for e in own["events"])
    # the workbook
    r = w.client.get(
        f"{w.base}/appraisal/scores", params={"period": w.month}, headers=w.admin | {"Accept": XLSX}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith(XLSX)
    sheet = openpyxl.load_workbook(io.BytesIO(r.content))["scores"]
    assert [c.value for c in sheet[1]][:5] == ["type", "id", "name", "period", "score"]
    assert any(
        row[1] == WINDOW and row[4] == window["score"] for row in sheet.iter_rows(min_row=2, values_only=True)
    )

    # appeals: the window's staff appeal; not the desk; the recorder may not judge it
    url = f"{w.base}/appraisal/appeals"
    assert_problem(
        w.client.post(url, json={"event_id": manual["id"], "reason": "已录入"}, headers=w.headers["desk"]),
        404,
        "not_found",
    )
    r = w.client.post(
        url, json={"event_id": manual["id"], "reason": "该件已于当日录入"}, headers=w.headers["a"]
    )
    assert r.status_code == 201, r.text
    appeal = r.json()
    assert appeal["state"] == "pending"
    again = w.client.post(url, json={"event_id": manual["id"], "reason": "再申请"}, headers=w.headers["b"])
    assert_problem(again, 409, "invalid_transition")
    decide = f"{url}/{appeal['id']}/decide"
    assert_problem(
        w.client.post(decide, json={"upheld": True, "reason": "属实"}, headers=w.admin), 403, "forbidden"
    )
    assert_problem(
        w.client.post(decide, json={"upheld": True, "reason": "属实"}, headers=w.headers["a"]),
        403,
        "forbidden",
    )
    r = w.client.post(decide, json={"upheld": True, "reason": "系统记录显示已录入"}, headers=w.admin2)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "upheld" and r.json()["decision_reason"] == "系统记录显示已录入"
    assert_problem(
        w.client.post(decide, json={"upheld": False, "reason": "改判"}, headers=w.admin2),
        409,
        "invalid_transition",
    )
    [withdrawn] = [e for e in _events(w, w.admin, period=w.month) if e["id"] == manual["id"]]
    assert withdrawn["status"] == "withdrawn"
    after = _scores(w, w.admin)[("window", WINDOW)]
    assert after["score"] == window["score"] + 2
    assert manual["id"] not in {e["id"] for e in after["events"]}


def test_rulebooks_default_read_only_a_countys_own_checked_whole(world: World) -> None:
    w = world
    r = w.client.get("/v1/appraisal/rulebooks", headers=w.headers["a"])
    assert r.status_code == 200, r.text
    assert [i["id"] for i in r.json()["items"]] == ["default"]
    r = w.client.get("/v1/appraisal/rulebooks/default", headers=w.headers["a"])
    assert r.status_code == 200, r.text
    book = r.json()
    rules = {rule["code"]: rule for rule in book["rules"]}
    assert (
        len(rules) >= 80
        and rules["W-SVC-07"]["points"] == -10
        and rules["W-SVC-07"]["subject_type"] == "window"
    )
    assert book["read_only"] is True
    assert_problem(
        w.client.put("/v1/appraisal/rulebooks/default", json=book, headers=w.county_admin), 403, "forbidden"
    )
    variant = rulebook_files.read("tongshan")
    shown = variant | {
        "rules": [
            {"subject_type" if k == "subject" else k: v for k, v in r.items()} for r in variant["rules"]
        ]
    }
    assert_problem(
        w.client.put(f"/v1/appraisal/rulebooks/{variant['id']}", json=shown, headers=w.admin),
        403,
        "forbidden",
    )
    broken = shown | {"rules": [{**shown["rules"][0], "points": "many"}, {"code": "bad"}]}
    r = w.client.put(f"/v1/appraisal/rulebooks/{variant['id']}", json=broken, headers=w.county_admin)
    body = assert_problem(r, 422, "validation_error")
    assert "points" in body["detail"] and "bad" in body["detail"]  # every problem at once
    r = w.client.put(f"/v1/appraisal/rulebooks/{variant['id']}", json=shown, headers=w.county_admin)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1 and r.json()["read_only"] is False
    url = f"/v1/appraisal/rulebooks/{variant['id']}/activate"
    assert_problem(
        w.client.post(url, json={"from": "2001-01"}, headers=w.county_admin), 422, "validation_error"
    )
    r = w.client.post(url, json={"from": "2090-01"}, headers=w.county_admin)
    assert r.status_code == 200, r.text
    assert r.json() == {"rulebook_id": variant["id"], "from": "2090-01"}
    r = w.client.get("/v1/appraisal/rulebooks", headers=w.headers["a"])
    assert [i["id"] for i in r.json()["items"]] == ["default", variant["id"]]


def test_the_county_assesses_its_townships(world: World) -> None:
    w = world
    r = w.client.post(f"{w.base}/appraisal/reports", json={"title": "十一月便民服务信息"}, headers=w.admin)
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "十一月便民服务信息" and r.json()["reported_at"]
    assert_problem(
        w.client.post(f"{w.base}/appraisal/reports", json={"title": "x"}, headers=w.headers["a"]),
        403,
        "forbidden",
    )
    quarter = f"{w.month[:4]}Q{(int(w.month[5:]) - 1) // 3 + 1}"
    url = f"/v1/appraisal/townships/{w.tenant}/indicators/leadership"
    too_much = {"quarter": quarter, "points": 6, "evidence": "领导到场检查"}
    assert_problem(w.client.put(url, json=too_much, headers=w.supervisor), 422, "validation_error")
    r = w.client.put(url, json=too_much | {"points": 4}, headers=w.supervisor)
    assert r.status_code == 200, r.text
    [leadership] = [i for i in r.json()["indicators"] if i["code"] == "leadership"]
    assert (
        leadership["points"] == 4
        and leadership["evidence"] == "领导到场检查"
        and leadership["source"] == "manual"
    )
    assert_problem(w.client.put(url, json=too_much | {"points": 4}, headers=w.admin), 403, "forbidden")
    r = w.client.get("/v1/appraisal/townships", params={"quarter": quarter}, headers=w.county_admin)
    assert r.status_code == 200, r.text
    [mine] = [a for a in r.json()["items"] if a["tenant"] == w.tenant]
    assert len(mine["indicators"]) == 10 and mine["total"] == sum(i["points"] for i in mine["indicators"])
    assert_problem(
        w.client.get("/v1/appraisal/townships", params={"quarter": "2026Q5"}, headers=w.county_admin),
        422,
        "validation_error",
    )
