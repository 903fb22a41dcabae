"""The file of `bianmin client proxy households import`: a township's households (分片包户 roster)
from YAML or Excel. Pure: no HTTP. The whole file is checked before anything is sent, and every
problem is reported at once, each with where it is (sheet and row, or the YAML path).

YAML::

    households:
      - village: baiyun
        group: nalao            # optional
        head_name: 黄大爷
        phone: "13907761234"
        address: 百云村那劳屯12号  # optional
        flags: [wubao, elderly_alone]   # optional; also 五保, 低保, 贫困户, 重病户, 残疾, 独居老人
        agent: lan_daiban       # optional: default the village agent with the fewest households

Excel (.xlsx): one sheet `households` (or 农户/户), a header row, extra columns ignored, empty rows
skipped; columns village, group, head_name, phone, address, flags (comma-separated), agent —
or 村, 组, 户主, 电话, 住址, 标识, 代办员.

A household is the same household when village, head's name and the phone's digits agree: twice
in one file is a problem; one the township has already is skipped by the import (safe to re-run)."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from libs.common.contact import check_phone
from libs.common.errors import ValidationFailed
from libs.common.tenancy import validate_code, validate_username
from libs.common.text import clean_name

YAML_SUFFIXES = (".yaml", ".yml")
EXCEL_SUFFIXES = (".xlsx",)
SUPPORTED = YAML_SUFFIXES + EXCEL_SUFFIXES
COLUMNS = ("village", "group", "head_name", "phone", "address", "flags", "agent")
REQUIRED = ("village", "head_name", "phone")
SHEET, SHEET_ALIASES = "households", {"农户": "households", "户": "households", "住户": "households"}
COLUMN_ALIASES = {
    "村": "village", "村代码": "village", "组": "group", "组代码": "group", "户主": "head_name",
    "户主姓名": "head_name", "电话": "phone", "联系电话": "phone", "住址": "address", "地址": "address",
    "标识": "flags", "类别": "flags", "代办员": "agent",
}  # fmt: skip
FLAGS = ("wubao", "dibao", "poor", "ill", "disabled", "elderly_alone")
FLAG_ALIASES = {
    "五保": "wubao", "五保户": "wubao", "低保": "dibao", "低保户": "dibao", "贫困": "poor", "贫困户": "poor",
    "重病": "ill", "重病户": "ill", "大病": "ill", "残疾": "disabled", "残疾人": "disabled",
    "独居": "elderly_alone", "独居老人": "elderly_alone",
}  # fmt: skip
ADDRESS_MAX = 300


class HouseholdsFileError(Exception):
    """The file cannot be imported; `problems` lists every reason, each with its place."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source, self.problems = source, problems
        n = len(problems)
        super().__init__(
            f"{source}: {n} problem{'s' if n != 1 else ''}, nothing was sent:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


@dataclass(frozen=True)
class Household:
    at: str  # where it is in the file
    body: dict  # the body of POST /v1/townships/{tenant}/proxy/households

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.body["village"], self.body["head_name"], phone_key(self.body["phone"]))


