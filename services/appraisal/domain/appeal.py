"""Appeals (復核, DOMAIN.md §7.5; seed 001 第三十一條) — pure.

The subject of a score event (a staff member for their own events; a window's staff for the
window's) may appeal it within `appeal_days` working days (default 5) of the day it was recorded;
the appraisal group decides, with a reason: `upheld` withdraws the event and the period is
re-computed (a new scoring run, the old one kept), `rejected` keeps it. Nobody judges their own
appeal: not the one who filed it, not the subject, not whoever recorded the event.
States: pending → upheld | rejected (a decided appeal is final: InvalidTransition)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from libs.common.errors import Forbidden, InvalidTransition, ValidationFailed

PENDING, UPHELD, REJECTED = "pending", "upheld", "rejected"
MAX_REASON = 2000


@dataclass(frozen=True)
class Appeal:
    id: str
    event_id: str
    reason: str
    filed_by: str
    filed_at: datetime
    state: str = PENDING
    decision_reason: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None

    def decide(self, upheld: bool, reason: str, by: str, at: datetime, *, not_by: set[str]) -> Appeal:
        if self.state != PENDING:
            raise InvalidTransition(f"appeal {self.id} is already {self.state}")
        if by in not_by:
            raise Forbidden(
                "nobody judges their own appeal (the appellant, the subject, the event's recorder)"
            )
        text = _reason(reason, "reason")
        return replace(self, state=UPHELD if upheld else REJECTED, decision_reason=text, decided_by=by,
                       decided_at=at)  # fmt: skip


def _reason(reason: object, what: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed(f"{what}: required", field=what)
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"{what}: at most {MAX_REASON} characters", field=what)
    return reason.strip()


def deadline(recorded_on: date, appeal_days: int, is_working: Callable[[date], bool]) -> date:
    """The last day to appeal: the `appeal_days`-th working day after the day of recording."""
    day, left = recorded_on, appeal_days
    while left > 0:
        day += timedelta(days=1)
        if is_working(day):
            left -= 1
    return day


def file(
    appeal_id: str, event_id: str, reason: str, by: str, at: datetime, *, today: date, last_day: date,
    event_active: bool,
) -> Appeal:  # fmt: skip
    if not event_active:
        raise InvalidTransition(f"score event {event_id} is withdrawn already")
    if today > last_day:
        raise InvalidTransition(f"the appeal window closed on {last_day.isoformat()}")
    return Appeal(appeal_id, event_id, _reason(reason, "reason"), by, at)
