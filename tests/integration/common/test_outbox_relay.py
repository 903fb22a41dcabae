"""The transactional outbox and its relay, on a real PostgreSQL and a real RabbitMQ."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import kombu
import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace import TracerProvider

from libs.common import db
from libs.common.messaging import (
    AmqpPublisher,
    Envelope,
    InProcessBus,
    OutboxRelay,
    Subscription,
    UnroutableEvent,
    record,
)
from libs.common.observability.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, OUTBOX_PUBLISHED
from libs.common.observability.tracing import span
from tests.integration.common.messaging_support import (
    BAIXIN,
    COUNTY,
    NAPO,
    SCHEMA,
    TABLES,
    TownshipOnboarded,
    effects,
    note,
    recording_handler,
    rows,
    unique,
    wait_for,
)
from tests.integration.common.messaging_support import broker_cleanup as broker_cleanup  # fixture
from tests.integration.common.messaging_support import dbs as dbs  # fixture

outbox = TABLES.outbox


def write(dbs, source: str, tenant: str = NAPO, township: str = "napo") -> Envelope:  # type: ignore[no-untyped-def]
    """A service write: a domain row and its event in one runtime transaction."""
    with db.transaction(dbs.runtime, tenant) as s:
        s.execute(note.insert().values(tenant_id=tenant, body=f"onboarded {township}"))
        return record(
            s,
            source=source,
            message_or_type=TownshipOnboarded(township=township, display_name="那坡"),
            tenant_id=tenant,
            schema=SCHEMA,
        )


def outbox_rows(dbs, source: str) -> list:  # type: ignore[no-untyped-def]
    return sorted(rows(dbs, outbox, outbox.c.source == source), key=lambda r: r.id)


def get_all(amqp_url: str, queue: str) -> list:  # type: ignore[no-untyped-def]
    """Every message waiting in `queue` (acked), oldest first."""
    messages = []
    with kombu.Connection(amqp_url) as conn:
        channel = conn.default_channel
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            messages.append(message)
    return messages


def test_write_and_event_commit_together(dbs) -> None:
    source = unique("src")
    env = write(dbs, source)
    assert env.event_type == "township_onboarded"
    assert env.data == {"township": "napo", "display_name": "那坡"}
    (row,) = outbox_rows(dbs, source)
    assert (str(row.event_id), row.tenant_id, row.event_type, row.payload) == (
        env.event_id,
        NAPO,
        "township_onboarded",
        env.data,
    )
    assert row.published_at is None and row.attempts == 0

    # a rolled-back write leaves neither the domain row nor the event
    with pytest.raises(RuntimeError), db.transaction(dbs.runtime, NAPO) as s:
        s.execute(note.insert().values(tenant_id=NAPO, body="never"))
        record(
            s, source=source, message_or_type="township_renamed", data={"x": 1}, tenant_id=NAPO, schema=SCHEMA
        )
        raise RuntimeError("the command failed after writing")
    assert len(outbox_rows(dbs, source)) == 1
    with db.transaction(dbs.runtime, NAPO) as s:
        assert s.execute(sa.select(note).where(note.c.body == "never")).all() == []


def test_outbox_is_tenant_isolated(dbs) -> None:
    source = unique("src")
    write(dbs, source, NAPO)
    with db.transaction(dbs.runtime, BAIXIN) as s:
        assert s.execute(sa.select(outbox).where(outbox.c.source == source)).all() == []
    with db.transaction(dbs.runtime, NAPO) as s:
        assert len(s.execute(sa.select(outbox).where(outbox.c.source == source)).all()) == 1
    # an event cannot be written under another tenant than the transaction's
    rls = pytest.raises(sa.exc.DBAPIError, match="row-level security")
    with rls, db.transaction(dbs.runtime, BAIXIN) as s:
        record(s, source=source, message_or_type="x_happened", tenant_id=NAPO, schema=SCHEMA)


def test_trace_context_is_stored_with_the_event(dbs) -> None:
    source = unique("src")
    with span("request", tracer_provider=TracerProvider()) as request_span:
        env = write(dbs, source)
    trace_id = format(request_span.get_span_context().trace_id, "032x")
    assert env.headers["traceparent"].split("-")[1] == trace_id
    (row,) = outbox_rows(dbs, source)
    assert row.headers == env.headers


def test_relay_publishes_in_nameko_wire_format(dbs, amqp_url, broker_cleanup) -> None:
    source = unique("src")
    sub = Subscription(source, "township_onboarded", unique("svc"), recording_handler("x"), schema=SCHEMA)
    broker_cleanup([sub], [source])
    with span("request", tracer_provider=TracerProvider()):
        first = write(dbs, source, NAPO, "napo")
    second = write(dbs, source, BAIXIN, "baixin")
    published_before = OUTBOX_PUBLISHED.labels(service=source)._value.get()
    with AmqpPublisher(amqp_url, [sub]) as publisher:
        relay = OutboxRelay(source, dbs.relay, publisher, batch_size=10, schema=SCHEMA)
        assert relay.relay_once() == 2
        assert relay.relay_once() == 0

    messages = get_all(amqp_url, sub.queue_name)
    assert len(messages) == 2
    for message, env in zip(messages, (first, second), strict=True):
        assert message.delivery_info["exchange"] == f"{source}.events"
        assert message.delivery_info["routing_key"] == "township_onboarded"
        assert message.properties["content_type"] == "application/json"
        assert message.properties["content_encoding"] == "utf-8"
        assert message.properties["delivery_mode"] == 2
        assert message.properties["message_id"] == env.event_id
        body = json.loads(message.body)
        assert Envelope.from_body(body).event_id == env.event_id
        assert body["tenant_id"] == env.tenant_id and body["data"] == env.data
        assert set(body) == {
            "event_id",
            "event_type",
            "source",
            "tenant_id",
            "occurred_at",
            "schema_version",
            "data",
            "headers",
        }
    # the trace continues: same trace id, the relay's own (PRODUCER) span as parent
    headers = messages[0].properties["application_headers"]
    assert headers["traceparent"].split("-")[1] == first.headers["traceparent"].split("-")[1]
    assert json.loads(messages[0].body)["headers"]["traceparent"] == headers["traceparent"]

    assert all(r.published_at is not None and r.attempts == 1 for r in outbox_rows(dbs, source))
    assert OUTBOX_PUBLISHED.labels(service=source)._value.get() == published_before + 2
    assert OUTBOX_BACKLOG.labels(service=source)._value.get() == 0
    assert OUTBOX_OLDEST_AGE.labels(service=source)._value.get() == 0


def test_a_failed_publish_keeps_the_row_and_stops_the_batch(dbs, amqp_url, broker_cleanup) -> None:
    source = unique("src")
    sub = Subscription(source, "township_onboarded", unique("svc"), recording_handler("x"), schema=SCHEMA)
    broker_cleanup([sub], [source])
    first, second = write(dbs, source, NAPO, "napo"), write(dbs, source, BAIXIN, "baixin")
    # a broker-side failure: the exchange exists with another type (406 PRECONDITION_FAILED)
    with kombu.Connection(amqp_url) as conn:
        kombu.Exchange(f"{source}.events", type="direct", durable=True)(conn.default_channel).declare()
    publisher = AmqpPublisher(amqp_url, [sub])
    relay = OutboxRelay(source, dbs.relay, publisher, batch_size=10, schema=SCHEMA)
    assert relay.relay_once() == 0
    assert relay.last_error and "inequivalent arg" in relay.last_error
    r1, r2 = outbox_rows(dbs, source)
    assert (r1.attempts, r1.published_at) == (1, None) and "inequivalent" in r1.last_error
    assert (r2.attempts, r2.published_at, r2.last_error) == (0, None, None)  # the batch stopped
    assert OUTBOX_BACKLOG.labels(service=source)._value.get() == 2
    assert OUTBOX_OLDEST_AGE.labels(service=source)._value.get() > 0

    with kombu.Connection(amqp_url) as conn:  # the operator fixes the broker
        conn.default_channel.exchange_delete(f"{source}.events")
    assert relay.relay_once() == 2
    publisher.close()
    r1, r2 = outbox_rows(dbs, source)
    assert (r1.attempts, r1.last_error) == (2, None) and r1.published_at and r2.published_at
    assert [json.loads(m.body)["event_id"] for m in get_all(amqp_url, sub.queue_name)] == [
        first.event_id,
        second.event_id,
    ]


def test_unroutable_policy(dbs, amqp_url, broker_cleanup) -> None:
    source = unique("src")
    sub = Subscription(source, "township_onboarded", unique("svc"), recording_handler("x"), schema=SCHEMA)
    broker_cleanup([sub], [source])
    publisher = AmqpPublisher(amqp_url, [sub])
    publisher.declare()
    with kombu.Connection(amqp_url) as conn:  # the expected queue vanishes
        conn.default_channel.queue_delete(sub.queue_name)

    # an expected route with no queue: the row stays (and the queue is declared again)
    expected = write(dbs, source)
    with pytest.raises(UnroutableEvent):
        publisher.publish(expected)
    relay = OutboxRelay(source, dbs.relay, publisher, schema=SCHEMA)
    assert relay.relay_once() == 1  # the queue exists again
    assert [json.loads(m.body)["event_id"] for m in get_all(amqp_url, sub.queue_name)] == [expected.event_id]

    # an event nobody subscribes to: published to nobody, logged at INFO
    with db.transaction(dbs.runtime, NAPO) as s:
        nobody = record(s, source=source, message_or_type="nobody_listens", tenant_id=NAPO, schema=SCHEMA)
    assert relay.relay_once() == 1
    (row,) = [r for r in outbox_rows(dbs, source) if str(r.event_id) == nobody.event_id]
    assert row.published_at is not None

    # strict: every unroutable event stays until some queue is bound
    strict = AmqpPublisher(amqp_url, [sub], strict=True)
    with pytest.raises(UnroutableEvent):
        strict.publish(nobody)
    strict.publish(expected)  # routable: fine
    strict.close()
    publisher.close()


def test_in_process_bus_delivers_to_the_same_handler_once(dbs) -> None:
    source = unique("src")
    service = unique("svc")
    subs = [
        Subscription(source, "township_onboarded", service, recording_handler(service), schema=SCHEMA),
        Subscription(source, "calendar_changed", service, recording_handler(service), schema=SCHEMA),
    ]
    bus = InProcessBus(subs, lambda name: dbs.runtime)
    relay = OutboxRelay(source, dbs.relay, bus, schema=SCHEMA)
    township = write(dbs, source)
    with db.transaction(dbs.runtime, COUNTY) as s:
        county = record(s, source=source, message_or_type="calendar_changed", tenant_id=COUNTY, schema=SCHEMA)
    assert relay.relay_once() == 2
    assert [(e.tenant_id, e.detail) for e in effects(dbs, township.event_id)] == [(NAPO, f"ambient={NAPO}")]
    assert [(e.tenant_id, e.detail) for e in effects(dbs, county.event_id)] == [(COUNTY, "ambient=None")]

    # the relay crashed between publishing and marking: the rows are published again
    with dbs.admin.begin() as s:
        s.execute(outbox.update().where(outbox.c.source == source).values(published_at=None))
    assert relay.relay_once() == 2
    assert len(effects(dbs, township.event_id)) == 1 and len(effects(dbs, county.event_id)) == 1


def test_in_process_bus_takes_a_relay_pass_as_one_batch(dbs) -> None:
    """As a nameko worker takes a batch of its queue: each subscription handles its events of the
    pass in one transaction per township (the effects share their transaction id), in order; a
    poison event rolls its township's batch back and is recorded alone while the rest commit."""
    source, service = unique("src"), unique("svc")
    poison: set[str] = set()
    sub = Subscription(
        source, "township_onboarded", service, recording_handler(service, lambda e: e.event_id in poison),
        schema=SCHEMA,
    )  # fmt: skip
    relay = OutboxRelay(source, dbs.relay, InProcessBus([sub], lambda name: dbs.runtime), schema=SCHEMA)
    napo = [write(dbs, source, NAPO, f"napo{i}") for i in range(3)]
    baixin = [write(dbs, source, BAIXIN, f"baixin{i}") for i in range(4)]
    poison.add(baixin[1].event_id)
    assert relay.relay_once() == 7

    def transactions(envelopes: list[Envelope]) -> set[str]:
        with dbs.admin.begin() as s:
            return set(
                s.execute(
                    sa.select(sa.cast(sa.literal_column("xmin"), sa.Text)).where(
                        TABLES.inbox.c.consumer == sub.consumer,
                        TABLES.inbox.c.event_id.in_([e.event_id for e in envelopes]),
                    )
                ).scalars()
            )

    def mine(tenant: str) -> list:  # this test's effects (other tests write the same townships')
        return [r for r in effects(dbs, tenant=tenant) if r.consumer == service]

    assert len(transactions(napo)) == 1  # the township's three events: one transaction
    done = [e for e in baixin if e.event_id not in poison]
    assert {e.event_id for e in mine(BAIXIN)} == {e.event_id for e in done}
    assert len(transactions(done)) == 3  # after the rollback, each on its own
    assert transactions([baixin[1]]) == set()  # not in the inbox: recorded as failed, to retry
    (failed,) = rows(dbs, TABLES.failed_event, TABLES.failed_event.c.event_id == baixin[1].event_id)
    assert failed.consumer == sub.consumer and "failed on purpose" in failed.last_error
    ids = [r.event_id for r in sorted(mine(NAPO), key=lambda r: r.id)]
    assert ids == [e.event_id for e in napo]  # in the outbox's order


