"""A county's rulebook file for `bianmin client appraisal rulebook import`: YAML (shaped as
services/appraisal/rulebooks/default.yaml) or an Excel workbook, read into the API's shape
(`PUT /v1/appraisal/rulebooks/{id}`; a rule's `subject` is `subject_type` there).

The workbook, one sheet each (header row first; column order free; empty rows skipped):
- `rulebook`: two columns `key`, `value` — id, name, effective_from (YYYY-MM), base_points,
  appeal_days, grading_period (month|quarter);
- `rules`: code, subject, description, points, unit, source, clause, cap, floor, variants,
  trigger. `points` is a number or dated values `2009-01:-10; 2026-07:-5`; `variants`
  `county=2, city=5`; `trigger` a YAML mapping in one cell, e.g.
  `{event: intake.case_completed, when: overdue, subjects: [window], per: case}`;
- `grades`: subject, excellent_min, excellent_top, excellent_max_share, qualified_min (staff:
  competent), basically_competent_min, clause;
- `vetoes` (optional): code, subject, consequence, description, clause, when (YAML in one cell).

The file is read whole and every problem of its form is listed at once (sheet, row, column);
what the rules mean is checked whole by appraisal when the file is sent (one validation_error
listing every problem)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml

RULE_COLUMNS = ("code", "subject", "description", "points", "unit", "source", "clause", "cap", "floor",
                "variants", "trigger")  # fmt: skip
GRADE_COLUMNS = ("subject", "excellent_min", "excellent_top", "excellent_max_share", "qualified_min",
                 "basically_competent_min", "clause")  # fmt: skip
VETO_COLUMNS = ("code", "subject", "consequence", "description", "clause", "when")
BOOK_KEYS = ("id", "name", "effective_from", "base_points", "appeal_days", "grading_period")
MAX_BYTES = 5 * 1024 * 1024


class RulebookFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("the file has problems:\n  " + "\n  ".join(problems))
        self.problems = problems


def read(path: Path) -> dict[str, Any]:
    """The rulebook of `path` in the API's shape; RulebookFileError listing every problem."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise RulebookFileError([f"{path}: {exc.strerror or exc}"]) from None
    if len(content) > MAX_BYTES:
        raise RulebookFileError([f"{path.name}: larger than {MAX_BYTES // (1024 * 1024)} MB"])
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        book = _yaml(content, path.name)
    elif suffix == ".xlsx":
        book = _workbook(content, path.name)
    else:
        raise RulebookFileError([f"{path.name}: a .yaml, .yml or .xlsx file"])
    return to_api(book)


def to_api(book: dict[str, Any]) -> dict[str, Any]:
    """A rulebook document → the API's shape (`subject_type` for a rule's or veto's `subject`)."""
    out = dict(book)
    for key in ("rules", "vetoes"):
        if isinstance(out.get(key), list):
            out[key] = [
                {"subject_type" if k == "subject" else k: v for k, v in r.items()}
                if isinstance(r, dict)
                else r
                for r in out[key]
            ]
    return out


