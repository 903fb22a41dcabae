"""Working-day calendar: the national import (`national`) and the compiled maths (`maths`)."""

from libs.common.calendar.maths import (
    DEFAULT_HOURS,
    DEFAULT_TZ,
    DayInfo,
    EffectiveDays,
    WorkCalendar,
    effective_days,
)
from libs.common.calendar.national import (
    Disagreement,
    NationalYear,
    is_published,
    national_year,
    published_years,
    tenant_calendar,
)

__all__ = [
    "DEFAULT_HOURS",
    "DEFAULT_TZ",
    "DayInfo",
    "Disagreement",
    "EffectiveDays",
    "NationalYear",
    "WorkCalendar",
    "effective_days",
    "is_published",
    "national_year",
    "published_years",
    "tenant_calendar",
]
