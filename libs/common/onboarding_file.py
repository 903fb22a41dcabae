"""The onboarding file of `bianmin client townships onboard` and of the staff console's upload
(`/console/county/onboarding`): townships, their villages and groups, from YAML or Excel. Pure:
no HTTP. The whole file is checked before anything is sent, and every problem is reported at once,
each with where it is (sheet and row, or the YAML path).

YAML::

    townships:
      - code: napo
        name: 那坡镇
        villages:
          - code: baiyun
            name: 百云村
            groups: [{code: g01, name: 第一组}]

Excel (.xlsx), a header row on each sheet, extra columns ignored, empty rows skipped:

    sheet "townships": code, name
    sheet "villages":  township, code, name
    sheet "groups":    township, village, code, name

Sheet and column names may also be given in Chinese (乡镇/村/组; 代码/编码, 名称, 乡镇, 村).
"villages" and "groups" may be left out (townships without villages)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from libs.common.errors import ValidationFailed
from libs.common.tenancy import validate_code, validate_tenant_code

YAML_SUFFIXES = (".yaml", ".yml")
EXCEL_SUFFIXES = (".xlsx",)
SUPPORTED = YAML_SUFFIXES + EXCEL_SUFFIXES
NAME_MAX = 100  # as the gateway (services/gateway/domain/directory.py)

SHEETS: dict[str, tuple[str, ...]] = {
    "townships": ("code", "name"),
    "villages": ("township", "code", "name"),
    "groups": ("township", "village", "code", "name"),
}
SHEET_ALIASES = {
    "乡镇": "townships",
    "村": "villages",
    "行政村": "villages",
    "组": "groups",
    "村民小组": "groups",
}
COLUMN_ALIASES = {
    "代码": "code",
    "编码": "code",
    "名称": "name",
    "乡镇": "township",
    "乡镇代码": "township",
    "村": "village",
    "村代码": "village",
}


class OnboardingFileError(Exception):
    """The file cannot be onboarded; `problems` lists every reason, each with its place."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source, self.problems = source, problems
        n = len(problems)
        super().__init__(
            f"{source}: {n} problem{'s' if n != 1 else ''}, nothing was sent:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def load(path: str | Path) -> list[dict]:
    """The townships of the file at `path`, in the shape of `POST /v1/townships`."""
    return read(path)[1]


def read(path: str | Path) -> tuple[bytes, list[dict]]:
    """The file's content (for `idempotency_key`) and its townships."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED:
        raise OnboardingFileError(str(path), [_unsupported(path)])
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise OnboardingFileError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        return content, parse(content, path.name)
    except OnboardingFileError as exc:
        raise OnboardingFileError(str(path), exc.problems) from None


def parse(content: bytes, filename: str) -> list[dict]:
    """The townships of a file's `content`; the type is told by `filename`'s suffix."""
    suffix = Path(filename).suffix.lower()
    if suffix in YAML_SUFFIXES:
        records = _yaml_records(content)
    elif suffix in EXCEL_SUFFIXES:
        records = _excel_records(content)
    else:
        raise OnboardingFileError(filename, [_unsupported(Path(filename))])
    townships = records.check()
    if records.problems:
        raise OnboardingFileError(filename, records.problems)
    return townships


def idempotency_key(content: bytes, township_code: str) -> str:
    """The same file and township always give the same key, so a re-run cannot create twice."""
    digest = hashlib.sha256(content + b"\0" + township_code.encode()).hexdigest()[:32]
    return f"onboard-{township_code}-{digest}"


def _unsupported(path: Path) -> str:
    hint = " (save it as .xlsx)" if path.suffix.lower() in (".xls", ".csv", ".ods") else ""
    return f"unsupported file type {path.suffix or '(none)'!r}{hint}: use {', '.join(SUPPORTED)}"


# --- the common checks -------------------------------------------------------------------------


@dataclass
class _Row:
    at: str  # where, for messages: "sheet villages, row 4" or "townships[0].villages[1]"
    values: dict[str, str | None]
    invalid: frozenset[str] = frozenset()  # columns whose value was not text (reported already)
    seq: int = 0  # the row's place in the file, so problems are listed in file order


@dataclass
class _Records:
    """Rows of the three levels, flattened, whatever the file type; `check` validates them all."""

    townships: list[_Row] = field(default_factory=list)
    villages: list[_Row] = field(default_factory=list)
    groups: list[_Row] = field(default_factory=list)
    # set for YAML, where the nesting says the parent; the path of a field is `at + "." + field`
    nested: bool = False
    _found: list[tuple[float, int, str]] = field(default_factory=list)
    _rows: int = 0

    @property
    def problems(self) -> list[str]:
        return [message for _, _, message in sorted(self._found)]

    def problem(self, at: str, message: str, row: _Row | None = None) -> None:
        # a problem found while reading belongs just before the next row
        seq = row.seq if row is not None else self._rows + 0.5
        self._found.append((seq, len(self._found), f"{at}: {message}"))

    def row(self, at: str, values: dict[str, str | None], invalid: set[str]) -> _Row:
        self._rows += 1
        return _Row(at, values, frozenset(invalid), self._rows)

    def check(self) -> list[dict]:
        townships: dict[str, dict] = {}
        first_at: dict[tuple[str, ...], str] = {}
        declared_townships = {r.values.get("code") for r in self.townships} - {None}
        declared_villages = {(r.values.get("township"), r.values.get("code")) for r in self.villages}

        for row in self.townships:
            code, name = self._code(row, "code", "township"), self._name(row, "name", "township")
            if code and self._unique(row, ("t", code), first_at, f"township {code!r}") and name:
                townships[code] = {"code": code, "name": name, "villages": []}
        villages: dict[tuple[str, str], dict] = {}
        for row in self.villages:
            parent = self._ref(row, "township", declared_townships, "township")
            code, name = self._code(row, "code", "village"), self._name(row, "name", "village")
            if not code or not parent:
                continue
            unique = self._unique(row, ("v", parent, code), first_at, f"village {code!r} in {parent!r}")
            if unique and name and parent in townships:
                village = {"code": code, "name": name, "groups": []}
                townships[parent]["villages"].append(village)
                villages[(parent, code)] = village
        for row in self.groups:
            township = self._ref(row, "township", declared_townships, "township")
            vcode = self._ref(row, "village", None, "village")
            if township and vcode and (township, vcode) not in declared_villages:
                self.problem(row.at, f"unknown village {vcode!r} in township {township!r}", row)
                vcode = None
            code, name = self._code(row, "code", "group"), self._name(row, "name", "group")
            if not (code and township and vcode):
                continue
            what = f"group {code!r} in village {vcode!r} of {township!r}"
            unique = self._unique(row, ("g", township, vcode, code), first_at, what)
            if unique and name and (township, vcode) in villages:
                villages[(township, vcode)]["groups"].append({"code": code, "name": name})
        if not self.townships and not self.problems:
            self.problem("file", "no townships in it")
        return list(townships.values())

    def _where(self, row: _Row, column: str) -> str:
        return f"{row.at}.{column}" if self.nested else row.at

    def _present(self, row: _Row, column: str) -> str | None:
        value = row.values.get(column)
        if column in row.invalid:
            return None
        if value is None or value == "":
            if self.nested and column in ("township", "village"):
                return None  # the parent in the YAML nesting: its own problem is reported there
            self.problem(
                self._where(row, column),
                "missing or empty" if self.nested else f"empty cell in column {column!r}",
                row,
            )
            return None
        return value

    def _code(self, row: _Row, column: str, what: str) -> str | None:
        value = self._present(row, column)
        if value is None:
            return None
        try:
            check = validate_tenant_code if what == "township" else validate_code  # it forms the tenant id
            return check(value, f"{what} code")
        except ValidationFailed as exc:
            self.problem(self._where(row, column), f"bad {what} code {value!r}: {exc.detail}", row)
            return None

    def _name(self, row: _Row, column: str, what: str) -> str | None:
        value = self._present(row, column)
        if value is not None and len(value) > NAME_MAX:
            self.problem(self._where(row, column), f"{what} name longer than {NAME_MAX} characters", row)
            return None
        return value

    def _ref(self, row: _Row, column: str, known: set | None, what: str) -> str | None:
        value = self._present(row, column)
        if value is None:
            return None
        if known is not None and value not in known:
            self.problem(self._where(row, column), f"unknown {what} {value!r}", row)
            return None
        return value

    def _unique(self, row: _Row, key: tuple[str, ...], first_at: dict, what: str) -> bool:
        if key in first_at:
            self.problem(row.at, f"duplicate {what} (first at {first_at[key]})", row)
            return False
        first_at[key] = row.at
        return True


def _text(value: Any) -> tuple[str | None, str | None]:
    """A cell or YAML scalar as stripped text; (None, why) when it is not text."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"expected text, got {value!r}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str | int | float):
        return str(value).strip(), None
    return None, f"expected text, got {type(value).__name__}"


