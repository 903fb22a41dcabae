"""The messaging tables of a service schema: `outbox`, `inbox`, `failed_event`.

All three are tenant tables (row-level security FORCEd, policy on `tenant_id`): a runtime-role
transaction of one tenant neither sees nor writes another tenant's events. `tenant_id` is the
envelope's tenant: a township id, or `<county>.*` for county-wide events (never NULL, which the
policy could not match; see envelope.py). Only the relay/ops role (BYPASSRLS) works across
tenants: the relay reads the whole outbox, retries and dead-letter tooling read failed_event.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import Connection

from libs.common.db import enable_rls, tenant_table


@dataclass(frozen=True)
class MessagingTables:
    outbox: sa.Table
    inbox: sa.Table
    failed_event: sa.Table

    def all(self) -> tuple[sa.Table, sa.Table, sa.Table]:
        return (self.outbox, self.inbox, self.failed_event)


def _now() -> sa.TextClause:
    return sa.text("now()")


def messaging_tables(metadata: sa.MetaData) -> MessagingTables:
    """Define the three tables in `metadata` (its schema is the service's schema).

    Idempotent per metadata: calling it twice returns the tables already defined."""
    prefix = f"{metadata.schema}." if metadata.schema else ""
    if f"{prefix}outbox" in metadata.tables:
        t = metadata.tables
        return MessagingTables(t[f"{prefix}outbox"], t[f"{prefix}inbox"], t[f"{prefix}failed_event"])

    outbox = tenant_table(
        "outbox",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(always=False), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("headers", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
    )
    sa.Index(
        "outbox_unpublished",
        outbox.c.id,
        postgresql_where=outbox.c.published_at.is_(None),
    )

    inbox = tenant_table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", UUID(as_uuid=False), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    )

    failed_event = tenant_table(
        "failed_event",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(always=False), primary_key=True),
        sa.Column("consumer", sa.Text, nullable=False),
        sa.Column("event_id", UUID(as_uuid=False), nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("envelope", JSONB, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("dead", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.UniqueConstraint("consumer", "event_id", name="failed_event_consumer_event_key"),
    )
    sa.Index(
        "failed_event_due",
        failed_event.c.next_attempt_at,
        postgresql_where=failed_event.c.dead.is_(False),
    )
    return MessagingTables(outbox, inbox, failed_event)


def create_messaging_tables(conn: Connection, schema: str) -> MessagingTables:
    """For a service's migration: create the tables in `schema` and FORCE row-level security."""
    conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    tables = messaging_tables(sa.MetaData(schema=schema))
    for table in tables.all():
        table.create(conn, checkfirst=True)
        enable_rls(conn, schema, table.name)
    return tables


@functools.cache
def tables_for(schema: str) -> MessagingTables:
    """The messaging tables of `schema` (one shared definition per schema, for queries)."""
    return messaging_tables(sa.MetaData(schema=schema))
