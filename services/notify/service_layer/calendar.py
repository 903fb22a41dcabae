"""Notify's copy of the working-day calendar, for quiet hours (DOMAIN.md §10): a non-urgent SMS
waits for office hours on a working day of the township's own calendar — national ∘ county ∘
township, so a county's local festival holds it and a township's adjusted working Saturday lets it
go. The same projection as intake's (libs.common.calendar_projection), on notify's tables
(migration 0005), fed by the gateway's `national_calendar_imported` and `calendar_day_changed`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from libs.common.calendar_projection import CalendarProjection, CalendarTables
from libs.common.messaging import Envelope
from services.notify.adapters import tables

PROJECTION = CalendarProjection(
    CalendarTables(tables.calendar_day, tables.calendar_year, tables.calendar_version), tables.settings
)


def on_national_calendar_imported(envelope: Envelope, session: Session) -> None:
    PROJECTION.on_national_calendar_imported(envelope, session)


def on_calendar_day_changed(envelope: Envelope, session: Session) -> None:
    PROJECTION.on_calendar_day_changed(envelope, session)


# tenant_calendar(session, tenant, first_year=None, last_year=None, *, default_tz=None)
tenant_calendar = PROJECTION.tenant_calendar
