"""The file of `bianmin client attendance import` (cli/client/attendance_file.py): a device's CSV
export with its Chinese or English header, local times in the county's zone or with an offset,
GB18030 as devices write it, and every problem of the file listed with its row."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cli.client import attendance_file as af

CST = ZoneInfo("Asia/Shanghai")
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "attendance" / "device-export.csv"


def test_the_example_export() -> None:
    rows = af.read(EXAMPLE, CST)
    assert [(r.at, r.username) for r in rows][:2] == [("row 2", "zhang_san"), ("row 3", "li_si")]
    assert rows[0].time == datetime(2026, 12, 7, 8, 29, tzinfo=CST)
    assert rows[0].body == {"at": "row 2", "username": "zhang_san", "time": "2026-12-07T08:29:00+08:00"}


def test_one_time_column_with_offsets_and_gb18030() -> None:
    text = "用户名,签到时间,姓名\nzhang,2026-12-07T00:29:05+00:00,张三\n\nli,2026/12/07 08:31:00,李四\n"
    rows = af.parse(text.encode("gb18030"), CST)
    assert rows[0].time == datetime(2026, 12, 7, 0, 29, 5, tzinfo=ZoneInfo("UTC"))
    assert (rows[1].at, rows[1].time) == ("row 4", datetime(2026, 12, 7, 8, 31, tzinfo=CST))


def test_every_problem_is_listed_with_its_row() -> None:
    text = "username,time\nZhang San,2026-12-07 08:29\nli,yesterday\nok_user,2026-12-07 08:30\n"
    with pytest.raises(af.AttendanceFileError) as raised:
        af.parse(text.encode(), CST)
    assert raised.value.problems == [
        "row 2, username: 'Zhang San' is not a username",
        "row 3, time: 'yesterday' is not a date and time (e.g. 2026-12-07 08:29)",
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "file: empty"),
        (b"name,when\nzhang,2026-12-07 08:00\n", "header: no column username, time"),
        (b"username,time\n\n", "file: no sign-ins in it"),
    ],
)
def test_files_that_are_not_exports(content: bytes, problem: str) -> None:
    with pytest.raises(af.AttendanceFileError) as raised:
        af.parse(content, CST)
    assert raised.value.problems[0].startswith(problem)


def test_a_file_of_another_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(af.AttendanceFileError, match="unsupported"):
        af.read(tmp_path / "export.xlsx", CST)


def test_parts_of_a_large_file() -> None:
    rows = [af.SignInRow(f"row {n}", "zhang", datetime(2026, 12, 7, tzinfo=CST)) for n in range(12_001)]
    assert [len(p) for p in af.parts(rows)] == [5000, 5000, 2001]
