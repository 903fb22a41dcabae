"""Appraisal's copy of the working-day calendar and of the settings (DOMAIN.md §5, §8): leaves
count working days on the township's own calendar (national ∘ county ∘ township — a statutory
holiday inside a leave does not count, an adjusted working weekend 调休 does), sign-ins are taken
and judged on working days only, against the tenant's sign-in times. The same projections as
intake's and notify's (libs.common.calendar_projection, directory_projection.settings_table), on
appraisal's tables (migration 0008), fed by the gateway's `national_calendar_imported`,
`calendar_day_changed` and `settings_changed`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from libs.common import directory_projection as directory
from libs.common.calendar_projection import CalendarProjection, CalendarTables
from libs.common.messaging import Envelope
from libs.common.messaging.envelope import county_scope
from libs.common.tenancy import county_of
from services.appraisal.adapters import tables
from services.appraisal.domain import attendance

PROJECTION = CalendarProjection(
    CalendarTables(tables.calendar_day, tables.calendar_year, tables.calendar_version), tables.settings
)


def on_national_calendar_imported(envelope: Envelope, session: Session) -> None:
    PROJECTION.on_national_calendar_imported(envelope, session)


def on_calendar_day_changed(envelope: Envelope, session: Session) -> None:
    PROJECTION.on_calendar_day_changed(envelope, session)


on_settings_changed = directory.settings_changed(tables.settings)

# tenant_calendar(session, tenant, first_year=None, last_year=None, *, default_tz=None)
tenant_calendar = PROJECTION.tenant_calendar


def sign_in_slots(session: Session, tenant: str) -> attendance.Slots:
    """The township's sign-in times (its settings, else its county's, else 08:30 and 14:30)."""
    st = tables.settings
    rows: dict[str, Any] = dict(
        session.execute(
            sa.select(st.c.tenant_id, st.c.other).where(
                st.c.tenant_id.in_((tenant, county_scope(county_of(tenant))))
            )
        ).all()
    )
    for scope in (tenant, county_scope(county_of(tenant))):
        times = (rows.get(scope) or {}).get("sign_in_times")
        if times:
            return attendance.slots(times)
    return attendance.slots(None)
