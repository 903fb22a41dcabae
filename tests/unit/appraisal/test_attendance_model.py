"""Judging a half-day from sign-ins (DOMAIN.md §8; seed 001 第二十三條（一）): on time, late or
early by at most 15 minutes (counted in minutes), absent for the half-day otherwise, on leave."""

from __future__ import annotations

import pytest

from libs.common.errors import ValidationFailed
from services.appraisal.domain import attendance as at

TWO = at.slots(None)  # 08:30 and 14:30
FOUR = at.slots(["08:30", "12:00", "14:30", "17:30"])


def m(text: str) -> int:
    return at.minutes_of(text)


def test_the_default_times_and_the_noon_between_them() -> None:
    assert (TWO.am, TWO.pm, TWO.noon) == ((510, None), (870, None), 690)
    assert (FOUR.am, FOUR.pm, FOUR.noon) == ((510, 720), (870, 1050), 795)


@pytest.mark.parametrize(
    ("punch", "status", "late"),
    [
        ("07:55", "present", 0),
        ("08:30", "present", 0),
        ("08:31", "late", 1),
        ("08:45", "late", 15),
        ("08:46", "absent_half_day", 16),
    ],
)
def test_a_morning_sign_in(punch: str, status: str, late: int) -> None:
    assert at.judge_half("am", [m(punch)], TWO) == at.Half("am", status, late_minutes=late)


def test_no_sign_in_is_a_half_day_absence_and_the_afternoon_is_apart() -> None:
    am, pm = at.judge_day([m("08:20")], TWO)
    assert (am.status, pm.status) == ("present", "absent_half_day")
    am, pm = at.judge_day([m("14:40")], TWO)
    assert (am.status, pm.status, pm.late_minutes) == ("absent_half_day", "late", 10)
    assert at.day_status(at.judge_day([], TWO)) == ("absent", 0, 0)


def test_the_first_punch_of_a_half_counts() -> None:
    assert at.judge_half("am", [m("09:30"), m("08:29")], TWO).status == "present"


@pytest.mark.parametrize(
    ("punches", "status", "late", "early"),
    [
        (["08:25", "12:01"], "present", 0, 0),
        (["08:25", "11:50"], "early", 0, 10),
        (["08:25", "11:44"], "absent_half_day", 0, 16),
        (["08:25"], "absent_half_day", 0, 0),  # no sign-out
        (["08:40", "11:50"], "late", 10, 10),
    ],
)
def test_with_sign_outs(punches: list[str], status: str, late: int, early: int) -> None:
    half = at.judge_half("am", [m(p) for p in punches], FOUR)
    assert (half.status, half.late_minutes, half.early_minutes) == (status, late, early)


def test_on_leave_whatever_was_punched() -> None:
    assert at.judge_day([m("08:00")], TWO, on_leave=True) == (
        at.Half("am", "on_leave"),
        at.Half("pm", "on_leave"),
    )


@pytest.mark.parametrize(
    ("statuses", "day"),
    [
        (("present", "present"), "present"),
        (("late", "present"), "late"),
        (("early", "late"), "late"),
        (("present", "early"), "early"),
        (("absent_half_day", "late"), "absent_half_day"),
        (("absent_half_day", "absent_half_day"), "absent"),
        (("on_leave", "on_leave"), "on_leave"),
    ],
)
def test_the_days_status_is_the_worse_half(statuses: tuple[str, str], day: str) -> None:
    halves = [at.Half("am", statuses[0], 3 if statuses[0] == "late" else 0),
              at.Half("pm", statuses[1], 4 if statuses[1] == "late" else 0)]  # fmt: skip
    assert at.day_status(halves)[0] == day


def test_late_minutes_add_up_over_the_halves() -> None:
    assert at.day_status(at.judge_day([m("08:35"), m("14:42")], TWO)) == ("late", 17, 0)


@pytest.mark.parametrize(
    "times",
    [
        ["08:30"],
        ["14:30", "08:30"],
        ["8:30", "14:30"],
        ["08:30", "08:30"],
        ["25:00", "26:00"],
        ["a", "b", "c"],
    ],
)
def test_invalid_sign_in_times(times: list[str]) -> None:
    with pytest.raises(ValidationFailed):
        at.slots(times)


def test_the_office_minutes_of_a_half() -> None:
    hours = [(540, 720), (840, 1050)]
    assert (at.half_minutes("am", hours, TWO), at.half_minutes("pm", hours, TWO)) == (180, 210)


def test_a_spot_check_finding_turns_a_half_on_post_into_off_post() -> None:
    am, pm = at.judge_day([m("08:40"), m("14:20")], TWO, off_post=["am", "pm"])
    assert (am.status, am.late_minutes, pm.status) == ("off_post", 10, "off_post")
    am, pm = at.judge_day([m("14:20")], TWO, off_post=["am"])  # absent stays absent
    assert (am.status, pm.status) == ("absent_half_day", "present")
    assert at.day_status((am, at.Half("pm", "off_post")))[0] == "absent_half_day"
    assert at.day_status((at.Half("am", "present"), at.Half("pm", "off_post")))[0] == "off_post"
