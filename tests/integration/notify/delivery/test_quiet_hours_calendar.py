"""Quiet hours on the township's real calendar, and channels with nothing configured.

The gateway's calendar events go through notify's real subscriptions (inbox, tenant-scoped
transaction) into its calendar projection (migration 0005); the dispatcher then decides on the
township's compiled calendar — national ∘ county ∘ township — with the real SMS provider process.
No national year is imported here, so the calendar is weekends-only plus the overrides."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from bianmin.gateway.v1 import calendar_pb2, events_pb2
from google.protobuf.message import Message
from prometheus_client import REGISTRY
from pydantic import SecretStr

from libs.common import db, sealing
from libs.common.messaging import Envelope, county_scope
from libs.common.messaging.consumer import consume
from libs.common.messaging.envelope import data_of, event_type_of
from libs.common.runtime import Runtime
from libs.common.sealing import Sealer
from services.notify.adapters import tables
from services.notify.adapters.channels import Channels
from services.notify.entrypoints.service import SERVICE
from services.notify.service_layer.calendar import tenant_calendar
from services.notify.service_layer.delivery import Dispatcher
from tests.support.sms_provider import SmsProviderProcess

pytestmark = pytest.mark.integration

BEIJING = ZoneInfo("Asia/Shanghai")
SEALER = Sealer([Sealer.generate_key()])
PHONE, EMAIL = "13800138000", "zhang.san@example.cn"
SUBSCRIPTIONS = {s.event_type: s for s in SERVICE.subscriptions() if s.source == "gateway"}


@pytest.fixture
def runtime(delivery_runtime: Runtime, sms_provider: SmsProviderProcess) -> Iterator[Runtime]:
    # the dispatcher works across townships: no rows of other tests may reach it
    with db.transaction(delivery_runtime.ops_sessions, None) as s:
        s.execute(sa.text("DELETE FROM notify.notification"))
        s.execute(sa.text("DELETE FROM notify.outbox"))
    sms_provider.reset()
    yield delivery_runtime


@pytest.fixture
def county() -> str:
    return f"c{uuid.uuid4().hex[:10]}"


def next_weekday(weekday: int) -> date:
    """The first such weekday at least two days ahead (rows created now are due by then)."""
    day = datetime.now(BEIJING).date() + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def dispatcher(runtime: Runtime, clock: Clock, **channels: Any) -> Dispatcher:
    """`channels`: the settings of the channels to configure (none: neither SMS nor e-mail)."""
    settings = runtime.settings.model_copy(
        update={"sms_url": "", "smtp_host": "", "sms_rate_per_tenant": 0.0, **channels}
    )
    return Dispatcher(runtime.ops_sessions, settings, Channels.from_settings(settings), SEALER, clock=clock)


def sms_settings(sms: SmsProviderProcess) -> dict[str, Any]:
    return {"sms_url": sms.url, "sms_api_key": SecretStr("provider-key")}


def queue(runtime: Runtime, tenant: str, *, channel: str = "sms") -> uuid.UUID:
    nid = uuid.uuid4()
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.notification.insert().values(
                id=nid,
                tenant_id=tenant,
                topic="notice",
                channel=channel,
                status="queued",
                recipient="138****8000",
                address_sealed=sealing.seal_address(SEALER, PHONE if channel == "sms" else EMAIL),
                subject="受理通知",
                text="您的办件已受理。",
                source_event_id=str(uuid.uuid4()),
            )
        )
    return nid


def row(runtime: Runtime, nid: uuid.UUID) -> Any:
    n = tables.notification
    with db.transaction(runtime.ops_sessions, None) as s:
        return s.execute(sa.select(n).where(n.c.id == nid)).one()


def deliver(runtime: Runtime, message: Message, tenant: str) -> None:
    """A gateway event through notify's real subscription, as the relay would hand it over."""
    env = Envelope.new(
        source="gateway", event_type=event_type_of(message), tenant_id=tenant, data=data_of(message)
    )
    assert consume(env, SUBSCRIPTIONS[env.event_type], runtime.sessions) == "processed"