def _yaml(content: bytes, name: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(content.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RulebookFileError([f"{name}: not YAML ({exc})"]) from None
    if not isinstance(data, dict):
        raise RulebookFileError([f"{name}: a mapping with id, name, rules, grades …"])
    return data


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _rows(sheet: Any, columns: tuple[str, ...], where: str, problems: list[str]) -> list[tuple[int, dict]]:
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        problems.append(f"{where}: empty (a header row first)")
        return []
    header = [str(h).strip().lower() if h is not None else "" for h in rows[0]]
    unknown = [h for h in header if h and h not in columns]
    if unknown:
        problems.append(
            f"{where} row 1: unknown column(s) {', '.join(unknown)} (known: {', '.join(columns)})"
        )
    out = []
    for number, row in enumerate(rows[1:], start=2):
        values = {h: _cell(v) for h, v in zip(header, row, strict=False) if h in columns}
        if any(v is not None for v in values.values()):
            out.append((number, {k: v for k, v in values.items() if v is not None}))
    return out


def _flow(text: Any, where: str, problems: list[str]) -> Any:
    """A YAML mapping written in one cell."""
    if not isinstance(text, str):
        problems.append(f"{where}: a YAML mapping in the cell, e.g. {{event: …, subjects: [window]}}")
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problems.append(f"{where}: not YAML ({str(exc).splitlines()[0]})")
        return None
    if not isinstance(value, dict):
        problems.append(f"{where}: a mapping, got {text!r}")
        return None
    return value


def _points(value: Any, where: str, problems: list[str]) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    dated = []
    for part in str(value).split(";"):
        start, sep, points = part.strip().partition(":")
        try:
            dated.append({"from": start.strip(), "points": float(points)})
        except ValueError:
            problems.append(f"{where}: a number or dated values like 2009-01:-10; 2026-07:-5, got {value!r}")
            return None
        if not sep:
            problems.append(f"{where}: dated values need YYYY-MM:points, got {part!r}")
            return None
    return dated


def _variants(value: Any, where: str, problems: list[str]) -> dict[str, float] | None:
    found: dict[str, float] = {}
    for part in str(value).split(","):
        name, sep, points = part.strip().partition("=")
        try:
            found[name.strip()] = float(points)
        except ValueError:
            problems.append(f"{where}: name=points, … (e.g. county=2, city=5), got {value!r}")
            return None
        if not sep:
            problems.append(f"{where}: name=points, got {part!r}")
            return None
    return found


def _workbook(content: bytes, name: str) -> dict[str, Any]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one problem of the file
        raise RulebookFileError([f"{name}: not an Excel workbook ({type(exc).__name__})"]) from None
    problems: list[str] = []
    missing = [s for s in ("rulebook", "rules", "grades") if s not in book.sheetnames]
    if missing:
        raise RulebookFileError([f"{name}: missing sheet(s) {', '.join(missing)}"])
    out: dict[str, Any] = {}
    for number, row in _rows(book["rulebook"], ("key", "value"), "rulebook", problems):
        key = str(row.get("key", "")).strip()
        if key not in BOOK_KEYS:
            problems.append(f"rulebook row {number}: key one of {', '.join(BOOK_KEYS)}, got {key!r}")
        elif "value" in row:
            out[key] = (
                str(row["value"])
                if key in ("id", "name", "effective_from", "grading_period")
                else row["value"]
            )
    rules = []
    for number, row in _rows(book["rules"], RULE_COLUMNS, "rules", problems):
        where = f"rules row {number}"
        rule = {k: v for k, v in row.items() if k not in ("points", "variants", "trigger")}
        if "points" in row:
            rule["points"] = _points(row["points"], f"{where} points", problems)
        if "variants" in row:
            rule["variants"] = _variants(row["variants"], f"{where} variants", problems)
        if "trigger" in row:
            rule["trigger"] = _flow(row["trigger"], f"{where} trigger", problems)
        rules.append(rule)
    out["rules"] = rules
    grades: dict[str, Any] = {}
    for number, row in _rows(book["grades"], GRADE_COLUMNS, "grades", problems):
        subject = str(row.get("subject", ""))
        middle = "competent" if subject == "staff" else "qualified"
        excellent = {"min": row.get("excellent_min")}
        if "excellent_top" in row:
            excellent["top"] = row["excellent_top"]
        if "excellent_max_share" in row:
            excellent["max_share"] = row["excellent_max_share"]
        scale: dict[str, Any] = {"excellent": excellent, middle: {"min": row.get("qualified_min")}}
        if subject == "staff":
            scale["basically_competent"] = {"min": row.get("basically_competent_min")}
        if "clause" in row:
            scale["clause"] = row["clause"]
        if subject in grades:
            problems.append(f"grades row {number}: {subject} appears twice")
        grades[subject] = scale
    out["grades"] = grades
    if "vetoes" in book.sheetnames:
        vetoes = []
        for number, row in _rows(book["vetoes"], VETO_COLUMNS, "vetoes", problems):
            veto = {k: v for k, v in row.items() if k != "when"}
            if "when" in row:
                veto["when"] = _flow(row["when"], f"vetoes row {number} when", problems)
            vetoes.append(veto)
        out["vetoes"] = vetoes
    if problems:
        raise RulebookFileError(problems)
    return out


def workbook(book: dict[str, Any]) -> bytes:
    """A rulebook document as the workbook `read` takes (for a county to start from)."""
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "rulebook"
    sheet.append(["key", "value"])
    for key in BOOK_KEYS:
        if key in book:
            sheet.append([key, book[key]])
    rules = wb.create_sheet("rules")
    rules.append(list(RULE_COLUMNS))
    for r in book.get("rules", []):
        points = r.get("points")
        if isinstance(points, list):
            points = "; ".join(f"{p['from']}:{p['points']}" for p in points)
        variants = ", ".join(f"{k}={v}" for k, v in (r.get("variants") or {}).items()) or None
        trigger = (
            yaml.safe_dump(r["trigger"], default_flow_style=True, allow_unicode=True).strip()
            if r.get("trigger")
            else None
        )
        fields = (r.get(c) for c in ("code", "subject", "description"))
        rest = (r.get(c) for c in ("unit", "source", "clause", "cap", "floor"))
        rules.append([*fields, points, *rest, variants, trigger])
    grades = wb.create_sheet("grades")
    grades.append(list(GRADE_COLUMNS))
    for subject, g in (book.get("grades") or {}).items():
        middle = g.get("competent" if subject == "staff" else "qualified") or {}
        ex = g.get("excellent") or {}
        grades.append([subject, ex.get("min"), ex.get("top"), ex.get("max_share"), middle.get("min"),
                       (g.get("basically_competent") or {}).get("min"), g.get("clause")])  # fmt: skip
    vetoes = wb.create_sheet("vetoes")
    vetoes.append(list(VETO_COLUMNS))
    for v in book.get("vetoes") or []:
        when = (
            yaml.safe_dump(v["when"], default_flow_style=True, allow_unicode=True).strip()
            if v.get("when")
            else None
        )
        vetoes.append([*(v.get(c) for c in VETO_COLUMNS[:-1]), when])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
