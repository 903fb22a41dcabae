"""Working-time maths against the sla.md §8 cases (T1–T22).

The calendar here is the 2026 national arrangement written out by hand (sla.md §8 "relevant 2026
facts"), so these tests do not depend on the installed holiday data; test_calendar_national.py
checks that the importer produces the same days. Office hours 09:00–12:00, 14:00–17:30 (390 min),
Asia/Shanghai.

Conventions pinned here:
- DAY model (DOMAIN.md §3.3): the start's local day is excluded; due at 17:30 on the Nth working
  day after it. Equivalent to a budget of N × 390 minutes from the local midnight after the start
  (`day_anchor`), which is how pauses are accounted.
- MINUTE model (shown for comparison only): N × 390 minutes from the start instant.
- A budget that runs out exactly at a segment end resolves to the segment end.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libs.common.calendar import NationalYear, WorkCalendar, effective_days
from libs.common.errors import ValidationFailed

SH = ZoneInfo("Asia/Shanghai")
DAY = 390  # working minutes in a default day


def _span(first: date, last: date) -> set[date]:
    return {first + timedelta(i) for i in range((last - first).days + 1)}


# The 2026 national arrangement (State Council notice; weekend days off are listed where the
# notice lists them — harmless, weekends are off anyway).
OFF_2026 = (
    _span(date(2026, 1, 1), date(2026, 1, 3))
    | _span(date(2026, 2, 15), date(2026, 2, 23))
    | _span(date(2026, 4, 4), date(2026, 4, 6))
    | _span(date(2026, 5, 1), date(2026, 5, 5))
    | _span(date(2026, 6, 19), date(2026, 6, 21))
    | _span(date(2026, 9, 25), date(2026, 9, 27))
    | _span(date(2026, 10, 1), date(2026, 10, 7))
)
WORK_2026 = {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
             date(2026, 9, 20), date(2026, 10, 10)}  # fmt: skip
NATIONAL_2026 = NationalYear(2026, frozenset(OFF_2026), frozenset(WORK_2026), published=True)
PROVISIONAL_2027 = NationalYear(2027, frozenset(), frozenset(), published=False)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def epoch(t: datetime) -> int:
    return int(t.timestamp())


def build(national=(NATIONAL_2026, PROVISIONAL_2027), county=None, township=None, **kw) -> WorkCalendar:
    days = effective_days(national, county, township)
    return WorkCalendar.from_days(date(2026, 1, 1), date(2027, 3, 31), days, **kw)


CAL = build()


# ------------------------------------------------------------------ compiled arrays


def test_compiled_arrays_have_the_documented_shapes():
    assert CAL.working.shape == (CAL.n_days,)
    assert CAL.segments.shape == (CAL.n_days, 2, 2)
    assert CAL.segments[0].tolist() == [[0, 0], [0, 0]]  # 2026-01-01 is off: no hours
    assert CAL.segments[(date(2026, 1, 5) - date(2026, 1, 1)).days].tolist() == [[540, 720], [840, 1050]]
    assert CAL.cum_minutes[0] == 0
    assert np.all(np.diff(CAL.cum_minutes) == np.where(CAL.working, DAY, 0))


# ------------------------------------------------------------------ DAY model


@pytest.mark.parametrize(
    ("n", "due"),
    [(1, at(2026, 9, 20, 17, 30)), (3, at(2026, 9, 22, 17, 30)),
     (5, at(2026, 9, 24, 17, 30)), (7, at(2026, 9, 29, 17, 30))],
)  # fmt: skip
def test_t1_after_close_before_mid_autumn_counts_the_working_sunday(n, due):
    """T1: Fri 09-18 17:45; Sun 09-20 is worked, Fri 09-25 is a holiday. MINUTE model agrees
    here because the start is after close."""
    start = at(2026, 9, 18, 17, 45)
    assert CAL.due_by_working_days(start, n) == due
    assert CAL.add_working_minutes(start, n * DAY) == due


def test_t2_day_model_across_national_day_is_close_of_the_fifth_working_day():
    """T2: Wed 09-30 10:00, 5 days → 10-08, 10-09, Sat 10-10, 10-12, 10-13. The DAY model is
    the platform's; the MINUTE model (N × 390 from the instant) would say 10:00."""
    start = at(2026, 9, 30, 10)
    assert CAL.due_by_working_days(start, 5) == at(2026, 10, 13, 17, 30)
    assert CAL.add_working_minutes(CAL.day_anchor(start), 5 * DAY) == at(2026, 10, 13, 17, 30)
    assert CAL.add_working_minutes(start, 5 * DAY) == at(2026, 10, 13, 10)  # MINUTE model