def override(county: str, day: date, working: bool, version: int, *, removed: bool = False) -> Message:
    return events_pb2.CalendarDayChanged(
        county=county,
        day=calendar_pb2.CalendarOverride(
            date=day.isoformat(),
            kind=calendar_pb2.DAY_KIND_WORK if working else calendar_pb2.DAY_KIND_OFF,
            reason="三月三" if not working else "调休上班",
        ),
        removed=removed,
        version=version,
    )


def sent_refs(sms: SmsProviderProcess) -> list[str]:
    return [m["ref"] for m in sms.messages()]


# --- quiet hours on the township's calendar -------------------------------------------------------


def test_a_township_working_saturday_lets_a_non_urgent_sms_go_in_office_hours(
    runtime: Runtime, county: str, sms_provider: SmsProviderProcess
) -> None:
    a, b = f"{county}.napo", f"{county}.tianzhou"
    saturday = next_weekday(5)
    deliver(runtime, override(county, saturday, True, 1), a)  # township a works that Saturday
    clock = Clock(at(saturday, 7, 30))
    d = dispatcher(runtime, clock, **sms_settings(sms_provider))
    early, other = queue(runtime, a), queue(runtime, b)

    d.run_once()  # 07:30: before office hours, even on a working Saturday
    assert sent_refs(sms_provider) == []
    assert row(runtime, early).next_attempt_at == at(saturday, 9)  # a's Saturday opens at 9:00
    assert row(runtime, other).next_attempt_at == at(saturday + timedelta(days=2), 9)  # b: Monday

    clock.now = at(saturday, 9)
    d.run_once()
    assert sent_refs(sms_provider) == [str(early)]
    assert row(runtime, early).status == "sent" and row(runtime, other).status == "queued"


def test_a_county_festival_on_a_weekday_holds_a_non_urgent_sms(
    runtime: Runtime, county: str, sms_provider: SmsProviderProcess
) -> None:
    a = f"{county}.napo"
    monday = next_weekday(0)
    deliver(runtime, override(county, monday, False, 1), county_scope(county))  # every township
    clock = Clock(at(monday, 10))
    d = dispatcher(runtime, clock, **sms_settings(sms_provider))
    waiting = queue(runtime, a)

    d.run_once()
    assert sent_refs(sms_provider) == []
    held = row(runtime, waiting)
    assert held.status == "queued" and held.attempts == 0
    assert held.next_attempt_at == at(monday + timedelta(days=1), 9)  # Tuesday's opening

    clock.now = at(monday + timedelta(days=1), 9, 1)
    d.run_once()
    assert sent_refs(sms_provider) == [str(waiting)]


def test_a_calendar_change_reaches_a_running_dispatcher(
    runtime: Runtime, county: str, sms_provider: SmsProviderProcess
) -> None:
    """The compiled calendar is cached by the projection's versions: an override that arrives
    while the dispatcher runs is applied from its next round on."""
    a = f"{county}.napo"
    saturday = next_weekday(5)
    clock = Clock(at(saturday, 10))
    d = dispatcher(runtime, clock, **sms_settings(sms_provider))
    first = queue(runtime, a)
    d.run_once()
    assert sent_refs(sms_provider) == []  # an ordinary Saturday

    deliver(runtime, override(county, saturday, True, 1), a)
    second = queue(runtime, a)
    clock.now = at(saturday, 10, 5)
    d.run_once()
    assert sent_refs(sms_provider) == [str(second)]  # `first` stays held until Monday as decided
    assert row(runtime, first).next_attempt_at == at(saturday + timedelta(days=2), 9)

    # and removing the override (a newer version) makes the Saturday quiet again
    deliver(runtime, override(county, saturday, True, 2, removed=True), a)
    third = queue(runtime, a)
    clock.now = at(saturday, 10, 10)
    d.run_once()
    assert sent_refs(sms_provider) == [str(second)]
    assert row(runtime, third).status == "queued"


