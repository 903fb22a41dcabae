"""Event throughput and end-to-end lag on the production path of notify's events:
transactional outbox → OutboxRelay (kombu, publisher confirms) → RabbitMQ → a nameko worker
process → `consume()` with the idempotent inbox, the handler's effect committing with its inbox row.

Targets (issue 5): ≥ 2,000 events/s and end-to-end lag p99 ≤ 1 s. The baseline, measured in the
same run on the same broker, is raw kombu: the same message bodies published (with confirms) and
consumed (acked) with no database at all, so the ratios show what the outbox and inbox cost.

* throughput: each stage alone (N events written; relayed while no worker runs; the queued
  backlog consumed once the worker starts), then the whole path at once: N more events written,
  then the relay started; events/s = N / (last effect committed − relay started).
* lag: events are offered at a steady rate (half the measured throughput, at most the target)
  for a few seconds, each in its own transaction as a request writes it; lag = the effect's
  commit (`clock_timestamp()` in the handler) − the envelope's `occurred_at`.

Every event must be handled exactly once (checked: the effect table's event ids are unique and
complete), otherwise `run()` raises. Needs PostgreSQL (`BIANMIN_TEST_DATABASE_URL`, else the
embedded server of the tests) and RabbitMQ (`BIANMIN_AMQP_URL`, default 127.0.0.1:5672); it
works in a database of its own and on exchanges/queues of its own, removed afterwards."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import kombu
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.messaging import (
    AmqpPublisher,
    Envelope,
    OutboxRelay,
    Subscription,
    create_messaging_tables,
    record,
)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "bench_notify"
EVENT_TYPE = "case_accepted"
RUNTIME_ROLE, RELAY_ROLE = "bianmin_app", "bianmin_relay"
TOWNSHIPS = tuple(f"bench.t{i}" for i in range(4))
TARGET_PER_SECOND = 2_000
TARGET_LAG_P99 = 1.0

metadata = sa.MetaData(schema=SCHEMA)
effect = db.tenant_table(
    "effect",
    metadata,
    sa.Column("event_id", sa.Text, primary_key=True),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
)


# built once, as a handler's statements should be (SQLAlchemy then only binds the values)
RECORD_EFFECT = effect.insert().values(done_at=sa.func.clock_timestamp())


def handle_case_accepted(envelope: Envelope, session: Session) -> None:
    """What a notice handler does at the least: one row, in the consumer's transaction."""
    session.execute(
        RECORD_EFFECT,
        {"tenant_id": envelope.tenant_id, "event_id": envelope.event_id, "occurred_at": envelope.occurred_at},
    )


def subscription(source: str, service: str) -> Subscription:
    return Subscription(source, EVENT_TYPE, service, handle_case_accepted, schema=SCHEMA)


def payload(i: int) -> dict[str, Any]:
    """About the size of a real case_accepted (a case summary, sealed contact)."""
    return {
        "case": {
            "case_id": str(uuid.uuid4()),
            "number": f"napo-20260101-{i:04d}",
            "item_code": "dibao_apply",
            "item_name": "最低生活保障申请",
            "state": "accepted",
            "version": 2,
            "applicant_sealed": "gAAAAA" + "x" * 180,
        },
        "actor": "desk1",
        "accepted_at": datetime.now(UTC).isoformat(),
    }


# --- set-up ------------------------------------------------------------------------------------


@dataclass
class Env:
    url: str
    runtime: sessionmaker[Session]
    relay: sessionmaker[Session]
    amqp_url: str
    source: str
    service: str


def _server_url() -> str:
    url = os.environ.get("BIANMIN_TEST_DATABASE_URL")
    if url:
        return url
    from libs.common import embedded_pg

    return embedded_pg.start(ROOT / ".test-data")