def test_t3_clock_starts_at_materials_completion_before_spring_festival():
    """T3: completed Fri 02-13 16:00; Sat 02-14 worked → 02-14, 02-24, 02-25."""
    start = at(2026, 2, 13, 16)
    assert CAL.due_by_working_days(start, 3) == at(2026, 2, 25, 17, 30)
    assert CAL.add_working_minutes(start, 3 * DAY) == at(2026, 2, 25, 16)  # MINUTE model


def test_t4_online_submission_on_a_non_working_saturday_counts_from_the_next_working_day():
    """T4: Sat 09-19, 1 day → the working Sunday 09-20 (holidays' convention, not
    chinese_calendar.find_workday's 09-21)."""
    assert CAL.due_by_working_days(at(2026, 9, 19, 11), 1) == at(2026, 9, 20, 17, 30)


def test_t5_deadline_into_an_unpublished_year_is_provisional_and_recomputes_when_published():
    """T5: 12-28 10:00. 2 days stays in 2026. 5 days reaches provisional 2027, which is
    weekends-only (so Fri 2027-01-01 counts) and flagged; loading the notice changes it."""
    start = at(2026, 12, 28, 10)
    two = CAL.due_by_working_days(start, 2)
    assert two == at(2026, 12, 30, 17, 30)
    assert not CAL.is_provisional(start, two)

    five = CAL.due_by_working_days(start, 5)
    assert five == at(2027, 1, 4, 17, 30)
    assert CAL.is_provisional(start, five)
    assert CAL.day_info(date(2027, 1, 1)).source == "provisional"

    notice = NationalYear(2027, frozenset({date(2027, 1, 1)}), frozenset(), published=True)
    published = build(national=(NATIONAL_2026, notice))
    assert published.due_by_working_days(start, 5) == at(2027, 1, 5, 17, 30)
    assert not published.is_provisional(start, published.due_by_working_days(start, 5))


def test_t6_pause_across_labour_day_is_subtracted_in_working_minutes():
    """T6: Mon 04-27 10:00, 5 days (05-07 17:30 unpaused); paused Wed 04-29 15:00 → Fri 05-08
    11:00. Minute accounting: 630 used before the pause, the remaining 1320 after resume run
    through Sat 05-09 (worked) → Tue 05-12 15:30. No rounding of partial days."""
    accepted = at(2026, 4, 27, 10)
    anchor = CAL.day_anchor(accepted)
    assert anchor == at(2026, 4, 28)
    assert CAL.due_by_working_days(accepted, 5) == at(2026, 5, 7, 17, 30)

    pause, resume = at(2026, 4, 29, 15), at(2026, 5, 8, 11)
    used = CAL.working_minutes_between(anchor, pause)
    assert used == 630
    assert CAL.add_working_minutes(resume, 5 * DAY - used) == at(2026, 5, 12, 15, 30)
    # the same through pause accounting: the budget grows by the paused working minutes
    paused = CAL.working_minutes_in_intervals([(pause, resume)])
    assert CAL.add_working_minutes(anchor, 5 * DAY + paused) == at(2026, 5, 12, 15, 30)


def test_t7_supplement_on_a_sunday_evening_first_counted_day_is_monday():
    """T7: Sun 10-11 20:00 (off, after hours), 3 days → 10-12, 10-13, 10-14."""
    assert CAL.due_by_working_days(at(2026, 10, 11, 20), 3) == at(2026, 10, 14, 17, 30)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (at(2026, 3, 2, 12, 30), 60, at(2026, 3, 2, 15)),  # lunch does not count
        (at(2026, 3, 2, 17, 30), 1, at(2026, 3, 3, 9, 1)),  # exactly at close
        (at(2026, 3, 2, 11), 60, at(2026, 3, 2, 12)),  # ends at a segment end: 12:00, not 14:00
        (at(2026, 3, 2, 11), 0, at(2026, 3, 2, 11)),  # adding nothing never moves
    ],
)
def test_t8_lunch_and_boundaries_budget_ending_at_a_segment_end_stays_there(start, minutes, due):
    assert CAL.add_working_minutes(start, minutes) == due


