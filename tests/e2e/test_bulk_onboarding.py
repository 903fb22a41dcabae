"""`bianmin client townships onboard`: a county admin onboards townships from an Excel file against
a real all-in-one platform; a second run creates nothing; a bad file is refused whole."""

from __future__ import annotations

from pathlib import Path

import httpx
import openpyxl
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import ADMIN, Processes, login, wait_http
from tests.e2e.test_cli import bianmin

pytestmark = pytest.mark.e2e

TOWNSHIPS = {"napo": "那坡镇", "tianzhou": "田州镇", "longguang": "龙光乡"}


def xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def county_file(path: Path) -> Path:
    return xlsx(
        path,
        {
            "townships": [["code", "name"], *([code, name] for code, name in TOWNSHIPS.items())],
            "villages": [
                ["township", "code", "name"],
                ["napo", "baiyun", "百云村"],
                ["napo", "dongsheng", "东胜村"],
                ["tianzhou", "xinxu", "新圩村"],
            ],
            "groups": [
                ["township", "village", "code", "name"],
                ["napo", "baiyun", "g01", "第一组"],
                ["napo", "baiyun", "g02", "第二组"],
            ],
        },
    )


def township_ids(base: str, headers: dict[str, str]) -> set[str]:
    reply = httpx.get(f"{base}/v1/townships", headers=headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return {t["id"] for t in reply.json()["items"]}


def test_onboard_townships_from_excel(processes: Processes, tmp_path: Path) -> None:
    port = free_port()
    processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    env = {**processes.env, "BIANMIN_CLIENT_CONFIG": str(tmp_path / "client.json"), "BIANMIN_URL": base}
    headers = login(base, *ADMIN)
    before = township_ids(base, headers)

    # a bad file: refused whole, every problem listed with its row, nothing created
    bad = xlsx(
        tmp_path / "bad.xlsx",
        {
            "townships": [["code", "name"], ["goodone", "好乡"], ["Bad-Code", "坏乡"], ["goodone", "重复"]],
            "villages": [["township", "code", "name"], ["nowhere", "cun", "村"]],
        },
    )
    ok = bianmin("client", "login", "--username", ADMIN[0], "--password", ADMIN[1], env=env)
    assert ok.returncode == 0, ok.stderr
    refused = bianmin("client", "townships", "onboard", "--file", str(bad), env=env)
    assert refused.returncode != 0, refused.stdout
    assert "3 problems, nothing was sent" in refused.stderr, refused.stderr
    assert "sheet townships, row 3: bad township code 'Bad-Code'" in refused.stderr
    assert "sheet townships, row 4: duplicate township 'goodone'" in refused.stderr
    assert "sheet villages, row 2: unknown township 'nowhere'" in refused.stderr
    assert township_ids(base, headers) == before

    # dry run: valid, says what would be done, creates nothing
    good = county_file(tmp_path / "county.xlsx")
    dry = bianmin("client", "townships", "onboard", "--file", str(good), "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "would create 3" in dry.stdout and "nothing was sent" in dry.stdout, dry.stdout
    assert township_ids(base, headers) == before

    # the first run creates the three, with their villages and groups
    first = bianmin("client", "townships", "onboard", "--file", str(good), env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "created 3, existed 0, failed 0" in first.stdout, first.stdout
    expected = {f"tianyang.{code}" for code in TOWNSHIPS}
    assert township_ids(base, headers) - before == expected
    napo = httpx.get(f"{base}/v1/townships/tianyang.napo", headers=headers, timeout=10).json()
    assert napo["name"] == "那坡镇"
    villages = {v["code"]: v for v in napo["villages"]}
    assert set(villages) == {"baiyun", "dongsheng"}
    assert [g["code"] for g in villages["baiyun"]["groups"]] == ["g01", "g02"]

    # the second run creates nothing: every township exists
    second = bianmin("client", "townships", "onboard", "--file", str(good), env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "created 0, existed 3, failed 0" in second.stdout, second.stdout
    assert township_ids(base, headers) - before == expected

    # the list command still works, with and without `list`
    for args in (("client", "townships"), ("client", "townships", "list")):
        listed = bianmin(*args, env=env)
        assert listed.returncode == 0, listed.stderr
        assert {line.split("\t")[0] for line in listed.stdout.splitlines()} >= expected
