"""The catalogue workbook (cli/client/catalogue_file.py): items and materials read to the shape of
`POST /v1/catalog/items` (Chinese sheet, column and value names, yes/no cells, department lists,
fees in yuan), a bad workbook refused with ONE error listing every problem with its sheet, row
and column, an exported workbook read back as it was, and the comparison and keys that make a
re-run safe."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from cli.client import catalogue_file
from cli.client.catalogue_file import CatalogueFileError, Problem

ITEM_HEADER = ["code", "name", "category", "level", "kind", "statutory_days", "promised_days",
               "proxyable", "in_person", "privacy_sensitive", "departments", "fee", "procedure",
               "legal_basis"]  # fmt: skip
MATERIAL_HEADER = ["item", "code", "name", "required", "originals", "copies", "supply_later"]

HK_MOVE = {
    "code": "hk_move",
    "name": "户口迁移",
    "category": "household_registration",
    "level": "township",
    "kind": "approval",
    "statutory_days": 10,
    "promised_days": 5,
    "materials": [
        {
            "code": "id_card",
            "name": "居民身份证",
            "required": True,
            "originals": 1,
            "copies": 0,
            "supply_later": False,
        },
        {
            "code": "photo",
            "name": "照片",
            "required": False,
            "originals": 0,
            "copies": 2,
            "supply_later": True,
        },
    ],  # fmt: skip
    "proxyable": True,
    "in_person": False,
    "privacy_sensitive": False,
    "departments": ["police", "civil"],
    "fee": "12.5",
    "procedure": "受理、审核、办结",
    "legal_basis": "户口登记条例",
}
DB_APPLY = {
    "code": "db_apply",
    "name": "低保申请",
    "category": "civil_affairs",
    "level": "county",
    "kind": "registration",
    "statutory_days": 30,
    "promised_days": 20,
    "materials": [],
    "proxyable": False,
    "in_person": True,
    "privacy_sensitive": True,
    "departments": [],
    "fee": "0",
    "procedure": "",
    "legal_basis": "",
}


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_sheets() -> dict[str, list[list]]:
    return {
        "items": [
            [*ITEM_HEADER, "notes"],
            [
                "hk_move",
                " 户口迁移 ",
                "household_registration",
                "township",
                "approval",
                10,
                5,
                True,
                False,
                "no",
                "police, civil",
                12.5,
                "受理、审核、办结",
                "户口登记条例",
                "ignored",
            ],
            [None] * 5,  # a blank (formatted) row
            # Chinese words, numbers as text, yes/no as text, empty cells: the defaults
            [
                "db_apply",
                "低保申请",
                "民政",
                "县",
                "登记",
                "30",
                "20",
                "否",
                "是",
                "是",
                None,
                None,
                None,
                None,
            ],
        ],  # fmt: skip
        "材料": [
            ["事项", "代码", "名称", "必需", "原件", "复印件", "可后补"],
            ["hk_move", "id_card", "居民身份证", None, None, None, None],
            ["hk_move", "photo", "照片", "FALSE", 0, 2, "yes"],
        ],
    }


def test_a_good_workbook_reads_to_the_items_of_the_api() -> None:
    assert catalogue_file.parse(workbook(good_sheets())) == [HK_MOVE, DB_APPLY]


def test_every_problem_is_listed_with_its_sheet_row_and_column() -> None:
    sheets = {
        "items": [
            ITEM_HEADER,
            ["ok_item", "好事项", "other", "township", "filing", 1, 1],  # short rows: the rest empty
            ["Bad Code", "", "民政", "province", "approval", 3, 5, "maybe", None, None, "civ il", -1],
            ["ok_item", "重复", "other", "township", "filing", 1.5, "x", None, None, None, None, "1.234"],
            ["secret", "隐私", "other", "township", "filing", 1, 1, True, None, True, "civil,civil"],
        ],
        "materials": [
            MATERIAL_HEADER,
            ["ok_item", "id_card", "身份证", None, None, None, None],
            ["ok_item", "id_card", "again", None, None, None, None],
            ["nowhere", "m1", "材料", None, -1, None, None],
        ],
        "notes": [["anything"]],
    }  # fmt: skip
    with pytest.raises(CatalogueFileError) as caught:
        catalogue_file.parse(workbook(sheets))
    problems = caught.value.problems
    assert problems == sorted(problems)
    expected = {
        Problem("notes", 0, "", "unknown sheet (expected items, materials)"),
        Problem(
            "items",
            3,
            "code",
            "bad item code 'Bad Code': item code must be 1-64 ASCII letters, digits, '-', '_' or '.'",
        ),
        Problem("items", 3, "name", "empty cell"),
        Problem("items", 3, "level", "'province' is not one of village, township, county"),
        Problem("items", 3, "promised_days", "promised_days (5) may not exceed statutory_days (3)"),
        Problem("items", 3, "proxyable", "expected yes or no, got 'maybe'"),
        Problem("items", 3, "fee", "expected a non-negative amount with at most two decimals, got -1"),
        Problem("items", 4, "code", "duplicate item 'ok_item' (first at row 2)"),
        Problem("items", 4, "statutory_days", "expected a whole number, got 1.5"),
        Problem("items", 4, "promised_days", "expected a whole number, got 'x'"),
        Problem("items", 4, "fee", "expected a non-negative amount with at most two decimals, got '1.234'"),
        Problem("items", 5, "proxyable", "a privacy-sensitive item is never proxied: proxyable must be no"),
        Problem("items", 5, "departments", "a department is listed twice"),
        Problem("materials", 3, "code", "duplicate material 'id_card' of item 'ok_item' (first at row 2)"),
        Problem("materials", 4, "item", "unknown item 'nowhere' (not on the items sheet)"),
        Problem("materials", 4, "originals", "must be between 0 and 100, got -1"),
    }
    departments = [p for p in problems if p.column == "departments" and p.row == 3]
    assert len(departments) == 1 and "bad department code 'civ il'" in departments[0].message
    assert set(problems) - set(departments) == expected
    text = str(caught.value)
    assert text.startswith("file: 17 problems, nothing was sent:")
    assert "  - sheet items, row 3, column 'level': 'province' is not one of" in text


def test_a_missing_sheet_or_column_and_an_empty_file() -> None:
    with pytest.raises(CatalogueFileError) as caught:
        catalogue_file.parse(workbook({"materials": [MATERIAL_HEADER]}))
    assert [str(p) for p in caught.value.problems] == ["file: no sheet 'items'"]
    with pytest.raises(CatalogueFileError) as caught:
        catalogue_file.parse(workbook({"items": [["code", "name"]], "materials": [["item"]]}))
    assert [str(p) for p in caught.value.problems] == [
        "sheet items, row 1: missing columns category, level, kind",
        "sheet materials, row 1: missing columns code, name",
    ]
    with pytest.raises(CatalogueFileError) as caught:
        catalogue_file.parse(workbook({"items": [ITEM_HEADER]}))
    assert [str(p) for p in caught.value.problems] == ["sheet items: no items in it"]


def test_empty_limits_take_the_kinds_and_the_statutory_one() -> None:
    rows = [
        ["code", "name", "category", "level", "kind", "statutory_days", "promised_days"],
        ["reg", "出生登记", "户籍", "township", "registration", None, None],
        ["appr", "建房审批", "国土", "township", "approval", None, None],
        ["appr2", "采伐审批", "林业", "township", "approval", 10, None],
    ]
    items = catalogue_file.parse(workbook({"items": rows, "materials": [MATERIAL_HEADER]}))
    days = [(i["code"], i["statutory_days"], i["promised_days"]) for i in items]
    assert days == [("reg", 0, 0), ("appr", 3, 3), ("appr2", 10, 10)]  # DOMAIN.md §2


def test_files_that_are_not_workbooks(tmp_path: Path) -> None:
    csv = tmp_path / "catalogue.csv"
    csv.write_text("code,name\n")
    with pytest.raises(CatalogueFileError, match=r"not an \.xlsx file \(save it as \.xlsx\)"):
        catalogue_file.read(csv)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(CatalogueFileError, match="cannot read it as an Excel workbook"):
        catalogue_file.read(junk)
    with pytest.raises(CatalogueFileError, match="cannot read the file"):
        catalogue_file.read(tmp_path / "missing.xlsx")


def test_an_exported_workbook_reads_back_as_it_was(tmp_path: Path) -> None:
    # as `GET …/catalog/items` answers: fee a number, extra fields of a township's copy
    served = [
        HK_MOVE | {"fee": 12.5, "windows": ["w1", "w2"], "overridden": True, "version": 3, "updated_at": "…"},
        DB_APPLY | {"fee": 0, "windows": [], "overridden": False, "version": 1, "updated_at": "…"},
    ]
    path = tmp_path / "export.xlsx"
    path.write_bytes(catalogue_file.workbook(served))
    content, items = catalogue_file.read(path)
    assert items == [HK_MOVE, DB_APPLY]
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert [c.value for c in book["items"][1]] == [*ITEM_HEADER, "overridden", "windows"]
    assert [c.value for c in book["items"][2]][-2:] == [True, "w1,w2"]
    assert book["materials"].max_row == 3


def test_differences_and_keys() -> None:
    served = HK_MOVE | {"fee": 12.5, "windows": [], "overridden": False, "version": 1}
    assert catalogue_file.differences(HK_MOVE, served) == []
    changed = HK_MOVE | {"promised_days": 4, "materials": HK_MOVE["materials"][:1]}
    assert catalogue_file.differences(changed, served) == ["promised_days", "materials"]
    key = catalogue_file.idempotency_key(HK_MOVE)
    assert key == catalogue_file.idempotency_key(dict(reversed(list(HK_MOVE.items()))))
    assert key.startswith("catalog-hk_move-") and key != catalogue_file.idempotency_key(changed)
