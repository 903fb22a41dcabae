"""Visits (问事, 三必访; DOMAIN.md §6.3 step 1): agents visit the priority households of their zone
every round — seed 002 篇10 (四) "每两周对责任区内的居民群众普遍走访1次", 篇6 二(五) "困难户必访" —
the round is the tenant setting `visit_round_days` (default 14).

Pure rules: a visit names its household, when it happened (not in the future: a visit is recorded
after it, with `MAX_CLOCK_SKEW` of leeway for a phone's clock), the needs found (short texts) and a
note. A priority household is due on `day` when it was never visited, or when `round_days` or
more days have passed since the (county-local) day of its last visit: the round is over."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from libs.common.errors import ValidationFailed
from libs.common.text import check_text

DEFAULT_ROUND_DAYS = 14
MAX_NEEDS, MAX_NEED, MAX_NOTE = 20, 200, 2000
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_AGE = timedelta(days=366)


@dataclass(frozen=True)
class Visit:
    id: str
    household_id: str
    agent: str
    at: datetime
    needs: tuple[str, ...]
    note: str
    recorded_at: datetime


def checked(at: datetime, needs: Iterable[str], note: str, now: datetime) -> tuple[tuple[str, ...], str]:
    """The visit's needs and note, validated, with its time against `now`."""
    if at.tzinfo is None:
        raise ValidationFailed("at: a time with its offset")
    if at > now + MAX_CLOCK_SKEW:
        raise ValidationFailed("at: a visit is recorded after it happened, not in the future")
    if at < now - MAX_AGE:
        raise ValidationFailed("at: a visit more than a year ago is not recorded")
    kept = tuple(n.strip() for n in needs)
    if len(kept) > MAX_NEEDS:
        raise ValidationFailed(f"needs: at most {MAX_NEEDS}")
    for n in kept:
        check_text(n, "a need", MAX_NEED)
    note = (note or "").strip()
    check_text(note, "note", MAX_NOTE, required=False)
    return kept, note


def round_days(value: object) -> int:
    """The setting's value, or the default when it is missing or not a positive whole number."""
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else DEFAULT_ROUND_DAYS
    )


def days_since(last: datetime | None, day: date, tz: ZoneInfo) -> int | None:
    """Whole days from the local day of `last` to `day` (None: never visited)."""
    return None if last is None else (day - last.astimezone(tz).date()).days


def is_due(last: datetime | None, day: date, rounds: int, tz: ZoneInfo) -> bool:
    since = days_since(last, day, tz)
    return since is None or since >= rounds
