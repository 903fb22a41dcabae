"""A township's settings (office hours, trip days, warning ratio, …): the defaults written at
onboarding, reads, and validated changes that publish `SettingsChanged` in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import NotFound
from libs.common.messaging import outbox
from libs.common.tenancy import Principal
from services.gateway.adapters import settings_proto, tables
from services.gateway.domain.organisation import default_settings, patch_settings, require_township_admin


def get_settings(sessions: sessionmaker[Session], tenant: str) -> dict[str, Any]:
    """The tenant's effective settings: `office_hours` ([["09:00", "12:00"], …], local wall-clock
    times in `time_zone`), `trip_days`, `warn_ratio`, … (the keys of `default_settings`).

    For internal callers (the calendar, the gRPC DirectoryService): no access check here."""
    with db.transaction(sessions, tenant) as s:
        return _read(s, tenant)


def patch(sessions: sessionmaker[Session], principal: Principal, tenant: str, changes: dict) -> dict:
    """Apply `changes` (validated, all or nothing) and record `SettingsChanged`."""
    require_township_admin(principal, tenant)
    with db.transaction(sessions, tenant) as s:
        current = _read(s, tenant, for_update=True)
        new = patch_settings(current, changes)
        values = {**new, "updated_at": datetime.now(UTC), "updated_by": principal.username}
        upsert = insert(tables.tenant_settings).values(tenant_id=tenant, **values)
        s.execute(upsert.on_conflict_do_update(index_elements=["tenant_id"], set_=values))
        outbox.record(
            s,
            source="gateway",
            tenant_id=tenant,
            message_or_type=settings_proto.settings_changed(new),
        )
    return new


def insert_defaults(s: Session, tenant: str, county: str, created_by: str) -> None:
    """Write the default settings of a new township, in the onboarding transaction."""
    time_zone = s.execute(sa.select(tables.county.c.timezone).where(tables.county.c.code == county)).scalar()
    s.execute(
        sa.insert(tables.tenant_settings).values(
            tenant_id=tenant, updated_by=created_by, **default_settings(time_zone or "Asia/Shanghai")
        )
    )


def _read(s: Session, tenant: str, *, for_update: bool = False) -> dict[str, Any]:
    query = sa.select(tables.tenant_settings)
    row = s.execute(query.with_for_update() if for_update else query).mappings().first()
    if row is not None:
        return {key: row[key] for key in default_settings("")}
    # a township onboarded before settings existed has the defaults (written on its first change)
    county = s.execute(
        sa.select(tables.county.c.timezone)
        .join(tables.township, tables.township.c.county == tables.county.c.code)
        .where(tables.township.c.id == tenant)
    ).first()
    if county is None:
        raise NotFound(f"no township {tenant}")
    return default_settings(county.timezone)