def test_t9_warning_that_falls_at_close_is_sent_at_the_next_business_minute():
    """T9: 5 days from Mon 03-02 10:00 → due Mon 03-09 17:30; 80 % of the 1950 minutes counted
    from the day anchor is reached at Fri 03-06 17:30 (close) → sent Mon 03-09 09:00."""
    accepted = at(2026, 3, 2, 10)
    due = CAL.due_by_working_days(accepted, 5)
    assert due == at(2026, 3, 9, 17, 30)
    anchor = CAL.day_anchor(accepted)
    assert CAL.add_working_minutes(anchor, 0.8 * 5 * DAY) == at(2026, 3, 6, 17, 30)
    assert CAL.warn_at(anchor, due, 0.8) == at(2026, 3, 9, 9)
    assert CAL.warn_at(anchor, due, 0.5) == at(2026, 3, 5, 14, 15)  # 975 = 780 + 180 + 15: in hours
    assert CAL.warn_at(anchor, due, 1.0) == due


def test_t10_calendar_day_is_the_local_date_not_the_utc_date():
    """T10: 2026-10-07 16:30Z = 10-08 00:30 Shanghai: 10-08 (working), not 10-07 (holiday)."""
    accepted = datetime(2026, 10, 7, 16, 30, tzinfo=UTC)
    assert CAL.local_date(accepted) == date(2026, 10, 8)
    assert CAL.due_by_working_days(accepted, 0) == at(2026, 10, 8, 17, 30)
    assert CAL.due_by_working_days(accepted, 1) == at(2026, 10, 9, 17, 30)
    due = CAL.due_by_working_days_epoch(np.array([epoch(accepted)]), 1)
    assert due.tolist() == [epoch(at(2026, 10, 9, 17, 30))]


def test_t11_half_day_festivals_are_not_office_closures():
    """T11: Children's Day Mon 06-01 (HALF_DAY in `holidays`) is an ordinary working day unless a
    tenant closes it. (That the importer leaves HALF_DAY out is in test_calendar_national.)"""
    assert CAL.day_info(date(2026, 6, 1)).working
    assert CAL.due_by_working_days(at(2026, 5, 29, 10), 1) == at(2026, 6, 1, 17, 30)
    closed = build(county={date(2026, 6, 1): False})
    assert closed.due_by_working_days(at(2026, 5, 29, 10), 1) == at(2026, 6, 2, 17, 30)


def test_t12_cross_year_working_day_and_overrides_dated_in_the_neighbouring_year():
    """T12: Sun 2026-01-04 is worked for New Year; a calendar accepts days of Y−1/Y+1."""
    late_2025 = NationalYear(2025, frozenset(), frozenset(), published=True)
    cal = WorkCalendar.from_days(
        date(2025, 12, 1), date(2026, 1, 31),
        effective_days([late_2025, NATIONAL_2026], county_overrides={date(2025, 12, 31): False}),
    )  # fmt: skip
    assert cal.day_info(date(2026, 1, 4))[0::2] == (True, "national")
    assert cal.due_by_working_days(at(2025, 12, 30, 10), 1) == at(2026, 1, 4, 17, 30)
    assert cal.day_info(date(2025, 12, 31)).source == "county"


def test_t14_county_and_township_overrides_compose_and_a_sibling_is_unaffected():
    """T14: the county closes Tue 04-21 (a local festival), township A works Sat 04-25, township
    C reopens 04-21 (nearest level wins), sibling B has no override."""
    county = {date(2026, 4, 21): False}
    a = build(county=county, township={date(2026, 4, 25): True})
    b = build(county=county)
    c = build(county=county, township={date(2026, 4, 21): True})
    start = at(2026, 4, 20, 10)
    assert a.due_by_working_days(start, 4) == at(2026, 4, 25, 17, 30)  # 22, 23, 24, Sat 25
    assert b.due_by_working_days(start, 4) == at(2026, 4, 27, 17, 30)  # 22, 23, 24, 27
    assert c.due_by_working_days(start, 4) == at(2026, 4, 24, 17, 30)  # 21, 22, 23, 24
    assert CAL.due_by_working_days(start, 4) == at(2026, 4, 24, 17, 30)
    assert a.day_info(date(2026, 4, 21)) == (False, (), "county")
    assert a.day_info(date(2026, 4, 25)).source == "township"
    assert c.day_info(date(2026, 4, 21))[0::2] == (True, "township")
    assert b.day_info(date(2026, 4, 25))[0::2] == (False, "weekend")


def test_t17_overlapping_pauses_count_their_union_once():
    """T17: awaiting applicant 10:00–11:00 and superior 10:30–14:30 → union 10:00–14:30 = 150
    working minutes (not 60 + 120)."""
    pauses = [(at(2026, 3, 2, 10), at(2026, 3, 2, 11)), (at(2026, 3, 2, 10, 30), at(2026, 3, 2, 14, 30))]
    assert CAL.working_minutes_in_intervals(pauses) == 150
    nested = [*pauses, (at(2026, 3, 2, 10, 15), at(2026, 3, 2, 10, 45))]
    assert CAL.working_minutes_in_intervals(nested) == 150