def test_relay_loop_runs_until_stopped(dbs) -> None:
    source = unique("src")
    service = unique("svc")
    sub = Subscription(source, "township_onboarded", service, recording_handler(service), schema=SCHEMA)
    relay = OutboxRelay(source, dbs.relay, InProcessBus([sub], lambda name: dbs.runtime), schema=SCHEMA)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop, 0.05), daemon=True)
    thread.start()
    try:
        env = write(dbs, source)
        wait_for(lambda: effects(dbs, env.event_id), timeout=10)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()


# --- batches: one wait for the confirms, one UPDATE, nothing unconfirmed marked ---------------


@contextmanager
def outbox_updates(dbs) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """The UPDATE statements on the outbox that the relay's engine runs inside the block."""
    seen: list[str] = []
    engine = dbs.relay.kw["bind"]

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE") and ".outbox " in statement:
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def queued_ids(amqp_url: str, queue: str) -> list[str]:
    return [json.loads(m.body)["event_id"] for m in get_all(amqp_url, queue)]


def test_a_batch_is_confirmed_at_once_and_marked_with_one_update(dbs, amqp_url, broker_cleanup) -> None:
    source = unique("src")
    sub = Subscription(source, "township_onboarded", unique("svc"), recording_handler("x"), schema=SCHEMA)
    broker_cleanup([sub], [source])
    written = [write(dbs, source, NAPO, f"t{i}") for i in range(5)]
    with AmqpPublisher(amqp_url, [sub]) as publisher, outbox_updates(dbs) as updates:
        assert OutboxRelay(source, dbs.relay, publisher, schema=SCHEMA).relay_once() == 5
    assert len(updates) == 1
    assert queued_ids(amqp_url, sub.queue_name) == [e.event_id for e in written]
    assert all(r.published_at is not None and r.attempts == 1 for r in outbox_rows(dbs, source))