def test_the_projection_is_idempotent_and_keeps_townships_apart(runtime: Runtime, county: str) -> None:
    a, b = f"{county}.napo", f"{county}.tianzhou"
    saturday, monday = next_weekday(5), next_weekday(0)
    deliver(runtime, override(county, saturday, True, 3), a)
    deliver(runtime, override(county, saturday, False, 2), a)  # older: ignored
    deliver(runtime, override(county, monday, False, 1), county_scope(county))

    def calendar(tenant: str) -> Any:
        with db.transaction(runtime.sessions, tenant) as s:  # the runtime role: RLS FORCEd
            return tenant_calendar(s, tenant, saturday.year, saturday.year + 1)

    cal_a, cal_b = calendar(a), calendar(b)
    assert cal_a.day_info(saturday).working is True and cal_a.day_info(saturday).source == "township"
    assert cal_b.day_info(saturday).working is False
    assert cal_a.day_info(monday).working is False and cal_b.day_info(monday).source == "county"
    with db.transaction(runtime.sessions, b) as s:  # b sees none of a's rows; its county's, yes
        seen = s.execute(sa.select(tables.calendar_day.c.tenant_id)).scalars().all()
        assert seen == [county_scope(county)]


def test_hours_no_calendar_accepts_fall_back_to_weekdays_not_to_silence(
    runtime: Runtime, county: str, sms_provider: SmsProviderProcess
) -> None:
    """Overlapping hours in the projected settings make no calendar (ValidationFailed): the
    dispatcher still decides — weekdays and those hours — instead of failing every round."""
    a = f"{county}.napo"
    monday = next_weekday(0)
    with db.transaction(runtime.sessions, a) as s:
        hours = [{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "17:00"}]
        s.execute(
            tables.settings.insert().values(tenant_id=a, office_hours=hours, updated_at=datetime.now(UTC))
        )
    clock = Clock(at(monday, 7))
    d = dispatcher(runtime, clock, **sms_settings(sms_provider))
    nid = queue(runtime, a)
    d.run_once()
    assert row(runtime, nid).next_attempt_at == at(monday, 9)
    clock.now = at(monday, 16)
    d.run_once()
    assert sent_refs(sms_provider) == [str(nid)]


# --- channels with nothing configured -----------------------------------------------------------


def backlog(channel: str) -> float:
    labels = {"channel": channel, "status": "queued"}
    return REGISTRY.get_sample_value("bianmin_notification_backlog", labels) or 0.0


def test_an_unconfigured_channel_keeps_its_notifications_queued_until_it_is_configured(
    runtime: Runtime, county: str, sms_provider: SmsProviderProcess
) -> None:
    a = f"{county}.napo"
    monday = next_weekday(0)
    clock = Clock(at(monday, 10))
    sms, mail = queue(runtime, a), queue(runtime, a, channel="email")
    plain = dispatcher(runtime, clock)  # `make run`: no BIANMIN_SMS_URL, no BIANMIN_SMTP_HOST

    for minutes in range(5):  # round after round: never attempted, never failed, never parked
        clock.now = at(monday, 10, minutes)
        plain.run_once()
    for nid, what in ((sms, "BIANMIN_SMS_URL"), (mail, "BIANMIN_SMTP_HOST")):
        r = row(runtime, nid)
        assert (r.status, r.attempts, r.parked_at) == ("queued", 0, None)
        assert "not configured" in r.last_error and what in r.last_error
    assert backlog("sms") == 1 and backlog("email") == 1
    with db.transaction(runtime.ops_sessions, None) as s:  # no failure events either
        assert s.execute(sa.text("SELECT count(*) FROM notify.outbox")).scalar() == 0

    # the SMS provider is configured (the process restarts with BIANMIN_SMS_URL): the SMS goes,
    # the e-mail keeps waiting
    configured = dispatcher(runtime, clock, **sms_settings(sms_provider))
    configured.run_once()
    assert sent_refs(sms_provider) == [str(sms)]
    r = row(runtime, sms)
    assert (r.status, r.attempts, r.last_error) == ("sent", 1, None)
    assert row(runtime, mail).status == "queued"
    assert backlog("sms") == 0 and backlog("email") == 1
