"""The dispatcher on real PostgreSQL, with the real SMS provider process and a real SMTP server:
sent → delivered, retries with back-off → dead letter → replay → delivered, quiet hours, the
per-township rate limit (held, never dropped), two dispatchers that never send one row twice, and
each send continuing the trace its notification was queued in."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from bianmin.intake.v1 import case_pb2
from bianmin.intake.v1 import events_pb2 as intake_events
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client import REGISTRY
from pydantic import SecretStr

from libs.common import db, sealing
from libs.common.messaging import Envelope, data_of, event_type_of
from libs.common.observability.tracing import span
from libs.common.runtime import Runtime
from libs.common.sealing import Sealer
from libs.common.tenancy import Principal
from services.notify.adapters import tables
from services.notify.adapters.channels import Channels
from services.notify.domain.delivery import weekdays_only
from services.notify.service_layer import case_events, dead_letters
from services.notify.service_layer.delivery import Dispatcher
from tests.support.sms_provider import SmsProviderProcess

A, B = "tianyang.napo", "tianyang.tianzhou"
KEY = Sealer.generate_key()
SEALER = Sealer([KEY])
PHONE, EMAIL = "13800138000", "zhang.san@example.cn"
BEIJING = ZoneInfo("Asia/Shanghai")
OPS = Principal("ops1", frozenset({"ops"}), frozenset({"tianyang.*"}), "tianyang")


class Clock:
    """The dispatcher's clock, moved by the test. It starts on a Monday at 10:00 in Beijing, a few
    days ahead of the real time, so rows created now (next_attempt_at = now()) are due."""

    def __init__(self) -> None:
        day = (datetime.now(BEIJING) + timedelta(days=2)).date()
        while day.weekday() != 0:
            day += timedelta(days=1)
        self.start_day = day
        self.at_local(0, 10)

    def __call__(self) -> datetime:
        return self.now

    def at_local(self, days: int, hour: int, minute: int = 0) -> None:
        """`days` after the start day, at hour:minute Beijing time."""
        day = self.start_day + timedelta(days=days)
        self.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


@pytest.fixture
def runtime(
    delivery_runtime: Runtime, sms_provider: SmsProviderProcess, smtp_server: Any
) -> Iterator[Runtime]:
    with db.transaction(delivery_runtime.ops_sessions, None) as s:
        s.execute(sa.text("DELETE FROM notify.failed_event"))
        s.execute(sa.text("DELETE FROM notify.notification"))
        s.execute(sa.text("DELETE FROM notify.outbox"))
        s.execute(sa.text("DELETE FROM notify.staff"))
        s.execute(sa.text("DELETE FROM notify.settings"))
    sms_provider.reset()
    smtp_server[1].messages.clear()
    smtp_server[1].refuse = None
    yield delivery_runtime


def dispatcher(
    runtime: Runtime,
    sms: SmsProviderProcess,
    smtp: Any,
    clock: Clock,
    *,
    tracer_provider: TracerProvider | None = None,
    **overrides: Any,
) -> Dispatcher:
    settings = runtime.settings.model_copy(
        update={
            "sms_url": sms.url,
            "sms_api_key": SecretStr("provider-key"),
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[0].port,
            "notify_retry_base_seconds": 60.0,
            "notify_retry_jitter": 0.0,
            "notify_max_attempts": 3,
            "sms_rate_per_tenant": 0.0,
            "sms_receipt_poll_seconds": 30.0,
            **overrides,
        }
    )
    return Dispatcher(
        runtime.ops_sessions,
        settings,
        Channels.from_settings(settings),
        SEALER,
        is_working=weekdays_only,
        clock=clock,
        tracer_provider=tracer_provider,
    )


def queue(
    runtime: Runtime,
    tenant: str = A,
    *,
    channel: str = "sms",
    address: str | None = "",
    recipient: str = "138****8000",
    urgent: bool = False,
    text: str = "您的办件已受理。",
) -> uuid.UUID:
    """A notification as notify's event handlers create it (runtime role, the township's RLS), its
    address sealed as they seal it (`sealing.seal_address`): by default the applicant's phone or
    e-mail for the channel; `address=None` seals a value without one (what no handler writes)."""
    nid = uuid.uuid4()
    if address is None:
        sealed = SEALER.seal({"name": "张三"})
    else:
        sealed = sealing.seal_address(SEALER, address or (PHONE if channel == "sms" else EMAIL))
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.notification.insert().values(
                id=nid,
                tenant_id=tenant,
                topic="notice",
                channel=channel,
                status="queued",
                recipient=recipient,
                address_sealed=sealed if recipient != "staff" else None,
                subject="受理通知",
                text=text,
                case_id="case-1",
                urgent=urgent,
                source_event_id=str(uuid.uuid4()),
            )
        )
    return nid


HELD = {"channel": "sms", "reason": "rate_limit"}
LATENCY = "bianmin_notification_delivery_seconds_count"


def metric(outcome: str) -> float:
    labels = {"channel": "sms", "outcome": outcome}
    return REGISTRY.get_sample_value("bianmin_notifications_total", labels) or 0.0


def row(runtime: Runtime, nid: uuid.UUID) -> Any:
    n = tables.notification
    with db.transaction(runtime.ops_sessions, None) as s:
        return s.execute(sa.select(n).where(n.c.id == nid)).one()


def events(runtime: Runtime, nid: uuid.UUID) -> list[str]:
    with db.transaction(runtime.ops_sessions, None) as s:
        rows = s.execute(sa.text("SELECT event_type, payload FROM notify.outbox ORDER BY id")).all()
    mine = []
    for event_type, payload in rows:
        about = payload.get("notification_id") or (payload.get("dead_letter") or {}).get("notification_id")
        about = about or payload.get("dead_letter_id", "").removeprefix("notification:")
        if about == str(nid):
            mine.append(event_type)
    return mine


# --- channels ----------------------------------------------------------------------------------


def test_sms_is_sent_then_delivered_by_its_receipt(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    sms_provider.control(deliver=False)  # the handset has not confirmed yet
    nid = queue(runtime)
    d = dispatcher(runtime, sms_provider, smtp_server, clock)

    assert d.run_once() == 1
    [message] = sms_provider.messages()
    assert message["to"] == PHONE and message["text"] == "您的办件已受理。" and message["ref"] == str(nid)
    sent = row(runtime, nid)
    assert sent.status == "sent" and sent.attempts == 1 and sent.provider_ref == message["id"]
    assert events(runtime, nid) == ["notification_sent"]

    clock.now += timedelta(seconds=31)
    d.run_once()  # receipt polled: still pending
    assert row(runtime, nid).status == "sent"
    sms_provider.control(deliver=True)
    clock.now += timedelta(seconds=31)
    d.run_once()
    delivered = row(runtime, nid)
    assert delivered.status == "delivered" and delivered.delivered_at == clock.now
    assert events(runtime, nid) == ["notification_sent", "notification_delivered"]
    assert len(sms_provider.messages()) == 1


def test_a_staff_sms_goes_to_the_phone_of_the_staff_projection(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    with db.transaction(runtime.sessions, A) as s:
        values = {"username": "staff", "name": "李四", "phone": "13900139000", "event_at": datetime.now(UTC)}
        s.execute(tables.staff.insert().values(tenant_id=A, **values))
    nid = queue(runtime, recipient="staff", urgent=True)
    dispatcher(runtime, sms_provider, smtp_server, Clock()).run_once()
    assert [m["to"] for m in sms_provider.messages()] == ["13900139000"]
    assert row(runtime, nid).status == "sent"


def test_email_goes_over_smtp_and_counts_as_delivered(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    nid = queue(runtime, channel="email", recipient="zh***@example.cn", text="办理结果：已办结。")
    dispatcher(runtime, sms_provider, smtp_server, Clock()).run_once()
    [mail] = smtp_server[1].messages
    assert mail["To"] == EMAIL and mail["Subject"] == "受理通知" and mail["Message-ID"] == f"<{nid}@bianmin>"
    assert mail.get_content().strip() == "办理结果：已办结。"
    r = row(runtime, nid)
    assert r.status == "delivered" and r.sent_at is not None and r.delivered_at is not None
    assert events(runtime, nid) == ["notification_sent", "notification_delivered"]
    assert sms_provider.messages() == []


def test_smtp_refusing_the_mailbox_parks_at_once(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    smtp_server[1].refuse = 550
    nid = queue(runtime, channel="email")
    dispatcher(runtime, sms_provider, smtp_server, Clock()).run_once()
    r = row(runtime, nid)
    assert r.status == "dead_lettered" and r.attempts == 1 and "550" in r.last_error
    assert events(runtime, nid) == ["dead_letter_parked"]


def test_smtp_server_away_is_retried(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    nid = queue(runtime, channel="email")
    d = dispatcher(runtime, sms_provider, smtp_server, clock, smtp_port=1)  # nothing listens there
    d.run_once()
    r = row(runtime, nid)
    assert r.status == "failed" and r.attempts == 1 and r.next_attempt_at == clock.now + timedelta(seconds=60)
    assert "unreachable" in r.last_error


def test_no_phone_in_the_sealed_contact_parks_at_once(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    nid = queue(runtime, address=None, urgent=True)
    dispatcher(runtime, sms_provider, smtp_server, Clock()).run_once()
    r = row(runtime, nid)
    assert r.status == "dead_lettered" and r.last_error == "no phone to send to" and r.parked_at is not None
    assert sms_provider.messages() == []


# --- retries, dead letters, replay -------------------------------------------------------------


def test_failing_provider_retries_with_backoff_then_parks_then_replay_delivers(
    runtime, sms_provider, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    d = dispatcher(runtime, sms_provider, smtp_server, clock)
    sms_provider.control(fail_next=3, fail_status=503)
    nid = queue(runtime, urgent=True)
    failed_before, parked_before = metric("failed"), metric("dead_lettered")
    latency_before = REGISTRY.get_sample_value(LATENCY, {"channel": "sms"}) or 0

    d.run_once()
    first = row(runtime, nid)
    assert first.status == "failed" and first.attempts == 1 and "503" in first.last_error
    assert first.next_attempt_at == clock.now + timedelta(seconds=60)
    assert d.run_once() == 0  # not due before its back-off has passed

    clock.now += timedelta(seconds=60)
    d.run_once()
    second = row(runtime, nid)
    assert second.status == "failed" and second.attempts == 2
    assert second.next_attempt_at == clock.now + timedelta(seconds=120)  # doubled

    clock.now += timedelta(seconds=120)
    d.run_once()
    parked = row(runtime, nid)
    assert parked.status == "dead_lettered" and parked.attempts == 3 and parked.parked_at == clock.now
    assert events(runtime, nid) == ["notification_failed", "notification_failed", "dead_letter_parked"]
    assert (metric("failed") - failed_before, metric("dead_lettered") - parked_before) == (2, 1)
    assert REGISTRY.get_sample_value("bianmin_notification_dead_letters", {"channel": "sms"}) == 1
    assert (
        REGISTRY.get_sample_value("bianmin_notification_backlog", {"channel": "sms", "status": "failed"}) == 0
    )
    assert sms_provider.messages() == []
    clock.now += timedelta(days=30)
    assert d.run_once() == 0  # parked: never picked again by itself

    # ops see it, and replay it
    listed, more = dead_letters.list_dead_letters(runtime.ops_sessions, OPS)
    assert [x.id for x in listed] == [f"notification:{nid}"] and not more
    assert listed[0].attempts == 3 and "503" in listed[0].reason and listed[0].channel == "sms"
    other_county = Principal("ops2", frozenset({"ops"}), frozenset({"baise.*"}), "baise")
    assert dead_letters.list_dead_letters(runtime.ops_sessions, other_county)[0] == []

    replayed = dead_letters.replay(
        runtime.ops_sessions, OPS, f"notification:{nid}", runtime_sessions=runtime.sessions
    )
    assert replayed.replayed_at is not None
    r = row(runtime, nid)
    assert r.status == "queued" and r.attempts == 0 and r.replayed_by == "ops1"
    assert dead_letters.list_dead_letters(runtime.ops_sessions, OPS)[0] == []
    assert [
        x.id for x in dead_letters.list_dead_letters(runtime.ops_sessions, OPS, include_replayed=True)[0]
    ] == [f"notification:{nid}"]

    d.run_once()
    assert row(runtime, nid).status == "sent"
    clock.now += timedelta(seconds=31)
    d.run_once()
    assert row(runtime, nid).status == "delivered"
    assert [m["ref"] for m in sms_provider.messages()] == [str(nid)]
    assert events(runtime, nid)[-3:] == [
        "dead_letter_replayed",
        "notification_sent",
        "notification_delivered",
    ]
    assert REGISTRY.get_sample_value(LATENCY, {"channel": "sms"}) == latency_before + 1


def test_replay_is_for_operators_and_only_of_dead_letters(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    from libs.common.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed

    nid = queue(runtime)
    staff = Principal("w1", frozenset({"window_staff"}), frozenset({A}), "tianyang")
    with pytest.raises(Forbidden):
        dead_letters.list_dead_letters(runtime.ops_sessions, staff)
    with pytest.raises(InvalidTransition):
        dead_letters.replay(
            runtime.ops_sessions, OPS, f"notification:{nid}", runtime_sessions=runtime.sessions
        )
    with pytest.raises(NotFound):
        dead_letters.replay(
            runtime.ops_sessions, OPS, f"notification:{uuid.uuid4()}", runtime_sessions=runtime.sessions
        )
    with pytest.raises(ValidationFailed):
        dead_letters.replay(runtime.ops_sessions, OPS, "nonsense", runtime_sessions=runtime.sessions)
    assert row(runtime, nid).status == "queued"


def test_provider_failed_delivery_is_sent_again(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    d = dispatcher(runtime, sms_provider, smtp_server, clock)
    sms_provider.control(fail_delivery=True)
    nid = queue(runtime, urgent=True)
    d.run_once()
    clock.now += timedelta(seconds=31)
    d.run_once()
    r = row(runtime, nid)
    assert r.status == "failed" and r.attempts == 1 and "handset off" in r.last_error


# --- quiet hours and the rate limit ------------------------------------------------------------


def test_quiet_hours_hold_a_non_urgent_sms_until_office_hours(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    with db.transaction(runtime.sessions, A) as s:  # the township opens at 8:30
        hours = [{"start": "08:30", "end": "12:00"}]
        s.execute(
            tables.settings.insert().values(tenant_id=A, office_hours=hours, updated_at=datetime.now(UTC))
        )
    clock.at_local(0, 22)  # Monday 22:00
    d = dispatcher(runtime, sms_provider, smtp_server, clock)
    waiting = queue(runtime)
    urgent = queue(runtime, urgent=True, text="紧急：请立即到窗口。")
    d.run_once()
    assert [m["ref"] for m in sms_provider.messages()] == [str(urgent)]
    held = row(runtime, waiting)
    assert held.status == "queued" and held.attempts == 0
    assert held.next_attempt_at.astimezone(BEIJING).replace(tzinfo=None) == datetime.combine(
        clock.start_day + timedelta(days=1), datetime.min.time()
    ).replace(hour=8, minute=30)

    clock.at_local(1, 8, 29)
    d.run_once()
    assert len(sms_provider.messages()) == 1
    clock.at_local(1, 8, 30)
    d.run_once()
    assert [m["ref"] for m in sms_provider.messages()] == [str(urgent), str(waiting)]


def test_the_rate_limit_holds_sends_back_and_drops_none(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    d = dispatcher(runtime, sms_provider, smtp_server, lambda: datetime.now(UTC), sms_rate_per_tenant=2.0)
    held_before = REGISTRY.get_sample_value("bianmin_notifications_held_total", HELD) or 0
    busy = [queue(runtime, A, urgent=True) for _ in range(10)]
    quiet = [queue(runtime, B, urgent=True) for _ in range(2)]
    start = time.time()
    deadline = start + 30
    while len(sms_provider.messages()) < 12 and time.time() < deadline:
        if not d.run_once():
            time.sleep(0.05)
    messages = sms_provider.messages()
    assert sorted(m["ref"] for m in messages) == sorted(str(x) for x in busy + quiet)  # none dropped
    arrivals = sorted(m["at"] for m in messages if m["ref"] in {str(x) for x in busy})
    # 2 at once (the bucket), then 2 a second: the 10th no earlier than 4 s after the first
    assert arrivals[-1] - arrivals[0] >= 3.5
    for i in range(len(arrivals) - 4):  # never more than 2 (+ the burst) in any second
        assert arrivals[i + 4] - arrivals[i] >= 0.9
    assert (REGISTRY.get_sample_value("bianmin_notifications_held_total", HELD) or 0) > held_before
    # the other township was not held back by the busy one
    assert max(m["at"] for m in messages if m["ref"] in {str(x) for x in quiet}) - start < 2.0


# --- two dispatchers ---------------------------------------------------------------------------


def test_two_dispatchers_never_send_the_same_notification_twice(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    sms_provider.control(delay_seconds=0.02)
    ids = [queue(runtime, A if i % 2 else B, urgent=True) for i in range(40)]
    clock = Clock()
    pair = [dispatcher(runtime, sms_provider, smtp_server, clock, notify_batch_size=5) for _ in range(2)]
    handled = [0, 0]
    # The first batch of pair[0] is held until pair[1] has claimed one of its own, so the two
    # always overlap (left to the scheduler, a slow start of the second thread on a loaded
    # machine once let the first send everything alone).
    overlapping = threading.Event()
    claim, dispatch = pair[1]._claim, pair[0]._dispatch

    def claim_and_tell(*, due_sends: bool) -> list[Any]:
        rows = claim(due_sends=due_sends)
        if rows and due_sends:
            overlapping.set()
        return rows

    def dispatch_once_overlapping(row: Any) -> None:
        assert overlapping.wait(30), "the second dispatcher claimed nothing while the first held a batch"
        dispatch(row)

    pair[1]._claim = claim_and_tell  # type: ignore[method-assign]
    pair[0]._dispatch = dispatch_once_overlapping  # type: ignore[method-assign]

    def work(i: int) -> None:
        while pair[i].run_once():
            handled[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    requests = sms_provider.requests()
    assert sorted(requests) == sorted(str(x) for x in ids)  # each sent exactly once
    assert all(handled), handled  # both took part
    assert {row(runtime, x).status for x in ids} == {"sent"}


def test_a_lost_lease_records_nothing_and_the_provider_deduplicates(
    runtime, sms_provider, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    slow, fast = (dispatcher(runtime, sms_provider, smtp_server, clock) for _ in range(2))
    nid = queue(runtime, urgent=True)
    [claimed] = slow._claim(due_sends=True)  # `slow` holds it … and stalls past its lease
    clock.now += timedelta(seconds=301)
    fast.run_once()  # `fast` claims the expired lease, sends, records
    assert row(runtime, nid).status == "sent"
    slow._dispatch(claimed)  # `slow` wakes up and sends: the provider knows the ref
    assert len(sms_provider.messages()) == 1 and sms_provider.requests() == [str(nid), str(nid)]
    r = row(runtime, nid)
    assert r.status == "sent" and r.attempts == 1  # `slow`'s record was fenced off
    assert events(runtime, nid) == ["notification_sent"]


# --- notify's event dead letters, the same list and replay -------------------------------------


def test_event_dead_letters_are_listed_and_replayed_with_the_notifications(
    runtime, sms_provider, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from libs.common.messaging import Envelope, consume
    from services.notify.entrypoints.service import subscriptions

    fixed = next(s for s in subscriptions() if s.event_type == "staff_saved")

    def broken_handler(envelope: Any, session: Any) -> None:
        raise RuntimeError("projection bug")

    broken = dataclasses.replace(fixed, handler=broken_handler)  # the consumer as it was when it failed
    data = {"username": "li", "name": "李四", "phone": "13900139000", "active": True, "roles": []}
    envelope = Envelope.new(source="gateway", event_type="staff_saved", tenant_id=A, data=data)
    assert consume(envelope, broken, runtime.sessions, max_attempts=1) == "dead_lettered"
    parked_notification = queue(runtime, address=None, urgent=True)
    dispatcher(runtime, sms_provider, smtp_server, Clock()).run_once()  # no phone: parked

    listed, _ = dead_letters.list_dead_letters(runtime.ops_sessions, OPS)
    assert {d.source for d in listed} == {"event", "notification"}
    [event] = dead_letters.list_dead_letters(runtime.ops_sessions, OPS, source="event")[0]
    assert event.id.startswith("event:") and event.event_type == "staff_saved"
    assert event.consumer == "notify.handle_staff_saved" and "projection bug" in event.reason
    notifications, _ = dead_letters.list_dead_letters(runtime.ops_sessions, OPS, source="notification")
    assert [d.notification_id for d in notifications] == [str(parked_notification)]
    other_county = Principal("ops2", frozenset({"ops"}), frozenset({"baise.*"}), "baise")
    with pytest.raises(Exception, match="no dead letter"):
        dead_letters.replay(runtime.ops_sessions, other_county, event.id, runtime_sessions=runtime.sessions)

    # the consumer is fixed (this build's handler): the replay projects the staff member
    replayed = dead_letters.replay(
        runtime.ops_sessions, OPS, event.id, runtime_sessions=runtime.sessions, subscriptions=subscriptions()
    )
    assert replayed.replayed_at is not None and replayed.attempts == 0
    with db.transaction(runtime.ops_sessions, None) as s:
        phone = s.execute(sa.text("SELECT phone FROM notify.staff WHERE username = 'li'")).scalar()
        failed = s.execute(sa.text("SELECT count(*) FROM notify.failed_event")).scalar()
    assert phone == "13900139000" and failed == 0
    assert dead_letters.list_dead_letters(runtime.ops_sessions, OPS, source="event")[0] == []


# --- the loop ----------------------------------------------------------------------------------


def test_the_dispatcher_loop_sends_until_stopped(runtime, sms_provider, smtp_server) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from services.notify.entrypoints.service import SERVICE

    (dispatcher_loop,) = SERVICE.loops  # what `bianmin run` and notify's relay process run
    settings = runtime.settings.model_copy(
        update={
            "sms_url": sms_provider.url,
            "sms_api_key": SecretStr("provider-key"),
            "seal_keys": KEY,
            "notify_idle_seconds": 0.05,
        }
    )
    stop = threading.Event()
    loop = threading.Thread(
        target=dispatcher_loop.run, args=(dataclasses.replace(runtime, settings=settings), stop)
    )
    loop.start()
    try:
        nid = queue(runtime, urgent=True)
        deadline = time.time() + 10
        while not sms_provider.messages() and time.time() < deadline:
            time.sleep(0.05)
        assert [m["ref"] for m in sms_provider.messages()] == [str(nid)]
    finally:
        stop.set()
        loop.join(5)
    assert not loop.is_alive()
    assert row(runtime, nid).status == "sent"


def test_bianmin_admin_dead_letters_lists_and_replays_notifications(
    runtime, sms_provider, smtp_server, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from cli.main import app

    nid = queue(runtime, address=None, urgent=True)
    dispatcher(runtime, sms_provider, smtp_server, Clock()).run_once()
    assert row(runtime, nid).status == "dead_lettered"
    monkeypatch.setenv("BIANMIN_DATABASE_URL", runtime.database_url)
    monkeypatch.setenv("COLUMNS", "400")  # the table's id column in full
    listed = CliRunner().invoke(app, ["admin", "dead-letters", "list"])
    assert listed.exit_code == 0, listed.output
    assert f"notification:{nid}" in listed.stdout and "no phone to send to" in listed.stdout

    replayed = CliRunner().invoke(app, ["admin", "dead-letters", "replay", "notify", f"notification:{nid}"])
    assert replayed.exit_code == 0, replayed.output
    assert replayed.stdout.strip() == f"replayed notify notification:{nid}: queued"
    r = row(runtime, nid)
    assert r.status == "queued" and r.attempts == 0 and r.replayed_by.startswith("cli:")
    again = CliRunner().invoke(app, ["admin", "dead-letters", "replay", "notify", f"notification:{nid}"])
    assert again.exit_code != 0 and "not a dead letter" in again.output


def test_an_address_sealed_with_an_unknown_key_is_retried_not_parked(
    runtime, sms_provider, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    nid = queue(runtime, urgent=True)
    n = tables.notification
    foreign = sealing.seal_address(Sealer([Sealer.generate_key()]), PHONE)  # a key rotation half done
    with db.transaction(runtime.ops_sessions, None) as s:
        s.execute(n.update().where(n.c.id == nid).values(address_sealed=foreign))
    dispatcher(runtime, sms_provider, smtp_server, Clock()).run_once()
    r = row(runtime, nid)
    assert r.status == "failed" and r.attempts == 1 and "cannot be opened" in r.last_error
    assert PHONE not in r.last_error and sms_provider.messages() == []


def test_an_address_the_channel_echoes_back_is_masked_in_the_error(
    runtime, sms_provider, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    sms_provider.control(fail_next=1, fail_status=500)  # its error names the number
    nid = queue(runtime, urgent=True)
    dispatcher(runtime, sms_provider, smtp_server, Clock()).run_once()
    r = row(runtime, nid)
    assert r.status == "failed" and "138****8000" in r.last_error and PHONE not in r.last_error
    outbox = events(runtime, nid)
    assert outbox == ["notification_failed"]
    with db.transaction(runtime.ops_sessions, None) as s:
        payloads = s.execute(sa.text("SELECT payload::text FROM notify.outbox")).scalars().all()
    assert not any(PHONE in p for p in payloads)


def test_notify_relay_process_runs_the_dispatcher_and_stops_cleanly(runtime, sms_provider, amqp_url) -> None:  # type: ignore[no-untyped-def]
    """`bianmin serve notify relay` (the distributed deployment's place for the one dispatcher
    loop): it sends, and SIGTERM stops the relay and the dispatcher together."""
    import os
    import signal
    import subprocess
    import sys

    env = {
        **os.environ,
        "BIANMIN_DATABASE_URL": runtime.database_url,
        "BIANMIN_AMQP_URL": amqp_url,
        "BIANMIN_SMS_URL": sms_provider.url,
        "BIANMIN_SMS_API_KEY": "provider-key",
        "BIANMIN_SEAL_KEYS": KEY,
        "BIANMIN_NOTIFY_IDLE_SECONDS": "0.1",
        "BIANMIN_LOG_JSON": "false",
    }
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "notify", "relay"], env=env)
    try:
        nid = queue(runtime, urgent=True)
        deadline = time.time() + 30
        while not sms_provider.messages() and time.time() < deadline:
            time.sleep(0.1)
        assert [m["to"] for m in sms_provider.messages()] == [PHONE]
        deadline = time.time() + 10
        while row(runtime, nid).status != "sent" and time.time() < deadline:
            time.sleep(0.1)
        assert row(runtime, nid).status == "sent"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0


def test_email_over_starttls_with_a_login(runtime, sms_provider, tls_smtp_server) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.notify.delivery.conftest import PASSWORD, USER

    controller, mailbox, ca_file = tls_smtp_server
    secure = {"smtp_starttls": True, "smtp_username": USER, "smtp_ca_file": str(ca_file)}
    clock = Clock()

    def send(**settings: Any) -> Any:
        nid = queue(runtime, channel="email", text="办理结果：已办结。")
        dispatcher(runtime, sms_provider, (controller, mailbox), clock, **settings).run_once()
        return row(runtime, nid)

    assert send(**secure, smtp_password=SecretStr(PASSWORD)).status == "delivered"
    assert [m["To"] for m in mailbox.messages] == [EMAIL]
    # our set-up is wrong, not the message: retried (fixed, it goes through), never parked at once
    wrong = send(**secure, smtp_password=SecretStr("wrong"))
    assert (wrong.status, wrong.attempts) == ("failed", 1)
    plain = send(smtp_username=USER, smtp_password=SecretStr(PASSWORD))  # no STARTTLS: refused
    assert plain.status == "failed"
    unverified = send(**{**secure, "smtp_ca_file": None}, smtp_password=SecretStr(PASSWORD))
    assert unverified.status == "failed" and "SSLCertVerificationError" in unverified.last_error
    assert len(mailbox.messages) == 1


# --- tracing -----------------------------------------------------------------------------------


@pytest.fixture
def spans() -> Iterator[TracerProvider]:
    """A private SDK provider keeping its spans in memory (the global provider is left alone)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    provider.exporter = exporter  # type: ignore[attr-defined]
    yield provider
    provider.shutdown()


