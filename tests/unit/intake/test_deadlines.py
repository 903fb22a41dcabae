"""The deadline sweep's pure decisions (services/intake/domain/sweep.py): which colour step is
due for a case (one event per step up, only the newest when steps were skipped, a quiet lowering
when the deadline moved later) and when the sweep may act (office hours of a working day in the
township's calendar and time zone). The 2026 national calendar, 09:00–12:00 and 14:00–17:30."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from libs.common.calendar import WorkCalendar, tenant_calendar
from services.intake.domain import sweep
from services.intake.domain.clock import GREEN, OVERDUE, RED, YELLOW

CST = timezone(timedelta(hours=8))
CAL = tenant_calendar(2026, 2027)
# a 10-day case accepted Mon 2026-03-02 10:00 (clock.derive): due Mon 03-16 17:30; 80 % used at
# Thu 03-12 17:30, so warned at the next business minute, Fri 03-13 09:00
DUE = datetime(2026, 3, 16, 17, 30, tzinfo=CST)
WARN = datetime(2026, 3, 13, 9, 0, tzinfo=CST)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


@pytest.mark.parametrize(
    ("marked", "current", "expected"),
    [
        (None, GREEN, (None, False)),  # nothing yet, nothing due
        (None, YELLOW, (YELLOW, True)),
        (GREEN, YELLOW, (YELLOW, True)),
        (YELLOW, YELLOW, (None, False)),  # already told: a re-run emits nothing
        (YELLOW, RED, (RED, True)),
        (RED, OVERDUE, (OVERDUE, True)),
        (YELLOW, OVERDUE, (OVERDUE, True)),  # skipped red (overnight): the newest step only
        (None, OVERDUE, (OVERDUE, True)),
        (OVERDUE, OVERDUE, (None, False)),
        (RED, YELLOW, (YELLOW, False)),  # the deadline moved later: lowered, no event
        (OVERDUE, GREEN, (GREEN, False)),
    ],
)
def test_step(marked: str | None, current: str, expected: tuple[str | None, bool]) -> None:
    assert sweep.step(marked, current) == expected


def test_due_step_follows_the_clocks_colour_rule_through_a_case() -> None:
    assert sweep.due_step(None, DUE, WARN, CAL, at(3, 12, 17, 0)) == (None, False)  # green
    assert sweep.due_step(None, DUE, WARN, CAL, at(3, 13, 9, 0)) == (YELLOW, True)  # warn_at reached
    assert sweep.due_step(YELLOW, DUE, WARN, CAL, at(3, 13, 16, 0)) == (None, False)
    # the due day (local date), from its first minute: red
    assert sweep.due_step(YELLOW, DUE, WARN, CAL, at(3, 16, 9, 0)) == (RED, True)
    assert sweep.due_step(RED, DUE, WARN, CAL, at(3, 16, 17, 30)) == (None, False)  # due is inclusive
    assert sweep.due_step(RED, DUE, WARN, CAL, at(3, 16, 17, 31)) == (OVERDUE, True)
    # yellow on Friday, nothing swept over the weekend and Monday: Tuesday morning is overdue
    assert sweep.due_step(YELLOW, DUE, WARN, CAL, at(3, 17, 9, 0)) == (OVERDUE, True)


def test_due_step_judges_the_due_day_in_local_time() -> None:
    # 00:30 on the due day in the county is still the day before in UTC: already red
    instant = datetime(2026, 3, 15, 16, 30, tzinfo=UTC)
    assert instant.astimezone(CST).date() == date(2026, 3, 16)
    assert sweep.due_step(YELLOW, DUE, WARN, CAL, instant) == (RED, True)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (at(3, 2, 9, 0), True),  # Monday, opening minute
        (at(3, 2, 8, 59), False),
        (at(3, 2, 11, 59), True),
        (at(3, 2, 12, 0), False),  # lunch
        (at(3, 2, 14, 0), True),
        (at(3, 2, 17, 29), True),
        (at(3, 2, 17, 30), False),  # closed
        (at(3, 2, 23, 0), False),
        (at(3, 7, 10, 0), False),  # Saturday
        (at(9, 20, 10, 0), True),  # Sunday 09-20: an adjusted working day
        (at(10, 1, 10, 0), False),  # National Day
        (datetime(2026, 3, 2, 2, 0, tzinfo=UTC), True),  # 10:00 in the county, whatever the zone
        (datetime(2026, 3, 1, 18, 0, tzinfo=UTC), False),  # Mon 02:00 in the county
        (datetime(2030, 3, 4, 10, 0, tzinfo=CST), False),  # outside the calendar: never
    ],
)
def test_in_office_hours(instant: datetime, expected: bool) -> None:
    assert sweep.in_office_hours(CAL, instant) is expected


def test_in_office_hours_uses_the_townships_own_hours_and_days() -> None:
    late = WorkCalendar(
        date(2026, 1, 1),
        date(2026, 12, 31),
        off_days=[date(2026, 3, 3)],  # a local holiday on a Tuesday
        hours=((time(8, 0), time(11, 30)), (time(14, 30), time(18, 0))),
    )
    assert sweep.in_office_hours(late, at(3, 2, 8, 0)) is True
    assert sweep.in_office_hours(late, at(3, 2, 17, 45)) is True
    assert sweep.in_office_hours(late, at(3, 2, 14, 0)) is False
    assert sweep.in_office_hours(late, at(3, 3, 10, 0)) is False


def test_intake_declares_the_sweep_every_five_minutes_in_office_hours() -> None:
    """`bianmin run` sweeps as often as the sweep-deadlines CronJob (cli/compose.py runs it)."""
    from services.intake.entrypoints.service import SERVICE

    (job,) = SERVICE.jobs
    assert (job.name, job.every_seconds, job.office_hours_only) == ("sweep-deadlines", 300, True)
