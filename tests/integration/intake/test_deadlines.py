"""Deadlines of open cases on the migrated database (services/intake/service_layer/deadline_sweep.py
and deadline_rederivation.py).

The sweep: one CaseClockColourChanged per colour step, written with the step's mark in one
transaction — a re-run, and two sweeps at once (one blocked behind the other's row lock, and
several racing), never emit twice; nothing outside office hours, caught up in hours; a skipped
step emits the newest only; a suspended township is left alone.

The re-derivation after a calendar change, through intake's real subscriptions (sla.md §8): a
holiday published while a case runs moves its deadline in every township of the county (T13,
T14), a township's own override only its own; an edit while a case is paused moves nothing until
resume, which lays the rest over the new calendar (T20); a deadline already passed stays; new office
hours move deadlines too; a year published later makes a provisional deadline final (T5); a case
changed between the read and the write is derived again; the events' JSON is what `data_of`
gives the message; the county scope lists its own townships only when it asks."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from bianmin.gateway.v1 import calendar_pb2, settings_pb2
from bianmin.gateway.v1 import events_pb2 as gateway_events
from bianmin.intake.v1 import events_pb2 as intake_events
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common import db
from libs.common.messaging import county_scope, tables_for
from libs.common.messaging.envelope import data_of
from libs.common.runtime import Runtime
from services.intake.adapters import case_clock_repository, case_proto, case_repository, tables
from services.intake.adapters.county_townships import townships_of
from services.intake.domain import clock
from services.intake.domain.catalogue import as_data, catalogue_item
from services.intake.service_layer import (
    case_clock,
    cases,
    deadline_rederivation,
    deadline_sweep,
    moved_deadlines,
)
from services.intake.service_layer.calendar import tenant_calendar
from tests.integration.intake.test_calendar_projection import deliver, envelope, imported_2026, override
from tests.integration.intake.test_case_store import COMPLETE, ITEM

pytestmark = pytest.mark.integration

CST = timezone(timedelta(hours=8))
ACCEPTED = datetime(
    2026, 3, 2, 10, 0, tzinfo=CST
)  # Mon; 10 days: due Mon 03-16 17:30, warned Fri 03-13 09:00
DUE = datetime(2026, 3, 16, 17, 30, tzinfo=CST)
COLOUR_CHANGED, RECOMPUTED = "case_clock_colour_changed", "case_deadlines_recomputed"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


@dataclass(frozen=True)
class County:
    code: str
    a: str  # two townships of the county
    b: str


def onboard(runtime: Runtime, tenant: str) -> None:
    county, code = tenant.split(".")
    onboarded_at = Timestamp()
    onboarded_at.FromDatetime(datetime.now(UTC))
    message = gateway_events.TownshipOnboarded(
        tenant_id=tenant, county=county, code=code, name=code, onboarded_at=onboarded_at
    )
    deliver(runtime, envelope(message, tenant))
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.catalogue_item.insert().values(
                tenant_id=tenant, **as_data(catalogue_item(ITEM)), template_promised_days=10, updated_by="t"
            )
        )


@pytest.fixture
def county(runtime: Runtime) -> County:
    code = f"c{uuid.uuid4().hex[:10]}"
    c = County(code, f"{code}.napo", f"{code}.tianzhou")
    onboard(runtime, c.a)
    onboard(runtime, c.b)
    deliver(runtime, imported_2026(runtime, code))  # the 2026 national calendar
    return c


def accept(runtime: Runtime, tenant: str, when: datetime) -> str:
    """A 10-working-day case received complete and accepted at `when`: its clock runs."""
    return cases.receive(runtime.sessions, tenant, "desk1", COMPLETE, now=lambda: when).id


def act(runtime: Runtime, tenant: str, case_id: str, action: str, when: datetime, **args: object) -> None:
    """`action` on the case at its current version, at `when` (assigned first when it must be)."""
    version = row_of(runtime, tenant, case_id)["version"]
    if action in ("escalate", "extend") and row_of(runtime, tenant, case_id)["state"] == "accepted":
        version = cases.act_as(
            runtime.sessions, tenant, case_id, version, "assign", "w1", now=lambda: when, handler="w1"
        ).version
    cases.act_as(runtime.sessions, tenant, case_id, version, action, "w1", now=lambda: when, **args)


def row_of(runtime: Runtime, tenant: str, case_id: str) -> sa.RowMapping:
    t = tables.case_with_clock
    with db.transaction(runtime.sessions, tenant) as s:
        return s.execute(sa.select(t).where(t.c.id == case_id)).mappings().one()


def events(runtime: Runtime, tenant: str, event_type: str, case_id: str | None = None) -> list[dict]:
    """The payloads of `event_type` in the outbox; for RECOMPUTED, the per-case entries of the
    batched CaseDeadlinesRecomputed events (the moved deadlines waiting are published first)."""
    publish_moved(runtime)
    outbox = tables_for("intake").outbox
    query = sa.select(outbox.c.payload).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
    with db.transaction(runtime.sessions, tenant) as s:
        payloads = list(s.execute(query).scalars())
    if event_type == RECOMPUTED:
        payloads = [case for payload in payloads for case in payload["cases"]]
    return [p for p in payloads if case_id is None or p["case"]["case_id"] == case_id]


def publish_moved(runtime: Runtime) -> int:
    """What intake's relay process does: every moved deadline waiting made its event."""
    published = 0
    while more := moved_deadlines.publish_pending(runtime.sessions, runtime.ops_sessions):
        published += more
    return published


