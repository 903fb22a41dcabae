"""The national China calendar of a year: imported from `holidays`, cross-checked against
`chinesecalendar` (sla.md §5).

- Only the PUBLIC category closes offices; HALF_DAY days (妇女节, 青年节 …) concern some groups
  of people only (T11).
- Adjusted working weekends (调休上班) come from `weekend_workdays`, which also holds the
  cross-year ones (e.g. Sat 2005-12-31, worked for the 2006 New Year; T12).
- A year is *published* when the State Council notice is in `holidays`' static table. For any
  other year `holidays` silently estimates days off; we never use that estimate: the year is
  *provisional* and is weekends-only (DOMAIN.md §5), apart from working weekends that a
  published neighbouring year's notice puts into it.
- The libraries are importers only: nothing here is called at request time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
import holidays
from holidays.countries.china import ChinaStaticHolidays

from libs.common.calendar.maths import WorkCalendar, effective_days


@dataclass(frozen=True)
class Disagreement:
    """A day on which the two sources disagree; a human decides (sla.md §5.1)."""

    day: date
    holidays_working: bool
    chinesecalendar_working: bool


@dataclass(frozen=True)
class NationalYear:
    year: int
    off_days: frozenset[date]  # statutory days off (PUBLIC), weekdays or not
    work_days: frozenset[date]  # weekend days that are working days (调休上班)
    published: bool  # False: provisional, weekends only
    disagreements: list[Disagreement] = field(default_factory=list)
    cross_checked: bool = False  # chinesecalendar has data for this year

    def is_working(self, day: date) -> bool:
        if day in self.work_days:
            return True
        return day.weekday() < 5 and day not in self.off_days


def is_published(year: int) -> bool:
    """Is the State Council notice for `year` in the installed `holidays` data?"""
    return year in ChinaStaticHolidays.special_public_holidays


def published_years() -> list[int]:
    """The years whose State Council notice the installed `holidays` data holds."""
    return sorted(ChinaStaticHolidays.special_public_holidays)


def national_year(year: int) -> NationalYear:
    published = is_published(year)
    china = holidays.China(years=year, categories=(holidays.PUBLIC,))
    # weekend_workdays also lists cross-year days of other years: keep this year's only
    work_days = frozenset(d for d in china.weekend_workdays if d.year == year)
    off_days = frozenset(d for d in china if d.year == year) if published else frozenset()
    result = NationalYear(year, off_days, work_days, published)
    disagreements = _cross_check(result)
    if disagreements is None:
        return result
    return NationalYear(year, off_days, work_days, published, disagreements, cross_checked=True)


def _cross_check(ours: NationalYear) -> list[Disagreement] | None:
    """Day-by-day comparison with chinesecalendar; None when it has no data for the year."""
    day, end = date(ours.year, 1, 1), date(ours.year + 1, 1, 1)
    found: list[Disagreement] = []
    try:
        while day < end:
            theirs = chinese_calendar.is_workday(day)
            if theirs != ours.is_working(day):
                found.append(Disagreement(day, ours.is_working(day), theirs))
            day += timedelta(1)
    except NotImplementedError:  # chinesecalendar fails loudly for unknown years
        return None
    return found


def tenant_calendar(
    first_year: int,
    last_year: int,
    county_overrides: Mapping[date, bool] | None = None,
    township_overrides: Mapping[date, bool] | None = None,
    **kwargs,
) -> WorkCalendar:
    """A compiled calendar for whole years: national ∘ county ∘ township, unpublished years
    provisional. `kwargs` go to `WorkCalendar` (hours, day_hours, tz)."""
    years = [national_year(y) for y in range(first_year, last_year + 1)]
    days = effective_days(years, county_overrides, township_overrides)
    return WorkCalendar.from_days(date(first_year, 1, 1), date(last_year, 12, 31), days, **kwargs)
