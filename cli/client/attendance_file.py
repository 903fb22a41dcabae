"""The file of `bianmin client attendance import`: a sign-in device's CSV export. Pure: no HTTP.
The whole file is checked before anything is sent, and every problem is reported at once, each
with its row (the rules the server checks — a user it knows, a working day — are asked of it for
the whole file before any row is stored; cli/client/attendance.py).

CSV (UTF-8, with or without a BOM, or GB18030 as Chinese devices write it), a header row, extra
columns ignored, empty rows skipped; columns

    username, time           e.g.  zhang_san, 2026-12-07 08:29:05
    username, date, time     e.g.  zhang_san, 2026-12-07, 08:29

or 用户名/工号/账号, 签到时间/打卡时间/时间, 日期. A time without an offset is local time of the county
(`--tz`, default Asia/Shanghai); one with an offset (`2026-12-07T08:29:05+08:00`) is taken as it is."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from libs.common.errors import ValidationFailed
from libs.common.tenancy import validate_username

SUFFIXES = (".csv", ".txt")
COLUMN_ALIASES = {
    "username": "username",
    "用户名": "username",
    "工号": "username",
    "账号": "username",
    "user": "username",
    "time": "time",
    "签到时间": "time",
    "打卡时间": "time",
    "时间": "time",
    "datetime": "time",
    "date": "date",
    "日期": "date",
}
PARTS = 5000  # rows per request (the gateway's body limit is 1 MiB)
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


class AttendanceFileError(Exception):
    """The file cannot be imported; `problems` lists every reason, each with its place."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source, self.problems = source, problems
        n = len(problems)
        super().__init__(
            f"{source}: {n} problem{'s' if n != 1 else ''}, nothing was sent:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


@dataclass(frozen=True)
class SignInRow:
    at: str  # where it is in the file ("row 12")
    username: str
    time: datetime  # aware

    @property
    def body(self) -> dict:
        """A row of POST /v1/townships/{tenant}/attendance/imports."""
        return {"at": self.at, "username": self.username, "time": self.time.isoformat()}


def read(path: str | Path, tz: ZoneInfo) -> list[SignInRow]:
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise AttendanceFileError(str(path), [f"unsupported file type {path.suffix or '(none)'!r}: use .csv"])
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise AttendanceFileError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        return parse(content, tz)
    except AttendanceFileError as exc:
        raise AttendanceFileError(str(path), exc.problems) from None


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AttendanceFileError("file", ["not UTF-8 or GB18030 text"])


def parse(content: bytes, tz: ZoneInfo) -> list[SignInRow]:
    reader = csv.reader(io.StringIO(_decode(content)))
    header = next(reader, None)
    if header is None:
        raise AttendanceFileError("file", ["file: empty"])
    columns = {COLUMN_ALIASES.get(h.strip().lower(), h.strip().lower()): i for i, h in enumerate(header)}
    missing = [c for c in ("username", "time") if c not in columns]
    if missing:
        raise AttendanceFileError(
            "file", [f"header: no column {', '.join(missing)} (found: {', '.join(header)})"]
        )
    problems: list[str] = []
    rows: list[SignInRow] = []
    for n, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        at = f"row {n}"

        def cell(name: str, values: list[str] = values) -> str:
            i = columns.get(name)
            return values[i].strip() if i is not None and i < len(values) else ""

        username = cell("username")
        try:
            validate_username(username)
        except ValidationFailed:
            problems.append(f"{at}, username: {username!r} is not a username")
            username = ""
        text = f"{cell('date')} {cell('time')}".strip() if "date" in columns else cell("time")
        when = _when(text, tz)
        if when is None:
            problems.append(f"{at}, time: {text!r} is not a date and time (e.g. 2026-12-07 08:29)")
        if username and when is not None:
            rows.append(SignInRow(at, username, when))
    if not rows and not problems:
        problems.append("file: no sign-ins in it")
    if problems:
        raise AttendanceFileError("file", problems)
    return rows


def _when(text: str, tz: ZoneInfo) -> datetime | None:
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=tz)


def parts(rows: list[SignInRow], size: int = PARTS) -> list[list[SignInRow]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]