def setup_schema(url: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        metadata.create_all(conn)
        db.enable_rls(conn, SCHEMA, "effect")
        create_messaging_tables(conn, SCHEMA)
        db.ensure_roles(conn, RUNTIME_ROLE, RELAY_ROLE)
        db.grant_schema(conn, SCHEMA, RUNTIME_ROLE, RELAY_ROLE)
    engine.dispose()


@contextmanager
def environment(server_url: str | None = None, amqp_url: str | None = None) -> Iterator[Env]:
    import psycopg

    from libs.common import embedded_pg

    server = server_url or _server_url()
    name = f"bianmin_bench_{uuid.uuid4().hex[:10]}"
    url = embedded_pg.ensure_database(server, name)
    amqp = amqp_url or os.environ.get("BIANMIN_AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672/"
    tag = uuid.uuid4().hex[:8]
    runtime_engine = db.make_engine(url, role=RUNTIME_ROLE, pool_size=8)
    relay_engine = db.make_engine(url, role=RELAY_ROLE, pool_size=4)
    env = Env(url, db.make_sessions(runtime_engine), db.make_sessions(relay_engine), amqp,
              f"benchsrc{tag}", f"benchsvc{tag}")  # fmt: skip
    try:
        setup_schema(url)
        yield env
    finally:
        runtime_engine.dispose()
        relay_engine.dispose()
        _delete_broker_objects(env)
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _delete_broker_objects(env: Env) -> None:
    try:
        with kombu.Connection(env.amqp_url, connect_timeout=5) as conn:
            channel = conn.default_channel
            for queue in (subscription(env.source, env.service).queue_name, f"{env.source}-baseline"):
                channel.queue_delete(queue)
            channel.exchange_delete(f"{env.source}.events")
    except Exception as exc:  # noqa: BLE001 - leftovers are harmless; say so
        print(f"notify bench: could not remove its queues: {exc}", file=sys.stderr)


class Worker:
    """The nameko worker process (bench/notify_bench_worker.py), as `serve notify worker` runs."""

    def __init__(self, env: Env, log_path: Path) -> None:
        self.log_path = log_path
        log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.notify_bench_worker",
                env.url,
                env.amqp_url,
                env.source,
                env.service,
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        log.close()

    def wait_consuming(self, env: Env, timeout: float = 60) -> None:
        queue = subscription(env.source, env.service).queue_name
        deadline = time.monotonic() + timeout
        with kombu.Connection(env.amqp_url) as conn:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the bench worker exited:\n{self.log_path.read_text()[-3000:]}")
                try:
                    _, _, consumers = conn.default_channel.queue_declare(queue, passive=True)
                    if consumers:
                        return
                except Exception:  # noqa: BLE001 - not declared yet
                    conn.close()
                time.sleep(0.2)
        raise RuntimeError(
            f"the bench worker did not consume in {timeout}s:\n{self.log_path.read_text()[-3000:]}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- the pipeline ------------------------------------------------------------------------------


def write_events(env: Env, n: int, per_transaction: int, start: int = 0) -> list[str]:
    ids: list[str] = []
    for first in range(start, start + n, per_transaction):
        tenant = TOWNSHIPS[(first // per_transaction) % len(TOWNSHIPS)]
        with db.transaction(env.runtime, tenant) as s:
            for i in range(first, min(first + per_transaction, start + n)):
                envelope = record(
                    s,
                    source=env.source,
                    message_or_type=EVENT_TYPE,
                    data=payload(i),
                    tenant_id=tenant,
                    schema=SCHEMA,
                )
                ids.append(envelope.event_id)
    return ids


def paced(rate: float, seconds: float, send) -> int:  # type: ignore[no-untyped-def]
    """Call `send(i)` `rate` times a second for `seconds` (in ticks of 10 ms); return the count."""
    total = int(rate * seconds)
    began = time.perf_counter()
    for i in range(total):
        due = began + i / rate
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        send(i)
    return total


def effects_done(env: Env) -> int:
    with env.relay() as s:
        return int(s.execute(sa.select(sa.func.count()).select_from(effect)).scalar_one())


def wait_done(env: Env, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while (done := effects_done(env)) < n:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {done} of {n} events were handled in {timeout}s")
        time.sleep(0.05)


def check_exactly_once(env: Env, ids: list[str]) -> None:
    with env.relay() as s:
        got = list(s.execute(sa.select(effect.c.event_id)).scalars())
    if len(got) != len(set(got)) or set(got) != set(ids):
        raise RuntimeError(
            f"not exactly once: {len(ids)} events, {len(got)} effects, {len(set(got))} distinct"
        )


def lags_of(env: Env, ids: list[str]) -> list[float]:
    with env.relay() as s:
        rows = s.execute(
            sa.select((sa.func.extract("epoch", effect.c.done_at - effect.c.occurred_at)).label("lag")).where(
                effect.c.event_id.in_(ids)
            )
        ).scalars()
        return [float(x) for x in rows]


def percentile(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


@contextmanager
def relaying(env: Env, sub: Subscription) -> Iterator[OutboxRelay]:
    publisher = AmqpPublisher(env.amqp_url, declare_queues=[sub])
    relay = OutboxRelay(env.source, env.relay, publisher, batch_size=200, schema=SCHEMA)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), kwargs={"idle_seconds": 0.02}, daemon=True)
    thread.start()
    try:
        yield relay
    finally:
        stop.set()
        thread.join(30)
        publisher.close()


def pipeline(env: Env, n: int, lag_seconds: float, workdir: Path) -> dict[str, Any]:
    sub = subscription(env.source, env.service)
    # each stage alone first: n events written, relayed while no worker runs, then consumed
    began = time.perf_counter()
    backlog = write_events(env, n, per_transaction=100)
    write_seconds = time.perf_counter() - began
    with AmqpPublisher(env.amqp_url, declare_queues=[sub]) as publisher:
        relay = OutboxRelay(env.source, env.relay, publisher, batch_size=200, schema=SCHEMA)
        began = time.perf_counter()
        while relay.relay_once():
            pass
        relay_seconds = time.perf_counter() - began
        if relay.update_gauges()[0]:
            raise RuntimeError(f"the relay stopped with a backlog: {relay.last_error}")
    worker = Worker(env, workdir / "notify-bench-worker.log")
    try:
        worker.wait_consuming(env)
        wait_done(env, n, timeout=max(300.0, n / 5))  # slow is a figure, not a failure
        with env.relay() as s:
            first, last = s.execute(
                sa.select(sa.func.min(effect.c.done_at), sa.func.max(effect.c.done_at))
            ).one()
        consumer_rate = (n - 1) / max(1e-6, (last - first).total_seconds())

        # the whole path at once: n more events written, then relayed and consumed together
        ids = backlog + write_events(env, n, per_transaction=100, start=n)
        started = datetime.now(UTC)
        with relaying(env, sub):
            wait_done(env, 2 * n, timeout=max(300.0, n / 5))
            with env.relay() as s:
                last = s.execute(sa.select(sa.func.max(effect.c.done_at))).scalar_one()
            seconds = (last - started).total_seconds()
            rate = n / seconds

            offered = max(10.0, min(float(TARGET_PER_SECOND), rate / 2))
            paced_ids: list[str] = []
            tenants = TOWNSHIPS

            def send(i: int) -> None:
                tenant = tenants[i % len(tenants)]
                with db.transaction(env.runtime, tenant) as s:
                    e = record(
                        s, source=env.source, message_or_type=EVENT_TYPE, data=payload(i), tenant_id=tenant,
                        schema=SCHEMA,
                    )  # fmt: skip
                paced_ids.append(e.event_id)

            sent = paced(offered, lag_seconds, send)
            wait_done(env, 2 * n + sent, timeout=max(120.0, sent / 5))
        check_exactly_once(env, ids + paced_ids)
        lags = lags_of(env, paced_ids)
    finally:
        worker.stop()
    return {
        "write_seconds": write_seconds,
        "seconds": seconds,
        "rate": rate,
        "relay_rate": n / relay_seconds,
        "consumer_rate": consumer_rate,
        "offered": offered,
        "lags": lags,
    }


# --- the baseline: raw kombu, same bodies, no database -----------------------------------------


def baseline(env: Env, n: int, offered: float, lag_seconds: float) -> dict[str, Any]:
    exchange = kombu.Exchange(f"{env.source}.events", type="topic", durable=True)
    queue = kombu.Queue(f"{env.source}-baseline", exchange=exchange, routing_key="baseline", durable=True)
    received: dict[str, float] = {}
    stop, ready = threading.Event(), threading.Event()

    def consume_all() -> None:
        with kombu.Connection(env.amqp_url) as conn:

            def on_message(body: dict[str, Any], message: Any) -> None:
                received[body["event_id"]] = time.time()
                message.ack()

            with conn.Consumer(queue, callbacks=[on_message], prefetch_count=100):
                ready.set()
                while not stop.is_set():
                    try:
                        conn.drain_events(timeout=0.2)
                    except TimeoutError:
                        continue

    def wait_received(count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(received) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"baseline: {len(received)} of {count} messages received in {timeout}s")
            time.sleep(0.01)

    def body(i: int) -> dict[str, Any]:
        return Envelope.new(source=env.source, event_type=EVENT_TYPE, tenant_id=TOWNSHIPS[0],
                            data=payload(i)).to_body()  # fmt: skip

    thread = threading.Thread(target=consume_all, daemon=True)
    with kombu.Connection(env.amqp_url, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer()
        queue(conn.default_channel).declare()

        def publish(message: dict[str, Any]) -> None:
            producer.publish(
                message, exchange=exchange, routing_key="baseline", serializer="json", delivery_mode=2,
                message_id=message["event_id"],
            )  # fmt: skip

        thread.start()
        ready.wait(30)
        try:
            messages = [body(i) for i in range(n)]
            began = time.time()
            for message in messages:
                publish(message)
            wait_received(n, max(60.0, n / 100))
            seconds = max(received.values()) - began

            paced_messages = [body(n + i) for i in range(int(offered * lag_seconds))]
            sent_at: dict[str, float] = {}

            def send(i: int) -> None:
                message, now = paced_messages[i], datetime.now(UTC)
                message["occurred_at"] = now.isoformat()
                sent_at[message["event_id"]] = now.timestamp()
                publish(message)

            sent = paced(offered, lag_seconds, send)
            wait_received(n + sent, 60)
        finally:
            stop.set()
            thread.join(10)
    return {"seconds": seconds, "rate": n / seconds, "lags": [received[k] - t for k, t in sent_at.items()]}


# --- the rows ----------------------------------------------------------------------------------


def run(
    n: int | None = None,
    lag_seconds: float = 10.0,
    *,
    server_url: str | None = None,
    amqp_url: str | None = None,
    workdir: Path | None = None,
) -> list[dict]:
    import tempfile

    # `python -m bench notify --cases N`
    n = n if n is not None else int(os.environ.get("BIANMIN_BENCH_CASES") or 10_000)
    workdir = workdir or Path(tempfile.mkdtemp(prefix="notify-bench-"))
    with environment(server_url, amqp_url) as env:
        p = pipeline(env, n, lag_seconds, workdir)
        b = baseline(env, n, p["offered"], lag_seconds)
    p50, p99 = percentile(p["lags"], 50), percentile(p["lags"], 99)
    b50, b99 = percentile(b["lags"], 50), percentile(b["lags"], 99)
    lag_n = len(p["lags"])
    at = f"at {p['offered']:,.0f}/s offered"
    lag_ok = p99 <= TARGET_LAG_P99
    return [
        {"bench": "notify", "operation": "outbox.record (100 events a transaction)", "cases": n,
         "seconds": p["write_seconds"], "per_second": n / p["write_seconds"]},
        {"bench": "notify", "operation": "outbox → relay → RabbitMQ → nameko → inbox + effect", "cases": n,
         "seconds": p["seconds"], "per_second": p["rate"], "target": TARGET_PER_SECOND,
         "ok": p["rate"] >= TARGET_PER_SECOND, "vs": f"{p['rate'] / b['rate']:.2f}× raw kombu"},
        {"bench": "notify", "operation": "  the relay alone: outbox → RabbitMQ (confirmed)", "cases": n,
         "seconds": n / p["relay_rate"], "per_second": p["relay_rate"]},
        {"bench": "notify", "operation": "  the worker alone: a queued backlog → inbox + effect", "cases": n,
         "seconds": n / p["consumer_rate"], "per_second": p["consumer_rate"]},
        {"bench": "notify", "operation": "raw kombu publish (confirms) → consume (baseline)", "cases": n,
         "seconds": b["seconds"], "per_second": b["rate"]},
        {"bench": "notify", "operation": f"end-to-end lag p50 {at} (seconds = lag)", "cases": lag_n,
         "seconds": p50, "per_second": None, "vs": f"raw kombu {b50 * 1000:.1f} ms"},
        {"bench": "notify", "operation": f"end-to-end lag p99 {at} (seconds = lag)", "cases": lag_n,
         "seconds": p99, "per_second": None, "ok": lag_ok, "vs": f"raw kombu {b99 * 1000:.1f} ms",
         "verdict": f"p99 ≤ {TARGET_LAG_P99:g} s {'✔' if lag_ok else '✘'}"},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000):
        print(row)
