"""Against a real all-in-one platform: `bianmin client catalog import|export` — a bad workbook
refused whole (every problem with sheet, row and column; nothing sent), a dry run, the import, a
second run that creates nothing, a changed item reported and left alone (exit 1), the template and
a township's copy exported and read back — then a case through its life and the township's
figures (`GET …/stats`) and public board (no token, masked), which a suspension takes down."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest

from cli.client import catalogue_file
from libs.common.ports import free_port
from tests.e2e.conftest import ADMIN, Processes, login, wait_http, wait_projections
from tests.e2e.test_cli import bianmin

pytestmark = pytest.mark.e2e

TENANT = "tianyang.napo"
PASSWORD = "e2e-township-password"
ITEMS = [
    ["code", "name", "category", "level", "kind", "statutory_days", "promised_days", "proxyable",
     "in_person", "privacy_sensitive", "departments", "fee", "procedure", "legal_basis"],
    ["hk_move", "户口迁移", "户籍", "township", "approval", 10, 5, True, False, False, "police", 0,
     "受理、审核、办结", "户口登记条例"],
    ["db_apply", "低保申请", "civil_affairs", "county", "approval", 30, 20, False, True, True,
     "civil,finance", 12.5, "", ""],
]  # fmt: skip
MATERIALS = [
    ["item", "code", "name", "required"],
    ["hk_move", "id_card", "居民身份证", True],
    ["hk_move", "hukou_book", "户口簿", True],
    ["db_apply", "id_card", "居民身份证", True],
]


def xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def template(base: str, headers: dict[str, str]) -> dict[str, dict]:
    reply = httpx.get(f"{base}/v1/catalog/items", params={"page_size": 200}, headers=headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return {i["code"]: i for i in reply.json()["items"]}


def test_catalogue_excel_then_stats_and_board(processes: Processes, tmp_path: Path) -> None:
    port = free_port()
    processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    env = {**processes.env, "BIANMIN_CLIENT_CONFIG": str(tmp_path / "client.json"), "BIANMIN_URL": base}
    admin = login(base, *ADMIN)
    ok = bianmin("client", "login", "--username", ADMIN[0], "--password", ADMIN[1], env=env)
    assert ok.returncode == 0, ok.stderr
    assert template(base, admin) == {}

    # a bad workbook: refused whole, every problem with its place, nothing sent
    bad_items = [ITEMS[0], ["hk_move", "户口迁移", "户籍", "township", "approval", 3, 5] + ITEMS[1][7:],
                 ["B D", "坏", "other", "moon", "approval", 1, 1]]  # fmt: skip
    bad = xlsx(
        tmp_path / "bad.xlsx", {"items": bad_items, "materials": [*MATERIALS, ["nowhere", "x1", "材料"]]}
    )
    refused = bianmin("client", "catalog", "import", "--file", str(bad), env=env)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "5 problems, nothing was sent" in refused.stderr, refused.stderr
    for line in (
        "sheet items, row 2, column 'promised_days': promised_days (5) may not exceed statutory_days (3)",
        "sheet items, row 3, column 'code': bad item code 'B D'",
        "sheet items, row 3, column 'level': 'moon' is not one of village, township, county",
        "sheet materials, row 4, column 'item': unknown item 'db_apply'",  # its item row is not there
        "sheet materials, row 5, column 'item': unknown item 'nowhere'",
    ):
        assert line in refused.stderr, refused.stderr
    assert template(base, admin) == {}

    good = xlsx(tmp_path / "catalogue.xlsx", {"items": ITEMS, "materials": MATERIALS})
    dry = bianmin("client", "catalog", "import", "--file", str(good), "--dry-run", env=env)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "would create 2" in dry.stdout and "nothing was sent" in dry.stdout, dry.stdout
    assert template(base, admin) == {}

    first = bianmin("client", "catalog", "import", "--file", str(good), env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "created 2, existed 0, differ 0, failed 0" in first.stdout, first.stdout
    items = template(base, admin)
    assert set(items) == {"hk_move", "db_apply"}
    assert items["hk_move"]["category"] == "household_registration" and items["db_apply"]["fee"] == 12.5
    assert [m["code"] for m in items["hk_move"]["materials"]] == ["id_card", "hukou_book"]
    assert items["db_apply"]["departments"] == ["civil", "finance"]

    second = bianmin("client", "catalog", "import", "--file", str(good), env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "created 0, existed 2, differ 0, failed 0" in second.stdout, second.stdout

    changed_items = [ITEMS[0], ITEMS[1][:6] + [4] + ITEMS[1][7:], ITEMS[2]]
    changed = xlsx(tmp_path / "changed.xlsx", {"items": changed_items, "materials": MATERIALS})
    differs = bianmin("client", "catalog", "import", "--file", str(changed), env=env)
    assert differs.returncode == 1, differs.stdout + differs.stderr
    assert "created 0, existed 1, differ 1, failed 0" in differs.stdout, differs.stdout
    assert template(base, admin)["hk_move"]["promised_days"] == 5  # left as it was

    # the export reads back as what was imported
    exported = tmp_path / "exported.xlsx"
    out = bianmin("client", "catalog", "export", "--file", str(exported), env=env)
    assert out.returncode == 0, out.stderr
    assert "exported 2 item(s) of the county template" in out.stdout
    _, back = catalogue_file.read(exported)
    _, wanted = catalogue_file.read(good)
    assert sorted(back, key=lambda i: i["code"]) == sorted(wanted, key=lambda i: i["code"])

    # a township's copy, with its own shorter promise
    assert bianmin("admin", "calendar-import", "--year", "2026", env=env).returncode == 0
    township = {"code": "napo", "name": "那坡镇", "villages": []}
    assert httpx.post(f"{base}/v1/townships", json=township, headers=admin, timeout=10).status_code == 201
    wait_projections(base, admin, TENANT)
    patched = httpx.patch(f"{base}/v1/townships/{TENANT}/catalog/items/hk_move", json={"promised_days": 3},
                          headers=admin, timeout=10)  # fmt: skip
    assert patched.status_code == 200, patched.text
    copy = tmp_path / "napo.xlsx"
    out = bianmin("client", "catalog", "export", "--file", str(copy), "--tenant", TENANT, env=env)
    assert out.returncode == 0, out.stderr
    rows = list(openpyxl.load_workbook(copy)["items"].iter_rows(values_only=True))
    header = rows[0]
    hk = dict(zip(header, next(r for r in rows if r[0] == "hk_move"), strict=True))
    assert (hk["promised_days"], hk["overridden"]) == (3, True)
    hidden = bianmin(
        "client", "catalog", "export", "--file", str(copy), "--tenant", "tianyang.nowhere", env=env
    )
    assert hidden.returncode == 1 and "404 not_found" in hidden.stderr, hidden.stderr

    exercise_stats_and_board(base, admin, processes)


def exercise_stats_and_board(base: str, admin: dict[str, str], procs: Processes) -> None:
    for username, role in (("napo_window", "window_staff"), ("county_ops", "ops")):
        tenants = TENANT if role != "ops" else "tianyang.*"
        assert procs.run("admin", "create-user", username, "--roles", role,
                         "--tenants", tenants, "--password", PASSWORD) == 0, procs.log_tail()  # fmt: skip
    window, ops = login(base, "napo_window", PASSWORD), login(base, "county_ops", PASSWORD)
    cases = f"{base}/v1/townships/{TENANT}/cases"
    case = {"item_code": "hk_move", "level": "township", "channel": "walk_in",
            "applicant": {"name": "张三丰", "phone": "13812345678", "id_number": "450102199001011231"},
            "materials": ["id_card", "hukou_book"], "accept": True}  # fmt: skip
    created = httpx.post(cases, json=case, headers=window, timeout=10)
    assert created.status_code == 201 and created.json()["state"] == "accepted", created.text
    url = f"{cases}/{created.json()['id']}"
    for action, body in (("assign", {"handler": "napo_window"}), ("complete", {"outcome": "approved"}),
                         ("reply", {"satisfaction": "satisfied"})):  # fmt: skip
        r = httpx.post(f"{url}/{action}", json=body, headers=window, timeout=10)
        assert r.status_code == 200, (action, r.text)
    httpx.post(cases, json=case | {"accept": False, "materials": []}, headers=window, timeout=10)

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    stats_url = f"{base}/v1/townships/{TENANT}/stats"
    for who in (window, ops, admin):
        r = httpx.get(stats_url, params=period, headers=who, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "received": 2,
            "accepted": 1,
            "completed": 1,
            "completion_rate": 1.0,
            "on_time_rate": 1.0,
            "immediate_share": 0.0,
            "early_completion_rate": 1.0,  # completed days before its deadline
            "satisfaction_rate": 1.0,
            "overdue_open": 0,
        }
    # no dates: this month so far, the same figures as the month's first day to today
    month = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    this_month = httpx.get(stats_url, headers=window, timeout=10)
    assert this_month.status_code == 200, this_month.text
    assert this_month.json() == httpx.get(stats_url, params=month, headers=window, timeout=10).json()
    empty = httpx.get(
        stats_url, params={"from": "2025-01-01", "to": "2025-01-31"}, headers=window, timeout=10
    )
    assert empty.json()["completion_rate"] is None and empty.json()["received"] == 0, empty.text
    backwards = httpx.get(
        stats_url, params={"from": "2025-02-01", "to": "2025-01-01"}, headers=window, timeout=10
    )
    assert backwards.status_code == 422 and backwards.json()["code"] == "validation_error", backwards.text
    assert httpx.get(stats_url, params=period, timeout=10).status_code == 401

    board = httpx.get(f"{base}/v1/public/townships/{TENANT}/board", timeout=10)
    assert board.status_code == 200, board.text
    [entry] = board.json()["items"]
    assert entry == {
        "number": created.json()["number"],
        "item_code": "hk_move",
        "item_name": "户口迁移",
        "applicant": "张**",
        "completed_date": entry["completed_date"],
        "outcome": "approved",
        "on_time": True,
    }
    assert abs((datetime.fromisoformat(entry["completed_date"]).date() - today).days) <= 1
    for secret in ("三丰", "13812345678", "5678", "450102199001011231"):
        assert secret not in board.text

    assert httpx.post(f"{base}/v1/townships/{TENANT}/suspend", headers=admin, timeout=10).status_code == 200
    for tenant in (TENANT, "tianyang.nowhere", "not a tenant"):
        gone = httpx.get(f"{base}/v1/public/townships/{tenant}/board", timeout=10)
        assert gone.status_code == 404 and gone.json()["code"] == "not_found", gone.text
