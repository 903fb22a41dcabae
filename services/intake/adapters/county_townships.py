"""The townships of a county, as intake's tenant projection knows them, for the handlers of
county-wide events (a calendar change, a catalogue template item). They run in the county scope
`<county>.*`, where row-level security hides the townships' rows; migration 0009's policy
`tenant_county_listing` shows the county's tenant rows while the transaction sets
`app.county_townships = 'on'`, which is done for this one query only."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from libs.common import db
from services.intake.adapters import tables

COUNTY_TOWNSHIPS_SETTING = "app.county_townships"  # migration 0009's listing policy


def townships_of(session: Session, county: str, *, active_only: bool = False) -> list[str]:
    """The county's townships (only the active ones with `active_only`), sorted."""
    tenant = tables.tenant
    query = sa.select(tenant.c.tenant_id).where(tenant.c.tenant_id.startswith(f"{county}.", autoescape=True))
    if active_only:
        query = query.where(tenant.c.status == "active")
    db.set_local(session, COUNTY_TOWNSHIPS_SETTING, "on")
    try:
        return sorted(session.execute(query).scalars())
    finally:
        db.set_local(session, COUNTY_TOWNSHIPS_SETTING, "off")
