"""Intake's own view of the working-day calendar (DOMAIN.md §5, ARCHITECTURE.md §5).

The gateway owns the calendar; intake keeps a projection of it from the gateway's events so that
the clock never calls the gateway at request time. The mechanism (versioned, idempotent handlers
and the national ∘ county ∘ township compile step, cached by the levels' versions) is shared with
notify: libs.common.calendar_projection. Here it is bound to intake's tables (migration 0006).

The handlers return True when the projection changed; handlers.py then re-derives the deadlines
of the open cases (deadlines.on_calendar_changed).
"""

from __future__ import annotations

from libs.common.calendar_projection import (
    COUNTY,
    NATIONAL,
    TOWNSHIP,
    CalendarProjection,
    CalendarTables,
)
from services.intake.adapters import tables

__all__ = [
    "COUNTY",
    "NATIONAL",
    "PROJECTION",
    "TOWNSHIP",
    "on_calendar_day_changed",
    "on_national_calendar_imported",
    "tenant_calendar",
]

PROJECTION = CalendarProjection(
    CalendarTables(tables.calendar_day, tables.calendar_year, tables.calendar_version), tables.settings
)

on_national_calendar_imported = PROJECTION.on_national_calendar_imported
on_calendar_day_changed = PROJECTION.on_calendar_day_changed
# tenant_calendar(session, tenant, first_year=None, last_year=None) -> WorkCalendar
tenant_calendar = PROJECTION.tenant_calendar