def steps(runtime: Runtime, tenant: str, case_id: str) -> list[tuple[str, str]]:
    return [
        (e["previous_colour"].removeprefix("CLOCK_COLOUR_"), e["colour"].removeprefix("CLOCK_COLOUR_"))
        for e in events(runtime, tenant, COLOUR_CHANGED, case_id)
    ]


# --- the sweep ------------------------------------------------------------------------------


def test_one_event_per_step_none_on_a_rerun_none_out_of_hours(runtime: Runtime, county: County) -> None:
    case_id = accept(runtime, county.a, ACCEPTED)
    assert row_of(runtime, county.a, case_id)["due_at"] == DUE

    def sweep(when: datetime) -> int | None:
        return deadline_sweep.sweep_township(runtime.sessions, county.a, when)

    assert sweep(at(3, 12, 10)) == 0  # green: nothing to tell
    assert sweep(at(3, 13, 10)) == 1  # warn_at (Fri 09:00) passed: yellow
    assert sweep(at(3, 13, 10)) == 0  # a re-run finds it told
    assert sweep(at(3, 13, 11)) == 0
    assert sweep(at(3, 14, 10)) is None  # Saturday: the sweep does nothing
    assert sweep(at(3, 16, 8, 55)) is None  # before opening on the due day
    assert sweep(at(3, 16, 9, 0)) == 1  # red: due today
    assert sweep(at(3, 16, 17, 29)) == 0
    assert sweep(at(3, 16, 18, 0)) is None  # overdue now, but the office is closed
    assert sweep(at(3, 17, 9, 0)) == 1  # the first run in hours catches up: overdue
    assert sweep(at(3, 18, 10)) == 0
    assert steps(runtime, county.a, case_id) == [("GREEN", "YELLOW"), ("YELLOW", "RED"), ("RED", "OVERDUE")]
    (last,) = events(runtime, county.a, COLOUR_CHANGED, case_id)[-1:]
    assert last["due_at"] == "2026-03-16T09:30:00Z" and last["changed_at"] == "2026-03-17T01:00:00Z"
    assert last["case"]["number"] and "applicant" not in last["case"]  # no personal data
    row = row_of(runtime, county.a, case_id)
    assert row["clock_colour"] == "overdue" and row["colour_changed_at"] == at(3, 17, 9, 0)


def test_a_colour_skipped_over_emits_the_newest_step_only(runtime: Runtime, county: County) -> None:
    case_id = accept(runtime, county.a, ACCEPTED)
    assert deadline_sweep.sweep_township(runtime.sessions, county.a, at(3, 13, 9, 30)) == 1  # yellow
    # nothing ran on the due day (say the job was down): the next run goes yellow → overdue
    assert deadline_sweep.sweep_township(runtime.sessions, county.a, at(3, 17, 10)) == 1
    assert steps(runtime, county.a, case_id) == [("GREEN", "YELLOW"), ("YELLOW", "OVERDUE")]
    other = accept(runtime, county.b, ACCEPTED)
    assert deadline_sweep.sweep_township(runtime.sessions, county.b, at(3, 18, 10)) == 1
    assert steps(runtime, county.b, other) == [("GREEN", "OVERDUE")]