def finished(provider: TracerProvider, name: str) -> list[Any]:
    return [s for s in provider.exporter.get_finished_spans() if s.name == name]  # type: ignore[attr-defined]


def test_a_send_continues_the_trace_the_notification_was_queued_in(
    runtime, sms_provider, smtp_server, spans
) -> None:  # type: ignore[no-untyped-def]
    """The acceptance handler, run in a CONSUMER span as the worker runs it, stores that span's
    context on the SMS and e-mail it queues; the dispatcher's sends and the SMS's receipt poll
    are CLIENT spans under it, and the events they record carry their trace on."""
    contact = {"name": "张三丰", "phone": PHONE, "email": EMAIL}
    case = case_pb2.CaseSummary(
        case_id=str(uuid.uuid4()), number="NP-20261123-0001", item_code="db_apply", item_name="低保申请",
        state=4, version=2, first_ask="desk", applicant_sealed=SEALER.seal(contact),
    )  # fmt: skip
    accepted = intake_events.CaseAccepted(case=case, actor="desk")
    envelope = Envelope.new(
        source="intake", event_type=event_type_of(accepted), tenant_id=A, data=data_of(accepted)
    )
    # notify's worker seals with the deployment's keys: a runtime that has the test's key
    worker = Runtime.connect(runtime.settings.model_copy(update={"seal_keys": KEY}), runtime.database_url)
    try:
        with (
            span(
                "intake.events case_accepted process", kind=SpanKind.CONSUMER, tracer_provider=spans
            ) as consumer,
            db.transaction(worker.sessions, A) as s,
        ):
            case_events.on_case_event(envelope, s)
    finally:
        worker.sessions.kw["bind"].dispose()
        worker.ops_sessions.kw["bind"].dispose()
    trace_id = consumer.get_span_context().trace_id
    consumer_ids = [f"{trace_id:032x}", f"{consumer.get_span_context().span_id:016x}"]
    n = tables.notification
    with db.transaction(runtime.ops_sessions, None) as s:
        queued = {r.channel: r for r in s.execute(sa.select(n).where(n.c.case_id == case.case_id))}
    assert set(queued) == {"print", "sms", "email"}
    assert all(r.trace_context["traceparent"].split("-")[1:3] == consumer_ids for r in queued.values())

    clock = Clock()  # a Monday at 10:00: office hours, the SMS is not held
    sms_provider.control(deliver=True)
    d = dispatcher(runtime, sms_provider, smtp_server, clock, tracer_provider=spans)
    assert d.run_once() == 2
    assert [m["to"] for m in sms_provider.messages()] == [PHONE]
    assert [m["To"] for m in smtp_server[1].messages] == [EMAIL]
    clock.now += timedelta(seconds=31)
    d.run_once()  # the receipt: delivered
    assert row(runtime, queued["sms"].id).status == "delivered"

    [sms] = finished(spans, "notify deliver sms")
    [email] = finished(spans, "notify deliver email")
    [receipt] = finished(spans, "notify receipt sms")
    for delivery, outcome in ((sms, "sent"), (email, "delivered"), (receipt, "delivered")):
        assert (
            delivery.context.trace_id == trace_id
            and delivery.parent.span_id == consumer.get_span_context().span_id
        )
        assert delivery.kind is SpanKind.CLIENT and delivery.status.status_code is not StatusCode.ERROR
        assert delivery.attributes["notification.outcome"] == outcome
        assert delivery.attributes["notification.id"] == str(
            queued[delivery.attributes["notification.channel"]].id
        )
    assert sms.attributes["notification.attempt"] == 1
    # the events recorded in a send span carry its trace on (to whoever consumes them)
    with db.transaction(runtime.ops_sessions, None) as s:
        headers = s.execute(sa.text("SELECT headers FROM notify.outbox")).scalars().all()
    assert headers and all(h["traceparent"].split("-")[1] == f"{trace_id:032x}" for h in headers)


def test_a_failed_send_is_an_error_span_and_an_old_row_starts_a_trace_of_its_own(
    runtime, sms_provider, smtp_server, spans
) -> None:  # type: ignore[no-untyped-def]
    nid = queue(runtime, urgent=True)  # as queued before migration 0006: no trace context
    assert row(runtime, nid).trace_context is None
    sms_provider.control(fail_next=1, fail_status=503)
    with span("unrelated", tracer_provider=spans):  # whatever is current is not its parent
        dispatcher(runtime, sms_provider, smtp_server, Clock(), tracer_provider=spans).run_once()
    assert row(runtime, nid).status == "failed"
    [failed] = finished(spans, "notify deliver sms")
    assert failed.parent is None  # a root: a trace of its own
    assert failed.status.status_code is StatusCode.ERROR and "503" in (failed.status.description or "")
    assert PHONE not in (failed.status.description or "")  # masked like last_error
    assert failed.attributes["notification.outcome"] == "failed"
    assert failed.attributes["notification.id"] == str(nid)
