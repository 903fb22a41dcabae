"""End to end on the production path: outbox → relay (kombu, confirms) → RabbitMQ → a nameko
`@event_handler` in a separate worker process (eventlet) → consume() with inbox and retries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import kombu
import pytest

from libs.common import db
from libs.common.messaging import AmqpPublisher, OutboxRelay, Subscription, record
from tests.integration.common.messaging_support import (
    BAIXIN,
    NAPO,
    SCHEMA,
    TABLES,
    TownshipOnboarded,
    effects,
    recording_handler,
    rows,
    unique,
    wait_for,
)
from tests.integration.common.messaging_support import broker_cleanup as broker_cleanup  # fixture
from tests.integration.common.messaging_support import dbs as dbs  # fixture

ROOT = Path(__file__).resolve().parents[3]
EVENT_TYPES = ("township_onboarded", "case_accepted")


class Worker:
    def __init__(self, dbs, amqp_url: str, service: str, source: str, log_path: Path) -> None:  # type: ignore[no-untyped-def]
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.common.messaging_worker",
                dbs.url,
                amqp_url,
                service,
                source,
            ]
            + list(EVENT_TYPES),
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


@pytest.fixture
def names() -> tuple[str, str]:
    return unique("src"), unique("svc")


@pytest.fixture
def worker_factory(dbs, amqp_url, names, tmp_path) -> Iterator:  # type: ignore[no-untyped-def]
    source, service = names
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(dbs, amqp_url, service, source, tmp_path / f"worker{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
        print(f"--- worker log ---\n{worker.output()}")


def subscriptions(source: str, service: str) -> list[Subscription]:
    """What the relay knows of the worker's subscriptions (to pre-declare their queues)."""
    return [Subscription(source, t, service, recording_handler(service), schema=SCHEMA) for t in EVENT_TYPES]


def queue_state(amqp_url: str, queue: str) -> tuple[int, int]:
    """(ready messages, consumers) of a queue."""
    with kombu.Connection(amqp_url) as conn:
        _, ready, consumers = conn.default_channel.queue_declare(queue, passive=True)
    return ready, consumers


def test_api_modules_do_not_import_eventlet() -> None:
    code = (
        "import sys, libs.common.messaging as m; "
        "from libs.common.messaging import amqp, consumer, inprocess, outbox, relay, tables; "
        "assert 'eventlet' not in sys.modules and 'nameko' not in sys.modules, sorted(sys.modules); "
        "assert callable(m.nameko_service) and 'eventlet' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_worker_gets_events_published_before_it_started_once_each(
    dbs, amqp_url, names, worker_factory, broker_cleanup
) -> None:  # type: ignore[no-untyped-def]
    source, service = names
    subs = subscriptions(source, service)
    broker_cleanup(subs, [source])
    with db.transaction(dbs.runtime, NAPO) as s:
        first = record(
            s,
            source=source,
            message_or_type=TownshipOnboarded(township="napo"),
            tenant_id=NAPO,
            schema=SCHEMA,
        )
    with db.transaction(dbs.runtime, BAIXIN) as s:
        second = record(
            s,
            source=source,
            message_or_type="case_accepted",
            data={"case": 7},
            tenant_id=BAIXIN,
            schema=SCHEMA,
        )
    publisher = AmqpPublisher(amqp_url, subs)
    relay = OutboxRelay(source, dbs.relay, publisher, schema=SCHEMA)
    assert relay.relay_once() == 2  # no worker has ever run: the pre-declared queues keep them

    # the relay crashed after publishing `first` but before marking it: it is published again
    outbox = TABLES.outbox
    with dbs.admin.begin() as s:
        s.execute(outbox.update().where(outbox.c.event_id == first.event_id).values(published_at=None))
    assert relay.relay_once() == 1
    publisher.close()
    assert queue_state(amqp_url, subs[0].queue_name) == (2, 0)

    worker = worker_factory()
    wait_for(lambda: effects(dbs, first.event_id) and effects(dbs, second.event_id), timeout=60)
    wait_for(lambda: all(queue_state(amqp_url, sub.queue_name) == (0, 1) for sub in subs), timeout=30)
    wait_for(
        lambda: len(rows(dbs, TABLES.inbox, TABLES.inbox.c.consumer.startswith(service))) == 2, timeout=10
    )
    assert [(e.tenant_id, e.detail) for e in effects(dbs, first.event_id)] == [(NAPO, f"ambient={NAPO}")]
    assert [(e.tenant_id, e.detail) for e in effects(dbs, second.event_id)] == [(BAIXIN, f"ambient={BAIXIN}")]
    assert "PRECONDITION_FAILED" not in worker.output()

    assert worker.stop() == 0  # SIGTERM: a graceful stop
    assert "stopped" in worker.output()
    assert len(effects(dbs, first.event_id)) == 1  # the duplicate delivery had no effect