def test_a_deadline_moved_later_lowers_the_mark_and_the_next_step_is_told_again(
    runtime: Runtime, county: County
) -> None:
    case_id = accept(runtime, county.a, ACCEPTED)
    assert deadline_sweep.sweep_township(runtime.sessions, county.a, at(3, 16, 10)) == 1  # red
    act(runtime, county.a, case_id, "extend", at(3, 16, 11), working_days=3, reason="需实地核查")
    assert row_of(runtime, county.a, case_id)["due_at"] == at(3, 19, 17, 30)
    assert deadline_sweep.sweep_township(runtime.sessions, county.a, at(3, 16, 14)) == 0
    assert row_of(runtime, county.a, case_id)["clock_colour"] == "green"  # lowered quietly
    assert deadline_sweep.sweep_township(runtime.sessions, county.a, at(3, 19, 9)) == 1
    assert steps(runtime, county.a, case_id) == [("GREEN", "RED"), ("GREEN", "RED")]


def test_a_sweep_blocked_behind_another_emits_nothing(runtime: Runtime, county: County) -> None:
    """Sweep A has marked the step and written its event but not committed; sweep B starts, waits
    for A's row lock, then re-checks the mark and finds the step already taken."""
    case_id = accept(runtime, county.a, ACCEPTED)
    when = at(3, 13, 10)
    second: list[int | None] = []
    with db.transaction(runtime.sessions, county.a) as s:
        assert deadline_sweep.sweep_in(s, county.a, when) == 1
        b = threading.Thread(
            target=lambda: second.append(deadline_sweep.sweep_township(runtime.sessions, county.a, when))
        )
        b.start()
        assert _waits_for_a_lock(runtime), "sweep B never blocked on sweep A's row"
    b.join(30)
    assert second == [0]
    assert steps(runtime, county.a, case_id) == [("GREEN", "YELLOW")]


def _waits_for_a_lock(runtime: Runtime, timeout: float = 30) -> bool:
    """Whether a session of this database waits for a lock in an UPDATE of intake (seen as the
    URL's superuser: the runtime roles may not read other sessions' activity)."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE intake.%'"
    )
    engine = db.make_engine(runtime.database_url, pool_size=1)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if conn.execute(query).scalar_one():
                    return True
            time.sleep(0.05)
        return False
    finally:
        engine.dispose()


def test_concurrent_sweeps_emit_each_step_exactly_once(runtime: Runtime, county: County) -> None:
    ids = [accept(runtime, county.a, ACCEPTED + timedelta(minutes=i)) for i in range(30)]
    start = threading.Barrier(4)
    counts: list[int | None] = []
    lock = threading.Lock()

    def sweep(when: datetime) -> None:
        start.wait()
        n = deadline_sweep.sweep_township(runtime.sessions, county.a, when)
        with lock:
            counts.append(n)

    for when in (at(3, 13, 10), at(3, 17, 10)):  # yellow, then overdue: 4 sweeps at once each time
        threads = [threading.Thread(target=sweep, args=(when,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sum(n or 0 for n in counts) == 60
    for case_id in ids:
        assert steps(runtime, county.a, case_id) == [("GREEN", "YELLOW"), ("YELLOW", "OVERDUE")]


def test_sweep_all_visits_active_townships_only(runtime: Runtime, county: County) -> None:
    a_case, b_case = accept(runtime, county.a, ACCEPTED), accept(runtime, county.b, ACCEPTED)
    suspended = gateway_events.TownshipSuspended(tenant_id=county.b, reason="test")
    deliver(runtime, envelope(suspended, county.b))
    assert county.a in deadline_sweep.active_townships(runtime.ops_sessions)
    assert county.b not in deadline_sweep.active_townships(runtime.ops_sessions)
    mine = [county.a, county.b]
    report = deadline_sweep.sweep_all(runtime.sessions, runtime.ops_sessions, at(3, 13, 10), townships=mine)
    assert report == deadline_sweep.SweepReport(townships=1, in_hours=1, events=1, failed=0)
    night = deadline_sweep.sweep_all(runtime.sessions, runtime.ops_sessions, at(3, 13, 22), townships=mine)
    assert night == deadline_sweep.SweepReport(townships=1, in_hours=0, events=0, failed=0)
    assert len(steps(runtime, county.a, a_case)) == 1 and steps(runtime, county.b, b_case) == []


# --- re-derivation on a calendar change -----------------------------------------------------


def _future_monday() -> datetime:
    """10:00 on a Monday at least two weeks ahead (the handlers judge "passed" by the real now)."""
    day = datetime.now(CST).date() + timedelta(days=14)
    day += timedelta(days=-day.weekday())
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=CST)


def _calendar(runtime: Runtime, tenant: str):  # type: ignore[no-untyped-def]
    with db.transaction(runtime.sessions, tenant) as s:
        return tenant_calendar(s, tenant)


def _working_day_before(runtime: Runtime, tenant: str, due: datetime) -> date:
    """A working day between the acceptance and the deadline, in the township's calendar."""
    cal = _calendar(runtime, tenant)
    day = due.astimezone(CST).date() - timedelta(days=1)
    while not cal.day_info(day).working:
        day -= timedelta(days=1)
    return day


