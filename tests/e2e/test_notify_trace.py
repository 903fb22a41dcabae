"""One trace from the gateway request to the delivered acceptance notice, across six processes.

Distributed mode on a private RabbitMQ, every process exporting its spans over OTLP/HTTP to a
real receiver process (tests/support/otlp_receiver.py). The test client sends its own
`traceparent`; accepting a case must then give one trace with this chain of parents:

    test client → gateway HTTP SERVER span (gateway, FastAPI's own telemetry)
      → (FastAPI's endpoint span) → gRPC CLIENT span IntakeService/CreateCase (gateway)
      → gRPC SERVER span (intake)
      → the outbox row written in that handler → PRODUCER span `intake.events case_accepted
        publish` (intake-relay) → CONSUMER span `intake.events case_accepted process`
        (notify-worker), in whose transaction the acceptance notice is written, its printed
        copy delivered and its e-mail queued with that span's context
      → CLIENT span `notify deliver email` (notify-relay, whose dispatcher sends it later to a
        real SMTP server on loopback).

The e-mail is the delivery followed, not the SMS: a non-urgent SMS is held outside the
township's office hours, which would make the test depend on the time of day it runs.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet

from libs.common import embedded_pg
from libs.common.ports import free_port
from tests.e2e.conftest import ADMIN, Processes, login, wait_http
from tests.support.otlp_receiver import OtlpReceiverProcess
from tests.support.private_rabbitmq import PrivateRabbit
from tests.support.private_rabbitmq import private_rabbit as private_rabbit  # fixture

pytestmark = pytest.mark.e2e

TENANT = "tianyang.napo"
PASSWORD = "e2e-township-password"
ITEM = {
    "code": "db_apply",
    "name": "低保申请",
    "category": "civil_affairs",
    "level": "township",
    "kind": "approval",
    "statutory_days": 30,
    "promised_days": 20,
    "materials": [{"code": "id_card", "name": "身份证", "required": True}],
}
CASE = {
    "item_code": "db_apply",
    "level": "hall",
    "channel": "walk_in",
    "applicant": {"name": "张三丰", "phone": "13812345678", "email": "zhangsan@example.com"},
    "materials": ["id_card"],
    "accept": True,
}


def psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def wait_rows(url: str, sql: str, args: tuple, procs: Processes, timeout: float = 90) -> list[tuple]:
    """Poll the database (as its owner, a superuser: RLS does not hide rows) until `sql` returns rows."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        while True:
            try:
                rows = conn.execute(sql, args).fetchall()
            except psycopg.errors.UndefinedTable:
                rows = []
            if rows:
                return rows
            if time.monotonic() > deadline:
                pytest.fail(f"no rows for {sql} {args} in {timeout}s:\n{procs.log_tail()}")
            time.sleep(0.3)


@pytest.fixture
def otlp() -> Iterator[OtlpReceiverProcess]:
    receiver = OtlpReceiverProcess()
    yield receiver
    receiver.stop()


class Mailbox:
    """aiosmtpd handler: the recipients of every message the server accepted."""

    def __init__(self) -> None:
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Mailbox]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, mailbox
    controller.stop()


