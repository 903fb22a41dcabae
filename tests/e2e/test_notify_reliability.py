"""Nothing is lost, nothing is doubled: case acceptances → acceptance notices in distributed mode.

The deployment (module-scoped): a PRIVATE RabbitMQ node (tests/support/private_rabbitmq.py — the
machine's shared broker is never stopped), a fresh database migrated by `bianmin migrate`, and as
separate processes `bianmin serve intake relay` (outbox → RabbitMQ, publisher confirms) and
`bianmin serve notify worker` (nameko, the idempotent inbox, retries, dead letters).

The acceptances are real cases written by intake's service layer IN THIS PROCESS (`cases.receive`
with `accept_if_complete`: the case, its history, and its `case_received` + `case_accepted` outbox
rows in one transaction, the applicant's contact sealed) — 2,000 cases over HTTP would take
minutes on a 2-core machine; everything after the outbox row is the production path.

Each test has townships of its own and asserts, by polling notify.notice: exactly one
`acceptance` notice per accepted case (the count and each case once).
(a) RabbitMQ is stopped in the middle of a burst of 2,000 acceptances, and started again;
(b) the notify worker is killed (SIGKILL) mid-stream and started again;
(c) the same envelope delivered three more times (published twice by hand, and once more by the
    relay after its row is marked unpublished, as after a relay crash) changes nothing;
(d) poison events — acceptances sealed with a key notify does not have yet (a seal-key rotation
    half done) — are retried and parked as dead letters while the other acceptances flow; after
    the fix (the worker restarted with the new key) `bianmin admin dead-letters replay` (and the
    library's `replay`) turns each into its one notice."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from subprocess import Popen

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families

from libs.common import db, embedded_pg
from libs.common.messaging import AmqpPublisher, list_dead_letters, replay, tables_for
from libs.common.messaging.relay import envelope_of_row
from libs.common.ports import free_port
from libs.common.runtime import Runtime
from libs.common.settings import Settings
from services.intake.adapters import tables as intake_tables
from services.intake.domain.case import Applicant
from services.intake.domain.catalogue import as_data, catalogue_item
from services.intake.service_layer import cases
from services.notify.entrypoints.service import SERVICE as NOTIFY
from tests.e2e.conftest import Processes
from tests.support.private_rabbitmq import PrivateRabbit
from tests.support.private_rabbitmq import private_rabbit as private_rabbit  # fixture

pytestmark = pytest.mark.e2e

COUNTY = "tianyang:田阳县"
BURST = 2_000
CONSUMER = "notify.handle_case_accepted"
ITEM = {
    "code": "dibao_apply",
    "name": "最低生活保障申请",
    "category": "civil_affairs",
    "level": "township",
    "kind": "approval",
    "statutory_days": 20,
    "promised_days": 10,
    "materials": [{"code": "id_card", "name": "居民身份证"}],
}
COMPLETE = cases.ReceiveCase(
    item_code="dibao_apply",
    kind="promised",
    level="township",
    channel="walk_in",
    applicant=Applicant(name="张三", phone="13800000000", email="zhangsan@example.com"),
    materials=("id_card",),
    accept_if_complete=True,
)
KEY_1, KEY_2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@dataclass
class Deployment:
    url: str
    rabbit: PrivateRabbit
    procs: Processes
    runtime: Runtime  # intake's side, in this process (seals with KEY_1)
    worker: Popen
    metrics_port: int

    def start_worker(self, seal_keys: str = KEY_1) -> None:
        self.metrics_port = free_port()
        self.worker = self.procs.start(
            "serve",
            "notify",
            "worker",
            BIANMIN_SEAL_KEYS=seal_keys,
            BIANMIN_METRICS_PORT=str(self.metrics_port),
        )

    def consumed(self, outcome: str) -> float:
        """The notify worker's `bianmin_events_consumed_total` for case_accepted and `outcome`."""
        text = httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = sample.labels
                mine = labels.get("consumer") == CONSUMER and labels.get("outcome") == outcome
                if sample.name.endswith("_total") and mine:
                    return sample.value
        return 0.0


def dispose(runtime: Runtime) -> None:
    for sessions in (runtime.sessions, runtime.ops_sessions):
        sessions.kw["bind"].dispose()


def township(runtime: Runtime, code: str) -> str:
    """A township as intake knows it: its catalogue (notify needs nothing beforehand)."""
    tenant = f"tianyang.{code}"
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            intake_tables.catalogue_item.insert().values(
                tenant_id=tenant,
                **as_data(catalogue_item(ITEM)),
                template_promised_days=10,
                updated_by="test",
            )
        )
    return tenant