# --- YAML --------------------------------------------------------------------------------------


def _yaml_records(content: bytes) -> _Records:
    import yaml

    records = _Records(nested=True)
    try:
        doc = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        reason = getattr(exc, "problem", None) or " ".join(str(exc).split())
        records.problem(where, f"not valid YAML: {reason}")
        return records
    except UnicodeDecodeError:
        records.problem("file", "not valid YAML: not UTF-8 text")
        return records
    if not isinstance(doc, dict) or "townships" not in doc:
        records.problem("file", "expected a mapping with the key 'townships'")
        return records
    _unknown_keys(records, doc, {"townships"}, "")
    for i, t in enumerate(_list(records, doc["townships"], "townships")):
        at = f"townships[{i}]"
        if not _mapping(records, t, at, {"code", "name", "villages"}):
            continue
        township = _yaml_row(records, t, at, {})
        records.townships.append(township)
        tcode = township.values["code"]
        for j, v in enumerate(_list(records, t.get("villages"), f"{at}.villages")):
            vat = f"{at}.villages[{j}]"
            if not _mapping(records, v, vat, {"code", "name", "groups"}):
                continue
            village = _yaml_row(records, v, vat, {"township": tcode})
            records.villages.append(village)
            for k, g in enumerate(_list(records, v.get("groups"), f"{vat}.groups")):
                gat = f"{vat}.groups[{k}]"
                if _mapping(records, g, gat, {"code", "name"}):
                    parents = {"township": tcode, "village": village.values["code"]}
                    records.groups.append(_yaml_row(records, g, gat, parents))
    return records


