"""Working-time maths on a compiled per-tenant calendar (pure; numpy only).

A `WorkCalendar` covers a closed range of LOCAL dates in one time zone. It is compiled into
arrays so that every question about millions of cases is a handful of numpy operations:

- `working[d]`          is local day d a working day (after all overrides)
- `segments[d, k]`      office-hours segment k of day d, (start, end) in minutes of the local day
- `cum_minutes[d]`      working minutes from the start of the range to the start of day d

Internally everything is in UTC epoch SECONDS: each segment is also stored as absolute instants,
so days that change offset (DST zones) need no special case. The core is the monotone function
F(t) = working seconds from the range start to instant t; "between" is a difference of F, "add"
is its inverse (searchsorted), a pause is F over the union of the pause intervals.

Conventions (sla.md §8, DOMAIN.md §3.3):
- DAY model: `due_by_working_days(start, n)` excludes the start's local day and is due at close
  of office on the Nth working day after it; n == 0 is an immediate case.
- An added budget that runs out exactly at a segment end resolves to that end (11:00 + 60 = 12:00).
- A warning that falls outside office hours moves to the next business instant (never at night).

Each operation has a vectorised `*_epoch` form on int64 arrays of UTC epoch seconds and a scalar
form on aware datetimes. Instants outside the calendar's range raise `ValidationFailed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from libs.common.errors import ValidationFailed

Hours = tuple[tuple[time, time], ...]
DEFAULT_HOURS: Hours = ((time(9, 0), time(12, 0)), (time(14, 0), time(17, 30)))
DEFAULT_TZ = "Asia/Shanghai"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


class DayInfo(NamedTuple):
    working: bool
    hours: Hours
    source: str  # national | county | township | weekday | weekend | provisional


@dataclass(frozen=True)
class EffectiveDays:
    """A tenant's days after national ∘ county ∘ township; the input of `WorkCalendar.from_days`."""

    off_days: frozenset[date]
    work_days: frozenset[date]
    sources: Mapping[date, str]
    provisional_years: frozenset[int]


def effective_days(
    national: Iterable,
    county_overrides: Mapping[date, bool] | None = None,
    township_overrides: Mapping[date, bool] | None = None,
) -> EffectiveDays:
    """Compose the national years with county then township overrides (True = working, False = off).

    The nearest level wins: township beats county beats national; a day none of them mentions
    follows the weekday default. `national` is an iterable of `NationalYear` (duck-typed: year,
    off_days, work_days, published) so this module stays free of the importers.
    """
    status: dict[date, bool] = {}
    sources: dict[date, str] = {}
    provisional: set[int] = set()
    for year in national:
        if not year.published:
            provisional.add(year.year)
        for day in year.off_days:
            status[day], sources[day] = False, "national"
        for day in year.work_days:
            status[day], sources[day] = True, "national"
    for level, overrides in (("county", county_overrides), ("township", township_overrides)):
        for day, working in (overrides or {}).items():
            status[day], sources[day] = bool(working), level
    return EffectiveDays(
        off_days=frozenset(d for d, w in status.items() if not w),
        work_days=frozenset(d for d, w in status.items() if w),
        sources=sources,
        provisional_years=frozenset(provisional),
    )


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _check_hours(hours: Sequence[tuple[time, time]], what: str) -> Hours:
    """Segments must be non-empty, ordered and disjoint; anything else is an admin's typo."""
    hours = tuple((start, end) for start, end in hours)
    if not hours:
        raise ValidationFailed(f"{what}: a working day needs at least one office-hours segment")
    previous_end = -1
    for start, end in hours:
        if not _minutes(start) < _minutes(end) or _minutes(start) < previous_end:
            raise ValidationFailed(f"{what}: office hours must be ordered, non-overlapping (start < end)")
        previous_end = _minutes(end)
    return hours


