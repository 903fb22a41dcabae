"""The clock of a case: deadlines from its clock intents over a tenant's `WorkCalendar` (pure).

DOMAIN.md §3.3, ARCHITECTURE.md §5, sla.md §7–8. All calendar maths is `WorkCalendar`'s; this
module only decides which question to ask it.

The rule, in working time (F = working seconds of the calendar):

- Anchor: DAY model (n > 0) — the local midnight after the start (the start's day is excluded);
  immediate case (n == 0) — the start instant itself.
- Budget B = working minutes from the anchor to the close of office on the (n + extensions)th
  working day (immediate: today's close, each extension day a further working day's close).
  An extension therefore moves an unpaused deadline by exactly N working days (T16).
- Paused time P = working minutes of the UNION of the pause intervals after the anchor
  (overlapping pauses count once, T17; a pause at night counts nothing, T18).
- due = the instant at which B + P working minutes after the anchor have elapsed, i.e. the
  remaining budget laid over the calendar from the last resume (T6). While paused there is no
  deadline (`due_at` None): nothing moves until resume, then the remaining budget is laid over
  the calendar as it is then (T20).
- warn = when `warn_ratio` of B is used, moved to the next business instant (never at night, T9).

Pauses are keyed by a reason when the intent has one (`reason` attribute); a resume with a reason
ends that pause only, a resume without one ends every open pause. A second `start` is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

import numpy as np

from libs.common.calendar import WorkCalendar
from libs.common.errors import ValidationFailed

NOT_STARTED, RUNNING, PAUSED, STOPPED = "not_started", "running", "paused", "stopped"
GREEN, YELLOW, RED, OVERDUE = "green", "yellow", "red", "overdue"
DEFAULT_WARN_RATIO = 0.8
OPEN = -1  # the end of a pause not resumed yet, in the epoch arrays


class Intent(Protocol):
    """What the case model records (services.intake.domain.case.ClockIntent), duck-typed."""

    @property
    def action(self) -> str: ...

    @property
    def at(self) -> datetime: ...

    @property
    def working_days(self) -> int: ...


@dataclass(frozen=True)
class Clock:
    state: str  # not_started | running | paused | stopped
    promised_days: int
    extension_days: int = 0
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    due_at: datetime | None = None  # None while not started or paused
    warn_at: datetime | None = None
    budget_minutes: float = 0.0
    paused_minutes: float = 0.0  # closed pauses only
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    provisional: bool = False  # the deadline rests on a year not published yet
    late_extensions: int = 0  # extensions granted after the deadline had passed (flagged, T16)
    warn_ratio: float = DEFAULT_WARN_RATIO


def _epoch(t: datetime) -> int:
    if t.tzinfo is None:
        raise ValidationFailed("clock instants must be timezone-aware")
    return int(t.timestamp())


@dataclass
class _Replay:
    started: datetime | None = None
    stopped: datetime | None = None
    extension_days: int = 0
    extended_at: list[datetime] = field(default_factory=list)
    closed: list[tuple[datetime, datetime]] = field(default_factory=list)
    open: dict[str, datetime] = field(default_factory=dict)  # open pauses by reason


def _replay(intents: Iterable[Intent]) -> _Replay:
    r = _Replay()
    for intent in sorted(intents, key=lambda i: i.at):  # stable: same instant keeps its order
        action, at, reason = intent.action, intent.at, getattr(intent, "reason", "") or ""
        if r.stopped is not None:
            break  # nothing after a stop counts
        if action == "start":
            r.started = r.started or at
        elif r.started is None:
            continue  # pauses, resumes, extensions before the start change nothing
        elif action == "pause":
            r.open.setdefault(reason, at)
        elif action == "resume":
            ended = [reason] if reason and reason in r.open else ([] if reason else list(r.open))
            for key in ended:
                r.closed.append((r.open.pop(key), at))
        elif action == "extend":
            if intent.working_days < 0:
                raise ValidationFailed("an extension cannot be negative")
            r.extension_days += intent.working_days
            r.extended_at.append(at)
        elif action == "stop":
            r.stopped = at
            for key in list(r.open):  # a stop ends every open pause
                r.closed.append((r.open.pop(key), at))
        else:
            raise ValidationFailed(f"unknown clock action {action!r}")
    return r


def derive(
    intents: Iterable[Intent],
    calendar: WorkCalendar,
    promised_days: int,
    warn_ratio: float = DEFAULT_WARN_RATIO,
) -> Clock:
    """The clock of one case from its intents (any order; sorted by instant)."""
    if promised_days < 0:
        raise ValidationFailed("promised working days cannot be negative")
    intents = list(intents)
    r = _replay(intents)
    if r.started is None:
        return Clock(NOT_STARTED, promised_days, warn_ratio=warn_ratio)
    start = r.started
    anchor = calendar.day_anchor(start) if promised_days > 0 else start
    due0 = calendar.due_by_working_days(start, promised_days)
    total = calendar.due_by_working_days(due0, r.extension_days) if r.extension_days else due0
    budget = calendar.working_minutes_between(anchor, total)
    # only what lies after the anchor can be paused budget
    closed = [(max(a, anchor), max(b, anchor)) for a, b in r.closed]
    paused = calendar.working_minutes_in_intervals(closed)
    pauses = tuple(sorted([*r.closed, *((a, None) for a in r.open.values())], key=lambda p: p[0]))
    state = STOPPED if r.stopped else PAUSED if r.open else RUNNING
    late = 0
    for at in r.extended_at:  # was the deadline already past when it was extended?
        before = derive([i for i in intents if i.at < at], calendar, promised_days, warn_ratio)
        late += before.due_at is not None and at > before.due_at
    clock = Clock(
        state,
        promised_days,
        extension_days=r.extension_days,
        started_at=start,
        stopped_at=r.stopped,
        budget_minutes=budget,
        paused_minutes=paused,
        pauses=pauses,
        late_extensions=late,
        warn_ratio=warn_ratio,
    )
    if state == PAUSED:  # no deadline until resume (T20)
        return replace(clock, provisional=calendar.is_provisional(start, total))
    due = calendar.add_working_minutes(anchor, budget + paused)
    # the warning as if the budget had run without pauses up to `due`: same instant once resumed
    virtual_start = calendar.add_working_minutes(due, -budget)
    warn = calendar.warn_at(virtual_start, due, warn_ratio)
    return replace(clock, due_at=due, warn_at=warn, provisional=calendar.is_provisional(start, due))


def consumed_minutes(clock: Clock, calendar: WorkCalendar, at: datetime) -> float:
    """Working minutes of the budget used by `at` (pauses excluded)."""
    if clock.started_at is None:
        return 0.0
    start = clock.started_at
    anchor = calendar.day_anchor(start) if clock.promised_days > 0 else start
    end = min(at, clock.stopped_at) if clock.stopped_at else at
    if end <= anchor:
        return 0.0
    intervals = [(max(a, anchor), max(min(b or end, end), anchor)) for a, b in clock.pauses if a < end]
    return calendar.working_minutes_between(anchor, end) - calendar.working_minutes_in_intervals(intervals)


def colour(clock: Clock, calendar: WorkCalendar, at: datetime) -> str:
    """The e-supervision colour at `at`: green, yellow (warn ratio used), red (due today, local
    date) or overdue (past the deadline). A stopped clock keeps its colour at the stop; a paused
    one is judged by the budget it has used (never red: it has no deadline while paused)."""
    if clock.state == NOT_STARTED:
        return GREEN
    if clock.state == PAUSED:
        used = consumed_minutes(clock, calendar, at)
        if used >= clock.budget_minutes:
            return OVERDUE
        return YELLOW if used >= clock.warn_ratio * clock.budget_minutes else GREEN
    assert clock.due_at is not None and clock.warn_at is not None
    if clock.stopped_at is not None:
        at = min(at, clock.stopped_at)
    if at > clock.due_at:
        return OVERDUE
    if calendar.local_date(at) == calendar.local_date(clock.due_at):
        return RED
    return YELLOW if at >= clock.warn_at else GREEN


# --------------------------------------------------------------------------------------------
# Bulk re-derivation (a calendar changed: every open case of the tenant at once; T13, T23)


@dataclass(frozen=True)
class CaseArrays:
    """Many cases as arrays (UTC epoch seconds). Pause intervals are flat, `pause_case` naming the
    case (row index) of each; an interval still open has end `OPEN` (-1)."""

    start: np.ndarray  # int64 per case
    promised_days: np.ndarray  # int64 per case
    extension_days: np.ndarray  # int64 per case
    pause_case: np.ndarray  # int64 per interval
    pause_start: np.ndarray  # int64 per interval
    pause_end: np.ndarray  # int64 per interval, OPEN while paused
    warn_ratio: float = DEFAULT_WARN_RATIO


def arrays_of(
    cases: Sequence[tuple[Iterable[Intent], int]], warn_ratio: float = DEFAULT_WARN_RATIO
) -> CaseArrays:
    """(intents, promised days) per started case → `CaseArrays` (same replay rules as `derive`)."""
    start, days, ext, pc, ps, pe = [], [], [], [], [], []
    for i, (intents, promised) in enumerate(cases):
        r = _replay(intents)
        if r.started is None:
            raise ValidationFailed("only started cases can be re-derived")
        start.append(_epoch(r.started))
        days.append(promised)
        ext.append(r.extension_days)
        intervals = [(_epoch(a), _epoch(b)) for a, b in r.closed] + [
            (_epoch(a), OPEN) for a in r.open.values()
        ]
        for a_epoch, b_epoch in intervals:
            pc.append(i)
            ps.append(a_epoch)
            pe.append(b_epoch)
    i64 = np.int64
    return CaseArrays(
        np.array(start, i64),
        np.array(days, i64),
        np.array(ext, i64),
        np.array(pc, i64),
        np.array(ps, i64),
        np.array(pe, i64),
        warn_ratio,
    )


def rederive(
    calendar: WorkCalendar,
    cases: CaseArrays,
    *,
    previous: tuple[np.ndarray, np.ndarray] | None = None,
    now: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(due, warn) in epoch seconds for every case, `OPEN` (-1) for a paused one: the same
    answers as `derive`, a handful of numpy operations for all cases together.

    With `previous` (the stored due and warn) and `now` (epoch seconds), a deadline already
    passed stays as it was (DOMAIN.md §3.3): the breach is a fact, not re-derived."""
    n = len(cases.start)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    start, days, ext = cases.start, cases.promised_days, cases.extension_days
    anchor = np.where(days > 0, calendar.day_anchor_epoch(start), start)
    due0 = calendar.due_by_working_days_epoch(start, days)
    total = np.where(ext > 0, calendar.due_by_working_days_epoch(due0, ext), due0)
    budget = calendar.working_minutes_between_epoch(anchor, total)

    is_open = cases.pause_end == OPEN
    paused_case = np.zeros(n, bool)
    paused_case[cases.pause_case[is_open]] = True
    closed = ~is_open
    g = cases.pause_case[closed]
    a = np.maximum(cases.pause_start[closed], anchor[g])
    b = np.maximum(cases.pause_end[closed], anchor[g])
    paused = np.zeros(n)
    if g.size:
        totals = np.asarray(calendar.working_minutes_in_intervals_epoch(a, b, groups=g))
        paused[: len(totals)] = totals

    running = ~paused_case
    due = np.full(n, OPEN, np.int64)
    warn = np.full(n, OPEN, np.int64)
    if running.any():
        due_r = calendar.add_working_minutes_epoch(anchor[running], budget[running] + paused[running])
        virtual = calendar.add_working_minutes_epoch(due_r, -budget[running])
        due[running] = due_r
        warn[running] = calendar.warn_at_epoch(virtual, due_r, cases.warn_ratio)
    if previous is not None and now is not None:
        old_due, old_warn = (np.asarray(p, np.int64) for p in previous)
        passed = (old_due != OPEN) & (old_due <= now)
        due, warn = np.where(passed, old_due, due), np.where(passed, old_warn, warn)
    return due, warn
