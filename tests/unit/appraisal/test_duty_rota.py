"""The rules of a month's leader-on-duty rota (services/appraisal/domain/duty_rota.py): a real
month, strict dates inside it, no day twice, a username on each, not a past month; and the
reading range."""

from __future__ import annotations

from datetime import date

import pytest

from libs.common.calendar import tenant_calendar
from libs.common.errors import ValidationFailed
from services.appraisal.domain import duty_rota
from services.appraisal.domain.duty_rota import DutyDay, day_range, first_day, last_day, rota

TODAY = date(2026, 11, 22)


def test_a_later_month_is_published_in_date_order() -> None:
    r = rota("2026-12", [("2026-12-02", "leader_b"), ("2026-12-01", "leader_a")], TODAY)
    assert r.month == "2026-12"
    assert r.days == (DutyDay(date(2026, 12, 1), "leader_a"), DutyDay(date(2026, 12, 2), "leader_b"))
    assert (r.first, r.last) == (date(2026, 12, 1), date(2026, 12, 31))


def test_the_current_month_may_still_be_corrected_and_the_same_leader_serve_many_days() -> None:
    r = rota("2026-11", [("2026-11-01", "leader_a"), ("2026-11-30", "leader_a")], TODAY)
    assert [d.day.day for d in r.days] == [1, 30]


def test_a_month_before_the_current_one_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="published in advance"):
        rota("2026-10", [("2026-10-31", "leader_a")], TODAY)
    # the current month is judged by the county's date: on 1 December, November is past
    with pytest.raises(ValidationFailed, match="published in advance"):
        rota("2026-11", [("2026-11-30", "leader_a")], date(2026, 12, 1))


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "2026-1", "26-12", "2026/12", "2026-12\n", "", "0000-01"]
)
def test_a_month_must_be_a_real_yyyy_mm(month: str) -> None:
    with pytest.raises(ValidationFailed, match="month"):
        rota(month, [("2026-12-01", "leader_a")], TODAY)


def test_february_ends_with_its_last_day() -> None:
    assert last_day("2028-02") == date(2028, 2, 29) and last_day("2027-02") == date(2027, 2, 28)
    assert first_day("2027-02") == date(2027, 2, 1)
    rota("2028-02", [("2028-02-29", "leader_a")], TODAY)
    with pytest.raises(ValidationFailed, match="not a date"):
        rota("2027-02", [("2027-02-29", "leader_a")], TODAY)


@pytest.mark.parametrize("day", ["2027-01-01", "2026-11-30"])
def test_every_date_is_inside_the_month(day: str) -> None:
    with pytest.raises(ValidationFailed, match=f"{day} is not in the month 2026-12"):
        rota("2026-12", [("2026-12-01", "leader_a"), (day, "leader_b")], TODAY)


@pytest.mark.parametrize(
    "text", ["20261201", "2026-12-1", "2026-12-01T00:00", "2026-12-32", "", " 2026-12-01"]
)
def test_a_date_is_a_strict_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(ValidationFailed, match="date"):
        rota("2026-12", [(text, "leader_a")], TODAY)


def test_no_date_twice() -> None:
    with pytest.raises(ValidationFailed, match="2026-12-05 is listed twice"):
        rota("2026-12", [("2026-12-05", "leader_a"), ("2026-12-05", "leader_b")], TODAY)


@pytest.mark.parametrize("username", ["", "Leader A", "x", "a;drop"])
def test_a_username_on_each_day(username: str) -> None:
    with pytest.raises(ValidationFailed, match="2026-12-03"):
        rota("2026-12", [("2026-12-03", username)], TODAY)


def test_a_rota_names_at_least_one_day() -> None:
    with pytest.raises(ValidationFailed, match="names no day"):
        rota("2026-12", [], TODAY)


def test_a_reading_range_is_ordered_and_at_most_366_days() -> None:
    assert day_range("2026-01-01", "2026-01-01") == (date(2026, 1, 1), date(2026, 1, 1))
    assert day_range("2028-01-01", "2028-12-31") == (date(2028, 1, 1), date(2028, 12, 31))  # 366 days
    with pytest.raises(ValidationFailed, match="at most 366"):
        day_range("2026-01-01", "2027-01-02")
    with pytest.raises(ValidationFailed, match="after"):
        day_range("2026-02-01", "2026-01-31")
    with pytest.raises(ValidationFailed, match="from_date"):
        day_range("", "2026-01-31")
    with pytest.raises(ValidationFailed, match="to_date"):
        day_range("2026-01-01", "2026/01/31")


def test_the_gaps_of_a_month_are_its_working_days_without_a_leader() -> None:
    cal = tenant_calendar(2025, 2025)  # February 2025: the festival to the 4th, Sat 8th worked
    r = duty_rota.rota("2025-02", [("2025-02-05", "lead"), ("2025-02-06", "lead")], date(2025, 1, 20))
    gaps = duty_rota.gaps(r, lambda d: cal.day_info(d).working)
    assert gaps[:3] == (date(2025, 2, 7), date(2025, 2, 8), date(2025, 2, 10))
    assert date(2025, 2, 3) not in gaps and len(gaps) == 17  # 19 working days, 2 named
    assert duty_rota.last_working_day("2025-02", lambda d: cal.day_info(d).working) == date(2025, 2, 28)
    assert duty_rota.next_month("2025-12") == "2026-01"