class WorkCalendar:
    """One tenant's compiled calendar over the local dates `first`..`last` (inclusive)."""

    def __init__(
        self,
        first: date,
        last: date,
        off_days: Iterable[date] = (),
        work_days: Iterable[date] = (),
        *,
        hours: Sequence[tuple[time, time]] = DEFAULT_HOURS,
        day_hours: Mapping[date, Sequence[tuple[time, time]]] | None = None,
        provisional_years: Iterable[int] = (),
        tz: str = DEFAULT_TZ,
        sources: Mapping[date, str] | None = None,
    ) -> None:
        if first > last:
            raise ValidationFailed("calendar range is empty (first day after last day)")
        self.first, self.last, self.tz = first, last, ZoneInfo(tz)
        self.provisional_years = frozenset(provisional_years)
        self._sources = dict(sources or {})
        off, work = set(off_days), set(work_days)
        if both := off & work:
            raise ValidationFailed(f"days both off and working: {sorted(both)[:5]}")

        days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
        self.n_days = n = len(days)
        # 1970-01-01 was a Thursday: shift so that Monday = 0.
        self.working = (days.astype(np.int64) + 3) % 7 < 5
        for day in off | work:  # overrides outside the range cannot affect it; skip them
            if first <= day <= last:
                self.working[(day - first).days] = day in work

        day_hours = {d: _check_hours(h, f"hours of {d}") for d, h in (day_hours or {}).items()}
        for day in day_hours:
            if first <= day <= last and not self.working[(day - first).days]:
                raise ValidationFailed(f"office hours given for {day}, which is not a working day")
        default = _check_hours(hours, "default office hours")
        self._hours: list[Hours] = [
            (tuple(day_hours.get(first + timedelta(d), default)) if self.working[d] else ()) for d in range(n)
        ]
        self._compile(days)

    @classmethod
    def from_days(cls, first: date, last: date, days: EffectiveDays, **kwargs) -> WorkCalendar:
        return cls(
            first,
            last,
            days.off_days,
            days.work_days,
            provisional_years=days.provisional_years,
            sources=days.sources,
            **kwargs,
        )

    # ---------------------------------------------------------------- compilation

    def _local_epoch(self, day: date, minutes: int) -> int:
        """Epoch seconds of a local wall time (zoneinfo resolves DST gaps/folds)."""
        # aware + timedelta is wall-clock arithmetic in Python, which is what office hours mean
        local = datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(minutes=minutes)
        return (local - _EPOCH) // _SECOND

    def _compile(self, days: np.ndarray) -> None:
        n = self.n_days
        width = max(1, max(len(h) for h in self._hours))
        self.segments = np.zeros((n, width, 2), dtype=np.int32)  # minutes of the local day
        self._day_start = np.empty(n + 1, dtype=np.int64)  # epoch of each local midnight
        seg = np.empty((n, width, 2), dtype=np.int64)  # the same segments as epoch seconds
        for d in range(n):
            day = self.first + timedelta(d)
            self._day_start[d] = self._local_epoch(day, 0)
            bounds = [(_minutes(s), _minutes(e)) for s, e in self._hours[d]]
            # pad with empty segments at the last end, so padding adds no time and sorts last
            pad = bounds[-1][1] if bounds else 0
            bounds += [(pad, pad)] * (width - len(bounds))
            self.segments[d] = bounds
            for k, (s, e) in enumerate(bounds):
                seg[d, k] = self._local_epoch(day, s), self._local_epoch(day, e)
        self._day_start[n] = self._local_epoch(self.last + timedelta(1), 0)

        self._seg_start = seg[..., 0]
        self._seg_len = seg[..., 1] - seg[..., 0]
        self._seg_cum = np.cumsum(self._seg_len, axis=1)  # working seconds to each segment's end
        day_len = self._seg_cum[:, -1]
        self._cum = np.concatenate(([0], np.cumsum(day_len)))  # working seconds before day d
        self._close = np.where(self.working, seg[:, :, 1].max(axis=1), 0)  # close of office
        self._work_idx = np.flatnonzero(self.working)
        self._work_rank = np.cumsum(self.working)  # working days up to and including day d
        years = days.astype("datetime64[Y]").astype(np.int64) + 1970
        provisional = np.isin(years, list(self.provisional_years))
        self._prov_cum = np.concatenate(([0], np.cumsum(provisional)))
        # Fixed-offset zones (Asia/Shanghai since 1991): day lookup is a division, not a search.
        self._uniform_days = bool(np.all(np.diff(self._day_start) == 86400))

    @property
    def cum_minutes(self) -> np.ndarray:
        """Working minutes before each day (n_days + 1 entries; the last is the range total)."""
        return self._cum // 60

    # ---------------------------------------------------------------- conversions

    def _epochs(self, t) -> np.ndarray:
        """Validate epoch seconds: int64, inside the calendar's range."""
        t = np.asarray(t, dtype=np.int64)
        if t.size and (t.min() < self._day_start[0] or t.max() >= self._day_start[-1]):
            bad = int(np.count_nonzero((t < self._day_start[0]) | (t >= self._day_start[-1])))
            raise ValidationFailed(
                f"{bad} instant(s) outside the working-day calendar ({self.first}..{self.last})"
            )
        return t

    def _day_of(self, t: np.ndarray) -> np.ndarray:
        """Index of the LOCAL day of each (validated) instant."""
        if self._uniform_days:
            return (t - self._day_start[0]) // 86400
        return np.searchsorted(self._day_start, t, side="right") - 1

    def _to_epoch(self, value: datetime) -> int:
        if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise ValidationFailed("instants must be timezone-aware datetimes")
        return (value - _EPOCH) // _SECOND

    def _to_datetime(self, epoch) -> datetime:
        return datetime.fromtimestamp(int(epoch), self.tz)

    def _index(self, day: date) -> int:
        if not self.first <= day <= self.last:
            raise ValidationFailed(f"{day} is outside the working-day calendar ({self.first}..{self.last})")
        return (day - self.first).days

    # ---------------------------------------------------------------- the F function and its inverse

    def _worked(self, t: np.ndarray) -> np.ndarray:
        """F(t): working seconds from the range start to each instant."""
        d = self._day_of(t)
        inside = np.clip(t[..., None] - self._seg_start[d], 0, self._seg_len[d]).sum(axis=-1)
        return self._cum[d] + inside

    def _instant(self, target: np.ndarray, at_end: bool) -> np.ndarray:
        """Inverse of F. at_end: the earliest instant with F == target (a budget ending exactly at a
        segment end stays there). Otherwise the next business instant, i.e. where F starts to
        exceed target (moves a segment end / a gap to the next segment start)."""
        target = np.asarray(target, dtype=np.int64)
        d = np.searchsorted(self._cum[1:], target, side="left" if at_end else "right")
        if target.size and (target.min() < 0 or d.max() >= self.n_days):
            raise ValidationFailed(
                f"result falls outside the working-day calendar ({self.first}..{self.last})"
            )
        rest = target - self._cum[d]  # working seconds still to go inside day d
        cum = self._seg_cum[d]
        k = (cum < rest[..., None]) if at_end else (cum <= rest[..., None])
        k = k.sum(axis=-1)[..., None]
        start = np.take_along_axis(self._seg_start[d], k, axis=-1)[..., 0]
        before = np.take_along_axis(cum, k, axis=-1) - np.take_along_axis(self._seg_len[d], k, axis=-1)
        return start + rest - before[..., 0]

    # ---------------------------------------------------------------- vectorised API (epoch seconds)

    def due_by_working_days_epoch(self, starts, n) -> np.ndarray:
        """DAY model: close of office on the nth working day after each start's local date.
        n == 0 (immediate case): today's close if today is working and not yet closed, else the
        next working day's close."""
        t, n = np.broadcast_arrays(self._epochs(starts), np.asarray(n, dtype=np.int64))
        if n.size and n.min() < 0:
            raise ValidationFailed("a number of working days cannot be negative")
        d = self._day_of(t)
        rank = self._work_rank[d]  # working days up to today; work_idx[rank] is the next one
        open_today = self.working[d] & (t < self._close[d])
        idx = np.where(n == 0, rank - open_today, rank + n - 1)
        if idx.size and idx.max() >= len(self._work_idx):
            raise ValidationFailed(f"deadline falls after the calendar's last day ({self.last})")
        return self._close[self._work_idx[idx]]

    def day_anchor_epoch(self, starts) -> np.ndarray:
        """Where the DAY model's minute budget starts: the local midnight after each start."""
        return self._day_start[self._day_of(self._epochs(starts)) + 1]

    def working_minutes_between_epoch(self, t1, t2) -> np.ndarray:
        """Working minutes in [t1, t2) (negative if t2 < t1)."""
        return (self._worked(self._epochs(t2)) - self._worked(self._epochs(t1))) / 60

    def add_working_minutes_epoch(self, t, minutes) -> np.ndarray:
        """The earliest instant at which `minutes` working minutes after t have elapsed."""
        seconds = np.rint(np.asarray(minutes, dtype=np.float64) * 60).astype(np.int64)
        t, seconds = np.broadcast_arrays(self._epochs(t), seconds)
        due = self._instant(self._worked(t) + seconds, at_end=True)
        return np.where(seconds == 0, t, due)  # adding nothing never moves the instant

    def working_minutes_in_intervals_epoch(self, starts, ends, groups=None) -> np.ndarray | float:
        """Working minutes covered by the UNION of intervals [start, end) — overlapping pauses
        count once. With `groups` (non-negative ints, e.g. a case index) returns one total per
        group (length max(groups) + 1); otherwise one total."""
        s, e = self._epochs(starts).ravel(), self._epochs(ends).ravel()
        if s.shape != e.shape:
            raise ValidationFailed("interval starts and ends differ in length")
        if np.any(e < s):
            raise ValidationFailed("an interval ends before it starts")
        g = np.zeros(len(s), np.int64) if groups is None else np.asarray(groups, np.int64).ravel()
        if len(g) != len(s) or (g.size and g.min() < 0):
            raise ValidationFailed("groups must be one non-negative integer per interval")
        if not s.size:
            return 0.0 if groups is None else np.zeros(0)
        # Shift each group into its own time band so one running maximum serves every group.
        band = (self._day_start[-1] - self._day_start[0] + 1) * g
        order = np.lexsort((s, g))
        s, e, band, g = s[order] + band[order], e[order] + band[order], band[order], g[order]
        covered = np.concatenate(([np.iinfo(np.int64).min], np.maximum.accumulate(e)[:-1]))
        # each interval only adds what lies beyond everything before it in its group
        lo, hi = np.maximum(s, covered) - band, np.maximum(e, covered) - band
        minutes = (self._worked(hi) - self._worked(lo)) / 60
        totals = np.bincount(g, weights=minutes, minlength=1 if groups is None else 0)
        return float(totals[0]) if groups is None else totals

    def warn_at_epoch(self, start, due, ratio: float) -> np.ndarray:
        """When `ratio` of the working time from start (the clock's start: for the DAY model the
        day anchor) to due is used, moved to the next business instant; never after due."""
        if not 0 <= ratio <= 1:
            raise ValidationFailed("warning ratio must be between 0 and 1")
        start, due = np.broadcast_arrays(self._epochs(start), self._epochs(due))
        f_start, f_due = self._worked(start), self._worked(due)
        if np.any(f_due < f_start):
            raise ValidationFailed("due is before start")
        target = f_start + np.ceil(ratio * (f_due - f_start)).astype(np.int64)
        warn = due.copy()
        early = target < f_due  # otherwise the warning coincides with the deadline
        warn[early] = self._instant(target[early], at_end=False)
        return warn

    def is_provisional_epoch(self, t1, t2) -> np.ndarray:
        """True where the local days from t1 to t2 touch a provisional (unpublished) year."""
        d1, d2 = self._day_of(self._epochs(t1)), self._day_of(self._epochs(t2))
        lo, hi = np.minimum(d1, d2), np.maximum(d1, d2)
        return self._prov_cum[hi + 1] - self._prov_cum[lo] > 0

    # ---------------------------------------------------------------- scalar API (aware datetimes)

    def due_by_working_days(self, start: datetime, n: int) -> datetime:
        return self._to_datetime(self.due_by_working_days_epoch(self._to_epoch(start), n))

    def day_anchor(self, start: datetime) -> datetime:
        return self._to_datetime(self.day_anchor_epoch(self._to_epoch(start)))

    def working_minutes_between(self, t1: datetime, t2: datetime) -> float:
        return float(self.working_minutes_between_epoch(self._to_epoch(t1), self._to_epoch(t2)))

    def add_working_minutes(self, t: datetime, minutes: float) -> datetime:
        return self._to_datetime(self.add_working_minutes_epoch(self._to_epoch(t), minutes))

    def working_minutes_in_intervals(self, intervals: Iterable[tuple[datetime, datetime]]) -> float:
        pairs = [(self._to_epoch(a), self._to_epoch(b)) for a, b in intervals]
        if not pairs:
            return 0.0
        starts, ends = zip(*pairs, strict=True)
        return float(self.working_minutes_in_intervals_epoch(starts, ends))

    def warn_at(self, start: datetime, due: datetime, ratio: float) -> datetime:
        return self._to_datetime(self.warn_at_epoch(self._to_epoch(start), self._to_epoch(due), ratio))

    def is_provisional(self, t1: datetime, t2: datetime) -> bool:
        return bool(self.is_provisional_epoch(self._to_epoch(t1), self._to_epoch(t2)))

    def local_date(self, t: datetime) -> date:
        """The calendar day of an instant (a LOCAL date, whatever the server's zone)."""
        return self.first + timedelta(int(self._day_of(self._epochs(self._to_epoch(t)))))

    def day_info(self, day: date) -> DayInfo:
        d = self._index(day)
        working = bool(self.working[d])
        source = self._sources.get(day)
        if source is None:
            weekday = "weekday" if day.weekday() < 5 else "weekend"
            source = "provisional" if day.year in self.provisional_years else weekday
        return DayInfo(working, self._hours[d], source)