def accept(runtime: Runtime, tenants: list[str], n: int, threads: int = 4) -> list[str]:
    """`n` accepted cases spread over `tenants`, from `threads` desks at once; their ids."""

    def one(i: int) -> str:
        case = cases.receive(runtime.sessions, tenants[i % len(tenants)], "desk1", COMPLETE)
        assert case.state == "accepted", case.state
        return case.id

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(n)))


def notices_per_case(url: str, case_ids: list[str]) -> dict[str, int]:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT case_id, count(*) FROM notify.notice WHERE kind = 'acceptance' AND case_id = ANY(%s)"
            " GROUP BY case_id",
            (case_ids,),
        ).fetchall()
    return dict(rows)


def wait_notices(d: Deployment, case_ids: list[str], timeout: float = 200) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        seen = notices_per_case(d.url, case_ids)
        if len(seen) == len(case_ids) or time.monotonic() > deadline:
            break
        if d.worker.poll() is not None:
            pytest.fail(f"the notify worker exited:\n{d.procs.log_tail()}")
        time.sleep(0.5)
    missing = len(case_ids) - len(seen)
    assert missing == 0, f"{missing} of {len(case_ids)} acceptances have no notice after {timeout}s"
    return seen


def assert_exactly_one_each(d: Deployment, case_ids: list[str]) -> None:
    seen = wait_notices(d, case_ids)
    time.sleep(1.0)  # a late duplicate would land now
    seen = notices_per_case(d.url, case_ids)
    assert sorted(seen) == sorted(case_ids)
    doubled = {case: count for case, count in seen.items() if count != 1}
    assert not doubled, (
        f"{len(doubled)} cases have more than one acceptance notice: {list(doubled.items())[:5]}"
    )
    assert sum(seen.values()) == len(case_ids)


def dead_letters_of(d: Deployment, case_ids: set[str]) -> list:
    letters = list_dead_letters(d.runtime.ops_sessions, "notify", limit=1000, consumer=CONSUMER)
    return [x for x in letters if x.envelope.data.get("case", {}).get("case_id") in case_ids]


@pytest.fixture(scope="module")
def deployment(
    private_rabbit: PrivateRabbit, pg_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    name = f"bianmin_e2e_{uuid.uuid4().hex[:10]}"
    url = embedded_pg.ensure_database(pg_server_url, name)
    logs = tmp_path_factory.mktemp("reliability")
    env = {
        "BIANMIN_DATABASE_URL": url,
        "BIANMIN_DATA_DIR": str(logs / "data"),
        "BIANMIN_COUNTY": COUNTY,
        "BIANMIN_LOG_JSON": "false",
        "BIANMIN_AMQP_URL": private_rabbit.url,
        "BIANMIN_RELAY_IDLE_SECONDS": "0.1",
        "BIANMIN_SEAL_KEYS": KEY_1,
        "BIANMIN_CONSUMER_MAX_ATTEMPTS": "3",
        "BIANMIN_CONSUMER_RETRY_BASE_SECONDS": "0.3",
    }
    procs = Processes(env, logs, unset=())
    runtime = None
    try:
        assert procs.run("migrate") == 0, procs.log_tail()
        procs.start("serve", "intake", "relay")
        runtime = Runtime.connect(Settings(county=COUNTY, seal_keys=KEY_1), url)
        d = Deployment(url, private_rabbit, procs, runtime, worker=None, metrics_port=0)  # type: ignore[arg-type]
        d.start_worker()
        yield d
    finally:
        procs.stop_all()
        if runtime is not None:
            dispose(runtime)
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.timeout(600)  # 2,000 cases on a busy 2-core machine
def test_a_broker_stopped_mid_burst_loses_and_doubles_nothing(deployment: Deployment) -> None:
    d = deployment
    tenants = [township(d.runtime, f"burst{i}") for i in range(4)]
    ids: list[str] = []
    burst = threading.Thread(target=lambda: ids.extend(accept(d.runtime, tenants, BURST)))
    burst.start()
    # once the first notices are out, the broker goes away while acceptances keep coming
    deadline = time.monotonic() + 120
    while not notices_per_case_any(d, tenants) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert notices_per_case_any(d, tenants), f"no notice before the broker stop:\n{d.procs.log_tail()}"
    assert burst.is_alive(), "the burst ended before the broker was stopped"
    d.rabbit.stop()
    time.sleep(3)
    d.rabbit.start()
    burst.join(240)
    assert len(ids) == BURST
    assert_exactly_one_each(d, ids)
    assert not dead_letters_of(d, set(ids))


def notices_per_case_any(d: Deployment, tenants: list[str]) -> int:
    with psycopg.connect(d.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM notify.notice WHERE kind = 'acceptance' AND tenant_id = ANY(%s)",
                (tenants,),
            ).fetchone()[0]
        )


