"""A township for the workforce tests on the migrated database: staff in appraisal's directory
projection (two windows with A/B posts, a centre head, a township leader, the admin), the national
calendar of 2025 in its county's calendar projection, and the appraisal outbox to read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from libs.common import db
from libs.common.calendar import national_year
from libs.common.messaging import Envelope, tables_for
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.appraisal.adapters import tables
from services.appraisal.service_layer import calendar

STAFF = {
    "zhang": ["window_staff"],  # w1 A
    "li": ["window_staff"],  # w1 B
    "wang": ["window_staff"],  # w2 A, no B
    "head": ["centre_head"],
    "lead": ["township_leader"],
    "admin": ["township_admin"],
    "gone": ["window_staff"],  # inactive
}


def who(tenant: str, username: str, *roles: str) -> Principal:
    return Principal(username, frozenset(roles or STAFF[username]), frozenset({tenant}), tenant.split(".")[0])


def township(runtime: Runtime, tenant: str, *, settings: dict | None = None) -> str:
    county, code = tenant.split(".")
    now = datetime.now(UTC)
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.tenant.insert().values(
                tenant_id=tenant, county=county, code=code, name=code, onboarded_at=now
            )
        )
        for username, roles in STAFF.items():
            s.execute(
                tables.staff.insert().values(
                    tenant_id=tenant, username=username, roles=roles, active=username != "gone", event_at=now
                )
            )
        s.execute(
            tables.window.insert().values(
                tenant_id=tenant,
                code="w1",
                name="民政",
                post_a="zhang",
                post_b="li",
                event_at=now,
                posts_at=now,
            )
        )
        s.execute(
            tables.window.insert().values(
                tenant_id=tenant, code="w2", name="计生", post_a="wang", event_at=now, posts_at=now
            )
        )
        if settings is not None:
            s.execute(tables.settings.insert().values(tenant_id=tenant, other=settings, updated_at=now))
    year = national_year(2025)
    days = [{"date": d.isoformat(), "working": False} for d in sorted(year.off_days)]
    days += [{"date": d.isoformat(), "working": True} for d in sorted(year.work_days)]
    envelope = Envelope.new(
        source="gateway",
        event_type="national_calendar_imported",
        tenant_id=f"{county}.*",
        data={"year": 2025, "published": True, "version": 1, "days": days},
    )
    with db.transaction(runtime.sessions, f"{county}.*") as s:
        calendar.on_national_calendar_imported(envelope, s)
    return tenant


def township_day_off(runtime: Runtime, tenant: str, day: date, version: int = 1) -> None:
    """A township override: `day` is off (a local festival)."""
    envelope = Envelope.new(
        source="gateway",
        event_type="calendar_day_changed",
        tenant_id=tenant,
        data={"day": {"date": day.isoformat(), "kind": "DAY_KIND_OFF"}, "version": version},
    )
    with db.transaction(runtime.sessions, tenant) as s:
        calendar.on_calendar_day_changed(envelope, s)


def events(runtime: Runtime, tenant: str, *types: str) -> list[dict]:
    outbox = tables_for("appraisal").outbox
    query = sa.select(outbox.c.event_type, outbox.c.payload).order_by(outbox.c.id)
    with db.transaction(runtime.sessions, tenant) as s:
        rows = [dict(r) for r in s.execute(query).mappings()]
    return [r for r in rows if not types or r["event_type"] in types]


def count(runtime: Runtime, tenant: str, table: sa.Table) -> int:
    with db.transaction(runtime.sessions, tenant) as s:
        return int(s.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
