"""A case's clock as its transitions move it (DOMAIN.md §3.3): before each save the clock intents
of the new transitions (start, pause, …) are derived (`derive_clock`, with `clock.derive` over the
township's calendar and the item's promised working days, an immediate case: 0), so that the
events the save records carry their clock facts (event_clock.EventClock: the deadline in force,
the escalation's notify-by, a completion's lateness against the stored deadline); after the save
they are written to the case's stored clock (its `case_clock` row: clock_state, started_at,
due_at, warn_at, provisional) in the same transaction (`write_clock`). The segments they derive
from (promised and extension days, pause intervals: migration 0012) are stored with them, so a
calendar change re-derives every open deadline from the clock rows alone
(deadline_rederivation.rederive). A stop keeps the deadline it stopped at and records when it
stopped (`stopped_at`: a stopped clock keeps the colour it had then).

An extension's working days are on its history entry, so `history_intents` re-derives the clock
from the history alone (extensions recorded before migration 0007 replay as 0 days)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from libs.common import db
from libs.common.calendar import WorkCalendar
from services.intake.adapters import case_clock_repository as clocks
from services.intake.adapters import case_repository as repo
from services.intake.adapters import tables
from services.intake.domain import clock
from services.intake.domain.case import CLOCKED_STATES, Case, ClockIntent, HistoryEntry
from services.intake.domain.event_clock import EventClock, completion, notify_by
from services.intake.service_layer.calendar import tenant_calendar

case_clocks = tables.case_clock


# history action → clock intent (withdraw stops only a clock that ran: see `history_intents`)
_INTENT_OF = {
    "accept": "start",
    "escalate": "pause",
    "resume": "resume",
    "extend": "extend",
    "complete": "stop",
    "return": "stop",
}


def history_intents(entries: Iterable[HistoryEntry]) -> builtins.list[ClockIntent]:
    """The clock intents a history implies (an extension with the working days on its entry)."""
    intents = []
    for e in entries:
        action = _INTENT_OF.get(e.action)
        if e.action == "withdraw" and e.from_state in CLOCKED_STATES:
            action = "stop"
        if action is not None:
            intents.append(ClockIntent(action, e.at, e.working_days if action == "extend" else 0))
    return intents


def promised_days(s: Session, case: Case) -> int:
    """The item's promised working days (0 for an immediate case or an item gone since)."""
    if case.kind == "immediate":
        return 0
    item = repo.catalogue_item(s, case.tenant, case.item_code)
    return int(item["promised_days"] or 0) if item is not None else 0


@dataclass(frozen=True)
class ClockChange:
    """What the transitions since a version do to the clock: the facts of each new event (one per
    new history entry, for the event messages) and what to store — a stop (the deadline kept) or
    the clock derived after the last transition that moved it (None: nothing to store)."""

    events: tuple[EventClock, ...] = ()
    stop_at: datetime | None = None
    derived: clock.Clock | None = None


def clock_change(s: Session, case: Case, since: int, due_before: datetime | None) -> ClockChange:
    """`derive_clock` over the township's calendar, read only when a new transition moves the
    clock (`due_before`: the stored deadline in force at version `since`)."""
    if not history_intents(case.history[since:]):
        return ClockChange(tuple(EventClock(due_at=due_before) for _ in case.history[since:]))
    calendar, days = township_calendar(s, case.tenant), promised_days(s, case)
    return derive_clock(case, since, calendar, days, due_before, warn_ratio(s, case.tenant))


def township_calendar(s: Session, tenant: str) -> WorkCalendar:
    """The township's compiled calendar, read once per transaction of a case's creation, action
    or views: none of them changes the calendar (its handlers read `tenant_calendar` afresh)."""
    return db.once_per_transaction(s, ("calendar", tenant), lambda: tenant_calendar(s, tenant))


def warn_ratio(s: Session, tenant: str) -> float:
    """The township's warn ratio (its setting, §3.3), read once per transaction like its calendar."""
    return db.once_per_transaction(s, ("warn_ratio", tenant), lambda: clocks.warn_ratio(s, tenant))