def test_b_the_worker_killed_mid_stream_loses_and_doubles_nothing(deployment: Deployment) -> None:
    d = deployment
    tenants = [township(d.runtime, f"kill{i}") for i in range(2)]
    ids = accept(d.runtime, tenants, 600)
    deadline = time.monotonic() + 120
    while notices_per_case_any(d, tenants) < 100 and time.monotonic() < deadline:
        time.sleep(0.1)
    done_before = notices_per_case_any(d, tenants)
    assert 0 < done_before < len(ids), "the worker must be killed in the middle of the stream"
    d.worker.kill()  # SIGKILL: no graceful stop, unacked messages and open transactions die with it
    d.worker.wait(10)
    d.start_worker()
    assert_exactly_one_each(d, ids)
    assert not dead_letters_of(d, set(ids))


def test_c_duplicate_deliveries_change_nothing(deployment: Deployment) -> None:
    d = deployment
    tenant = township(d.runtime, "dup")
    ids = accept(d.runtime, [tenant], 20)
    assert_exactly_one_each(d, ids)
    outbox = tables_for("intake").outbox
    with d.runtime.ops_sessions() as s:
        row = s.execute(
            sa.select(outbox).where(
                outbox.c.event_type == "case_accepted", outbox.c.payload["case"]["case_id"].astext == ids[0]
            )
        ).one()
    envelope = envelope_of_row(row)
    with psycopg.connect(d.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        before = conn.execute(
            "SELECT count(*) FROM notify.notification WHERE case_id = %s", (ids[0],)
        ).fetchone()
    duplicates = d.consumed("duplicate")

    with AmqpPublisher(d.rabbit.url) as publisher:  # the same envelope, twice
        publisher.publish(envelope)
        publisher.publish(envelope)
    with d.runtime.ops_sessions() as s, s.begin():  # and once more by the relay, as after a crash
        s.execute(outbox.update().where(outbox.c.id == row.id).values(published_at=None))

    deadline = time.monotonic() + 60
    while d.consumed("duplicate") < duplicates + 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert d.consumed("duplicate") == duplicates + 3, d.procs.log_tail()
    assert_exactly_one_each(d, ids)
    with psycopg.connect(d.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        after = conn.execute(
            "SELECT count(*) FROM notify.notification WHERE case_id = %s", (ids[0],)
        ).fetchone()
    assert after == before and before[0] > 0  # no second SMS, e-mail or print either


def test_d_poison_events_are_parked_while_the_rest_flow_and_replay_after_the_fix(
    deployment: Deployment,
) -> None:
    d = deployment
    tenant = township(d.runtime, "poison")
    # intake rotated first: it seals with KEY_2, which the notify worker does not know yet
    rotated = Runtime.connect(Settings(county=COUNTY, seal_keys=f"{KEY_2},{KEY_1}"), d.url)
    try:
        good_before = accept(d.runtime, [tenant], 10)
        poison = accept(rotated, [tenant], 3, threads=1)
        good_after = accept(d.runtime, [tenant], 10)
        good = good_before + good_after
        assert_exactly_one_each(d, good)  # the others flow past the poison

        deadline = time.monotonic() + 60
        while len(dead_letters_of(d, set(poison))) < len(poison) and time.monotonic() < deadline:
            time.sleep(0.3)
        parked = dead_letters_of(d, set(poison))
        assert len(parked) == len(poison), d.procs.log_tail()
        assert all(x.attempts == 3 and "SealError" in (x.last_error or "") for x in parked)
        assert notices_per_case(d.url, poison) == {}

        # the fix: notify gets the new key (restarted), then the dead letters are replayed
        d.procs.stop(d.worker)
        d.start_worker(seal_keys=f"{KEY_2},{KEY_1}")
        first, *rest = parked
        replayed = d.procs.run("admin", "dead-letters", "replay", "notify", str(first.id),
                               BIANMIN_SEAL_KEYS=f"{KEY_2},{KEY_1}")  # fmt: skip
        assert replayed == 0, d.procs.log_tail()
        subscriptions = NOTIFY.subscriptions()
        for letter in rest:
            outcome = replay(
                rotated.ops_sessions, subscriptions, "notify", letter.id, runtime_sessions=rotated.sessions
            )
            assert outcome == "processed"
        assert_exactly_one_each(d, good + poison)
        assert not dead_letters_of(d, set(poison))
    finally:
        dispose(rotated)