def test_a_nack_stops_the_batch_and_leaves_the_rest_unpublished(dbs, amqp_url, broker_cleanup) -> None:
    source = unique("src")
    sub = Subscription(source, "township_onboarded", unique("svc"), recording_handler("x"), schema=SCHEMA)
    broker_cleanup([sub], [source])
    # a second queue on the route that takes one message and then refuses: the broker nacks
    full = kombu.Queue(
        unique("full"),
        exchange=kombu.Exchange(f"{source}.events", type="topic", durable=True),
        routing_key="township_onboarded",
        queue_arguments={"x-max-length": 1, "x-overflow": "reject-publish"},
    )
    with kombu.Connection(amqp_url) as conn:
        full(conn.default_channel).declare()
    try:
        first, second, third = (write(dbs, source, NAPO, f"t{i}") for i in range(3))
        publisher = AmqpPublisher(amqp_url, [sub])
        relay = OutboxRelay(source, dbs.relay, publisher, schema=SCHEMA)
        assert relay.relay_once() == 1  # a partial batch: only the confirmed leading row
        assert relay.last_error and "PublishNacked" in relay.last_error
        r1, r2, r3 = outbox_rows(dbs, source)
        assert (r1.attempts, r1.last_error) == (1, None) and r1.published_at is not None
        assert (r2.attempts, r2.published_at) == (1, None) and "nack" in r2.last_error
        assert (r3.attempts, r3.published_at, r3.last_error) == (0, None, None)
        assert OUTBOX_BACKLOG.labels(service=source)._value.get() == 2

        with kombu.Connection(amqp_url) as conn:  # room again: the rest goes, in order
            conn.default_channel.queue_purge(full.name)
        assert relay.relay_once() == 1  # the third is nacked now (the queue holds the second)
        with kombu.Connection(amqp_url) as conn:
            conn.default_channel.queue_delete(full.name)
        assert relay.relay_once() == 1
        publisher.close()
        assert all(r.published_at is not None for r in outbox_rows(dbs, source))
        # at least once: the nacked events may reach the other queues more than once, in order
        got = queued_ids(amqp_url, sub.queue_name)
        last = {event_id: i for i, event_id in enumerate(got)}  # the last copies arrived in order
        assert got[0] == first.event_id
        assert last[first.event_id] < last[second.event_id] < last[third.event_id]
    finally:
        with kombu.Connection(amqp_url) as conn, contextlib.suppress(Exception):  # already gone
            conn.default_channel.queue_delete(full.name)