def derive_clock(
    case: Case,
    since: int,
    calendar: WorkCalendar,
    days: int,
    due_before: datetime | None,
    warn_ratio: float = clock.DEFAULT_WARN_RATIO,
) -> ClockChange:
    """The clock change of the transitions since version `since` (pure over `calendar`): each
    transition that moves the clock re-derives it from the history up to it; a stop keeps the
    deadline in force, against which a completion is judged (event_clock.completion)."""
    due, facts = due_before, builtins.list[EventClock]()
    stop_at: datetime | None = None
    derived: clock.Clock | None = None
    for version in range(since + 1, case.version + 1):
        entry = case.history[version - 1]
        intents = history_intents([entry])
        if not intents:
            facts.append(EventClock(due_at=due))
            continue
        action = intents[0].action
        if action == "stop":
            stop_at = entry.at
            done = entry.action == "complete"
            facts.append(completion(calendar, due, entry.at, days) if done else EventClock(due_at=due))
            continue
        history = case.history[:version]
        derived = clock.derive(history_intents(history), calendar, days, warn_ratio)
        previous, due = due, derived.due_at
        if action == "pause":
            facts.append(EventClock(due_at=None, notify_by=notify_by(calendar, entry.at)))
        elif action == "extend":
            facts.append(EventClock(due_at=due, previous_due_at=previous))
        else:  # start, resume: the running clock itself
            original = derived.due_at
            if derived.extension_days:
                unextended = [i for i in history_intents(history) if i.action != "extend"]
                original = clock.derive(unextended, calendar, days).due_at
            facts.append(
                EventClock(
                    due_at=due,
                    clock=derived,
                    colour=clock.colour(derived, calendar, entry.at),
                    extensions=sum(e.action == "extend" for e in history),
                    original_due_at=original,
                )
            )
    return ClockChange(tuple(facts), stop_at, derived)


def write_clock(s: Session, case: Case, change: ClockChange) -> None:
    """Store a clock change in the case's `case_clock` row, marked with the case's version: a
    stop keeps the deadline and ends a pause still open; otherwise the derived clock with its
    segments."""
    row = {"the_tenant": case.tenant, "the_case": case.id, "version": case.version}
    if change.stop_at is not None:  # the deadline stays as it stood; a pause still open ends here
        s.execute(
            _STOP_CLOCK,
            {**row, "clock_state": clock.STOPPED, "stopped_at": change.stop_at, "the_stop": change.stop_at},
        )
        return
    derived = change.derived
    if derived is None:
        return
    s.execute(
        _CLOCK_ROW,
        {
            **row,
            "clock_state": derived.state,
            "started_at": derived.started_at,
            "due_at": derived.due_at,
            "warn_at": derived.warn_at,
            "provisional": derived.provisional,
            **clock_segments(derived),
        },
    )


def clock_segments(derived: clock.Clock) -> dict[str, Any]:
    """The stored segments of a clock (migration 0012): what `deadlines.rederive` derives it
    from again over a changed calendar — with `started_at`, the same as `clock.arrays_of` gets
    from the history (none until started)."""
    if derived.started_at is None:
        return {}
    return {
        "clock_promised_days": derived.promised_days,
        "clock_extension_days": derived.extension_days,
        "clock_paused_from": [a for a, _ in derived.pauses],
        "clock_paused_until": [b for _, b in derived.pauses],
    }


# the clock row, its other columns from the parameters; a stop also ends a pause still open
# (built once: a lifecycle runs them)
_CLOCK_ROW = case_clocks.update().where(
    case_clocks.c.tenant_id == sa.bindparam("the_tenant"), case_clocks.c.case_id == sa.bindparam("the_case")
)
_STOP_CLOCK = _CLOCK_ROW.values(
    clock_paused_until=sa.func.array_replace(
        case_clocks.c.clock_paused_until,
        None,
        sa.cast(sa.bindparam("the_stop"), case_clocks.c.stopped_at.type),
    )
)
