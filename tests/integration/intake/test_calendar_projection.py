"""Intake's calendar projection on the migrated database (services/intake/service_layer/calendar.py):
the gateway's calendar events in, a township's compiled `WorkCalendar` out — national ∘ county ∘
township, office hours from the settings projection, idempotent and versioned (sla.md T13, T14)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa
from bianmin.gateway.v1 import calendar_pb2, events_pb2, settings_pb2
from google.protobuf.message import Message

from libs.common import db
from libs.common.calendar import WorkCalendar
from libs.common.messaging import Envelope, county_scope
from libs.common.messaging.consumer import consume
from libs.common.messaging.envelope import data_of, event_type_of
from libs.common.runtime import Runtime
from services.gateway.service_layer.calendars import import_national_year
from services.intake.entrypoints.service import SERVICE
from services.intake.service_layer.calendar import tenant_calendar

pytestmark = pytest.mark.integration

CST = timezone(timedelta(hours=8))
SUBSCRIPTIONS = {s.event_type: s for s in SERVICE.subscriptions() if s.source == "gateway"}
SANYUESAN = date(2026, 4, 20)  # a Monday: the county's local holiday (三月三)
SATURDAY = date(2026, 3, 7)


@pytest.fixture
def county() -> str:
    return f"c{uuid.uuid4().hex[:10]}"


def envelope(message: Message, tenant: str) -> Envelope:
    return Envelope.new(
        source="gateway", event_type=event_type_of(message), tenant_id=tenant, data=data_of(message)
    )


def deliver(runtime: Runtime, env: Envelope) -> None:
    """Through intake's real subscription (inbox, tenant-scoped transaction), as the relay would."""
    outcome = consume(env, SUBSCRIPTIONS[env.event_type], runtime.sessions)
    assert outcome in ("processed", "duplicate"), outcome


def again(env: Envelope) -> Envelope:
    """The same event content under a new event id: past the inbox, straight to the handler."""
    return Envelope.new(source=env.source, event_type=env.event_type, tenant_id=env.tenant_id, data=env.data)


def calendar_of(runtime: Runtime, tenant: str) -> WorkCalendar:
    with db.transaction(runtime.sessions, tenant) as s:
        return tenant_calendar(s, tenant, 2026, 2027)


def imported_2026(runtime: Runtime, county: str) -> Envelope:
    """What the gateway really publishes when the county imports 2026 (read from its outbox)."""
    import_national_year(runtime.sessions, 2026, county)
    with db.transaction(runtime.ops_sessions, None) as s:
        payload = s.execute(
            sa.text(
                "SELECT payload FROM gateway.outbox WHERE tenant_id = :t "
                "AND event_type = 'national_calendar_imported' ORDER BY id DESC LIMIT 1"
            ),
            {"t": county_scope(county)},
        ).scalar_one()
    return Envelope.new(
        source="gateway",
        event_type="national_calendar_imported",
        tenant_id=county_scope(county),
        data=payload,
    )


def override(county: str, day: date, working: bool, version: int, *, removed: bool = False) -> Message:
    return events_pb2.CalendarDayChanged(
        county=county,
        day=calendar_pb2.CalendarOverride(
            date=day.isoformat(),
            kind=calendar_pb2.DAY_KIND_WORK if working else calendar_pb2.DAY_KIND_OFF,
            reason="test",
        ),
        removed=removed,
        version=version,
    )


