"""Publishing the deadlines a calendar change moved (services/intake/service_layer/moved_deadlines.py,
migration 0015), on the migrated database.

The calendar change's transaction records the moved deadlines, not their events; the publisher
makes each recorded row ONE event and deletes it in the same transaction — a re-run publishes
nothing more, a row another publisher holds is skipped, two publishers at once publish each row
once; the event tells each case as it is when published (a case closed since is left out, a case
moved on since carries its new version and deadline); the trace of the calendar change goes on in
the event; the waiting rows are the township's own; a row that fails holds back no other, and a
gauge tells how many wait."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace import TracerProvider

from libs.common import db
from libs.common.messaging import tables_for
from libs.common.observability.metrics import MOVED_DEADLINES_WAITING
from libs.common.observability.tracing import inject_traceparent, span
from libs.common.runtime import Runtime
from services.intake.adapters import tables
from services.intake.service_layer import deadline_rederivation, moved_deadlines
from tests.integration.intake import test_deadlines
from tests.integration.intake.test_calendar_projection import deliver, envelope, override
from tests.integration.intake.test_deadlines import (
    RECOMPUTED,
    County,
    _future_monday,
    _working_day_before,
    accept,
    act,
    events,
    row_of,
)

pytestmark = pytest.mark.integration

moved = tables.moved_deadline
county = test_deadlines.county  # the fixture: two townships of a new county, calendars imported


def waiting_rows(runtime: Runtime, tenant: str) -> list[sa.Row]:
    with db.transaction(runtime.sessions, tenant) as s:
        return list(s.execute(sa.select(moved).order_by(moved.c.id)))


def published(runtime: Runtime, tenant: str) -> list[dict]:
    """The CaseDeadlinesRecomputed payloads in the township's outbox (without publishing first)."""
    outbox = tables_for("intake").outbox
    query = sa.select(outbox.c.payload).where(outbox.c.event_type == RECOMPUTED).order_by(outbox.c.id)
    with db.transaction(runtime.sessions, tenant) as s:
        return list(s.execute(query).scalars())


def holiday_moving(runtime: Runtime, county: County, n: int) -> list[str]:
    """`n` running cases of township a, then a day off that moves every one of their deadlines
    (the calendar event carries the current trace context, as the relay's message would)."""
    start = _future_monday()
    ids = sorted(accept(runtime, county.a, start) for _ in range(n))
    first_due = min(row_of(runtime, county.a, c)["due_at"] for c in ids)
    change = envelope(
        override(county.code, _working_day_before(runtime, county.a, first_due), False, 1), county.a
    )
    deliver(runtime, dataclasses.replace(change, headers=inject_traceparent()))
    return ids


def publish_row(runtime: Runtime, tenant: str, row_id: int) -> bool:
    return moved_deadlines.publish_one(runtime.sessions, tenant, row_id)


def test_the_change_records_the_moved_deadlines_and_each_row_becomes_one_event_once(
    runtime: Runtime, county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deadline_rederivation, "RECOMPUTED_PER_EVENT", 2)
    start = _future_monday()
    ids = sorted(accept(runtime, county.a, start) for _ in range(3))
    before = {c: row_of(runtime, county.a, c)["due_at"] for c in ids}
    day = _working_day_before(runtime, county.a, min(before.values()))
    deliver(runtime, envelope(override(county.code, day, False, 1), county.a))

    # committed with the clocks: the ids and previous deadlines, no event yet
    rows = waiting_rows(runtime, county.a)
    assert [len(r.case_ids) for r in rows] == [2, 1]
    recorded = {str(c): due for r in rows for c, due in zip(r.case_ids, r.previous_due_at, strict=True)}
    assert recorded == before
    assert published(runtime, county.a) == []

    assert [publish_row(runtime, county.a, r.id) for r in rows] == [True, True]
    assert [publish_row(runtime, county.a, r.id) for r in rows] == [False, False]  # gone: nothing again
    assert waiting_rows(runtime, county.a) == []
    payloads = published(runtime, county.a)
    told = [[e["case"]["case_id"] for e in p["cases"]] for p in payloads]
    assert told == [sorted(str(c) for c in r.case_ids) for r in rows]  # each row its event, in id order
    for entry in (e for p in payloads for e in p["cases"]):
        after = row_of(runtime, county.a, entry["case"]["case_id"])
        assert entry["due_at"] == entry["case"]["due_at"] == _json(after["due_at"])
        assert entry["previous_due_at"] == _json(before[entry["case"]["case_id"]])
        assert entry["case"]["version"] == str(after["version"])