def _expected(runtime: Runtime, tenant: str, case_id: str) -> clock.Clock:
    """The clock `clock.derive` gives the case over the township's calendar as it is now."""
    with db.transaction(runtime.sessions, tenant) as s:
        case = case_repository.get(s, case_id)
        return clock.derive(case_clock.history_intents(case.history), tenant_calendar(s, tenant), 10)


def test_a_holiday_published_while_cases_run_moves_them_in_every_township(
    runtime: Runtime, county: County
) -> None:
    start = _future_monday()
    a_case, b_case = accept(runtime, county.a, start), accept(runtime, county.b, start)
    act(runtime, county.a, a_case, "assign", start + timedelta(hours=1), handler="w1")
    before = row_of(runtime, county.a, a_case)
    holiday = _working_day_before(runtime, county.a, before["due_at"])

    deliver(runtime, envelope(override(county.code, holiday, False, 1), county_scope(county.code)))
    for tenant, case_id in ((county.a, a_case), (county.b, b_case)):
        after, expected = row_of(runtime, tenant, case_id), _expected(runtime, tenant, case_id)
        assert after["due_at"] > before["due_at"]
        assert (after["due_at"], after["warn_at"], after["provisional"]) == (
            expected.due_at, expected.warn_at, expected.provisional
        )  # fmt: skip
        (event,) = events(runtime, tenant, RECOMPUTED, case_id)
        assert event["due_at"] == _rfc3339(after["due_at"])
        assert event["previous_due_at"] == _rfc3339(before["due_at"])
        assert "applicant" not in event["case"]
        assert event == _as_published(after, before["due_at"])  # what data_of gives the message

    # a township's own override moves its own cases only
    b_due = row_of(runtime, county.b, b_case)["due_at"]
    extra = _working_day_before(runtime, county.a, b_due)
    deliver(runtime, envelope(override(county.code, extra, False, 1), county.a))
    assert row_of(runtime, county.a, a_case)["due_at"] > b_due
    assert row_of(runtime, county.b, b_case)["due_at"] == b_due
    assert len(events(runtime, county.a, RECOMPUTED, a_case)) == 2
    assert len(events(runtime, county.b, RECOMPUTED, b_case)) == 1
    # the same change again (a new event id): nothing changes, nothing is published
    deliver(runtime, envelope(override(county.code, extra, False, 1), county.a))
    assert len(events(runtime, county.a, RECOMPUTED, a_case)) == 2