def test_national_import_then_overrides_compile_per_township(runtime: Runtime, county: str) -> None:
    a, b = f"{county}.napo", f"{county}.tianzhou"
    deliver(runtime, imported_2026(runtime, county))
    cal = calendar_of(runtime, a)
    assert cal.day_info(date(2026, 9, 20)).working is True  # Sun 09-20: adjusted working day
    assert cal.day_info(date(2026, 10, 1)).working is False
    assert 2027 in cal.provisional_years and 2026 not in cal.provisional_years
    assert cal.day_info(date(2026, 3, 2)).hours == ((time(9), time(12)), (time(14), time(17, 30)))
    # T1: Fri 09-18 17:45, 1 working day → the adjusted Sunday
    assert cal.due_by_working_days(datetime(2026, 9, 18, 17, 45, tzinfo=CST), 1) == datetime(
        2026, 9, 20, 17, 30, tzinfo=CST
    )

    # the county adds a local holiday: every township; township a adds a working Saturday: a only
    deliver(runtime, envelope(override(county, SANYUESAN, False, 1), county_scope(county)))
    deliver(runtime, envelope(override(county, SATURDAY, True, 1), a))
    cal_a, cal_b = calendar_of(runtime, a), calendar_of(runtime, b)
    assert cal_a.day_info(SANYUESAN).working is False and cal_b.day_info(SANYUESAN).working is False
    assert cal_a.day_info(SANYUESAN).source == "county"
    assert cal_a.day_info(SATURDAY).working is True and cal_a.day_info(SATURDAY).source == "township"
    assert cal_b.day_info(SATURDAY).working is False

    # removing the township's override later brings the day back to the default (T14)
    deliver(runtime, envelope(override(county, SATURDAY, True, 2, removed=True), a))
    assert calendar_of(runtime, a).day_info(SATURDAY).working is False


def test_duplicate_and_older_events_change_nothing(runtime: Runtime, county: str) -> None:
    a = f"{county}.napo"
    national = imported_2026(runtime, county)
    deliver(runtime, national)
    newer = envelope(override(county, SANYUESAN, False, 3), county_scope(county))
    deliver(runtime, newer)
    before = calendar_of(runtime, a)
    deliver(runtime, national)  # a redelivery: the inbox knows it
    deliver(runtime, again(national))  # the same content as a new event: the handler ignores it
    deliver(runtime, again(newer))
    deliver(runtime, envelope(override(county, SANYUESAN, True, 2), county_scope(county)))  # late, older
    after = calendar_of(runtime, a)
    assert after is before  # same versions: the cached compilation
    assert after.day_info(SANYUESAN).working is False
    with db.transaction(runtime.sessions, county_scope(county)) as s:
        rows = s.execute(
            sa.text("SELECT count(*) FROM intake.calendar_day WHERE level = 'county'")
        ).scalar_one()
    assert rows == 1


def test_a_new_national_import_bumps_the_version_and_changes_the_calendar(
    runtime: Runtime, county: str
) -> None:
    a = f"{county}.napo"
    national = imported_2026(runtime, county)
    deliver(runtime, national)
    before = calendar_of(runtime, a)
    # T13: the State Council adds a day off by a later notice; the gateway re-imports the year
    data = national.data
    notice = events_pb2.NationalCalendarImported(
        year=2026, published=True, county=county, version=int(data["version"]) + 1
    )
    for day in data["days"]:
        notice.days.add(date=day["date"], working=day.get("working", False), reason=day.get("reason", ""))
    notice.days.add(date="2026-10-09", working=False, reason="extended by notice")
    deliver(runtime, envelope(notice, county_scope(county)))
    after = calendar_of(runtime, a)
    assert after is not before
    assert before.day_info(date(2026, 10, 9)).working is True
    assert after.day_info(date(2026, 10, 9)).working is False
    with db.transaction(runtime.sessions, county_scope(county)) as s:
        version = s.execute(
            sa.text("SELECT version FROM intake.calendar_version WHERE level = 'national'")
        ).scalar_one()
    assert version == int(data["version"]) + 1


def test_office_hours_come_from_the_settings_projection(runtime: Runtime, county: str) -> None:
    a, b = f"{county}.napo", f"{county}.tianzhou"
    deliver(runtime, imported_2026(runtime, county))
    settings = settings_pb2.TenantSettings(
        office_hours=[
            settings_pb2.OfficeHours(start="08:30", end="12:00"),
            settings_pb2.OfficeHours(start="14:30", end="18:00"),
        ],
        time_zone="Asia/Shanghai",
    )
    deliver(runtime, envelope(events_pb2.SettingsChanged(settings=settings), a))
    assert calendar_of(runtime, a).day_info(date(2026, 3, 2)).hours == (
        (time(8, 30), time(12)),
        (time(14, 30), time(18)),
    )
    assert calendar_of(runtime, b).day_info(date(2026, 3, 2)).hours[0] == (time(9), time(12))
