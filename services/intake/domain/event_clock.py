"""What a case event says about the clock (events.proto: CaseAccepted.clock, CaseResumed.clock,
CaseEscalated.notify_by, CaseExtended.previous_due_at/due_at, CaseCompleted.overdue /
working_days_late / early, CaseSummary.due_at) — pure, over the township's `WorkCalendar`.

- notify_by: the applicant of an escalated case is told in writing within 5 working days
  (DOMAIN.md §3.2): close of office on the 5th working day after the escalation's day.
- A completion is overdue when it comes after the deadline in force (the stored one: a calendar
  change may have moved it, DOMAIN.md §3.3); it is late by the working days after the deadline's
  day up to the completion's day, at least 1 (completed after close on the deadline's day, or on
  the weekend after it, is one day late: W-SVC-07, §7.4's "overdue by > 3 working days").
- Early: a promised case (promised working days > 0) completed on a working day before its
  deadline's day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from libs.common.calendar import WorkCalendar
from services.intake.domain.clock import Clock

NOTIFY_WORKING_DAYS = 5  # an escalation's written notice (seed 002 篇1 §四)


@dataclass(frozen=True)
class EventClock:
    """The clock facts of one event (all optional: an event that does not move the clock has
    only `due_at`, the deadline in force right after it — None while paused or not started)."""

    due_at: datetime | None = None
    clock: Clock | None = None  # accepted, resumed: the clock as it runs from then
    colour: str = ""  # the clock's colour at the event (with `clock`)
    extensions: int = 0  # with `clock`: extensions granted so far
    original_due_at: datetime | None = None  # with `clock`: the deadline without extensions
    previous_due_at: datetime | None = None  # extended: the deadline before
    notify_by: datetime | None = None  # escalated
    overdue: bool = False  # completed
    working_days_late: int = 0
    early: bool = False


def notify_by(calendar: WorkCalendar, escalated_at: datetime) -> datetime:
    """When the written escalation notice must have reached the applicant."""
    return calendar.due_by_working_days(escalated_at, NOTIFY_WORKING_DAYS)


def working_days_late(calendar: WorkCalendar, due_at: datetime, completed_at: datetime) -> int:
    """0 when on time, else the working days after the deadline's day up to the completion's
    day, at least 1."""
    if completed_at <= due_at:
        return 0
    first, last = calendar.local_date(due_at), calendar.local_date(completed_at)
    days = (last - first).days
    working = sum(calendar.day_info(first + timedelta(i)).working for i in range(1, days + 1))
    return max(1, working)


def completion(
    calendar: WorkCalendar, due_at: datetime | None, completed_at: datetime, promised_days: int
) -> EventClock:
    """The facts of a completion against the deadline in force (`due_at`; None: no deadline
    known, nothing to say)."""
    if due_at is None:
        return EventClock()
    late = working_days_late(calendar, due_at, completed_at)
    day = calendar.local_date(completed_at)
    early = promised_days > 0 and day < calendar.local_date(due_at) and calendar.day_info(day).working
    return EventClock(due_at=due_at, overdue=late > 0, working_days_late=late, early=early)
