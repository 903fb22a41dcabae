"""Shared set-up of the messaging tests: schema `svc_test` (a tenant table `note`, the handlers'
`effect` table and the messaging tables), the runtime and relay roles, a protobuf event message,
and helpers to clean up what a test declared on the shared broker."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import kombu
import pytest
import sqlalchemy as sa
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.messaging import Envelope, Subscription, create_messaging_tables, tables_for

SCHEMA = "svc_test"
RUNTIME_ROLE = "bianmin_app"
RELAY_ROLE = "bianmin_relay"
NAPO = "demo.napo"
BAIXIN = "demo.baixin"
COUNTY = "demo.*"

metadata = sa.MetaData(schema=SCHEMA)
note = db.tenant_table(
    "note",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
)
effect = db.tenant_table(
    "effect",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("consumer", sa.Text, nullable=False),
    sa.Column("event_id", sa.Text, nullable=False),
    sa.Column("detail", sa.Text),
)
TABLES = tables_for(SCHEMA)


def _township_onboarded_class() -> type:
    """A protobuf event message `bianmin.test.v1.TownshipOnboarded` built at run time."""
    pool = descriptor_pool.DescriptorPool()
    file = descriptor_pb2.FileDescriptorProto(name="bianmin/test/v1/events.proto", package="bianmin.test.v1")
    file.syntax = "proto3"
    msg = file.message_type.add(name="TownshipOnboarded")
    for number, name in enumerate(("township", "display_name"), start=1):
        msg.field.add(
            name=name,
            number=number,
            type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
            label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
        )
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("bianmin.test.v1.TownshipOnboarded"))


TownshipOnboarded = _township_onboarded_class()


@dataclass
class Db:
    url: str
    admin: sessionmaker[Session]
    runtime: sessionmaker[Session]
    relay: sessionmaker[Session]


def setup_database(database_url: str) -> Db:
    """Idempotent: every test module may call it on the session's database."""
    admin_engine = db.make_engine(database_url)
    with admin_engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242)"))
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        metadata.create_all(conn)
        for table in metadata.tables.values():
            db.enable_rls(conn, SCHEMA, table.name)
        create_messaging_tables(conn, SCHEMA)
        db.ensure_roles(conn, RUNTIME_ROLE, RELAY_ROLE)
        db.grant_schema(conn, SCHEMA, RUNTIME_ROLE, RELAY_ROLE)
    return Db(
        url=database_url,
        admin=db.make_sessions(admin_engine),
        runtime=db.make_sessions(db.make_engine(database_url, role=RUNTIME_ROLE)),
        relay=db.make_sessions(db.make_engine(database_url, role=RELAY_ROLE)),
    )


@pytest.fixture(scope="module")
def dbs(database_url: str) -> Db:
    return setup_database(database_url)


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def recording_handler(label: str, fail: Callable[[Envelope], bool] | None = None) -> Callable[..., None]:
    """A plain handler like the services': write one `effect` row in the consumer's transaction
    (labelled `label`, noting the ambient tenant), or raise when `fail(envelope)` says so."""

    def handle(envelope: Envelope, session: Session) -> None:
        from libs.common.tenancy import current_tenant

        session.execute(
            effect.insert().values(
                tenant_id=envelope.tenant_id,
                consumer=label,
                event_id=envelope.event_id,
                detail=f"ambient={current_tenant()}",
            )
        )
        if fail is not None and fail(envelope):
            raise RuntimeError(f"handler {label} failed on purpose")

    return handle


def effects(dbs: Db, event_id: str | None = None, tenant: str | None = None) -> list[Any]:
    query = sa.select(effect)
    if event_id is not None:
        query = query.where(effect.c.event_id == event_id)
    if tenant is not None:
        query = query.where(effect.c.tenant_id == tenant)
    with dbs.relay() as s:
        return list(s.execute(query).all())


def rows(dbs: Db, table: sa.Table, *where: Any) -> list[Any]:
    with dbs.relay() as s:
        return list(s.execute(sa.select(table).where(*where)).all())


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
        time.sleep(interval)


@pytest.fixture
def broker_cleanup(amqp_url: str) -> Iterator[Callable[[list[Subscription], list[str]], None]]:
    """Register queues (of subscriptions) and exchanges (of sources) to delete after the test."""
    queues: list[str] = []
    exchanges: list[str] = []

    def register(subscriptions: list[Subscription], sources: list[str]) -> None:
        queues.extend(s.queue_name for s in subscriptions)
        exchanges.extend(f"{source}.events" for source in sources)

    yield register
    with kombu.Connection(amqp_url) as conn:
        for name in queues:
            try:
                conn.default_channel.queue_delete(name)
            except Exception:  # noqa: BLE001 - already gone
                conn.close()
        for name in exchanges:
            try:
                conn.default_channel.exchange_delete(name)
            except Exception:  # noqa: BLE001 - already gone
                conn.close()
