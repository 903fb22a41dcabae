"""The clock of a case (services/intake/domain/clock.py; DOMAIN.md §3.3, sla.md §8): the day model,
pauses in working minutes, extensions, warnings snapped into office hours, colours, and the bulk
re-derivation agreeing with the scalar one. Pure: the 2026 national calendar, 09:00–12:00 and
14:00–17:30, Asia/Shanghai."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libs.common.calendar import WorkCalendar, tenant_calendar
from services.intake.domain import clock as c
from services.intake.domain.case import ClockIntent

CST = timezone(timedelta(hours=8))
CAL = tenant_calendar(2026, 2027)


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CST)


@dataclass(frozen=True)
class Reasoned:
    """An intent with a pause reason (awaiting the applicant, awaiting a superior …)."""

    action: str
    at: datetime
    working_days: int = 0
    reason: str = ""


def start(t: datetime) -> ClockIntent:
    return ClockIntent("start", t)


def test_not_started() -> None:
    clock = c.derive([], CAL, 5)
    assert clock.state == c.NOT_STARTED and clock.due_at is None
    assert c.colour(clock, CAL, at(3, 2, 10)) == c.GREEN


def test_t6_pause_for_a_superior_lays_the_remaining_budget_over_the_calendar_at_resume() -> None:
    s = at(4, 27, 10)
    assert c.derive([start(s)], CAL, 5).due_at == at(5, 7, 17, 30)
    paused = c.derive([start(s), ClockIntent("pause", at(4, 29, 15))], CAL, 5)
    assert paused.state == c.PAUSED and paused.due_at is None and paused.warn_at is None
    assert c.consumed_minutes(paused, CAL, at(5, 6, 10)) == 630  # frozen while paused
    resumed = c.derive(
        [start(s), ClockIntent("pause", at(4, 29, 15)), ClockIntent("resume", at(5, 8, 11))], CAL, 5
    )
    assert resumed.state == c.RUNNING
    assert resumed.due_at == at(5, 12, 15, 30)
    assert resumed.budget_minutes == 5 * 390


def test_t9_warning_at_80_percent_is_moved_to_the_next_business_minute() -> None:
    clock = c.derive([start(at(3, 2, 10))], CAL, 5)
    assert clock.due_at == at(3, 9, 17, 30)
    assert clock.warn_at == at(3, 9, 9)  # 80 % is reached Fri 17:30: never at night, so Mon 09:00


def test_colours_at_chosen_instants() -> None:
    clock = c.derive([start(at(3, 2, 10))], CAL, 10)
    assert clock.due_at == at(3, 16, 17, 30) and clock.warn_at == at(3, 13, 9)
    assert c.colour(clock, CAL, at(3, 12, 17)) == c.GREEN
    assert c.colour(clock, CAL, at(3, 13, 10)) == c.YELLOW
    assert c.colour(clock, CAL, at(3, 16, 8)) == c.RED  # due today (local date)
    assert c.colour(clock, CAL, at(3, 16, 17, 30)) == c.RED
    assert c.colour(clock, CAL, at(3, 16, 17, 31)) == c.OVERDUE
    stopped = c.derive([start(at(3, 2, 10)), ClockIntent("stop", at(3, 12, 11))], CAL, 10)
    assert stopped.state == c.STOPPED and stopped.due_at == clock.due_at
    assert c.colour(stopped, CAL, at(4, 1, 10)) == c.GREEN  # judged at its stop: on time


def test_t16_extension_moves_the_deadline_by_n_working_days_and_a_late_one_is_flagged() -> None:
    s = at(3, 2, 10)
    assert c.derive([start(s)], CAL, 20).due_at == at(3, 30, 17, 30)
    extended = c.derive([start(s), ClockIntent("extend", at(3, 26, 10), 10)], CAL, 20)
    # 03-31 … 04-03, Qingming 04-04…04-06 off, 04-07 … 04-14
    assert extended.due_at == at(4, 14, 17, 30) == CAL.due_by_working_days(s, 30)
    assert extended.extension_days == 10 and extended.late_extensions == 0
    late = c.derive([start(s), ClockIntent("extend", at(3, 31, 10), 10)], CAL, 20)  # day 21: breached
    assert late.late_extensions == 1
    assert c.colour(late, CAL, at(3, 31, 9)) == c.GREEN  # moved by the extension; the flag stays


def test_t17_overlapping_pauses_count_as_their_union() -> None:
    intents = [
        start(at(3, 2, 10)),
        Reasoned("pause", at(3, 3, 9), reason="applicant"),
        Reasoned("pause", at(3, 3, 14), reason="superior"),
        Reasoned("resume", at(3, 4, 12), reason="applicant"),
    ]
    still = c.derive(intents, CAL, 5)
    assert still.state == c.PAUSED  # the superior's pause is still open
    done = c.derive([*intents, Reasoned("resume", at(3, 5, 12), reason="superior")], CAL, 5)
    assert done.state == c.RUNNING
    assert done.paused_minutes == 390 + 390 + 180  # 03-03 09:00 → 03-05 12:00, once
    assert done.due_at == CAL.add_working_minutes(at(3, 3), 5 * 390 + 960)


def test_t18_pauses_at_night_or_on_a_day_off_change_nothing() -> None:
    plain = c.derive([start(at(3, 2, 10))], CAL, 5)
    intents = [
        start(at(3, 2, 10)),
        ClockIntent("pause", at(3, 3, 20)),
        ClockIntent("resume", at(3, 4, 8)),
        ClockIntent("pause", at(3, 7, 10)),  # a Saturday
        ClockIntent("resume", at(3, 7, 16)),
    ]
    clock = c.derive(intents, CAL, 5)
    assert clock.paused_minutes == 0 and clock.due_at == plain.due_at and clock.warn_at == plain.warn_at


def test_t20_calendar_edited_while_paused_applies_from_resume() -> None:
    edited = tenant_calendar(2026, 2027, county_overrides={date(2026, 3, 12): False})
    paused = [start(at(3, 2, 10)), ClockIntent("pause", at(3, 3, 10))]
    before, after = c.derive(paused, CAL, 5), c.derive(paused, edited, 5)
    assert before.state == after.state == c.PAUSED and before.due_at is None and after.due_at is None
    assert (
        c.consumed_minutes(before, CAL, at(3, 9, 10)) == c.consumed_minutes(after, edited, at(3, 9, 10)) == 60
    )
    resumed = [*paused, ClockIntent("resume", at(3, 10, 9))]
    assert c.derive(resumed, CAL, 5).due_at == at(3, 16, 16, 30)
    assert c.derive(resumed, edited, 5).due_at == at(3, 17, 16, 30)  # 03-12 is off now


def test_t22_immediate_case_is_due_at_todays_close_not_after_the_holiday() -> None:
    clock = c.derive([start(at(4, 3, 16))], CAL, 0)  # Fri before Qingming (04-04…04-06 off)
    assert clock.due_at == at(4, 3, 17, 30) and clock.budget_minutes == 90
    assert c.colour(clock, CAL, at(4, 3, 17)) == c.RED
    assert c.colour(clock, CAL, at(4, 3, 17, 31)) == c.OVERDUE
    after_hours = c.derive([start(at(9, 30, 18))], CAL, 0)  # before National Day, after close
    assert after_hours.due_at == at(10, 8, 17, 30)


def test_t5_a_deadline_in_an_unpublished_year_is_provisional() -> None:
    assert c.derive([start(at(12, 28, 10))], CAL, 5).provisional is True
    assert c.derive([start(at(12, 21, 10))], CAL, 2).provisional is False


def test_nothing_after_a_stop_counts() -> None:
    intents = [start(at(3, 2, 10)), ClockIntent("pause", at(3, 3, 10)), ClockIntent("stop", at(3, 4, 10))]
    clock = c.derive([*intents, ClockIntent("extend", at(3, 5, 10), 3)], CAL, 5)
    assert clock.state == c.STOPPED and clock.extension_days == 0
    assert clock.paused_minutes == 390  # the open pause ended at the stop


# --- bulk == scalar ---------------------------------------------------------------------------

EDITED = tenant_calendar(2026, 2027, county_overrides={date(2026, 3, 12): False, date(2026, 3, 14): True})
BASE = at(1, 5).timestamp()


@st.composite
def case_intents(draw: st.DrawFn) -> tuple[list[Reasoned], int]:
    t = BASE + draw(st.integers(0, 300 * 86400))
    intents = [Reasoned("start", datetime.fromtimestamp(t, CST))]
    for _ in range(draw(st.integers(0, 6))):
        t += draw(st.integers(0, 4 * 86400))
        action = draw(st.sampled_from(["pause", "resume", "extend", "stop"]))
        intents.append(
            Reasoned(
                action,
                datetime.fromtimestamp(t, CST),
                working_days=draw(st.integers(0, 5)) if action == "extend" else 0,
                reason=draw(st.sampled_from(["", "applicant", "superior"])),
            )
        )
    return intents, draw(st.integers(0, 20))


@pytest.mark.parametrize("calendar", [CAL, EDITED], ids=["national", "edited"])
@settings(max_examples=60, deadline=None)
@given(cases=st.lists(case_intents(), min_size=1, max_size=12), ratio=st.sampled_from([0.5, 0.8, 1.0]))
def test_bulk_rederivation_equals_the_scalar_one(
    calendar: WorkCalendar, cases: list[tuple[list[Reasoned], int]], ratio: float
) -> None:
    due, warn = c.rederive(calendar, c.arrays_of(cases, ratio))
    for i, (intents, days) in enumerate(cases):
        clock = c.derive(intents, calendar, days, ratio)
        if clock.state == c.PAUSED:
            assert due[i] == warn[i] == c.OPEN
        else:
            assert clock.due_at is not None and clock.warn_at is not None
            assert due[i] == clock.due_at.timestamp(), (intents, days)
            assert warn[i] == clock.warn_at.timestamp(), (intents, days)


def test_rederive_is_idempotent_and_follows_a_calendar_change() -> None:
    cases = [([start(at(3, 2, 10))], 10), ([start(at(3, 20, 10))], 3)]
    arrays = c.arrays_of(cases)
    first, second = c.rederive(CAL, arrays), c.rederive(CAL, arrays)
    assert (first[0] == second[0]).all() and (first[1] == second[1]).all()
    due, _ = c.rederive(EDITED, arrays)
    # the off day 03-12 pushes the first case by a day, the worked Saturday 03-14 pulls it back
    assert due[0] == at(3, 16, 17, 30).timestamp() == first[0][0]
    assert due[1] == first[0][1]  # nothing changed after 03-20


def test_t23_bulk_rederivation_of_many_cases_is_quick_and_idempotent() -> None:
    import time as wall

    import numpy as np

    rng = np.random.default_rng(23)
    n = 200_000
    start = int(at(1, 5).timestamp()) + rng.integers(0, 300 * 86400, n)
    pc = rng.integers(0, n, n // 2)
    ps = start[pc] + rng.integers(0, 10 * 86400, n // 2)
    pe = np.where(rng.random(n // 2) < 0.1, c.OPEN, ps + rng.integers(0, 5 * 86400, n // 2))
    arrays = c.CaseArrays(start, rng.integers(0, 20, n), rng.integers(0, 3, n), pc, ps, pe)
    began = wall.perf_counter()
    due, warn = c.rederive(EDITED, arrays)
    assert wall.perf_counter() - began < 10  # ~0.25 s here; 1 M cases ≈ 1.2 s
    again = c.rederive(EDITED, arrays)
    assert (due == again[0]).all() and (warn == again[1]).all()
    running = due != c.OPEN
    assert (warn[running] <= due[running]).all() and (due[running] > start[running]).all()


def test_a_deadline_already_passed_stays_as_it_was() -> None:
    cases = [([start(at(3, 2, 10))], 5), ([start(at(3, 5, 10))], 5)]  # due 03-09 and 03-12
    arrays = c.arrays_of(cases)
    stored = c.rederive(CAL, arrays)
    moved = tenant_calendar(2026, 2027, county_overrides={date(2026, 3, 9): False, date(2026, 3, 11): False})
    now = int(at(3, 10, 10).timestamp())
    due, warn = c.rederive(moved, arrays, previous=stored, now=now)
    assert due[0] == stored[0][0] and warn[0] == stored[1][0]  # breached on 03-09: a fact
    assert due[1] == at(3, 16, 17, 30).timestamp()  # still open: 03-09 and 03-11 off move it
