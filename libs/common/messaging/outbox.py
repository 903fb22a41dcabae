"""Write side of the transactional outbox: an event is a row written in the same transaction as
the change it reports (ARCHITECTURE.md §6). Commit both or neither; the relay publishes later."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.orm import Session

from libs.common.messaging.envelope import Envelope, data_of, event_type_of, validate_event_tenant
from libs.common.messaging.tables import tables_for
from libs.common.observability.tracing import inject_traceparent


def record(
    session: Session,
    *,
    source: str,
    message_or_type: Message | str,
    data: dict[str, Any] | None = None,
    tenant_id: str,
    schema: str | None = None,
) -> Envelope:
    """Add an outbox row for an event in the caller's transaction and return its envelope.

    `message_or_type` is a protobuf event message (its type is the snake_case of its name, its
    data the message as a dict) or an event type string with `data`. `session` is the caller's
    runtime session, already scoped to `tenant_id` (a township, or `<county>.*` for a county-wide
    event; row-level security refuses a row of any other tenant). The current trace context is
    stored with the row so the consumer's span continues this request. `schema` defaults to
    `source` (each service owns the schema named after it)."""
    if isinstance(message_or_type, Message):
        if data is not None:
            raise ValueError("pass either a protobuf message or an event type with data, not both")
        event_type, payload = event_type_of(message_or_type), data_of(message_or_type)
    else:
        event_type, payload = message_or_type, dict(data or {})
    envelope = Envelope.new(
        source=source,
        event_type=event_type,
        tenant_id=validate_event_tenant(tenant_id),
        data=payload,
        headers=inject_traceparent(),
    )
    session.execute(_insert(schema or source), _row(envelope))
    return envelope


def record_many(
    session: Session,
    *,
    source: str,
    messages: Iterable[Message],
    tenant_id: str,
    schema: str | None = None,
) -> list[Envelope]:
    """`record` for many protobuf events of one tenant, in ONE batched INSERT (a job that tells
    thousands of changes at once). The caller bounds how many one call takes."""
    tenant, headers = validate_event_tenant(tenant_id), inject_traceparent()
    envelopes = [
        Envelope.new(
            source=source, event_type=event_type_of(m), tenant_id=tenant, data=data_of(m), headers=headers
        )
        for m in messages
    ]
    if envelopes:
        session.execute(_insert(schema or source), [_row(e) for e in envelopes])
    return envelopes


def _row(envelope: Envelope) -> dict[str, Any]:
    """The outbox row of `envelope`."""
    return {
        "tenant_id": envelope.tenant_id,
        "event_id": envelope.event_id,
        "event_type": envelope.event_type,
        "source": envelope.source,
        "schema_version": envelope.schema_version,
        "payload": envelope.data,
        "headers": envelope.headers,
        "created_at": envelope.occurred_at,
    }


@functools.cache
def _insert(schema: str) -> sa.Insert:
    """The outbox INSERT of `schema`, built once (every event runs it)."""
    return tables_for(schema).outbox.insert()
