"""`bianmin client appraisal rulebook import`: a rulebook file (YAML or Excel) read into the API's
shape — the default rulebook and seed 001 第五篇's variant survive a round trip through the
workbook unchanged as the rules engine reads them — every problem of a bad workbook listed at
once, and the command against a fake gateway (stored, activated; a refusal exits 2; a dry run
sends nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import openpyxl
import pytest
import typer

from cli.client import appraisal, rulebook_file
from services.appraisal.adapters import rulebook_files
from services.appraisal.domain import rulebook

CREDS = {"url": "http://gateway.test", "token": "t0ken"}


def _domain(api_shape: dict) -> rulebook.Rulebook:
    back = {k: v for k, v in api_shape.items()}
    for key in ("rules", "vetoes"):
        back[key] = [
            {"subject" if k == "subject_type" else k: v for k, v in r.items()} for r in back.get(key, [])
        ]
    return rulebook.load(back)


@pytest.mark.parametrize("name", ["default", "tongshan"])
def test_a_rulebook_survives_the_workbook(tmp_path: Path, name: str) -> None:
    original = rulebook_files.read(name)
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(rulebook_file.workbook(original))
    read = rulebook_file.read(path)
    assert read["rules"][0]["subject_type"] == original["rules"][0]["subject"]
    ours, theirs = _domain(read), rulebook.load(original)
    assert ours.rules == theirs.rules and ours.vetoes == theirs.vetoes and ours.grades == theirs.grades
    assert (ours.id, ours.grading_period, ours.appeal_days) == (
        theirs.id,
        theirs.grading_period,
        theirs.appeal_days,
    )


def test_yaml_is_read_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        (rulebook_files.DIRECTORY / "tongshan.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    read = rulebook_file.read(path)
    assert read["id"] == "tongshan" and {r["code"] for r in read["rules"]} >= {"T-EFF-01", "T-ONE-02"}


def test_every_problem_of_a_workbook_is_listed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(rulebook_file.workbook(rulebook_files.read("tongshan")))
    book = openpyxl.load_workbook(path)
    rules = book["rules"]
    rules["D2"] = "lots"  # points
    rules["K3"] = "{event: [unclosed"  # trigger
    rules["L1"] = "colour"  # an unknown column
    book["rulebook"].append(["mood", "good"])
    book.save(path)
    with pytest.raises(rulebook_file.RulebookFileError) as caught:
        rulebook_file.read(path)
    text = "\n".join(caught.value.problems)
    assert "rules row 2 points" in text and "rules row 3 trigger" in text
    assert "unknown column(s) colour" in text and "key one of" in text
    assert len(caught.value.problems) == 4


def test_a_file_of_another_kind_or_without_its_sheets_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "rules.csv"
    other.write_text("code\n")
    with pytest.raises(rulebook_file.RulebookFileError, match="xlsx"):
        rulebook_file.read(other)
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    with pytest.raises(rulebook_file.RulebookFileError, match="missing sheet"):
        rulebook_file.read(empty)


class FakeGateway:
    def __init__(self, refuse: bool = False) -> None:
        self.calls: list[tuple[str, str, dict]] = []
        self.refuse = refuse

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        self.calls.append((request.method, request.url.path, body))
        if request.method == "PUT":
            if self.refuse:
                return httpx.Response(422, json={"code": "validation_error", "detail": "rules[0]: points …"})
            return httpx.Response(200, json=body | {"version": 3})
        return httpx.Response(200, json={"rulebook_id": "tongshan", "from": body["from"]})


def _run(tmp_path: Path, gateway: FakeGateway, **kwargs) -> int:  # type: ignore[no-untyped-def]
    path = tmp_path / "rules.yaml"
    path.write_text(
        (rulebook_files.DIRECTORY / "tongshan.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    try:
        appraisal.import_(path, kwargs.get("dry_run", False), CREDS, kwargs.get("activate"),
                          transport=httpx.MockTransport(gateway))  # fmt: skip
    except typer.Exit as exc:
        return exc.exit_code
    return 0


def test_the_command_stores_and_activates(tmp_path: Path) -> None:
    gateway = FakeGateway()
    assert _run(tmp_path, gateway, activate="2090-01") == 0
    [(put, path, body), (post, activate, when)] = gateway.calls
    assert (put, path, post, activate) == (
        "PUT", "/v1/appraisal/rulebooks/tongshan", "POST", "/v1/appraisal/rulebooks/tongshan/activate",
    )  # fmt: skip
    assert body["rules"][0]["subject_type"] == "window" and when == {"from": "2090-01"}


def test_a_refused_rulebook_exits_2_and_a_dry_run_sends_nothing(tmp_path: Path) -> None:
    assert _run(tmp_path, FakeGateway(refuse=True)) == 2
    quiet = FakeGateway()
    assert _run(tmp_path, quiet, dry_run=True) == 0 and quiet.calls == []