def phone_key(phone: str) -> str:
    """The digits of a phone number without a leading +86/0086 (as the proxy service keys it)."""
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def read(path: str | Path) -> tuple[bytes, list[Household]]:
    """The file's content (for `idempotency_key`) and its households."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED:
        raise HouseholdsFileError(
            str(path), [f"unsupported file type {path.suffix or '(none)'!r}: use .yaml or .xlsx"]
        )
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise HouseholdsFileError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        return content, parse(content, path.name)
    except HouseholdsFileError as exc:
        raise HouseholdsFileError(str(path), exc.problems) from None


def parse(content: bytes, filename: str) -> list[Household]:
    suffix = Path(filename).suffix.lower()
    problems: list[str] = []
    if suffix in YAML_SUFFIXES:
        rows = _yaml_rows(content, problems)
    elif suffix in EXCEL_SUFFIXES:
        rows = _excel_rows(content, problems)
    else:
        raise HouseholdsFileError(
            filename, [f"unsupported file type {suffix or '(none)'!r}: use .yaml or .xlsx"]
        )
    households: list[Household] = []
    first_at: dict[tuple[str, str, str], str] = {}
    for at, values in rows:
        household = _check(at, values, problems)
        if household is None:
            continue
        if household.identity in first_at:
            problems.append(
                f"{at}: the same household as {first_at[household.identity]} (village, head, phone)"
            )
            continue
        first_at[household.identity] = at
        households.append(household)
    if not rows and not problems:
        problems.append("file: no households in it")
    if problems:
        raise HouseholdsFileError(filename, problems)
    return households


def idempotency_key(content: bytes, household: Household) -> str:
    """The same file and household always give the same key, so a re-run cannot create twice."""
    identity = "\0".join(household.identity).encode()
    return "households-" + hashlib.sha256(content + b"\0" + identity).hexdigest()[:40]


def _check(at: str, values: dict[str, Any], problems: list[str]) -> Household | None:
    found = len(problems)
    body: dict[str, Any] = {}

    def bad(column: str, message: str) -> None:
        problems.append(f"{at}, {column}: {message}")

    for column in REQUIRED:
        if not values.get(column):
            bad(column, "missing or empty")
    try:
        if values.get("village"):
            body["village"] = validate_code(values["village"], "village code")
        if values.get("group"):
            body["group"] = validate_code(values["group"], "group code")
    except ValidationFailed as exc:
        bad("village/group", exc.detail)
    for column, check in (("head_name", lambda v: clean_name(v, "head_name")), ("phone", check_phone)):
        if values.get(column):
            try:
                body[column] = check(values[column])
            except ValidationFailed as exc:
                bad(column, exc.detail)
    address = values.get("address") or ""
    if len(address) > ADDRESS_MAX:
        bad("address", f"longer than {ADDRESS_MAX} characters")
    elif address:
        body["address"] = address
    flags = []
    for word in values.get("flags") or []:
        flag = FLAG_ALIASES.get(word, word.lower())
        if flag not in FLAGS:
            bad(
                "flags",
                f"unknown flag {word!r} (known: {', '.join(FLAGS)}, or 五保, 低保, 贫困户, 重病, 残疾, 独居)",
            )
        elif flag not in flags:
            flags.append(flag)
    body["flags"] = flags
    if values.get("agent"):
        try:
            body["agent"] = validate_username(values["agent"], "agent")
        except ValidationFailed as exc:
            bad("agent", exc.detail)
    return None if len(problems) > found else Household(at, body)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed as a number
    return str(value).strip()


def _flags(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [w for w in re.split(r"[,，、;；\s]+", str(value).strip()) if w]


def _yaml_rows(content: bytes, problems: list[str]) -> list[tuple[str, dict]]:
    import yaml

    try:
        doc = yaml.safe_load(content)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"file: not valid YAML: {' '.join(str(exc).split())}")
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("households"), list):
        problems.append("file: expected a mapping with the key 'households' (a list)")
        return []
    rows = []
    for i, item in enumerate(doc["households"]):
        at = f"households[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{at}: expected a mapping with {', '.join(COLUMNS)}")
            continue
        for key in item:
            if key not in COLUMNS:
                problems.append(f"{at}.{key}: unknown key (expected {', '.join(COLUMNS)})")
        values = {c: _text(item.get(c)) for c in COLUMNS if c != "flags"}
        rows.append((at, values | {"flags": _flags(item.get("flags"))}))
    return rows


def _excel_rows(content: bytes, problems: list[str]) -> list[tuple[str, dict]]:
    try:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open means "not a readable .xlsx"
        problems.append(f"file: cannot read it as an Excel workbook (.xlsx): {exc or type(exc).__name__}")
        return []
    try:
        titles = [t for t in book.sheetnames if SHEET_ALIASES.get(t.strip(), t.strip().lower()) == SHEET]
        if len(titles) != 1:
            problems.append(f"file: expected one sheet {SHEET!r} (or 农户), found {len(titles)}")
            return []
        lines = book[titles[0]].iter_rows(values_only=True)
        header = next(lines, None) or ()
        columns: dict[str, int] = {}
        for i, cell in enumerate(header):
            text = _text(cell)
            if text:
                columns.setdefault(COLUMN_ALIASES.get(text, text.lower()), i)
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            problems.append(
                f"sheet {SHEET}, row 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
            )
            return []
        rows = []
        for number, cells in enumerate(lines, start=2):
            if cells is None or all(_text(c) in (None, "") for c in cells):
                continue

            def cell(column: str, cells: tuple = cells) -> Any:  # noqa: E306
                i = columns.get(column)
                return cells[i] if i is not None and i < len(cells) else None

            values = {c: _text(cell(c)) for c in COLUMNS if c != "flags"}
            rows.append((f"sheet {SHEET}, row {number}", values | {"flags": _flags(cell("flags"))}))
        return rows
    finally:
        book.close()