@pytest.fixture
def trace_db(pg_server_url: str) -> Iterator[str]:
    name = f"bianmin_e2e_{uuid.uuid4().hex[:10]}"
    yield embedded_pg.ensure_database(pg_server_url, name)
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_one_trace_from_the_gateway_request_to_the_delivered_acceptance_notice(
    tmp_path: Path,
    trace_db: str,
    private_rabbit: PrivateRabbit,
    otlp: OtlpReceiverProcess,
    smtp: tuple[int, Mailbox],
) -> None:
    env = {
        "BIANMIN_DATABASE_URL": trace_db,
        "BIANMIN_DATA_DIR": str(tmp_path / "data"),
        "BIANMIN_COUNTY": "tianyang:田阳县",
        "BIANMIN_BOOTSTRAP_ADMIN": ":".join(ADMIN),
        "BIANMIN_LOG_JSON": "false",
        "BIANMIN_RELAY_IDLE_SECONDS": "0.1",
        "BIANMIN_SEAL_KEYS": Fernet.generate_key().decode(),
        "BIANMIN_AMQP_URL": private_rabbit.url,
        "BIANMIN_OTLP_ENDPOINT": otlp.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "200",  # export within a fraction of a second, not 5 s
        "BIANMIN_SMTP_HOST": "127.0.0.1",
        "BIANMIN_SMTP_PORT": str(smtp[0]),
        "BIANMIN_NOTIFY_IDLE_SECONDS": "0.1",
    }
    procs = Processes(env, tmp_path, unset=())
    try:
        assert procs.run("migrate") == 0, procs.log_tail()
        ports = {s: free_port() for s in ("gateway", "intake")}
        procs.start("serve", "intake", "api", BIANMIN_GRPC_PORT=str(ports["intake"]))
        procs.start("serve", "intake", "worker")
        procs.start("serve", "intake", "relay")
        procs.start("serve", "notify", "worker")
        procs.start("serve", "notify", "relay")  # and the notification dispatcher
        procs.start("serve", "gateway", "relay")
        http_port = free_port()
        # the other services are not started: the gateway only calls intake here
        targets = f"gateway=127.0.0.1:{ports['gateway']},intake=127.0.0.1:{ports['intake']}"
        procs.start("serve", "gateway", "api", BIANMIN_GRPC_PORT=str(ports["gateway"]),
                    BIANMIN_HTTP_PORT=str(http_port), BIANMIN_GRPC_TARGETS=targets)  # fmt: skip
        base = f"http://127.0.0.1:{http_port}"
        wait_http(f"{base}/healthz", procs)

        admin = login(base)
        assert httpx.post(f"{base}/v1/catalog/items", json=ITEM, headers=admin, timeout=30).status_code == 201
        township = {"code": "napo", "name": "那坡镇", "villages": []}
        created = httpx.post(f"{base}/v1/townships", json=township, headers=admin, timeout=30)
        assert created.status_code == 201, created.text
        wait_rows(trace_db, "SELECT 1 FROM intake.catalogue_item WHERE tenant_id = %s", (TENANT,), procs)
        wait_rows(trace_db, "SELECT 1 FROM notify.tenant WHERE tenant_id = %s", (TENANT,), procs)
        assert procs.run("admin", "create-user", "napo_desk", "--roles", "intake_desk",
                         "--tenants", TENANT, "--password", PASSWORD) == 0, procs.log_tail()  # fmt: skip
        desk = login(base, "napo_desk", PASSWORD)

        trace_id, client_span = secrets.token_hex(16), secrets.token_hex(8)
        headers = {**desk, "traceparent": f"00-{trace_id}-{client_span}-01"}
        reply = httpx.post(f"{base}/v1/townships/{TENANT}/cases", json=CASE, headers=headers, timeout=30)
        assert reply.status_code == 201, reply.text
        case = reply.json()
        assert case["state"] == "accepted", case

        notice = wait_rows(
            trace_db,
            "SELECT kind, source_event_id FROM notify.notice WHERE tenant_id = %s AND case_id = %s",
            (TENANT, case["id"]),
            procs,
        )
        assert [kind for kind, _ in notice] == ["acceptance"]
        accepted_event = notice[0][1]
        # the printed notice is delivered at once, in the same consumer transaction; the e-mail
        # is queued for the dispatcher, which sends it later, in the same trace
        printed = wait_rows(
            trace_db,
            "SELECT status FROM notify.notification WHERE case_id = %s AND channel = 'print'",
            (case["id"],),
            procs,
        )
        assert printed == [("delivered",)]
        [(email_id,)] = wait_rows(
            trace_db,
            "SELECT id FROM notify.notification WHERE case_id = %s AND channel = 'email' AND status = %s",
            (case["id"], "delivered"),
            procs,
        )
        assert smtp[1].recipients == [["zhangsan@example.com"]]

        def consumed_and_delivered(spans: list[dict]) -> bool:
            mine = {(s["kind"], s["name"]) for s in spans if s["trace_id"] == trace_id}
            return {
                ("CONSUMER", "intake.events case_accepted process"),
                ("CLIENT", "notify deliver email"),
            } <= mine

        spans = [s for s in otlp.wait_for(consumed_and_delivered, timeout=60) if s["trace_id"] == trace_id]
    finally:
        procs.stop_all()

    by_id = {s["span_id"]: s for s in spans}

    def one(**match: object) -> dict:
        found = [s for s in spans if all(s.get(k) == v for k, v in match.items())]
        assert len(found) == 1, (match, [(s["service"], s["kind"], s["name"]) for s in spans])
        return found[0]

    def ancestors(s: dict) -> list[dict]:
        chain = []
        while s["parent_span_id"] in by_id:
            s = by_id[s["parent_span_id"]]
            chain.append(s)
        return chain

    http = one(service="gateway", kind="SERVER", name="POST /v1/townships/{tenant}/cases")
    assert http["parent_span_id"] == client_span  # the caller's traceparent was continued
    assert http["attributes"]["http.response.status_code"] == 201
    grpc_client = one(service="gateway", kind="CLIENT", name="/bianmin.intake.v1.IntakeService/CreateCase")
    assert http in ancestors(grpc_client)  # FastAPI's endpoint span sits between them
    grpc_server = one(service="intake", kind="SERVER", name="/bianmin.intake.v1.IntakeService/CreateCase")
    assert grpc_server["parent_span_id"] == grpc_client["span_id"]  # across processes, in gRPC metadata

    producer = one(service="intake-relay", kind="PRODUCER", name="intake.events case_accepted publish")
    assert producer["attributes"]["messaging.message.id"] == accepted_event
    assert grpc_server in ancestors(producer)  # across processes, in the outbox row
    consumer = one(service="notify-worker", kind="CONSUMER", name="intake.events case_accepted process")
    assert consumer["parent_span_id"] == producer["span_id"]  # across processes, in the AMQP message
    assert consumer["attributes"]["messaging.message.id"] == accepted_event
    assert consumer["status"] != 2  # STATUS_CODE_ERROR: the notice was written in this span
    assert ancestors(consumer)[-1] is http

    # the dispatcher, in another process and later, continues the context stored on the e-mail row
    delivery = one(service="notify-relay", kind="CLIENT", name="notify deliver email")
    assert delivery["parent_span_id"] == consumer["span_id"]
    assert ancestors(delivery)[-1] is http
    assert delivery["attributes"]["notification.id"] == str(email_id)
    assert delivery["attributes"]["notification.channel"] == "email"
    assert delivery["attributes"]["notification.outcome"] == "delivered"
    assert delivery["status"] != 2  # STATUS_CODE_ERROR
