"""The outbox relay: publishes a service's outbox rows to the bus, oldest first.

Sessions: the relay reads every tenant's outbox, so it needs sessions acting as the relay role
(BYPASSRLS): `make_sessions(make_engine(url, role=settings.db_relay_role))`.

Guarantees: a row is marked published only once the publisher reported it delivered (with
publisher confirms: the broker has confirmed it). A pass publishes its whole batch, waits for the
confirms once (`publish_batch`, when the publisher has it; else `publish()` one by one) and marks
the confirmed leading rows with ONE UPDATE. A crash between publish and mark re-publishes the
rows later: delivery is at-least-once and consumers are idempotent (inbox). A failed publish (an
error, a nack, a missing confirm) increments the row's `attempts`, records `last_error` and stops
the batch: that row and every later one stay unpublished, so they go again, in order, on the
next pass (some of them may then reach consumers twice); no row is ever dropped. Several relays
may run: rows are claimed with `FOR UPDATE SKIP LOCKED` (events of different batches may then be
reordered; consumers must tolerate that, stack.md §4.2)."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

import sqlalchemy as sa
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, sessionmaker

from libs.common.messaging.amqp import BatchOutcome
from libs.common.messaging.envelope import Envelope
from libs.common.messaging.tables import tables_for
from libs.common.observability.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, OUTBOX_PUBLISHED
from libs.common.observability.tracing import TRACER_NAME, SpanKind, extract_context, inject_traceparent

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000
GAUGE_SECONDS = 1.0  # how often a busy relay counts its backlog for the gauges


class Publisher(Protocol):
    """The bus port: deliver one envelope, or raise (the relay keeps the row and retries).
    A publisher may also have `publish_batch(envelopes) -> BatchOutcome` (see `publish_all`)."""

    def publish(self, envelope: Envelope) -> None: ...


def publish_all(publisher: Publisher, envelopes: Sequence[Envelope]) -> BatchOutcome:
    """Deliver `envelopes` in order: the publisher's `publish_batch` (one wait for all the
    confirms) when it has one, else `publish()` each until one raises."""
    batch = getattr(publisher, "publish_batch", None)
    if batch is not None:
        outcome: BatchOutcome = batch(envelopes)
        return outcome
    for index, envelope in enumerate(envelopes):
        try:
            publisher.publish(envelope)
        except Exception as exc:  # noqa: BLE001 - reported; the relay keeps this row and the rest
            return BatchOutcome(index, exc)
    return BatchOutcome(len(envelopes))


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
        self._gauges_at = -GAUGE_SECONDS  # monotonic time of the last gauge update
        # built once: a busy relay runs them many times a second
        outbox = self.outbox
        unpublished = sa.and_(outbox.c.published_at.is_(None), outbox.c.source == source)
        self._claim = (
            sa.select(outbox)
            .where(unpublished)
            .order_by(outbox.c.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
        self._mark_published = (
            outbox.update()
            .where(outbox.c.id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.BigInteger))))
            .values(published_at=sa.func.now(), attempts=outbox.c.attempts + 1, last_error=None)
        )
        self._backlog = sa.select(sa.func.count(), sa.func.min(outbox.c.created_at)).where(unpublished)

    def relay_once(self) -> int:
        """Publish up to `batch_size` unpublished rows; return how many were published."""
        published = 0
        self.last_error = None
        with self.sessions() as session, session.begin():
            rows = session.execute(self._claim).all()
            if rows:
                published = self._publish_rows(session, rows)
            # the gauges in the same transaction, at most once a GAUGE_SECONDS: counting the
            # backlog every pass cost a third of the rate while it drained, and a busy relay
            # passes many times a second
            now = time.monotonic()
            if now - self._gauges_at >= GAUGE_SECONDS:
                self._gauges_at = now
                self._set_gauges(session)
        if published:
            OUTBOX_PUBLISHED.labels(service=self.source).inc(published)
        return published

    def _publish_rows(self, session: Session, rows: Sequence[sa.Row]) -> int:
        """Publish `rows` as one batch; mark the confirmed leading ones published (one UPDATE),
        count the attempt on the row that stopped the batch; return how many were published."""
        outbox = self.outbox
        tracer = trace.get_tracer(TRACER_NAME)
        spans, envelopes = [], []
        for row in rows:
            envelope = envelope_of_row(row)
            producer_span = tracer.start_span(
                f"{envelope.source}.events {envelope.event_type} publish",
                context=extract_context(envelope.headers),
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "rabbitmq",
                    "messaging.destination.name": f"{envelope.source}.events",
                    "messaging.rabbitmq.destination.routing_key": envelope.event_type,
                    "messaging.message.id": envelope.event_id,
                },
            )
            # the consumer's span continues this PRODUCER span, not the request that wrote the row
            headers = {**envelope.headers, **inject_traceparent(trace.set_span_in_context(producer_span))}
            spans.append(producer_span)
            envelopes.append(dataclasses.replace(envelope, headers=headers))
        try:
            outcome = publish_all(self.publisher, envelopes)
        except Exception as exc:  # noqa: BLE001 - a publisher that raises anyway: nothing confirmed
            outcome = BatchOutcome(0, exc)
        confirmed = min(max(outcome.confirmed, 0), len(rows))
        if confirmed == len(rows):
            outcome = BatchOutcome(confirmed)  # an error after the last confirm costs nothing
        elif outcome.error is None:
            outcome = BatchOutcome(confirmed, RuntimeError("the publisher did not confirm every event"))
        if confirmed:
            session.execute(self._mark_published, {"ids": [r.id for r in rows[:confirmed]]})
        if outcome.error is not None:
            error, row = outcome.error, rows[confirmed]
            self.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
            log.warning(
                "outbox %s: publishing %s %s failed (attempt %d): %s",
                self.source,
                row.event_type,
                row.event_id,
                row.attempts + 1,
                self.last_error,
            )
            session.execute(
                outbox.update()
                .where(outbox.c.id == row.id)
                .values(attempts=outbox.c.attempts + 1, last_error=self.last_error)
            )
            spans[confirmed].record_exception(error)
            spans[confirmed].set_status(Status(StatusCode.ERROR, self.last_error))
        for producer_span in spans:
            producer_span.end()
        return confirmed

    def update_gauges(self) -> tuple[int, float]:
        """Set the backlog and oldest-age gauges; return (backlog, oldest age in seconds)."""
        with self.sessions() as session, session.begin():
            return self._set_gauges(session)

    def _set_gauges(self, session: Session) -> tuple[int, float]:
        count, oldest = session.execute(self._backlog).one()
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
