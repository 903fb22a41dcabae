"""The outbox relay: publishes a service's outbox rows to the bus, oldest first.

Sessions: the relay reads every tenant's outbox, so it needs sessions acting as the relay role
(BYPASSRLS): `make_sessions(make_engine(url, role=settings.db_relay_role))`.

Guarantees: a row is marked published only after `publisher.publish()` returned (with publisher
confirms that means the broker has taken it). A crash between publish and mark re-publishes the
row later: delivery is at-least-once and consumers are idempotent (inbox). A failed publish
increments `attempts`, records `last_error` and stops the batch (keeping the order); the row is
retried on the next pass and is never dropped. Several relays may run: rows are claimed with
`FOR UPDATE SKIP LOCKED` (events of different batches may then be reordered; consumers must
tolerate that, stack.md §4.2)."""

from __future__ import annotations

import dataclasses
import logging
import threading
from datetime import UTC, datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common.messaging.envelope import Envelope
from libs.common.messaging.tables import tables_for
from libs.common.observability.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, OUTBOX_PUBLISHED
from libs.common.observability.tracing import SpanKind, inject_traceparent, span

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000


class Publisher(Protocol):
    """The bus port: deliver one envelope, or raise (the relay keeps the row and retries)."""

    def publish(self, envelope: Envelope) -> None: ...


def envelope_of_row(row: sa.Row) -> Envelope:
    return Envelope(
        event_id=str(row.event_id),
        event_type=row.event_type,
        source=row.source,
        tenant_id=row.tenant_id,
        occurred_at=row.created_at,
        schema_version=row.schema_version,
        data=dict(row.payload or {}),
        headers=dict(row.headers or {}),
    )


class OutboxRelay:
    def __init__(
        self,
        source: str,
        sessions: sessionmaker[Session],
        publisher: Publisher,
        batch_size: int = 200,
        *,
        schema: str | None = None,
        max_backoff_seconds: float = 30.0,
    ) -> None:
        self.source = source
        self.sessions = sessions
        self.publisher = publisher
        self.batch_size = batch_size
        self.outbox = tables_for(schema or source).outbox
        self.max_backoff_seconds = max_backoff_seconds
        self.last_error: str | None = None

    def relay_once(self) -> int:
        """Publish up to `batch_size` unpublished rows; return how many were published."""
        outbox = self.outbox
        published = 0
        self.last_error = None
        with self.sessions() as session, session.begin():
            rows = session.execute(
                sa.select(outbox)
                .where(outbox.c.published_at.is_(None), outbox.c.source == self.source)
                .order_by(outbox.c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                envelope = envelope_of_row(row)
                try:
                    self._publish(envelope)
                except Exception as exc:  # noqa: BLE001 - any failure keeps the row for a retry
                    self.last_error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
                    log.warning(
                        "outbox %s: publishing %s %s failed (attempt %d): %s",
                        self.source,
                        envelope.event_type,
                        envelope.event_id,
                        row.attempts + 1,
                        self.last_error,
                    )
                    session.execute(
                        outbox.update()
                        .where(outbox.c.id == row.id)
                        .values(attempts=outbox.c.attempts + 1, last_error=self.last_error)
                    )
                    break
                session.execute(
                    outbox.update()
                    .where(outbox.c.id == row.id)
                    .values(published_at=sa.func.now(), attempts=outbox.c.attempts + 1, last_error=None)
                )
                published += 1
        if published:
            OUTBOX_PUBLISHED.labels(service=self.source).inc(published)
        self.update_gauges()
        return published

    def _publish(self, envelope: Envelope) -> None:
        with span(
            f"{envelope.source}.events {envelope.event_type} publish",
            kind=SpanKind.PRODUCER,
            parent_headers=envelope.headers,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": f"{envelope.source}.events",
                "messaging.rabbitmq.destination.routing_key": envelope.event_type,
                "messaging.message.id": envelope.event_id,
            },
        ):
            # the consumer's span continues this PRODUCER span, not the request that wrote the row
            headers = {**envelope.headers, **inject_traceparent()}
            self.publisher.publish(dataclasses.replace(envelope, headers=headers))

    def update_gauges(self) -> tuple[int, float]:
        """Set the backlog and oldest-age gauges; return (backlog, oldest age in seconds)."""
        outbox = self.outbox
        with self.sessions() as session, session.begin():
            count, oldest = session.execute(
                sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(
                    outbox.c.published_at.is_(None), outbox.c.source == self.source
                )
            ).one()
        age = max(0.0, (datetime.now(UTC) - oldest).total_seconds()) if oldest is not None else 0.0
        OUTBOX_BACKLOG.labels(service=self.source).set(count)
        OUTBOX_OLDEST_AGE.labels(service=self.source).set(age)
        return int(count), age

    def run(self, stop: threading.Event, idle_seconds: float = 0.2) -> None:
        """Relay until `stop` is set: straight on while there is a backlog, `idle_seconds` apart
        when idle, and with a growing back-off (up to `max_backoff_seconds`) after failures."""
        backoff = idle_seconds
        while not stop.is_set():
            try:
                published = self.relay_once()
            except Exception:  # noqa: BLE001 - the database may be away; keep trying
                log.exception("outbox %s: relay pass failed", self.source)
                published, self.last_error = 0, "relay pass failed"
            if self.last_error is not None:
                stop.wait(backoff)
                backoff = min(max(backoff * 2, idle_seconds, 0.1), self.max_backoff_seconds)
                continue
            backoff = idle_seconds
            if published < self.batch_size:
                stop.wait(idle_seconds)
