"""The national importer: `holidays` (PUBLIC only, with 调休 working weekends), cross-checked day
by day against `chinesecalendar`; unpublished years are provisional, never `holidays`' guess."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays
import pytest

from libs.common.calendar import Disagreement, is_published, national_year, tenant_calendar
from tests.unit.common.test_calendar_maths import OFF_2026, WORK_2026

SH = ZoneInfo("Asia/Shanghai")


def _days(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(1)


def test_2026_is_published_cross_checked_and_agrees_with_chinesecalendar():
    year = national_year(2026)
    assert year.published and year.cross_checked
    assert year.disagreements == []


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 4), True),  # Sun, worked for New Year
        (date(2026, 2, 14), True),  # Sat before Spring Festival
        (date(2026, 2, 16), False),
        (date(2026, 2, 23), False),  # Spring Festival off 02-15…02-23
        (date(2026, 2, 28), True),
        (date(2026, 5, 1), False),
        (date(2026, 5, 5), False),  # Labour Day off 05-01…05-05
        (date(2026, 5, 9), True),
        (date(2026, 9, 20), True),  # Sun, worked for Mid-Autumn
        (date(2026, 9, 25), False),
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),  # National Day off 10-01…10-07
        (date(2026, 10, 10), True),  # Sat worked
        (date(2026, 10, 11), False),  # Sun off
        (date(2026, 10, 8), True),
    ],
)
def test_2026_facts_from_sla_section_8(day, working):
    assert national_year(2026).is_working(day) is working


def test_the_importer_matches_the_hand_written_2026_arrangement_the_maths_tests_use():
    year = national_year(2026)
    for day in _days(2026):
        by_hand = day in WORK_2026 or (day.weekday() < 5 and day not in OFF_2026)
        assert year.is_working(day) is by_hand, day


def test_t11_half_day_festivals_never_close_offices():
    """T11: HALF_DAY days (妇女节, 青年节, 儿童节, 建军节) are not in off_days unless they are also
    PUBLIC (2026-05-04 is both Youth Day and Labour Day observed)."""
    for y in (2024, 2026):
        half = holidays.China(years=y, categories=(holidays.HALF_DAY,))
        public = holidays.China(years=y, categories=(holidays.PUBLIC,))
        for day in half:
            assert (day in national_year(y).off_days) == (day in public), day
    assert national_year(2024).is_working(date(2024, 3, 8))  # Friday Women's Day
    assert national_year(2026).is_working(date(2026, 6, 1))  # Monday Children's Day


def test_t12_2005_12_31_is_a_cross_year_working_saturday_and_the_disagreement_is_reported():
    """T12: worked for the 2006 New Year; `holidays` has it, chinesecalendar misses it."""
    year = national_year(2005)
    assert date(2005, 12, 31) in year.work_days
    assert year.disagreements == [Disagreement(date(2005, 12, 31), True, False)]
    cal = tenant_calendar(2005, 2006)
    accepted = datetime(2005, 12, 30, 10, tzinfo=SH)
    assert cal.due_by_working_days(accepted, 1) == datetime(2005, 12, 31, 17, 30, tzinfo=SH)


def test_t5_2027_is_provisional_weekends_only_not_the_holidays_estimate():
    """T5: `holidays` silently estimates 2027 (e.g. 春节 days, 补假); we use weekends only."""
    assert holidays.China(years=2027)  # the estimate exists …
    year = national_year(2027)
    assert not year.published and not is_published(2027)
    assert year.off_days == frozenset()  # … and is ignored
    assert year.work_days == frozenset()
    assert not year.cross_checked  # chinesecalendar has no 2027 data
    assert all(year.is_working(d) == (d.weekday() < 5) for d in _days(2027))

    cal = tenant_calendar(2026, 2027)
    accepted = datetime(2026, 12, 28, 10, tzinfo=SH)
    due = cal.due_by_working_days(accepted, 5)
    assert due == datetime(2027, 1, 4, 17, 30, tzinfo=SH)
    assert cal.is_provisional(accepted, due)


def test_t4_the_library_trap_we_follow_holidays_convention():
    """T4: from a non-working Saturday, chinesecalendar rolls to the working Sunday then adds 1;
    `holidays` (and we) take the working Sunday as the first working day."""
    sat = date(2026, 9, 19)
    assert chinese_calendar.find_workday(1, sat) == date(2026, 9, 21)
    assert holidays.China(years=2026).get_nth_working_day(sat, 1) == date(2026, 9, 20)
    cal = tenant_calendar(2026, 2026)
    assert cal.due_by_working_days(datetime(2026, 9, 19, 10, tzinfo=SH), 1).date() == date(2026, 9, 20)


def test_national_source_and_provisional_source_are_listed_per_day():
    cal = tenant_calendar(2026, 2027)
    assert cal.day_info(date(2026, 10, 10)).source == "national"
    assert cal.day_info(date(2026, 10, 12)).source == "weekday"
    assert cal.day_info(date(2027, 2, 8))[0::2] == (True, "provisional")
