"""A completion's facts against its deadline (event_clock, pure): late by the working days after
the deadline's day (at least 1: after close the same day, or on the weekend after), an adjusted
working weekend counting; early only for a promised case finished on a working day before the
deadline's day; nothing said without a deadline. The escalation's notify-by skips days off."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from libs.common.calendar import WorkCalendar
from services.intake.domain.event_clock import completion, notify_by, working_days_late

CST = timezone(timedelta(hours=8))
# March 2026; Tue 03-10 a township holiday, Sat 03-14 an adjusted working day
CAL = WorkCalendar(
    date(2026, 3, 1), date(2026, 4, 30), off_days={date(2026, 3, 10)}, work_days={date(2026, 3, 14)}
)
DUE = datetime(2026, 3, 6, 17, 30, tzinfo=CST)  # Fri at close


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CST)


def test_working_days_late_count_working_days_only() -> None:
    assert working_days_late(CAL, DUE, at(6, 17, 30)) == 0  # at the deadline: on time
    assert working_days_late(CAL, DUE, at(6, 17, 31)) == 1  # after close on the day
    assert working_days_late(CAL, DUE, at(7, 10)) == 1  # the Saturday after
    assert working_days_late(CAL, DUE, at(9, 10)) == 1  # Mon
    assert working_days_late(CAL, DUE, at(11, 10)) == 2  # Wed: the Tue holiday does not count
    assert working_days_late(CAL, DUE, at(14, 10)) == 5  # Mon, Wed, Thu, Fri, and the worked Sat


def test_completion_facts() -> None:
    early = completion(CAL, DUE, at(5, 16), 10)
    assert (early.overdue, early.working_days_late, early.early, early.due_at) == (False, 0, True, DUE)
    same_day = completion(CAL, DUE, at(6, 9), 10)
    assert (same_day.overdue, same_day.early) == (False, False)
    assert not completion(CAL, DUE, at(5, 16), 0).early  # an immediate case is never "early"
    late = completion(CAL, DUE, at(11, 10), 10)
    assert (late.overdue, late.working_days_late, late.early) == (True, 2, False)
    unknown = completion(CAL, None, at(11, 10), 10)
    assert (unknown.overdue, unknown.working_days_late, unknown.early, unknown.due_at) == (
        False,
        0,
        False,
        None,
    )


def test_notify_by_is_the_fifth_working_day_at_close() -> None:
    # Thu 03-05: Fri 06, Mon 09, (Tue 10 off) Wed 11, Thu 12, Fri 13
    assert notify_by(CAL, at(5, 10)) == at(13, 17, 30)
