"""The file of `bianmin client proxy households import` (cli/client/households_file.py): every
problem listed with its place, Chinese sheet, column and flag names, duplicates within the file."""

from __future__ import annotations

import io

import openpyxl
import pytest

from cli.client import households_file
from cli.client.households_file import HouseholdsFileError


def xlsx(rows: list[list], title: str = "农户") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["村", "组", "户主", "电话", "住址", "标识", "代办员"]


def test_a_workbook_with_chinese_names_reads() -> None:
    first_row = ["baiyun", "nalao", "黄德福", 13907761201, None, "五保、独居老人", "lan_daiban"]
    content = xlsx(
        [HEADER, first_row, [], ["baiyun", None, "农秀英", "13907761202", "百云村", "低保户", None]]
    )
    first, second = households_file.parse(content, "h.xlsx")
    assert first.body == {"village": "baiyun", "group": "nalao", "head_name": "黄德福",
                          "phone": "13907761201", "flags": ["wubao", "elderly_alone"],
                          "agent": "lan_daiban"}  # fmt: skip
    assert (second.at, second.body["flags"], second.body["address"]) == (
        "sheet households, row 4",
        ["dibao"],
        "百云村",
    )


def test_every_problem_is_listed_with_its_row() -> None:
    content = xlsx([HEADER, ["baiyun", None, None, "12", None, "富裕", None],
                    ["bai yun", None, "甲", "13907761201", None, None, "Bad Name"],
                    ["baiyun", None, "乙", "13907761202", None, None, None],
                    ["baiyun", None, "乙", "+86 139 0776 1202", None, None, None]])  # fmt: skip
    with pytest.raises(HouseholdsFileError) as caught:
        households_file.parse(content, "h.xlsx")
    problems = caught.value.problems
    assert problems[0] == "sheet households, row 2, head_name: missing or empty"
    assert any(p.startswith("sheet households, row 2, phone:") for p in problems)
    assert any(p.startswith("sheet households, row 2, flags: unknown flag '富裕'") for p in problems)
    assert any(p.startswith("sheet households, row 3, village/group:") for p in problems)
    assert any(p.startswith("sheet households, row 3, agent:") for p in problems)
    assert (
        problems[-1]
        == "sheet households, row 5: the same household as sheet households, row 4 (village, head, phone)"
    )
    assert "nothing was sent" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"households: 3", "expected a mapping with the key 'households'"),
        (b"households: []", "no households in it"),
        (
            b"households:\n  - {village: baiyun, head_name: x, phone: '13907761201', colour: red}",
            "households[0].colour",
        ),
        (b"{", "not valid YAML"),
    ],
)
def test_yaml_problems(content: bytes, problem: str) -> None:
    with pytest.raises(HouseholdsFileError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        households_file.parse(content, "h.yaml")


def test_missing_columns_and_sheets() -> None:
    with pytest.raises(HouseholdsFileError, match="missing columns head_name, phone"):
        households_file.parse(xlsx([["村"], ["baiyun"]]), "h.xlsx")
    with pytest.raises(HouseholdsFileError, match="expected one sheet 'households'"):
        households_file.parse(xlsx([HEADER], title="其他"), "h.xlsx")
    with pytest.raises(HouseholdsFileError, match="unsupported file type"):
        households_file.parse(b"", "h.csv")


def test_the_idempotency_key_is_stable_per_file_and_household() -> None:
    [a] = households_file.parse(b"households: [{village: v, head_name: x, phone: '13907761201'}]", "h.yaml")
    assert households_file.idempotency_key(b"f", a) == households_file.idempotency_key(b"f", a)
    assert households_file.idempotency_key(b"f", a) != households_file.idempotency_key(b"g", a)
