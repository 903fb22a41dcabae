"""The Excel file of `bianmin client catalog import|export`: catalogue items and their materials.
Pure: no HTTP. On import the whole workbook is checked before anything is sent and every problem
is reported at once, each with its sheet, row and column.

Two sheets, a header row on each (columns in any order, unknown columns ignored, blank rows
skipped; sheet and column names may also be the Chinese ones below)::

    sheet "items" (事项):      code, name, category, level, kind, statutory_days, promised_days,
                               proxyable, in_person, privacy_sensitive, departments, fee,
                               procedure, legal_basis
    sheet "materials" (材料):  item, code, name, required, originals, copies, supply_later

`category`, `level` and `kind` take the API's words (civil_affairs, township, approval …) or the
Chinese ones (民政, 乡镇, 审批 …); yes/no cells take TRUE/FALSE, yes/no, 是/否 or 1/0 (empty: no; `required`
empty: yes); empty `statutory_days` take the kind's limit (registration and filing 0, approval 3
working days), empty `promised_days` the statutory one; `departments` is a list of codes separated
by commas; `fee` is in yuan (at most two decimals, empty: 0). An item's materials are listed in the
file's order. The rules of an item are intake's own (services/intake/domain/catalogue.py), checked
here cell by cell so each problem can name its column. An exported workbook imports as it is (the
export adds the columns `overridden` and `windows` of a township's copy, which import ignores)."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from libs.common.errors import ValidationFailed
from libs.common.tenancy import validate_code
from libs.common.workbook import xlsx
from services.intake.domain.catalogue import (
    CATEGORIES,
    CATEGORY_NAMES,
    KIND_DAYS,
    KINDS,
    LEVELS,
    MAX_DAYS,
    MAX_NAME,
    catalogue_item,
)

ITEM_COLUMNS = (
    "code",
    "name",
    "category",
    "level",
    "kind",
    "statutory_days",
    "promised_days",
    "proxyable",
    "in_person",
    "privacy_sensitive",
    "departments",
    "fee",
    "procedure",
    "legal_basis",
)
MATERIAL_COLUMNS = ("item", "code", "name", "required", "originals", "copies", "supply_later")
REQUIRED = {
    "items": ("code", "name", "category", "level", "kind"),  # the limits default by kind
    "materials": ("item", "code", "name"),
}
EXPORT_EXTRA = ("overridden", "windows")  # a township's copy; import ignores them
SHEET_ALIASES = {"事项": "items", "事项目录": "items", "材料": "materials", "申报材料": "materials"}
COLUMN_ALIASES = {
    "代码": "code",
    "编码": "code",
    "事项代码": "code",
    "名称": "name",
    "事项名称": "name",
    "类别": "category",
    "层级": "level",
    "办理层级": "level",
    "类型": "kind",
    "法定时限": "statutory_days",
    "承诺时限": "promised_days",
    "可代办": "proxyable",
    "需本人到场": "in_person",
    "涉及隐私": "privacy_sensitive",
    "部门": "departments",
    "收费": "fee",
    "办理流程": "procedure",
    "法律依据": "legal_basis",
    "事项": "item",
    "必需": "required",
    "原件": "originals",
    "复印件": "copies",
    "可后补": "supply_later",
}
WORDS = {
    "category": {name: code for code, name in CATEGORY_NAMES.items()},
    "level": {"村": "village", "村级": "village", "乡镇": "township", "乡级": "township", "县": "county",
              "县级": "county"},
    "kind": {"登记": "registration", "登记类": "registration", "备案": "filing", "备案类": "filing",
             "审批": "approval", "审批类": "approval"},
}  # fmt: skip
CHOICES = {"category": CATEGORIES, "level": LEVELS, "kind": KINDS}
YES = {"true", "yes", "y", "1", "是", "√", "x"}
NO = {"false", "no", "n", "0", "否", ""}
TEXT_MAX = 10_000  # procedure, legal basis
COUNT_MAX = 100  # originals, copies (as the gateway)


@dataclass(frozen=True, order=True)
class Problem:
    sheet: str
    row: int  # 1-based Excel row; 0 = the workbook as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = (
            "file" if not self.sheet else f"sheet {self.sheet}" + (f", row {self.row}" if self.row else "")
        )
        return f"{where}{f', column {self.column!r}' if self.column else ''}: {self.message}"


class CatalogueFileError(Exception):
    """The file cannot be imported; `problems` lists every reason, each with its place."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source, self.problems = source, problems
        n = len(problems)
        super().__init__(
            f"{source}: {n} problem{'s' if n != 1 else ''}, nothing was sent:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def read(path: str | Path) -> tuple[bytes, list[dict]]:
    """The file's content and its items, each in the shape of `POST /v1/catalog/items`."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        hint = " (save it as .xlsx)" if path.suffix.lower() in (".xls", ".csv", ".ods") else ""
        raise CatalogueFileError(str(path), [Problem("", 0, "", f"not an .xlsx file{hint}")])
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CatalogueFileError(
            str(path), [Problem("", 0, "", f"cannot read the file: {exc.strerror or exc}")]
        ) from exc
    try:
        return content, parse(content)
    except CatalogueFileError as exc:
        raise CatalogueFileError(str(path), exc.problems) from None


def parse(content: bytes) -> list[dict]:
    """The items of a workbook's bytes, or CatalogueFileError with every problem."""
    found: list[Problem] = []
    sheets = _sheets(content, found)
    items = _Checker(found).check(sheets.get("items", []), sheets.get("materials", []))
    if found:
        raise CatalogueFileError("file", sorted(set(found)))
    return items


def idempotency_key(item: dict) -> str:
    """The same item always gives the same key: a re-run after a lost answer cannot create twice,
    and an item changed in the file is a new request (refused: the code exists)."""
    digest = hashlib.sha256(json.dumps(item, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f"catalog-{item['code']}-{digest}"


def differences(wanted: dict, existing: dict) -> list[str]:
    """The fields where an item of the file differs from the one the API returned."""
    diff = []
    for key in ITEM_COLUMNS:
        a, b = wanted.get(key), existing.get(key)
        if key == "fee":
            a, b = Decimal(str(a or 0)), Decimal(str(b or 0))
        elif key == "departments":
            a, b = list(a or []), list(b or [])
        if a != b:
            diff.append(key)
    materials = [{k: m.get(k) for k in MATERIAL_COLUMNS[1:]} for m in existing.get("materials", [])]
    if wanted.get("materials", []) != materials:
        diff.append("materials")
    return diff


# --- export ------------------------------------------------------------------------------------


def workbook(items: list[dict]) -> bytes:
    """An .xlsx of `items` as `GET …/catalog/items` returns them (import reads it back)."""
    extra = [c for c in EXPORT_EXTRA if any(c in i for i in items)]
    rows = [[_cell(key, i.get(key)) for key in (*ITEM_COLUMNS, *extra)] for i in items]
    materials = [
        [i["code"], *(m.get(k) for k in MATERIAL_COLUMNS[1:])] for i in items for m in i.get("materials", [])
    ]
    return xlsx({"items": ((*ITEM_COLUMNS, *extra), rows), "materials": (MATERIAL_COLUMNS, materials)})


def _cell(key: str, value: Any) -> Any:
    if key in ("departments", "windows"):
        return ",".join(value or [])
    if key == "fee":
        fee = Decimal(str(value or 0))
        return int(fee) if fee == fee.to_integral_value() else float(fee)
    return value


# --- reading -----------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


def _sheets(content: bytes, found: list[Problem]) -> dict[str, list[_Row]]:
    try:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open means "not a readable .xlsx"
        found.append(
            Problem("", 0, "", f"cannot read it as an Excel workbook (.xlsx): {exc or type(exc).__name__}")
        )
        return {}
    sheets: dict[str, list[_Row]] = {}
    try:
        for title in book.sheetnames:
            key = SHEET_ALIASES.get(title.strip(), title.strip().lower())
            if key not in REQUIRED:
                found.append(Problem(title, 0, "", f"unknown sheet (expected {', '.join(REQUIRED)})"))
            elif key in sheets:
                found.append(Problem(title, 0, "", f"a second {key!r} sheet"))
            else:
                sheets[key] = _rows(key, book[title], found)
    finally:
        book.close()
    if "items" not in sheets:
        found.append(Problem("", 0, "", "no sheet 'items'"))
    return sheets


def _rows(key: str, sheet: Any, found: list[Problem]) -> list[_Row]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        if isinstance(cell, str) and cell.strip():
            name = COLUMN_ALIASES.get(cell.strip(), cell.strip().lower())
            columns.setdefault(name, i)
    missing = [c for c in REQUIRED[key] if c not in columns]
    if missing:
        found.append(
            Problem(key, 1, "", f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        )
        return []
    names = ITEM_COLUMNS if key == "items" else MATERIAL_COLUMNS
    out = []
    for number, cells in enumerate(rows, start=2):
        cells = cells or ()
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue  # blank rows (Excel keeps formatted ones) are not rows
        values = {c: cells[columns[c]] if c in columns and columns[c] < len(cells) else None for c in names}
        out.append(_Row(number, values))
    return out


@dataclass
class _Checker:
    found: list[Problem]
    sheet: str = "items"
    row: int = 0
    _bad: bool = field(default=False)

    def problem(self, column: str, message: str) -> None:
        self.found.append(Problem(self.sheet, self.row, column, message))
        self._bad = True

    def check(self, item_rows: list[_Row], material_rows: list[_Row]) -> list[dict]:
        items: dict[str, dict] = {}
        first: dict[str, int] = {}
        declared = set()
        for r in item_rows:
            self.sheet, self.row, self._bad = "items", r.number, False
            item = self._item(r.values)
            code = item.get("code")
            if code:
                declared.add(code)
                if code in first:
                    self.problem("code", f"duplicate item {code!r} (first at row {first[code]})")
                else:
                    first[code] = r.number
            if not self._bad and code:
                items[code] = item
        seen: dict[tuple[str, str], int] = {}
        for r in material_rows:
            self.sheet, self.row, self._bad = "materials", r.number, False
            owner = self._text(r.values, "item", required=True)
            if owner and owner not in declared:
                self.problem("item", f"unknown item {owner!r} (not on the items sheet)")
                owner = None
            m = self._material(r.values)
            if owner and m.get("code"):
                key = (owner, m["code"])
                if key in seen:
                    self.problem(
                        "code",
                        f"duplicate material {m['code']!r} of item {owner!r} (first at row {seen[key]})",
                    )
                else:
                    seen[key] = r.number
            if not self._bad and owner in items:
                items[owner]["materials"].append(m)
        if not item_rows and not any(p.row == 0 or p.row == 1 for p in self.found):
            self.found.append(Problem("items", 0, "", "no items in it"))
        for code, item in items.items():  # intake's own rules, as a last net (nothing should be left)
            try:
                catalogue_item({**item, "fee_fen": int(Decimal(str(item["fee"])) * 100)})
            except ValidationFailed as exc:
                self.found.append(Problem("items", first[code], "", exc.detail or str(exc)))
        return list(items.values())

    def _item(self, v: dict[str, Any]) -> dict:
        item: dict[str, Any] = {"code": self._code(v, "code", "item code")}
        item["name"] = self._name(v, "name")
        for column in ("category", "level", "kind"):
            item[column] = self._choice(v, column)
        statutory = self._whole(v, "statutory_days", KIND_DAYS.get(item["kind"] or ""), MAX_DAYS)
        promised = self._whole(v, "promised_days", statutory, MAX_DAYS)
        if statutory is not None and promised is not None and promised > statutory:
            self.problem(
                "promised_days", f"promised_days ({promised}) may not exceed statutory_days ({statutory})"
            )
        item["statutory_days"], item["promised_days"] = statutory, promised
        item["materials"] = []
        for column in ("proxyable", "in_person", "privacy_sensitive"):
            item[column] = self._flag(v, column, default=False)
        if item["privacy_sensitive"] and item["proxyable"]:
            self.problem("proxyable", "a privacy-sensitive item is never proxied: proxyable must be no")
        item["departments"] = self._departments(v)
        item["fee"] = self._fee(v)
        item["procedure"] = self._long_text(v, "procedure")
        item["legal_basis"] = self._long_text(v, "legal_basis")
        return item

    def _material(self, v: dict[str, Any]) -> dict:
        return {
            "code": self._code(v, "code", "material code"),
            "name": self._name(v, "name"),
            "required": self._flag(v, "required", default=True),
            "originals": self._count(v, "originals", default=1),
            "copies": self._count(v, "copies", default=0),
            "supply_later": self._flag(v, "supply_later", default=False),
        }

    # --- cells

    def _text(self, v: dict[str, Any], column: str, *, required: bool = False) -> str | None:
        value = v.get(column)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or (value is not None and not isinstance(value, str | int | float)):
            self.problem(column, f"expected text, got {value!r}")
            return None
        text = "" if value is None else str(value).strip()
        if not text and required:
            self.problem(column, "empty cell")
            return None
        return text

    def _code(self, v: dict[str, Any], column: str, what: str) -> str | None:
        text = self._text(v, column, required=True)
        if not text:
            return None
        try:
            return validate_code(text, what)
        except ValidationFailed as exc:
            self.problem(column, f"bad {what} {text!r}: {exc.detail}")
            return None

    def _name(self, v: dict[str, Any], column: str) -> str | None:
        text = self._text(v, column, required=True)
        if text and len(text) > MAX_NAME:
            self.problem(column, f"longer than {MAX_NAME} characters")
            return None
        return text or None

    def _choice(self, v: dict[str, Any], column: str) -> str | None:
        text = self._text(v, column, required=True)
        if not text:
            return None
        word = WORDS[column].get(text, text.lower())
        if word not in CHOICES[column]:
            self.problem(column, f"{text!r} is not one of {', '.join(CHOICES[column])}")
            return None
        return word

    def _whole(self, v: dict[str, Any], column: str, default: int | None, top: int) -> int | None:
        value = v.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            if default is None:
                self.problem(column, "empty cell")
            return default
        if isinstance(value, str):
            try:
                value = Decimal(value.strip())
            except InvalidOperation:
                self.problem(column, f"expected a whole number, got {value!r}")
                return None
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or value != int(value):
            self.problem(column, f"expected a whole number, got {value!r}")
            return None
        if not 0 <= int(value) <= top:
            self.problem(column, f"must be between 0 and {top}, got {int(value)}")
            return None
        return int(value)

    def _count(self, v: dict[str, Any], column: str, default: int) -> int | None:
        return self._whole(v, column, default, COUNT_MAX)

    def _flag(self, v: dict[str, Any], column: str, default: bool) -> bool:
        value = v.get(column)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip().lower()
        if not text:
            return default
        if text in YES:
            return True
        if text not in NO:
            self.problem(column, f"expected yes or no, got {value!r}")
        return False

    def _departments(self, v: dict[str, Any]) -> list[str]:
        text = self._text(v, "departments") or ""
        codes = [c.strip() for c in text.replace("，", ",").replace("、", ",").split(",") if c.strip()]
        for code in codes:
            try:
                validate_code(code, "department code")
            except ValidationFailed as exc:
                self.problem("departments", f"bad department code {code!r}: {exc.detail}")
        if len(set(codes)) != len(codes):
            self.problem("departments", "a department is listed twice")
        return codes

    def _fee(self, v: dict[str, Any]) -> str:
        value = v.get("fee")
        if value is None or (isinstance(value, str) and not value.strip()):
            return "0"
        try:
            fee = Decimal(str(value).strip()) if not isinstance(value, bool) else None
        except InvalidOperation:
            fee = None
        if fee is None or not fee.is_finite():
            self.problem("fee", f"expected an amount in yuan, got {value!r}")
            return "0"
        if isinstance(value, float):
            fee = Decimal(repr(value))  # what the cell shows, not the binary float's expansion
        if fee < 0 or fee.as_tuple().exponent < -2 or fee >= Decimal("1e10"):  # type: ignore[operator]
            self.problem("fee", f"expected a non-negative amount with at most two decimals, got {value!r}")
            return "0"
        return str(fee.normalize()) if fee != fee.to_integral_value() else str(int(fee))

    def _long_text(self, v: dict[str, Any], column: str) -> str:
        text = self._text(v, column) or ""
        if len(text) > TEXT_MAX:
            self.problem(column, f"longer than {TEXT_MAX} characters")
        return text