def _list(records: _Records, value: Any, at: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        records.problem(at, f"expected a list, got {type(value).__name__}")
        return []
    return value


def _mapping(records: _Records, value: Any, at: str, keys: set[str]) -> bool:
    if not isinstance(value, dict):
        records.problem(at, f"expected a mapping with {', '.join(sorted(keys))}")
        return False
    _unknown_keys(records, value, keys, at)
    return True


def _unknown_keys(records: _Records, value: dict, keys: set[str], at: str) -> None:
    for key in value:
        if key not in keys:
            records.problem(
                f"{at}.{key}" if at else str(key), f"unknown key (expected {', '.join(sorted(keys))})"
            )


def _yaml_row(records: _Records, mapping: dict, at: str, parents: dict[str, str | None]) -> _Row:
    values: dict[str, str | None] = dict(parents)
    invalid: set[str] = set()
    for key in ("code", "name"):
        values[key], why = _text(mapping.get(key))
        if why:
            records.problem(f"{at}.{key}", why)
            invalid.add(key)
    return records.row(at, values, invalid)


# --- Excel -------------------------------------------------------------------------------------


def _excel_records(content: bytes) -> _Records:
    records = _Records()
    try:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open means "not a readable .xlsx"
        records.problem("file", f"cannot read it as an Excel workbook (.xlsx): {exc or type(exc).__name__}")
        return records
    try:
        sheets: dict[str, Any] = {}
        for title in book.sheetnames:
            key = title.strip().lower()
            key = SHEET_ALIASES.get(key, key)
            if key not in SHEETS:
                records.problem(f"sheet {title}", f"unknown sheet (expected {', '.join(SHEETS)})")
            elif key in sheets:
                records.problem(f"sheet {title}", f"a second {key!r} sheet")
            else:
                sheets[key] = book[title]
        if "townships" not in sheets:
            records.problem("file", "no sheet 'townships'")
        for key, target in (
            ("townships", records.townships),
            ("villages", records.villages),
            ("groups", records.groups),
        ):
            if key in sheets:
                target.extend(_sheet_rows(records, key, sheets[key]))
    finally:
        book.close()
    return records


def _sheet_rows(records: _Records, key: str, sheet: Any) -> list[_Row]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    columns: dict[str, int] = {}
    for i, cell in enumerate(header or ()):
        text, _ = _text(cell)
        if text:
            name = COLUMN_ALIASES.get(text, text.lower())
            columns.setdefault(name, i)
    missing = [c for c in SHEETS[key] if c not in columns]
    if missing:
        records.problem(
            f"sheet {key}, row 1", f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
        return []
    found = []
    for number, cells in enumerate(rows, start=2):
        if cells is None or all(_text(c)[0] in (None, "") for c in cells):
            continue  # blank rows (Excel keeps formatted ones) are not rows
        at = f"sheet {key}, row {number}"
        values: dict[str, str | None] = {}
        invalid: set[str] = set()
        for column in SHEETS[key]:
            i = columns[column]
            values[column], why = _text(cells[i] if i < len(cells) else None)
            if why:
                records.problem(f"{at}, column {column!r}", why)
                invalid.add(column)
        found.append(records.row(at, values, invalid))
    return found
