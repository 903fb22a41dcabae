"""Notify consumes proxy's trip events through its own subscriptions (the consumer inbox
included): `trip_planned` tells the carrier its manifest (inbox + SMS), `delegation_trip_missed`
warns every township_admin (inbox); repeated deliveries change nothing; townships stay apart."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from bianmin.proxy.v1 import events_pb2, trip_pb2
from google.protobuf.message import Message

from libs.common import db
from libs.common.messaging import Envelope, consume, data_of, event_type_of
from libs.common.runtime import Runtime
from services.notify.adapters import tables
from services.notify.entrypoints import service as notify_service

NOW = datetime(2026, 12, 8, 22, 0, tzinfo=UTC)  # 06:00 on Wednesday 9 December in Beijing


def township(rt: Runtime, admins: tuple[str, ...] = ("admin_a", "admin_b")) -> str:
    tenant = f"tianyang.p{uuid.uuid4().hex[:8]}"
    with db.transaction(rt.sessions, tenant) as s:
        s.execute(sa.insert(tables.tenant).values(tenant_id=tenant, county="tianyang",
                  code=tenant.split(".")[1], name="那坡镇", onboarded_at=NOW))  # fmt: skip
        for username, role in [*((a, "township_admin") for a in admins), ("agent1", "proxy_agent")]:
            s.execute(sa.insert(tables.staff).values(tenant_id=tenant, username=username, name=username,
                      roles=[role], active=True, event_at=NOW, phone="13900001111"))  # fmt: skip
    return tenant


def envelope(tenant: str, message: Message) -> Envelope:
    return Envelope.new(source="proxy", event_type=event_type_of(message), tenant_id=tenant,
                        data=data_of(message), occurred_at=NOW)  # fmt: skip


def deliver(rt: Runtime, env: Envelope) -> str:
    subs = {(s.source, s.event_type): s for s in notify_service.subscriptions()}
    return consume(env, subs[(env.source, env.event_type)], rt.sessions, max_attempts=1)


def rows(rt: Runtime, tenant: str, table: sa.Table) -> list:
    with db.transaction(rt.sessions, tenant) as s:
        return list(s.execute(sa.select(table)).all())


def planned(entries: int, agent: str = "agent1") -> events_pb2.TripPlanned:
    return events_pb2.TripPlanned(
        trip=trip_pb2.Trip(
            id=str(uuid.uuid4()),
            trip_date="2026-12-09",
            agent=agent,
            village="v1",
            destination=trip_pb2.TRIP_DESTINATION_TOWNSHIP,
            state=trip_pb2.TRIP_STATE_PLANNED,
            entries=[
                trip_pb2.TripEntry(
                    delegation_id=f"d{i}",
                    case_id=f"c{i}",
                    case_number=f"NP-{i:04d}",
                    item_code="db_apply",
                    applicant_name="张**",
                    village="v1",
                )
                for i in range(entries)
            ],
        )  # fmt: skip
    )


@pytest.fixture(scope="module")
def rt(migrated_url: str, settings) -> Runtime:  # noqa: ANN001 - the suite's settings fixture
    return Runtime.connect(settings, migrated_url)


def test_trip_planned_tells_the_carrier_its_manifest_by_inbox_and_sms_once(rt: Runtime) -> None:
    tenant = township(rt)
    env = envelope(tenant, planned(3))
    assert deliver(rt, env) == "processed"
    assert deliver(rt, env) == "duplicate"
    [item] = rows(rt, tenant, tables.inbox_item)
    assert (item.username, item.topic) == ("agent1", "trip_list")
    assert "2026年12月9日（星期三）" in item.title and "3件" in item.title
    assert all(f"NP-{i:04d}" in item.text for i in range(3)) and "送乡镇" in item.text
    assert "张" not in item.text  # no applicant's name in an SMS
    sent = sorted((r.recipient, r.channel, r.status, r.topic) for r in rows(rt, tenant, tables.notification))
    assert sent == [("agent1", "inbox", "delivered", "trip_list"), ("agent1", "sms", "queued", "trip_list")]


def test_a_long_manifest_is_counted_and_an_empty_one_tells_nobody(rt: Runtime) -> None:
    tenant = township(rt)
    assert deliver(rt, envelope(tenant, planned(0))) == "processed"
    assert not rows(rt, tenant, tables.inbox_item)
    assert deliver(rt, envelope(tenant, planned(12))) == "processed"
    [item] = rows(rt, tenant, tables.inbox_item)
    assert "NP-0009" in item.text and "NP-0010" not in item.text and "等12件" in item.text


def test_a_missed_trip_warns_every_township_admin_in_the_inbox(rt: Runtime) -> None:
    tenant, other = township(rt), township(rt)
    missed = events_pb2.DelegationTripMissed(delegation_id="dlg-1", agent="agent1", trip_date="2026-12-06")
    env = envelope(tenant, missed)
    assert deliver(rt, env) == "processed"
    assert deliver(rt, env) == "duplicate"
    items = sorted((r.username, r.topic) for r in rows(rt, tenant, tables.inbox_item))
    assert items == [("admin_a", "trip_missed"), ("admin_b", "trip_missed")]
    text = rows(rt, tenant, tables.inbox_item)[0].text
    assert "agent1" in text and "dlg-1" in text and "2026年12月6日（星期日）" in text
    assert {r.channel for r in rows(rt, tenant, tables.notification)} == {"inbox"}
    assert not rows(rt, other, tables.inbox_item)  # another township hears nothing


def test_a_missed_trip_with_no_admin_is_logged(rt: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    lonely = township(rt, admins=())
    missed = events_pb2.DelegationTripMissed(delegation_id="dlg-2", agent="agent1", trip_date="2026-12-06")
    assert deliver(rt, envelope(lonely, missed)) == "processed"
    assert not rows(rt, lonely, tables.inbox_item)
    assert any(
        "no township_admin to warn" in r.getMessage() and "dlg-2" in r.getMessage() for r in caplog.records
    )


def test_a_trip_without_its_date_fails_and_writes_nothing(rt: Runtime) -> None:
    tenant = township(rt)
    broken = planned(1)
    broken.trip.trip_date = ""
    assert deliver(rt, envelope(tenant, broken)) != "processed"
    assert not rows(rt, tenant, tables.inbox_item)


def test_a_county_item_without_a_carrier_warns_every_township_admin(rt: Runtime) -> None:
    tenant = township(rt)
    uncarried = events_pb2.DelegationUncarried(
        delegation_id="dlg-3", case_id="c3", case_number="NP-0042", agent="agent1", trip_date="2026-12-13"
    )
    env = envelope(tenant, uncarried)
    assert deliver(rt, env) == "processed"
    assert deliver(rt, env) == "duplicate"
    items = rows(rt, tenant, tables.inbox_item)
    assert sorted((r.username, r.topic) for r in items) == [
        ("admin_a", "no_carrier"),
        ("admin_b", "no_carrier"),
    ]
    assert (
        "NP-0042" in items[0].title
        and "乡级代办员" in items[0].text
        and "2026年12月13日（星期日）" in items[0].text
    )


def test_a_new_carrier_is_told_of_its_assignment(rt: Runtime) -> None:
    tenant = township(rt)
    moved = events_pb2.DelegationReassigned(
        delegation_id="dlg-4", agent="lan", case_id="c4", carrier="agent1", previous_carrier="lan",
        trip_date="2026-12-13", reason="escalated to a county department",
    )  # fmt: skip
    assert deliver(rt, envelope(tenant, moved)) == "processed"
    [item] = rows(rt, tenant, tables.inbox_item)
    assert (item.username, item.topic) == ("agent1", "assignment")
    assert "dlg-4" in item.text and "原承运：lan" in item.text and "2026年12月13日（星期日）" in item.text
    same = events_pb2.DelegationReassigned(delegation_id="dlg-5", carrier="agent1", previous_carrier="agent1")
    assert deliver(rt, envelope(tenant, same)) == "processed"
    assert len(rows(rt, tenant, tables.inbox_item)) == 1  # nothing changed for anybody