def test_a_row_another_publisher_holds_is_skipped_and_two_publishers_publish_each_row_once(
    runtime: Runtime, county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deadline_rederivation, "RECOMPUTED_PER_EVENT", 1)
    ids = holiday_moving(runtime, county, 6)
    rows = waiting_rows(runtime, county.a)
    assert len(rows) == 6

    with db.transaction(runtime.sessions, county.a) as s:  # another publisher holds the first row
        s.execute(sa.select(moved).where(moved.c.id == rows[0].id).with_for_update())
        assert publish_row(runtime, county.a, rows[0].id) is False
        assert publish_row(runtime, county.a, rows[1].id) is True
    assert len(waiting_rows(runtime, county.a)) == 5

    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def publisher() -> None:
        try:
            barrier.wait(5)
            for row in rows:
                publish_row(runtime, county.a, row.id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=publisher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert waiting_rows(runtime, county.a) == []
    told = sorted(e["case"]["case_id"] for p in published(runtime, county.a) for e in p["cases"])
    assert told == ids  # each moved deadline exactly once


def test_the_event_tells_each_case_as_it_is_when_published(runtime: Runtime, county: County) -> None:
    first, closed, extended = holiday_moving(runtime, county, 3)
    when = _future_monday() + timedelta(hours=2)
    act(runtime, county.a, closed, "assign", when, handler="w1")
    act(
        runtime, county.a, closed, "complete", when, outcome="approved"
    )  # its clock stopped: its own events tell
    act(runtime, county.a, extended, "extend", when, working_days=3, reason="需补充现场核查")

    entries = {e["case"]["case_id"]: e for e in events(runtime, county.a, RECOMPUTED)}
    assert set(entries) == {first, extended}
    now = row_of(runtime, county.a, extended)
    assert entries[extended]["case"]["version"] == str(now["version"])
    assert entries[extended]["due_at"] == _json(now["due_at"])  # the extended deadline, not the one recorded
    assert entries[extended]["case"]["state"] == "CASE_STATE_IN_PROGRESS"


def test_the_event_continues_the_calendar_changes_trace(runtime: Runtime, county: County) -> None:
    provider = TracerProvider()
    with span("calendar change", tracer_provider=provider) as change:
        holiday_moving(runtime, county, 1)
    (row,) = waiting_rows(runtime, county.a)
    trace_id = f"{change.get_span_context().trace_id:032x}"
    assert row.headers["traceparent"].split("-")[1] == trace_id

    outbox = tables_for("intake").outbox
    moved_deadlines.publish_pending(runtime.sessions, runtime.ops_sessions)
    with db.transaction(runtime.sessions, county.a) as s:
        headers = s.execute(sa.select(outbox.c.headers).where(outbox.c.event_type == RECOMPUTED)).scalar_one()
    assert headers["traceparent"].split("-")[1] == trace_id


def test_waiting_rows_are_the_townships_own(runtime: Runtime, county: County) -> None:
    holiday_moving(runtime, county, 2)
    assert len(waiting_rows(runtime, county.a)) == 1
    assert waiting_rows(runtime, county.b) == []
    (row,) = waiting_rows(runtime, county.a)
    assert publish_row(runtime, county.b, row.id) is False  # another township cannot take it
    assert publish_row(runtime, county.a, row.id) is True


def _json(at) -> str:  # type: ignore[no-untyped-def]
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_failing_row_holds_back_no_other_and_the_gauge_tells_how_many_wait(
    runtime: Runtime, county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deadline_rederivation, "RECOMPUTED_PER_EVENT", 1)
    holiday_moving(runtime, county, 2)
    first, second = waiting_rows(runtime, county.a)
    publish_one = moved_deadlines.publish_one

    def failing(sessions: object, tenant: str, row_id: int) -> bool:
        if row_id == first.id:
            raise RuntimeError("the database said no")
        return publish_one(runtime.sessions, tenant, row_id)

    monkeypatch.setattr(moved_deadlines, "publish_one", failing)
    with db.transaction(runtime.ops_sessions, None) as s:
        waiting = s.execute(sa.select(sa.func.count()).select_from(moved)).scalar_one()
    moved_deadlines.publish_pending(runtime.sessions, runtime.ops_sessions, limit=waiting)
    assert MOVED_DEADLINES_WAITING._value.get() == waiting  # as listed, before this pass
    assert [r.id for r in waiting_rows(runtime, county.a)] == [first.id]  # the second went on