def test_worker_retries_a_failed_event_until_it_succeeds(
    dbs, amqp_url, names, worker_factory, broker_cleanup, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    source, service = names
    subs = subscriptions(source, service)
    broker_cleanup(subs, [source])
    worker = worker_factory()
    # the worker is up when its queues have a consumer (it declared them itself)
    wait_for(lambda: _consumers(amqp_url, subs) == [1, 1], timeout=60)

    fail_file = tmp_path / "broken"
    fail_file.write_text("the cause")
    with db.transaction(dbs.runtime, NAPO) as s:
        env = record(
            s,
            source=source,
            message_or_type="case_accepted",
            data={"fail_file": str(fail_file)},
            tenant_id=NAPO,
            schema=SCHEMA,
        )
    with AmqpPublisher(amqp_url, subs) as publisher:
        assert OutboxRelay(source, dbs.relay, publisher, schema=SCHEMA).relay_once() == 1

    failed = TABLES.failed_event
    failures = wait_for(lambda: rows(dbs, failed, failed.c.event_id == env.event_id), timeout=30)
    assert failures[0].consumer == f"{service}.handle_case_accepted" and failures[0].tenant_id == NAPO
    assert effects(dbs, env.event_id) == []

    fail_file.unlink()  # the cause is fixed: the worker's timer retries it
    wait_for(lambda: effects(dbs, env.event_id), timeout=30)
    wait_for(lambda: not rows(dbs, failed, failed.c.event_id == env.event_id), timeout=10)
    assert len(effects(dbs, env.event_id)) == 1
    assert worker.stop() == 0


def _consumers(amqp_url: str, subs: list[Subscription]) -> list[int]:
    try:
        return [queue_state(amqp_url, sub.queue_name)[1] for sub in subs]
    except Exception:  # noqa: BLE001 - not declared yet
        return []


def test_a_burst_is_handled_in_batches_each_event_once_and_every_message_acked(
    dbs, amqp_url, names, worker_factory, broker_cleanup, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Three batches' worth of events (a batch is 100), over two tenants, one of them poison:
    every good event has exactly one effect, the poison one is parked alone, and once the worker
    has stopped no message is left in the queue (all were acked, none only taken)."""
    source, service = names
    subs = subscriptions(source, service)
    broker_cleanup(subs, [source])
    poison_file = tmp_path / "poison"
    poison_file.write_text("broken for good")
    written = []
    for chunk in range(6):
        tenant = (NAPO, BAIXIN)[chunk % 2]
        with db.transaction(dbs.runtime, tenant) as s:
            for i in range(50):
                data: dict[str, object] = {"n": chunk * 50 + i}
                if chunk == 3 and i == 7:
                    data["fail_file"] = str(poison_file)
                written.append(
                    record(
                        s,
                        source=source,
                        message_or_type="case_accepted",
                        data=data,
                        tenant_id=tenant,
                        schema=SCHEMA,
                    )  # fmt: skip
                )
    poison = written[3 * 50 + 7]
    with AmqpPublisher(amqp_url, subs) as publisher:
        relay = OutboxRelay(source, dbs.relay, publisher, batch_size=500, schema=SCHEMA)
        assert relay.relay_once() == 300
    worker = worker_factory()

    good = [e.event_id for e in written if e is not poison]
    inbox = TABLES.inbox
    wait_for(lambda: len(rows(dbs, inbox, inbox.c.consumer.startswith(service))) == 299, timeout=60)
    failed = TABLES.failed_event
    failures = wait_for(lambda: rows(dbs, failed, failed.c.consumer.startswith(service)), timeout=30)
    assert [str(f.event_id) for f in failures] == [poison.event_id]
    handled = [e.event_id for e in effects(dbs) if e.consumer == service]
    assert sorted(handled) == sorted(good)  # once each, none lost, the poison one not at all
    assert worker.stop() == 0
    assert queue_state(amqp_url, subs[1].queue_name) == (0, 0)  # nothing came back unacked