def test_missing_confirms_leave_the_rows_unpublished(dbs, amqp_url, broker_cleanup) -> None:
    source = unique("src")
    sub = Subscription(source, "township_onboarded", unique("svc"), recording_handler("x"), schema=SCHEMA)
    broker_cleanup([sub], [source])
    written = [write(dbs, source, NAPO, f"t{i}") for i in range(3)]
    # no time at all to wait: the broker takes the messages, but no confirm is seen in time
    impatient = AmqpPublisher(amqp_url, [sub], confirm_timeout=0.0)
    relay = OutboxRelay(source, dbs.relay, impatient, schema=SCHEMA)
    assert relay.relay_once() == 0
    assert relay.last_error and "ConfirmTimeout" in relay.last_error
    r1, r2, r3 = outbox_rows(dbs, source)
    assert (r1.attempts, r1.published_at) == (1, None) and "not confirmed" in r1.last_error
    assert all((r.attempts, r.published_at) == (0, None) for r in (r2, r3))
    assert impatient._connection is None  # late confirms cannot be taken for a later batch's
    impatient.close()

    with AmqpPublisher(amqp_url, [sub]) as publisher:  # they go again
        assert OutboxRelay(source, dbs.relay, publisher, schema=SCHEMA).relay_once() == 3
    ids = [e.event_id for e in written]
    assert queued_ids(amqp_url, sub.queue_name) == ids + ids  # at least once: twice here


class FailsOnSecond:
    """A publisher without `publish_batch` (the protocol's minimum): the relay loops."""

    def __init__(self) -> None:
        self.published: list[str] = []

    def publish(self, envelope: Envelope) -> None:
        if len(self.published) == 1:
            self.published.append("failed")
            raise ConnectionError("the bus is away")
        self.published.append(envelope.event_id)


def test_a_publisher_without_batches_is_called_one_by_one(dbs) -> None:
    source = unique("src")
    first, _second, _third = (write(dbs, source, NAPO, f"t{i}") for i in range(3))
    publisher = FailsOnSecond()
    relay = OutboxRelay(source, dbs.relay, publisher, schema=SCHEMA)
    with outbox_updates(dbs) as updates:
        assert relay.relay_once() == 1
    assert publisher.published == [first.event_id, "failed"]
    assert len(updates) == 2  # the published one, the attempt of the failed one
    r1, r2, r3 = outbox_rows(dbs, source)
    assert r1.published_at is not None
    assert (r2.attempts, r2.published_at) == (1, None) and "the bus is away" in r2.last_error
    assert (r3.attempts, r3.published_at) == (0, None)
    assert relay.relay_once() == 2
