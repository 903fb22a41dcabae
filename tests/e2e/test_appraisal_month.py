"""An appraisal month end to end on the all-in-one platform (real processes, HTTP, gRPC and the
in-process bus), as a management office lives it (README *The appraisal month*):

- a window staff member asks for a second supplement over HTTP (`materials`): intake's event
  reaches appraisal, which records W-SVC-02 on the window and S-NENG-02 on the staff member,
  each with the case as its `ref` and the facts it fired on;
- the township admin records a manual event with evidence; the month's table shows 100 + Σ with
  every point explained, as JSON and as a workbook; a window staff member sees their own rows;
- the staff member appeals the manual event, another township admin upholds it: withdrawn;
- the county admin imports seed 001 第五篇's variant with `bianmin client appraisal rulebook
  import` and activates it for a later month; `bianmin jobs close-month --month` freezes last month."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import ADMIN, Processes, eventually, login, wait_http, wait_projections
from tests.e2e.test_cli import bianmin

pytestmark = pytest.mark.e2e

TENANT = "tianyang.napo"
PASSWORD = "e2e-township-password"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROOT = Path(__file__).resolve().parents[2]


def test_an_appraisal_month_all_in_one(processes: Processes, tmp_path: Path) -> None:
    port = free_port()
    proc = processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    admin = login(base)
    materials = [
        {"code": "id_card", "name": "身份证", "required": True},
        {"code": "hukou", "name": "户口簿", "required": True},
        {"code": "photo", "name": "照片", "required": False},
    ]
    item = {
        "code": "dibao",
        "name": "低保申请",
        "category": "civil_affairs",
        "level": "township",
        "kind": "registration",
        "statutory_days": 10,
        "promised_days": 5,
        "materials": materials,
    }
    assert httpx.post(f"{base}/v1/catalog/items", json=item, headers=admin).status_code == 201
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
    window = {"code": "civil_w", "name": "民政窗口", "department": "civil", "item_codes": ["dibao"]}
    assert httpx.post(f"{org}/windows", json=window, headers=admin).status_code == 201
    for username, roles, extra in (
        ("huang", ["window_staff"], {"window": "civil_w"}),
        ("office", ["township_admin"], {}),
        ("office2", ["township_admin"], {}),
    ):
        body = {
            "username": username,
            "password": PASSWORD,
            "name": username,
            "phone": "13800138000",
            "roles": roles,
        }
        r = httpx.post(f"{org}/staff", json=body | extra, headers=admin)
        assert r.status_code == 201, r.text
    huang, office, office2 = (login(base, u, PASSWORD) for u in ("huang", "office", "office2"))
    eventually(
        lambda: httpx.get(f"{org}/catalog/items/dibao", headers=huang).status_code,
        lambda s: s == 200,
        "the item copied to the township",
    )

    # a second supplement over HTTP
    applicant = {"name": "张三", "phone": "13800138000"}
    case = {
        "item_code": "dibao",
        "level": "hall",
        "channel": "walk_in",
        "applicant": applicant,
        "materials": ["id_card"],
    }
    r = httpx.post(f"{org}/cases", json=case, headers=huang)
    assert r.status_code == 201, r.text
    url = f"{org}/cases/{r.json()['id']}"
    for action, body in (
        ("request-supplement", {}),
        ("materials", {"materials": ["hukou"]}),
        ("request-supplement", {"materials": ["photo"]}),
    ):
        r = httpx.post(f"{url}/{action}", json=body, headers=huang)
        assert r.status_code == 200, (action, r.text)
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    events_url = f"{org}/appraisal/events"

    def auto() -> dict[str, dict]:
        items = httpx.get(events_url, params={"period": month}, headers=office).json()["items"]
        return {e["rule_code"]: e for e in items if e["source"] == "auto"}

    found = eventually(auto, lambda f: {"W-SVC-02", "S-NENG-02"} <= set(f), "the second supplement scored")
    assert found["W-SVC-02"]["subject"] == {"type": "window", "id": "civil_w"}
    assert found["S-NENG-02"]["subject"] == {"type": "staff", "id": "huang"}
    assert (
        found["W-SVC-02"]["ref"] == f"case:{url.rsplit('/', 1)[1]}"
        and found["S-NENG-02"]["facts"]["second_request"]
    )

    # a manual event with evidence, the table, the workbook
    manual = {
        "subject": {"type": "window", "id": "civil_w"},
        "rule_code": "W-SVC-08",
        "evidence": "抽查：1件未录入",
        "occurred_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(),
    }
    r = httpx.post(events_url, json=manual, headers=office)
    assert r.status_code == 201, r.text
    event = r.json()
    scores_url = f"{org}/appraisal/scores"
    rows = {
        (i["subject"]["type"], i["subject"]["id"]): i
        for i in httpx.get(scores_url, params={"period": month}, headers=office).json()["items"]
    }
    w = rows[("window", "civil_w")]
    assert w["score"] == 98 and {e["rule_code"] for e in w["events"]} == {"W-SVC-02", "W-SVC-08"}
    assert rows[("staff", "huang")]["score"] == 99.5
    mine = httpx.get(scores_url, params={"period": month}, headers=huang).json()["items"]
    assert {(i["subject"]["type"], i["subject"]["id"]) for i in mine} == {
        ("window", "civil_w"),
        ("staff", "huang"),
    }
    book = httpx.get(scores_url, params={"period": month}, headers={**office, "Accept": XLSX})
    assert book.status_code == 200 and book.headers["content-type"].startswith(XLSX)
    assert openpyxl.load_workbook(io.BytesIO(book.content))["events"].max_row == 4  # header + 3 events

    # an appeal by the window's staff, upheld by the other admin (not the recorder)
    r = httpx.post(
        f"{org}/appraisal/appeals", json={"event_id": event["id"], "reason": "已录入"}, headers=huang
    )
    assert r.status_code == 201, r.text
    decide = f"{org}/appraisal/appeals/{r.json()['id']}/decide"
    assert httpx.post(decide, json={"upheld": True, "reason": "核实"}, headers=office).status_code == 403
    r = httpx.post(decide, json={"upheld": True, "reason": "系统记录已录入"}, headers=office2)
    assert r.status_code == 200 and r.json()["state"] == "upheld", r.text
    after = httpx.get(scores_url, params={"period": month, "subject_type": "window"}, headers=office).json()[
        "items"
    ]
    assert after[0]["score"] == 99

    # the county's own rulebook from a file; closing last month
    env = {**processes.env, "BIANMIN_CLIENT_CONFIG": str(tmp_path / "client.json"), "BIANMIN_URL": base}
    assert bianmin("client", "login", "--username", ADMIN[0], "--password", ADMIN[1], env=env).returncode == 0
    rules = ROOT / "services" / "appraisal" / "rulebooks" / "tongshan.yaml"
    imported = bianmin(
        "client", "appraisal", "rulebook", "import", "--file", str(rules), "--activate", "2090-01", env=env
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "stored rulebook tongshan version 1" in imported.stdout
    listed = httpx.get(f"{base}/v1/appraisal/rulebooks", headers=huang).json()["items"]
    assert [b["id"] for b in listed] == ["default", "tongshan"]
    last = (datetime.now(ZoneInfo("Asia/Shanghai")).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    closed = bianmin("jobs", "close-month", "--month", last, env=processes.env)
    assert closed.returncode == 0 and f"close-month: {last}: " in closed.stdout, closed.stdout + closed.stderr
    final = httpx.get(scores_url, params={"period": last}, headers=office).json()["items"]
    assert final and all(i["final"] and i["run"] == 1 for i in final)
    assert processes.stop(proc) == 0, processes.log_tail()