def test_t18_pauses_on_a_non_working_day_or_at_night_pause_nothing():
    """T18: Sat 03-07 10:00–16:00 and Mon 20:00 → Tue 08:00 are 0 working minutes; due unchanged."""
    pauses = [(at(2026, 3, 7, 10), at(2026, 3, 7, 16)), (at(2026, 3, 2, 20), at(2026, 3, 3, 8))]
    assert CAL.working_minutes_in_intervals(pauses) == 0
    anchor = CAL.day_anchor(at(2026, 3, 2, 10))
    assert CAL.add_working_minutes(anchor, 5 * DAY + 0) == CAL.due_by_working_days(at(2026, 3, 2, 10), 5)


@pytest.mark.parametrize(
    ("accepted", "due"),
    [
        (at(2026, 9, 30, 16), at(2026, 9, 30, 17, 30)),  # before the holiday: breach that day
        (at(2026, 2, 13, 16), at(2026, 2, 13, 17, 30)),  # Friday before Spring Festival
        (at(2026, 9, 30, 8), at(2026, 9, 30, 17, 30)),  # before opening: still today
        (at(2026, 9, 30, 17, 30), at(2026, 10, 8, 17, 30)),  # at close: next working day
        (at(2026, 9, 30, 18), at(2026, 10, 8, 17, 30)),  # after hours
        (at(2026, 9, 19, 10), at(2026, 9, 20, 17, 30)),  # online on a non-working Saturday
    ],
)
def test_t22_immediate_case_is_due_at_todays_close_or_the_next_working_days(accepted, due):
    """T22 / sla.md §7.2: n = 0."""
    assert CAL.due_by_working_days(accepted, 0) == due


def test_vectorised_forms_broadcast_one_start_over_many_budgets():
    start = epoch(at(2026, 9, 18, 17, 45))
    dues = CAL.due_by_working_days_epoch(start, np.array([1, 3]))
    assert dues.tolist() == [epoch(at(2026, 9, 20, 17, 30)), epoch(at(2026, 9, 22, 17, 30))]
    added = CAL.add_working_minutes_epoch(start, np.array([1, 3]) * DAY)
    assert added.tolist() == dues.tolist()


# ------------------------------------------------------------------ hours, zones, errors


def test_per_day_hours_override_shapes_that_day_only():
    short = build(day_hours={date(2026, 3, 3): [(time(9), time(12))]})
    assert short.working_minutes_between(at(2026, 3, 3), at(2026, 3, 4)) == 180
    assert short.due_by_working_days(at(2026, 3, 2, 10), 1) == at(2026, 3, 3, 12)
    assert short.working_minutes_between(at(2026, 3, 4), at(2026, 3, 5)) == DAY


def test_daylight_saving_zones_use_wall_clock_office_hours():
    """Not China, but the zone is configurable: the spring-forward Sunday still has 390 minutes
    at 09:00–12:00, 14:00–17:30 local."""
    berlin = ZoneInfo("Europe/Berlin")
    cal = WorkCalendar(date(2026, 3, 1), date(2026, 4, 30), work_days={date(2026, 3, 29)}, tz="Europe/Berlin")
    sunday = datetime(2026, 3, 29, tzinfo=berlin)
    assert cal.working_minutes_between(sunday, sunday + timedelta(days=1)) == DAY
    assert cal.add_working_minutes(sunday, 1) == datetime(2026, 3, 29, 9, 1, tzinfo=berlin)
    assert cal.due_by_working_days(datetime(2026, 3, 28, 10, tzinfo=berlin), 1) == datetime(
        2026, 3, 29, 17, 30, tzinfo=berlin
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.due_by_working_days(at(2025, 12, 31, 10), 1),  # before the range
        lambda: CAL.due_by_working_days(at(2027, 3, 25, 10), 10),  # result after the range
        lambda: CAL.add_working_minutes(at(2027, 3, 30, 10), 10 * DAY),
        lambda: CAL.due_by_working_days_epoch(np.array([0]), 1),
        lambda: CAL.day_info(date(2027, 4, 1)),
        lambda: CAL.due_by_working_days(datetime(2026, 3, 2, 10), 1),  # naive
        lambda: CAL.due_by_working_days(at(2026, 3, 2, 10), -1),
        lambda: CAL.warn_at(at(2026, 3, 9), at(2026, 3, 2), 0.8),
        lambda: CAL.working_minutes_in_intervals([(at(2026, 3, 3), at(2026, 3, 2))]),
        lambda: WorkCalendar(date(2026, 1, 1), date(2026, 1, 31), {date(2026, 1, 5)}, {date(2026, 1, 5)}),
        lambda: build(day_hours={date(2026, 3, 7): [(time(9), time(12))]}),
        lambda: build(hours=[(time(14), time(12))]),
    ],
)
def test_bad_input_and_out_of_range_raise_validation_failed(call):
    with pytest.raises(ValidationFailed):
        call()