def test_moved_deadlines_are_published_a_batch_an_event(
    runtime: Runtime, county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A county-wide holiday moves many deadlines: they travel RECOMPUTED_PER_EVENT to an event
    (500; 2 here), each event a CaseDeadlinesRecomputed that protobuf reads back."""
    monkeypatch.setattr(deadline_rederivation, "RECOMPUTED_PER_EVENT", 2)
    start = _future_monday()
    cases_a = sorted(accept(runtime, county.a, start) for _ in range(5))
    before = {c: row_of(runtime, county.a, c)["due_at"] for c in cases_a}
    holiday = _working_day_before(runtime, county.a, min(before.values()))
    outbox = tables_for("intake").outbox
    with db.transaction(runtime.sessions, county.a) as s:
        published_before = s.execute(sa.select(sa.func.max(outbox.c.id))).scalar() or 0

    deliver(runtime, envelope(override(county.code, holiday, False, 1), county.a))
    with db.transaction(runtime.sessions, county.a) as s:  # waiting: one row an event to be
        waiting = s.execute(sa.select(tables.moved_deadline.c.case_ids).order_by(tables.moved_deadline.c.id))
        assert [len(ids) for ids in waiting.scalars()] == [2, 2, 1]
    publish_moved(runtime)

    with db.transaction(runtime.sessions, county.a) as s:
        rows = s.execute(
            sa.select(outbox.c.event_type, outbox.c.payload, outbox.c.tenant_id)
            .where(outbox.c.id > published_before, outbox.c.event_type == RECOMPUTED)
            .order_by(outbox.c.id)
        ).all()
    assert [len(r.payload["cases"]) for r in rows] == [2, 2, 1] and {r.tenant_id for r in rows} == {county.a}
    batches = [json_format.ParseDict(r.payload, intake_events.CaseDeadlinesRecomputed()) for r in rows]
    moved = [entry for batch in batches for entry in batch.cases]
    assert sorted(entry.case.case_id for entry in moved) == cases_a  # each moved case exactly once
    for entry in moved:
        after = row_of(runtime, county.a, entry.case.case_id)
        assert entry.due_at.ToDatetime(UTC) == after["due_at"] > before[entry.case.case_id]
        assert entry.previous_due_at.ToDatetime(UTC) == before[entry.case.case_id]


def test_an_edit_while_paused_moves_nothing_until_resume(runtime: Runtime, county: County) -> None:
    start = _future_monday()
    case_id = accept(runtime, county.a, start)
    due = row_of(runtime, county.a, case_id)["due_at"]
    escalated = start + timedelta(hours=1)
    act(
        runtime,
        county.a,
        case_id,
        "escalate",
        escalated,
        to_level="county",
        reason="需县级审批",
        department="mz",
    )
    paused = row_of(runtime, county.a, case_id)
    assert paused["clock_state"] == "paused" and paused["due_at"] is None

    holiday = _working_day_before(runtime, county.a, due)
    deliver(runtime, envelope(override(county.code, holiday, False, 1), county_scope(county.code)))
    assert row_of(runtime, county.a, case_id)["due_at"] is None  # nothing moves while paused
    assert events(runtime, county.a, RECOMPUTED, case_id) == []

    act(runtime, county.a, case_id, "resume", start + timedelta(hours=2))  # Monday 12:00
    resumed, expected = row_of(runtime, county.a, case_id), _expected(runtime, county.a, case_id)
    assert resumed["due_at"] == expected.due_at and resumed["warn_at"] == expected.warn_at
    assert resumed["due_at"] > due  # the holiday and the hour paused, laid over the new calendar


def test_a_deadline_already_passed_stays(runtime: Runtime, county: County) -> None:
    passed = accept(runtime, county.a, ACCEPTED)  # due 2026-03-16: long past by the real clock
    running = accept(runtime, county.a, _future_monday())
    before_passed, before_running = row_of(runtime, county.a, passed), row_of(runtime, county.a, running)
    deliver(runtime, envelope(override(county.code, date(2026, 3, 10), False, 1), county_scope(county.code)))
    after = row_of(runtime, county.a, passed)
    assert (after["due_at"], after["warn_at"]) == (before_passed["due_at"], before_passed["warn_at"])
    assert events(runtime, county.a, RECOMPUTED, passed) == []
    assert row_of(runtime, county.a, running)["due_at"] == before_running["due_at"]  # 03-10 is not in it

    # the same case judged at an instant before its deadline does move (the API the benchmark calls)
    with db.transaction(runtime.sessions, county.a) as s:
        assert deadline_rederivation.rederive(s, county.a, at(3, 9, 10)) == 1
    assert row_of(runtime, county.a, passed)["due_at"] == at(3, 17, 17, 30)
    with db.transaction(runtime.sessions, county.a) as s:
        assert deadline_rederivation.rederive(s, county.a, at(3, 9, 10)) == 0  # idempotent
    (event,) = events(runtime, county.a, RECOMPUTED, passed)
    assert event["previous_due_at"] == "2026-03-16T09:30:00Z" and event["due_at"] == "2026-03-17T09:30:00Z"


def _as_published(row: sa.RowMapping, previous_due_at: datetime) -> dict:
    message = _recomputed(row)
    message.previous_due_at.FromDatetime(previous_due_at)
    return data_of(message)


def _recomputed(row: sa.RowMapping) -> intake_events.CaseDeadlineRecomputed:
    message = intake_events.CaseDeadlineRecomputed(
        case=case_proto.staff_summary(case_repository.from_row(row, []), row["due_at"]),
        provisional=bool(row["provisional"]),
    )
    message.due_at.FromDatetime(row["due_at"])
    message.warn_at.FromDatetime(row["warn_at"])
    return message


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_new_office_hours_move_the_deadlines_of_that_township(runtime: Runtime, county: County) -> None:
    start = _future_monday()
    a_case, b_case = accept(runtime, county.a, start), accept(runtime, county.b, start)
    a_due, b_due = row_of(runtime, county.a, a_case)["due_at"], row_of(runtime, county.b, b_case)["due_at"]
    hours = settings_pb2.TenantSettings(
        office_hours=[
            settings_pb2.OfficeHours(start="08:30", end="12:00"),
            settings_pb2.OfficeHours(start="14:30", end="18:00"),
        ],
        time_zone="Asia/Shanghai",
    )
    deliver(runtime, envelope(gateway_events.SettingsChanged(settings=hours), county.a))
    assert row_of(runtime, county.a, a_case)["due_at"] == a_due + timedelta(minutes=30)  # closes at 18:00
    assert row_of(runtime, county.b, b_case)["due_at"] == b_due
    assert len(events(runtime, county.a, RECOMPUTED, a_case)) == 1
    # the same hours again (say, with another setting changed): no re-derivation, no event
    deliver(runtime, envelope(gateway_events.SettingsChanged(settings=hours), county.a))
    assert len(events(runtime, county.a, RECOMPUTED, a_case)) == 1


def test_a_townships_own_hours_are_compared_not_its_countys(runtime: Runtime, county: County) -> None:
    """A township's scope also reads its county's settings (`county_rows`): with the county's
    projected too, a township's new hours are still told from its old ones by its own row."""
    start = _future_monday()
    a_case = accept(runtime, county.a, start)
    a_due = row_of(runtime, county.a, a_case)["due_at"]
    defaults = settings_pb2.TenantSettings(  # the county's: the default hours, nothing moves
        office_hours=[
            settings_pb2.OfficeHours(start="09:00", end="12:00"),
            settings_pb2.OfficeHours(start="14:00", end="17:30"),
        ],
        time_zone="Asia/Shanghai",
    )
    deliver(runtime, envelope(gateway_events.SettingsChanged(settings=defaults), county_scope(county.code)))
    deliver(runtime, envelope(gateway_events.SettingsChanged(settings=defaults), county.a))
    assert row_of(runtime, county.a, a_case)["due_at"] == a_due
    later = settings_pb2.TenantSettings(
        office_hours=[
            settings_pb2.OfficeHours(start="09:00", end="12:00"),
            settings_pb2.OfficeHours(start="14:00", end="18:00"),
        ],
        time_zone="Asia/Shanghai",
    )
    deliver(runtime, envelope(gateway_events.SettingsChanged(settings=later), county.a))
    assert row_of(runtime, county.a, a_case)["due_at"] == a_due + timedelta(minutes=30)


def test_a_case_changed_between_read_and_write_is_derived_again_under_its_lock(
    runtime: Runtime, county: County
) -> None:
    """The set-based UPDATE applies to a clock still stored at the case version read; one stored
    again meanwhile (an extension) is left for a second, locked pass (`rederive` does both). A
    change that leaves the clock alone (an assignment) does not hold the clock's UPDATE up."""
    case_id = accept(runtime, county.a, ACCEPTED)
    deliver(runtime, envelope(override(county.code, date(2026, 3, 10), False, 1), county_scope(county.code)))
    when = at(3, 9, 10)  # before the deadline: it moves to 03-17
    with db.transaction(runtime.sessions, county.a) as s:
        rows = case_clock_repository.open_clocks(s, county.a)
        act(runtime, county.a, case_id, "assign", at(3, 9, 9), handler="w2")  # commits meanwhile
        calendar = tenant_calendar(s, county.a)
        assert deadline_rederivation.rederive_clocks(s, county.a, calendar, rows, when) == (1, [])
    assert row_of(runtime, county.a, case_id)["due_at"] == at(3, 17, 17, 30)
    with db.transaction(runtime.sessions, county.a) as s:
        rows = case_clock_repository.open_clocks(s, county.a)
        # meanwhile: one more working day (stored: 03-18), then 03-11 off as well
        act(runtime, county.a, case_id, "extend", at(3, 9, 9, 30), working_days=1, reason="需实地核查")
        deliver(
            runtime, envelope(override(county.code, date(2026, 3, 11), False, 2), county_scope(county.code))
        )
        calendar = tenant_calendar(s, county.a)
        assert deadline_rederivation.rederive_clocks(s, county.a, calendar, rows, when) == (0, [case_id])
        assert row_of(runtime, county.a, case_id)["due_at"] == at(3, 18, 17, 30)  # not written over
        assert deadline_rederivation.rederive(s, county.a, when) == 1
    assert row_of(runtime, county.a, case_id)["due_at"] == at(3, 19, 17, 30)


def test_bianmin_jobs_sweep_deadlines(migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cli import compose
    from cli.main import app

    assert "sweep-deadlines" in compose.jobs()
    monkeypatch.setenv("BIANMIN_DATABASE_URL", migrated_url)
    result = CliRunner().invoke(app, ["jobs", "sweep-deadlines"])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.startswith("sweep-deadlines: ")
        and "township(s) in office hours; 0 failed" in result.stdout
    )


def test_the_county_scope_lists_its_own_townships_only_when_it_asks(runtime: Runtime, county: County) -> None:
    """Migration 0009's policy: a county-wide handler may list the county's townships — read
    only, never another county's, and nothing else in the county scope starts seeing them."""
    elsewhere = f"c{uuid.uuid4().hex[:10]}.napo"
    onboard(runtime, elsewhere)
    tenant = tables.tenant
    everything = sa.select(tenant.c.tenant_id).order_by(tenant.c.tenant_id)
    with db.transaction(runtime.sessions, county_scope(county.code)) as s:
        assert s.execute(everything).all() == []  # as GetTenant in a county scope sees it
        assert townships_of(s, county.code) == [county.a, county.b]
        assert s.execute(everything).all() == []  # switched off again
        s.execute(sa.text("SELECT set_config('app.county_townships', 'on', true)"))
        assert list(s.execute(everything).scalars()) == [county.a, county.b]  # not `elsewhere`
        assert s.execute(tenant.update().values(name="x")).rowcount == 0  # read only


def test_a_year_published_later_makes_a_provisional_deadline_final(runtime: Runtime, county: County) -> None:
    """T5: a deadline that reaches into a year not published yet is provisional (weekends only:
    Fri 2027-01-01 counts as working); the import of that year re-derives it."""
    case_id = accept(runtime, county.a, at(12, 28, 10))
    before = row_of(runtime, county.a, case_id)
    assert before["provisional"] is True and before["due_at"] == datetime(2027, 1, 11, 17, 30, tzinfo=CST)
    new_year = calendar_pb2.CalendarDay(date="2027-01-01", working=False)
    published = gateway_events.NationalCalendarImported(
        year=2027, published=True, days=[new_year], county=county.code, version=10**6
    )
    deliver(runtime, envelope(published, county_scope(county.code)))
    with db.transaction(runtime.sessions, county.a) as s:  # as judged before the deadline
        deadline_rederivation.rederive(s, county.a, at(12, 29, 10))  # (the handler judged by the real clock)
    after = row_of(runtime, county.a, case_id)
    assert after["provisional"] is False and after["due_at"] == datetime(2027, 1, 12, 17, 30, tzinfo=CST)
    (event,) = events(runtime, county.a, RECOMPUTED, case_id)
    assert "provisional" not in event and event["due_at"] == "2027-01-12T09:30:00Z"
