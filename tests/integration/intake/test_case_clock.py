"""The stored clock of a case (case_clock.write_clock): derived in the save's transaction from the
clock intents of each action — not started at receipt, running with a deadline once accepted,
paused without one while escalated, running again on resume, moved later by an extension, and
stopped (keeping its deadline) on completion. An immediate case is due the same day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from libs.common import db
from libs.common.runtime import Runtime
from services.intake.adapters import tables
from services.intake.service_layer import cases
from tests.integration.intake.test_case_store import COMPLETE, tenant  # noqa: F401 (the fixture)

# a Wednesday morning in the county (10:00 +08:00)
START = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


def clock_of(runtime: Runtime, scope: str, case_id: str) -> sa.RowMapping:
    t = tables.case_with_clock
    columns = (t.c.clock_state, t.c.started_at, t.c.due_at, t.c.warn_at, t.c.provisional)
    with db.transaction(runtime.sessions, scope) as s:
        return s.execute(sa.select(*columns).where(t.c.id == case_id)).mappings().one()


def test_the_clock_is_stored_after_each_action(runtime: Runtime, tenant: str) -> None:  # noqa: F811
    sessions = runtime.sessions
    now = iter(START + timedelta(minutes=n) for n in range(100))
    cmd = replace(COMPLETE, accept_if_complete=False)
    received = cases.receive(sessions, tenant, "desk1", cmd, now=lambda: next(now))
    assert clock_of(runtime, tenant, received.id)["clock_state"] is None  # nothing to derive yet

    def act(version: int, action: str, **args: object) -> int:
        return cases.act_as(
            sessions, tenant, received.id, version, action, "w1", now=lambda: next(now), **args
        ).version

    v = act(1, "accept")
    running = clock_of(runtime, tenant, received.id)
    assert running["clock_state"] == "running" and running["started_at"] is not None
    assert running["due_at"] > running["warn_at"] > START
    v = act(v, "assign", handler="h1")
    assert clock_of(runtime, tenant, received.id) == running  # no clock intent: unchanged
    v = act(v, "escalate", to_level="county", reason="需县级审批", department="civil")
    paused = clock_of(runtime, tenant, received.id)
    assert paused["clock_state"] == "paused" and paused["due_at"] is None
    v = act(v, "resume")
    resumed = clock_of(runtime, tenant, received.id)
    assert resumed["clock_state"] == "running" and resumed["due_at"] >= running["due_at"]
    v = act(v, "extend", working_days=3, reason="需实地核查")
    extended = clock_of(runtime, tenant, received.id)
    assert extended["due_at"] > resumed["due_at"] + timedelta(days=2)
    act(v, "complete", outcome="approved")
    stopped = clock_of(runtime, tenant, received.id)
    assert stopped["clock_state"] == "stopped" and stopped["due_at"] == extended["due_at"]


def test_an_immediate_case_is_due_the_same_day(runtime: Runtime, tenant: str) -> None:  # noqa: F811
    immediate = replace(COMPLETE, kind="immediate")
    case = cases.receive(runtime.sessions, tenant, "desk1", immediate, now=lambda: START)
    clock = clock_of(runtime, tenant, case.id)
    assert clock["clock_state"] == "running"
    assert clock["due_at"].astimezone(UTC).date() == START.date()


def test_an_immediate_case_entered_complete_runs_from_its_entry(runtime: Runtime, tenant: str) -> None:  # noqa: F811
    entered = replace(COMPLETE, kind="immediate", accept_if_complete=False)  # §3.3
    case = cases.receive(runtime.sessions, tenant, "desk1", entered, now=lambda: START)
    clock = clock_of(runtime, tenant, case.id)
    assert case.state == "accepted"
    assert clock["clock_state"] == "running" and clock["started_at"] == START


def test_the_clock_follows_the_townships_warn_ratio(runtime: Runtime, tenant: str) -> None:  # noqa: F811
    def warn_after(ratio: float | None) -> timedelta:
        with db.transaction(runtime.sessions, tenant) as s:
            s.execute(sa.delete(tables.settings).where(tables.settings.c.tenant_id == tenant))
            if ratio is not None:
                row = {"tenant_id": tenant, "warn_ratio": ratio, "updated_at": START}
                s.execute(tables.settings.insert().values(**row))
        case = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE, now=lambda: START)
        clock = clock_of(runtime, tenant, case.id)
        return clock["warn_at"] - clock["started_at"]

    default, half, late = warn_after(None), warn_after(0.5), warn_after(0.95)
    assert warn_after(0.8) == default  # 0.8 until a township sets its own (DOMAIN.md §3.3)
    assert half < default < late