# ------------------------------------------------------------------ properties

LO, HI = epoch(at(2026, 1, 1)), epoch(at(2026, 12, 31))
instants = st.integers(LO, HI)
minute_instants = instants.map(lambda t: t - t % 60)


def _busday_reference(start: int, n: int) -> date:
    """numpy's own business-day maths with every non-working day as a 'holiday' (sla.md §5.4)."""
    days = np.arange(np.datetime64(CAL.first), np.datetime64(CAL.last) + 1)
    cal = np.busdaycalendar(weekmask="1111111", holidays=days[~CAL.working])
    local = np.datetime64(datetime.fromtimestamp(start, SH).date())
    return np.busday_offset(local + 1, n - 1, roll="forward", busdaycal=cal).astype(date)


@settings(max_examples=300, deadline=None)
@given(t1=instants, t2=instants)
def test_adding_the_minutes_between_two_instants_reaches_the_second_or_its_last_business_instant(t1, t2):
    t1, t2 = min(t1, t2), max(t1, t2)
    between = CAL.working_minutes_between_epoch(t1, t2)
    back = CAL.add_working_minutes_epoch(t1, between)
    assert back <= t2
    assert CAL.working_minutes_between_epoch(back, t2) == 0
    assert CAL.working_minutes_between_epoch(t1, back) == between


@settings(max_examples=300, deadline=None)
@given(t=instants, minutes=st.integers(0, 40 * DAY))
def test_minutes_added_are_the_minutes_between(t, minutes):
    assert CAL.working_minutes_between_epoch(t, CAL.add_working_minutes_epoch(t, minutes)) == minutes


@settings(max_examples=100, deadline=None)
@given(cases=st.lists(st.tuples(instants, st.integers(0, 30)), min_size=1, max_size=40))
def test_vectorised_forms_equal_the_scalar_forms(cases):
    starts = np.array([t for t, _ in cases])
    ns = np.array([n for _, n in cases])
    dues = CAL.due_by_working_days_epoch(starts, ns)
    added = CAL.add_working_minutes_epoch(starts, ns * 100)
    for (t, n), due, add in zip(cases, dues, added, strict=True):
        dt = datetime.fromtimestamp(t, SH)
        assert CAL.due_by_working_days(dt, n) == datetime.fromtimestamp(due, SH)
        assert CAL.add_working_minutes(dt, n * 100) == datetime.fromtimestamp(add, SH)
        if n:
            assert CAL.local_date(CAL.due_by_working_days(dt, n)) == _busday_reference(t, n)


def _union_reference(intervals: list[tuple[int, int]]) -> float:
    merged: list[list[int]] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return sum(CAL.working_minutes_between_epoch(s, e) for s, e in merged)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), minute_instants, st.integers(0, 5 * 86400)), min_size=1, max_size=30
    ).map(lambda xs: [(g, s, min(s + d, HI)) for g, s, d in xs])
)
def test_grouped_pause_union_equals_merging_each_groups_intervals(rows):
    groups, starts, ends = (np.array(col) for col in zip(*rows, strict=True))
    totals = CAL.working_minutes_in_intervals_epoch(starts, ends, groups)
    for g in range(5):
        mine = [(s, e) for gg, s, e in rows if gg == g]
        expected = _union_reference(mine) if mine else 0
        assert (totals[g] if g < len(totals) else 0) == pytest.approx(expected)


@settings(max_examples=200, deadline=None)
@given(t=instants, n=st.integers(1, 20), ratio=st.floats(0, 0.99))
def test_warnings_are_only_sent_in_office_hours_and_never_after_due(t, n, ratio):
    due = CAL.due_by_working_days_epoch(t, n)
    warn = int(CAL.warn_at_epoch(CAL.day_anchor_epoch(t), due, ratio))
    assert warn <= due
    # in office hours: the next second is working time
    assert CAL.working_minutes_between_epoch(warn, warn + 1) > 0
