"""The deadline sweep's decisions (pure): when it may run, and which colour step a case is due.

The colour itself is the clock's rule (`clock.colour`). The sweep keeps, per case, the last
colour it recorded (the mark) and emits one event per step up:

- Only the newest step is emitted. A case whose colour went green → yellow → overdue between two
  runs (overnight, say) gets ONE event, overdue with previous colour yellow: by then the
  intermediate "due today" is stale news, and a handler must not be told twice about one case.
- A colour lower than the mark (the deadline moved later: an extension, a re-derivation after a
  holiday was published) lowers the mark without an event, so the next step up is told again.
- The sweep runs only in the township's office hours on a working day: warnings are for people
  at work (ARCHITECTURE.md §5); the first in-hours run catches up.
"""

from __future__ import annotations

from datetime import datetime

from libs.common.calendar import WorkCalendar
from libs.common.errors import ValidationFailed
from services.intake.domain import clock
from services.intake.domain.clock import GREEN, OVERDUE, RED, YELLOW

COLOURS = (GREEN, YELLOW, RED, OVERDUE)  # in order of severity
_RANK = {c: i for i, c in enumerate(COLOURS)}


def rank(colour: str | None) -> int:
    """Severity of a colour; no mark (None) counts as green."""
    return _RANK[colour or GREEN]


def step(marked: str | None, current: str) -> tuple[str | None, bool]:
    """(the mark to store, whether to emit an event) for a case marked `marked` whose colour is
    now `current`. The mark to store is None when nothing changes."""
    if rank(current) > rank(marked):
        return current, True
    if rank(current) < rank(marked):
        return current, False  # the deadline moved later: lower the mark quietly
    return None, False


def due_step(
    marked: str | None, due_at: datetime, warn_at: datetime | None, calendar: WorkCalendar, at: datetime
) -> tuple[str | None, bool]:
    """`step` for a running case with this deadline and warning, judged at `at` by the clock's
    colour rule."""
    running = clock.Clock(clock.RUNNING, 0, due_at=due_at, warn_at=warn_at or due_at)
    return step(marked, clock.colour(running, calendar, at))


def in_office_hours(calendar: WorkCalendar, at: datetime) -> bool:
    """Whether `at` falls inside the office hours of a working day of the calendar (its own
    time zone; an instant outside the calendar's range is not)."""
    try:
        info = calendar.day_info(calendar.local_date(at))
    except ValidationFailed:  # outside the compiled range
        return False
    local = at.astimezone(calendar.tz).time()
    return info.working and any(start <= local < end for start, end in info.hours)


def aware(at: datetime) -> datetime:
    """`at`, refused unless timezone-aware (a deadline job judges instants, not wall-clock times)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationFailed("the sweep's instant must be timezone-aware")
    return at
