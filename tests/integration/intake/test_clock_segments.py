"""The clock segments stored with the case's clock (migrations 0012 and 0014, case_clock.write_clock):
after every transition they equal what the case's history derives (`clock.arrays_of` over
`case_clock.history_intents`: start, promised and extension days, pause intervals), so the bulk
re-derivation that reads only them (deadline_rederivation.rederive) can never drift from the history; an
open clock without its segments is refused. (Migration 0012's back-fill of the same from the
histories: test_case_clock_migrations.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from libs.common import db
from libs.common.messaging import county_scope
from libs.common.runtime import Runtime
from services.intake.adapters import case_clock_repository, case_repository, tables
from services.intake.domain import clock
from services.intake.service_layer import case_clock
from tests.integration.intake.test_calendar_projection import deliver, envelope, override
from tests.integration.intake.test_deadlines import (  # noqa: F401 (the fixture)
    County,
    _expected,
    _future_monday,
    _working_day_before,
    accept,
    act,
    county,
    row_of,
)

pytestmark = pytest.mark.integration
Segments = tuple[int, int, int, list[tuple[int, int]]]  # start, promised, extension, pauses


def _epoch(at: datetime | None) -> int:
    return clock.OPEN if at is None else int(at.timestamp())


def stored(runtime: Runtime, tenant: str, case_id: str) -> Segments:
    row = row_of(runtime, tenant, case_id)
    pauses = zip(row["clock_paused_from"], row["clock_paused_until"], strict=True)
    return (
        _epoch(row["started_at"]),
        row["clock_promised_days"],
        row["clock_extension_days"],
        [(_epoch(a), _epoch(b)) for a, b in pauses],
    )


def from_history(runtime: Runtime, tenant: str, case_id: str) -> Segments:
    with db.transaction(runtime.sessions, tenant) as s:
        history = case_repository.get(s, case_id).history
    arrays = clock.arrays_of([(case_clock.history_intents(history), 10)])  # the item promises 10 days
    pauses = sorted(zip(arrays.pause_start.tolist(), arrays.pause_end.tolist(), strict=True))
    return int(arrays.start[0]), int(arrays.promised_days[0]), int(arrays.extension_days[0]), pauses


def test_the_stored_segments_are_what_the_history_derives(runtime: Runtime, county: County) -> None:  # noqa: F811
    tenant, start = county.a, _future_monday()
    case_id = accept(runtime, tenant, start)
    hour = timedelta(hours=1)
    steps: list[tuple[str, dict[str, object]]] = [
        ("extend", {"working_days": 2, "reason": "需实地核查"}),
        ("escalate", {"to_level": "county", "reason": "需县级审批", "department": "mz"}),
        ("resume", {}),
        ("extend", {"working_days": 3, "reason": "需补充调查"}),
        ("escalate", {"to_level": "county", "reason": "再次请示", "department": "mz"}),
    ]
    assert stored(runtime, tenant, case_id) == from_history(runtime, tenant, case_id)
    for n, (action, args) in enumerate(steps, start=1):
        act(runtime, tenant, case_id, action, start + n * hour, **args)
        assert stored(runtime, tenant, case_id) == from_history(runtime, tenant, case_id), action
    began, promised, extension, pauses = stored(runtime, tenant, case_id)
    assert (began, promised, extension) == (_epoch(start), 10, 5)
    assert pauses == [
        (_epoch(start + 2 * hour), _epoch(start + 3 * hour)),
        (_epoch(start + 5 * hour), clock.OPEN),
    ]
    act(runtime, tenant, case_id, "resume", start + 6 * hour)
    assert stored(runtime, tenant, case_id) == from_history(runtime, tenant, case_id)
    assert stored(runtime, tenant, case_id)[3][-1] == (_epoch(start + 5 * hour), _epoch(start + 6 * hour))
    # a third pause, past what the bulk read takes inline: an office hour of the next day (the
    # start's day is before the clock's anchor: its pauses count nothing)
    escalate = {"to_level": "county", "reason": "三次请示", "department": "mz"}
    act(runtime, tenant, case_id, "escalate", start + 24 * hour, **escalate)
    act(runtime, tenant, case_id, "resume", start + 25 * hour)
    assert len(stored(runtime, tenant, case_id)[3]) == 3 > case_clock_repository.INLINE
    assert stored(runtime, tenant, case_id) == from_history(runtime, tenant, case_id)

    # re-derived from the segments over a changed calendar: what the history derives over it
    due = row_of(runtime, tenant, case_id)["due_at"]
    holiday = _working_day_before(runtime, tenant, due)
    deliver(runtime, envelope(override(county.code, holiday, False, 1), county_scope(county.code)))
    row, expected = row_of(runtime, tenant, case_id), _expected(runtime, tenant, case_id)
    assert row["due_at"] > due
    assert (row["due_at"], row["warn_at"], row["provisional"]) == (
        expected.due_at, expected.warn_at, expected.provisional
    )  # fmt: skip


def test_a_stop_ends_the_open_pause_in_the_segments(runtime: Runtime, county: County) -> None:  # noqa: F811
    start = _future_monday()
    case_id = accept(runtime, county.a, start)
    act(
        runtime,
        county.a,
        case_id,
        "escalate",
        start + timedelta(hours=1),
        to_level="county",
        reason="r",
        department="mz",
    )
    act(runtime, county.a, case_id, "withdraw", start + timedelta(hours=2), reason="申请人撤回")
    assert row_of(runtime, county.a, case_id)["clock_state"] == "stopped"
    assert stored(runtime, county.a, case_id)[3] == [
        (_epoch(start + timedelta(hours=1)), _epoch(start + timedelta(hours=2)))
    ]


def test_an_open_clock_without_its_segments_is_refused(runtime: Runtime, county: County) -> None:  # noqa: F811
    case_id = accept(runtime, county.a, _future_monday())
    t = tables.case_clock
    spoilt = [{c: None} for c in ("clock_promised_days", "clock_extension_days", "clock_paused_from")]
    spoilt.append({"clock_paused_from": [datetime.now(UTC)]})  # a pause without its end
    for values in spoilt:
        with (
            pytest.raises(IntegrityError, match="case_clock_segments"),
            db.transaction(runtime.sessions, county.a) as s,
        ):
            s.execute(t.update().where(t.c.case_id == case_id).values(values))
    assert stored(runtime, county.a, case_id)[1:] == (10, 0, [])  # nothing changed
