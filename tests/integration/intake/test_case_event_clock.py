"""The clock facts in intake's case events, read back from the real outbox (issue 4): the
acceptance carries the running clock and the promised date, an extension the deadline before and
after, an escalation the notify-by date (5 working days, over the Qingming holiday of the 2026
national calendar), a resume the clock running again, a completion whether it was early, on time or
late (late counted in working days only) — against the stored deadline in force, which a later
calendar change left where it was — and every event's summary the deadline in force."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from bianmin.intake.v1 import case_pb2, events_pb2
from google.protobuf import json_format

from libs.common.messaging import county_scope
from libs.common.runtime import Runtime
from services.intake.service_layer import cases
from tests.integration.intake.test_calendar_projection import deliver, envelope, override
from tests.integration.intake.test_deadlines import (  # noqa: F401 (county: the fixture)
    CST,
    DUE,
    County,
    accept,
    county,
    events,
    row_of,
)

pytestmark = pytest.mark.integration


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


def do(runtime: Runtime, tenant: str, case_id: str, action: str, when: datetime, **args: object) -> None:
    version = row_of(runtime, tenant, case_id)["version"]
    cases.act_as(runtime.sessions, tenant, case_id, version, action, "w1", now=lambda: when, **args)


def event(runtime: Runtime, tenant: str, case_id: str, cls: type) -> Any:
    """The one outbox event of type `cls` of the case, parsed."""
    name = cls.DESCRIPTOR.name
    event_type = "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in name).lstrip("_")
    (payload,) = events(runtime, tenant, event_type, case_id)
    return json_format.ParseDict(payload, cls())


def ts(message: Any, field: str) -> datetime | None:
    return message.__getattribute__(field).ToDatetime(UTC) if message.HasField(field) else None


def test_the_acceptance_carries_the_running_clock(runtime: Runtime, county: County) -> None:  # noqa: F811
    case_id = accept(runtime, county.a, at(3, 2, 10))  # Mon, 10 working days: Mon 03-16 17:30
    received = event(runtime, county.a, case_id, events_pb2.CaseReceived)
    assert ts(received.case, "due_at") is None  # received, not accepted yet: no deadline
    accepted = event(runtime, county.a, case_id, events_pb2.CaseAccepted)
    k = accepted.clock
    assert ts(k, "due_at") == ts(accepted.case, "due_at") == DUE
    assert ts(k, "original_due_at") == DUE and ts(k, "started_at") == at(3, 2, 10)
    assert ts(k, "warn_at") == at(3, 13, 9)  # 80 % of the budget used: Fri 03-13 at opening
    assert k.state == case_pb2.CLOCK_STATE_RUNNING
    assert k.colour == case_pb2.CLOCK_COLOUR_GREEN
    assert (k.working_days, k.extensions, k.provisional, len(k.pauses)) == (10, 0, False, 0)
    assert row_of(runtime, county.a, case_id)["due_at"] == DUE  # the same deadline as stored


def test_an_extension_carries_the_deadline_before_and_after(runtime: Runtime, county: County) -> None:  # noqa: F811
    case_id = accept(runtime, county.a, at(3, 2, 10))
    do(runtime, county.a, case_id, "assign", at(3, 3, 9), handler="w1")
    assigned = event(runtime, county.a, case_id, events_pb2.CaseAssigned)
    assert ts(assigned.case, "due_at") == DUE  # an event that moves no clock: the deadline in force
    do(runtime, county.a, case_id, "extend", at(3, 5, 10), working_days=3, reason="需实地核查")
    extended = event(runtime, county.a, case_id, events_pb2.CaseExtended)
    new_due = at(3, 19, 17, 30)  # Mon 03-16 + 3 working days
    assert ts(extended, "previous_due_at") == DUE
    assert ts(extended, "due_at") == ts(extended.case, "due_at") == new_due
    assert extended.extensions == 1 and extended.working_days == 3
    assert row_of(runtime, county.a, case_id)["due_at"] == new_due


def test_escalation_notify_by_skips_the_holiday_and_resume_carries_the_clock(
    runtime: Runtime,
    county: County,  # noqa: F811
) -> None:
    case_id = accept(runtime, county.a, at(3, 30, 10))  # Mon; 10 working days: Tue 04-14 17:30
    do(runtime, county.a, case_id, "assign", at(3, 31, 9), handler="w1")
    do(runtime, county.a, case_id, "escalate", at(4, 2, 10), to_level="county", reason="需县级审批",
       department="civil")  # fmt: skip
    escalated = event(runtime, county.a, case_id, events_pb2.CaseEscalated)
    # Thu 04-02 + 5 working days: Fri 04-03, (Sat, Sun, Mon 04-06 清明 off) Tue 07, Wed 08, Thu 09,
    # Fri 04-10 at close — Thu 04-09 if the holiday were a working day
    assert ts(escalated, "notify_by") == at(4, 10, 17, 30)
    assert ts(escalated.case, "due_at") is None  # paused: no deadline while escalated
    do(runtime, county.a, case_id, "resume", at(4, 7, 10))
    resumed = event(runtime, county.a, case_id, events_pb2.CaseResumed)
    k = resumed.clock
    # paused 13 working hours (2 days of 6.5 h): Tue 04-14 17:30 → Thu 04-16 17:30
    assert ts(k, "due_at") == ts(resumed.case, "due_at") == at(4, 16, 17, 30)
    assert k.state == case_pb2.CLOCK_STATE_RUNNING and k.working_days == 10
    assert [(ts(p, "start_at"), ts(p, "end_at")) for p in k.pauses] == [(at(4, 2, 10), at(4, 7, 10))]
    assert row_of(runtime, county.a, case_id)["due_at"] == at(4, 16, 17, 30)


def completed(runtime: Runtime, tenant: str, accepted_at: datetime, completed_at: datetime) -> Any:
    case_id = accept(runtime, tenant, accepted_at)
    do(runtime, tenant, case_id, "assign", accepted_at, handler="w1")
    do(runtime, tenant, case_id, "complete", completed_at, outcome="approved")
    return event(runtime, tenant, case_id, events_pb2.CaseCompleted)


def test_a_completion_says_early_on_time_or_late_in_working_days(runtime: Runtime, county: County) -> None:  # noqa: F811
    early = completed(runtime, county.a, at(3, 2, 10), at(3, 13, 10))  # Fri before Mon's deadline
    assert (early.overdue, early.working_days_late, early.early) == (False, 0, True)
    assert ts(early.case, "due_at") == DUE  # the deadline it stopped at
    on_the_day = completed(runtime, county.a, at(3, 2, 10), at(3, 16, 17, 0))
    assert (on_the_day.overdue, on_the_day.working_days_late, on_the_day.early) == (False, 0, False)
    # Fri 03-20, 10 working days: due Fri 04-03 17:30; completed Wed 04-08: Sat, Sun and Mon 04-06
    # (清明) do not count — 2 working days late, not 5
    late = completed(runtime, county.a, at(3, 20, 10), at(4, 8, 10))
    assert (late.overdue, late.working_days_late, late.early) == (True, 2, False)
    assert ts(late.case, "due_at") == at(4, 3, 17, 30)
    evening = completed(runtime, county.a, at(3, 20, 10), at(4, 3, 18))  # after close on the day
    assert (evening.overdue, evening.working_days_late, evening.early) == (True, 1, False)


def test_a_completion_is_judged_against_the_stored_deadline(runtime: Runtime, county: County) -> None:  # noqa: F811
    case_id = accept(runtime, county.a, at(3, 20, 10))  # due Fri 04-03 17:30
    do(runtime, county.a, case_id, "assign", at(3, 20, 11), handler="w1")
    # a holiday published on 03-25 once the deadline has passed (by the real clock) moves nothing:
    # the deadline in force stays Fri 04-03, though deriving afresh would say Tue 04-07
    deliver(runtime, envelope(override(county.code, date(2026, 3, 25), False, 1), county_scope(county.code)))
    assert row_of(runtime, county.a, case_id)["due_at"] == at(4, 3, 17, 30)
    do(runtime, county.a, case_id, "complete", at(4, 8, 10), outcome="approved")
    late = event(runtime, county.a, case_id, events_pb2.CaseCompleted)
    assert (late.overdue, late.working_days_late) == (True, 2)  # against 04-07 it would be 1
