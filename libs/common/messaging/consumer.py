"""Consuming events: idempotent (inbox), never silently failing (failed_event, retries, dead
letters). The same `consume()` runs under nameko workers and under the in-process bus.

Which sessions each function needs:

* `consume(envelope, subscription, sessions)`: the consuming service's RUNTIME sessions
  (`make_engine(url, role=settings.db_runtime_role)`, no BYPASSRLS). Every statement runs in a
  transaction scoped to the event's tenant, so the handler sees that tenant's rows only.
* `retry_due(sessions, …, runtime_sessions=…)`, `replay(sessions, …, runtime_sessions=…)` and
  `list_dead_letters(sessions, …)`: `sessions` are RELAY/OPS sessions
  (`role=settings.db_relay_role`, BYPASSRLS) because they look across tenants; the handler
  itself is always re-run through `consume()` with the RUNTIME sessions, never with a bypass.

Delivery: the effect of a handler and its inbox row commit together, so a redelivered event is a
no-op ("duplicate"). A handler exception rolls the effect back and is recorded in failed_event
(attempts, last_error, next_attempt_at with exponential back-off); at `max_attempts` the row is
a dead letter (`dead`), kept until an operator replays it. `consume` does not re-raise a handler
failure: nameko would ack the message anyway; the failed_event row is what guarantees a retry.
It raises only when even the failure cannot be recorded (the database is away), so that the
transport can redeliver (the nameko adapter requeues, the relay keeps the outbox row).
"""

from __future__ import annotations

import functools
import logging
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import NotFound
from libs.common.messaging.envelope import Envelope
from libs.common.messaging.tables import MessagingTables, tables_for
from libs.common.observability.metrics import CONSUMER_LAG, DEAD_LETTERS, EVENTS_CONSUMED
from libs.common.observability.tracing import SpanKind, span
from libs.common.retry import backoff_seconds
from libs.common.tenancy import tenant_scope

log = logging.getLogger(__name__)

PROCESSED = "processed"
DUPLICATE = "duplicate"
FAILED = "failed"
DEAD_LETTERED = "dead_lettered"

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_BASE_SECONDS = 1.0
MAX_ERROR_LENGTH = 8000

Handler = Callable[[Envelope, Session], Any]


@dataclass(frozen=True)
class Subscription:
    """`service` handles `event_type` events of `source` with `handler(envelope, session)`.

    `method` (the nameko method, and the last part of the queue name) is `handle_<event_type>`;
    when one service subscribes to the same event type of two sources, give one of them a
    distinct `method_name` (e.g. `handle_appraisal_period_closed`): `consumer` names must be
    unique per service, and they are stored in the inbox, so never rename one lightly.
    `schema` is where the service's inbox/failed_event live (default: the service name)."""

    source: str
    event_type: str
    service: str
    handler: Handler = field(compare=False)
    method_name: str | None = None
    schema: str | None = None

    @property
    def method(self) -> str:
        return self.method_name or f"handle_{self.event_type}"

    @property
    def consumer(self) -> str:
        return f"{self.service}.{self.method}"

    @property
    def db_schema(self) -> str:
        return self.schema or self.service

    @property
    def queue_name(self) -> str:
        """The queue nameko declares for this handler (SERVICE_POOL; nameko/events.py)."""
        return f"evt-{self.source}-{self.event_type}--{self.consumer}"

    def matches(self, envelope: Envelope) -> bool:
        return envelope.source == self.source and envelope.event_type == self.event_type


def check_subscriptions(subscriptions: Iterable[Subscription]) -> list[Subscription]:
    """Refuse two subscriptions with the same consumer name (they would share an inbox key)."""
    subs = list(subscriptions)
    seen: dict[str, Subscription] = {}
    for sub in subs:
        other = seen.get(sub.consumer)
        if other is not None:
            raise ValueError(
                f"two subscriptions of {sub.service} are both named {sub.method!r} "
                f"({other.source}.{other.event_type} and {sub.source}.{sub.event_type}); "
                "give one of them a distinct method_name"
            )
        seen[sub.consumer] = sub
    return subs


# --- consuming ---------------------------------------------------------------------------------


def consume(
    envelope: Envelope,
    subscription: Subscription,
    sessions: sessionmaker[Session],
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    retry_base_seconds: float = DEFAULT_RETRY_BASE_SECONDS,
    observe_lag: bool = True,
) -> str:
    """Handle one event once; return its outcome: processed | duplicate | failed | dead_lettered.

    `sessions`: the consuming service's runtime sessions (see the module doc)."""
    consumer = subscription.consumer
    tables = tables_for(subscription.db_schema)
    if observe_lag:
        lag = (datetime.now(UTC) - envelope.occurred_at).total_seconds()
        CONSUMER_LAG.labels(consumer=consumer).observe(max(0.0, lag))
    with _consumer_span(envelope, consumer) as current_span, tenant_scope(envelope.township):
        try:
            outcome = _handle(envelope, subscription, sessions, tables)
        except Exception as exc:  # noqa: BLE001 - every handler failure is recorded, none is lost
            current_span.record_exception(exc)
            _set_error_status(current_span, exc)
            outcome = _record_failure(
                envelope, subscription, sessions, tables, exc, max_attempts, retry_base_seconds
            )
    EVENTS_CONSUMED.labels(consumer=consumer, outcome=outcome).inc()
    return outcome


def consume_batch(
    envelopes: Sequence[Envelope],
    subscription: Subscription,
    sessions: sessionmaker[Session],
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    retry_base_seconds: float = DEFAULT_RETRY_BASE_SECONDS,
) -> list[str]:
    """Handle a batch of one subscription's events, each once; return their outcomes in order.

    The same guarantees as `consume()` for each event, at a fraction of the cost: per tenant,
    ONE transaction records every event in the inbox (one statement) and runs the handler of
    each fresh one, so a burst costs a commit per batch instead of one per event. If anything in
    that transaction fails, it rolls back whole and every event of that tenant goes through
    `consume()` on its own: a poison event is recorded (and later dead-lettered) alone while the
    rest commit. Raises only as `consume()` does, when a failure cannot even be recorded (the
    transport then redelivers the batch; the inbox makes the done part duplicates)."""
    consumer = subscription.consumer
    outcomes: list[str | None] = [None] * len(envelopes)
    by_tenant: dict[str, list[tuple[int, Envelope]]] = {}
    first_of: set[str] = set()
    now = datetime.now(UTC)
    lag = CONSUMER_LAG.labels(consumer=consumer)
    for index, envelope in enumerate(envelopes):
        lag.observe(max(0.0, (now - envelope.occurred_at).total_seconds()))
        if envelope.event_id in first_of:  # delivered twice within the batch
            outcomes[index] = DUPLICATE
            EVENTS_CONSUMED.labels(consumer=consumer, outcome=DUPLICATE).inc()
            continue
        first_of.add(envelope.event_id)
        by_tenant.setdefault(envelope.tenant_id, []).append((index, envelope))
    for tenant_id, group in by_tenant.items():
        try:
            fresh = _handle_together(tenant_id, [e for _, e in group], subscription, sessions)
        except Exception as exc:  # noqa: BLE001 - rolled back whole; each alone decides which failed
            log.warning(
                "%s: a batch of %d events of %s failed (%s: %s); handling each on its own",
                consumer, len(group), tenant_id, type(exc).__name__, exc,
            )  # fmt: skip
            for index, envelope in group:
                outcomes[index] = consume(
                    envelope, subscription, sessions, max_attempts=max_attempts,
                    retry_base_seconds=retry_base_seconds, observe_lag=False,
                )  # fmt: skip
            continue
        for index, envelope in group:
            outcomes[index] = PROCESSED if envelope.event_id in fresh else DUPLICATE
            if envelope.event_id not in fresh:
                log.info("%s: duplicate %s %s ignored", consumer, envelope.event_type, envelope.event_id)
        EVENTS_CONSUMED.labels(consumer=consumer, outcome=PROCESSED).inc(len(fresh))
        EVENTS_CONSUMED.labels(consumer=consumer, outcome=DUPLICATE).inc(len(group) - len(fresh))
    return [outcome or DUPLICATE for outcome in outcomes]


def _handle_together(
    tenant_id: str, envelopes: Sequence[Envelope], subscription: Subscription, sessions: sessionmaker[Session]
) -> set[str]:
    """Inbox rows for all of `envelopes` (one tenant's, distinct) and the effects of the fresh
    ones, in one transaction; return the ids that were fresh."""
    with db.transaction(sessions, tenant_id) as session:
        fresh = set(
            session.execute(
                _inbox_insert(subscription.db_schema),
                {
                    "tenant_id": tenant_id,
                    "consumer": subscription.consumer,
                    "event_ids": [e.event_id for e in envelopes],
                },
            ).scalars()
        )
        for envelope in envelopes:
            if envelope.event_id in fresh:
                with _consumer_span(envelope, subscription.consumer), tenant_scope(envelope.township):
                    subscription.handler(envelope, session)
    return fresh


def _consumer_span(envelope: Envelope, consumer: str) -> Any:
    """The CONSUMER span of one event, continuing the relay's PRODUCER span."""
    return span(
        f"{envelope.source}.events {envelope.event_type} process",
        kind=SpanKind.CONSUMER,
        parent_headers=envelope.headers,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.destination.name": f"{envelope.source}.events",
            "messaging.rabbitmq.destination.routing_key": envelope.event_type,
            "messaging.message.id": envelope.event_id,
            "messaging.consumer.group.name": consumer,
        },
    )


def _set_error_status(current_span: Any, exc: BaseException) -> None:
    from opentelemetry.trace import Status, StatusCode

    current_span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))


@functools.cache
def _inbox_insert(schema: str) -> sa.Insert:
    """Record events of one tenant (`event_ids`) in a consumer's inbox, RETURNING the fresh ones,
    and in the same statement delete their failure records: a retried or replayed event that is
    done now (or was done meanwhile) leaves no failure, and a handler's exception rolls the
    delete back with its effect. One round trip for the whole batch (or the one event); built
    once per schema (statement construction is a good part of a consumer's CPU)."""
    tables = tables_for(schema)
    inbox, failed = tables.inbox, tables.failed_event
    consumer: sa.BindParameter[str] = sa.bindparam("consumer")
    event_ids = sa.bindparam("event_ids", type_=ARRAY(UUID(as_uuid=False)))
    forget_failures = failed.delete().where(
        failed.c.consumer == consumer, failed.c.event_id == sa.any_(event_ids)
    )
    incoming = sa.select(sa.bindparam("tenant_id"), consumer, sa.func.unnest(event_ids))
    return (
        pg_insert(inbox)
        .from_select([inbox.c.tenant_id, inbox.c.consumer, inbox.c.event_id], incoming)
        .on_conflict_do_nothing(index_elements=[inbox.c.consumer, inbox.c.event_id])
        .returning(inbox.c.event_id)
        .add_cte(forget_failures.cte("forget_failures"))
    )


def _handle(
    envelope: Envelope, subscription: Subscription, sessions: sessionmaker[Session], tables: MessagingTables
) -> str:
    with db.transaction(sessions, envelope.tenant_id) as session:
        fresh = (
            session.execute(
                _inbox_insert(subscription.db_schema),
                {
                    "tenant_id": envelope.tenant_id,
                    "consumer": subscription.consumer,
                    "event_ids": [envelope.event_id],
                },
            ).first()
            is not None
        )
        if fresh:
            subscription.handler(envelope, session)
    if not fresh:
        log.info("%s: duplicate %s %s ignored", subscription.consumer, envelope.event_type, envelope.event_id)
    return PROCESSED if fresh else DUPLICATE


def _error_text(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc))
    return text[-MAX_ERROR_LENGTH:]


def _record_failure(
    envelope: Envelope,
    subscription: Subscription,
    sessions: sessionmaker[Session],
    tables: MessagingTables,
    exc: BaseException,
    max_attempts: int,
    retry_base_seconds: float,
) -> str:
    failed = tables.failed_event
    error = _error_text(exc)
    try:
        with db.transaction(sessions, envelope.tenant_id) as session:
            insert = pg_insert(failed).values(
                tenant_id=envelope.tenant_id,
                consumer=subscription.consumer,
                event_id=envelope.event_id,
                event_type=envelope.event_type,
                envelope=envelope.to_body(),
                attempts=1,
                last_error=error,
            )
            stmt = insert.on_conflict_do_update(
                constraint="failed_event_consumer_event_key",
                set_={
                    "attempts": failed.c.attempts + 1,
                    "last_error": insert.excluded.last_error,
                    "updated_at": sa.func.now(),
                },
            ).returning(failed.c.id, failed.c.attempts)
            failed_id, attempts = session.execute(stmt).one()
            dead = attempts >= max_attempts
            next_at = datetime.now(UTC) + timedelta(seconds=backoff_seconds(attempts, retry_base_seconds))
            session.execute(
                failed.update().where(failed.c.id == failed_id).values(dead=dead, next_attempt_at=next_at)
            )
    except Exception:
        log.exception(
            "%s: %s %s failed and the failure could not be recorded; handing it back for redelivery",
            subscription.consumer,
            envelope.event_type,
            envelope.event_id,
        )
        time.sleep(1.0)  # no hot redelivery loop while the database is away
        raise
    if dead:
        DEAD_LETTERS.labels(service=subscription.service).inc()
        log.error(
            "%s: %s %s dead-lettered after %d attempts (failed_event id %s): %s",
            subscription.consumer,
            envelope.event_type,
            envelope.event_id,
            attempts,
            failed_id,
            error.strip().splitlines()[-1],
        )
        return DEAD_LETTERED
    log.warning(
        "%s: %s %s failed (attempt %d of %d, retry at %s): %s",
        subscription.consumer,
        envelope.event_type,
        envelope.event_id,
        attempts,
        max_attempts,
        next_at.isoformat(),
        error.strip().splitlines()[-1],
    )
    return FAILED


# --- retries and dead letters (cross-tenant: relay/ops sessions) ------------------------------


def _by_schema(subscriptions: Iterable[Subscription]) -> dict[str, dict[str, Subscription]]:
    grouped: dict[str, dict[str, Subscription]] = {}
    for sub in check_subscriptions(subscriptions):
        grouped.setdefault(sub.db_schema, {})[sub.consumer] = sub
    return grouped


def retry_due(
    sessions: sessionmaker[Session],
    subscriptions: Sequence[Subscription],
    now: datetime | None = None,
    *,
    runtime_sessions: sessionmaker[Session],
    limit: int = 100,
    lease_seconds: float = 300.0,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    retry_base_seconds: float = DEFAULT_RETRY_BASE_SECONDS,
) -> int:
    """Re-run the failures of these subscriptions that are due (not dead, next_attempt_at <= now)
    and return how many were re-run. A success deletes the failed_event row; another failure
    pushes next_attempt_at back (or dead-letters it).

    `sessions`: relay/ops sessions (BYPASSRLS) to find due rows of every tenant;
    `runtime_sessions`: the service's runtime sessions, used to re-run the handler.
    Due rows are claimed with a lease (next_attempt_at = now + lease_seconds, committed), so
    concurrent workers do not re-run the same failure; a crashed worker's lease just expires."""
    now = now or datetime.now(UTC)
    rerun = 0
    for schema, by_consumer in _by_schema(subscriptions).items():
        failed = tables_for(schema).failed_event
        with sessions() as session, session.begin():
            due = (
                sa.select(failed.c.id)
                .where(
                    failed.c.dead.is_(False),
                    failed.c.next_attempt_at <= now,
                    failed.c.consumer.in_(list(by_consumer)),
                )
                .order_by(failed.c.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            claimed = session.execute(
                failed.update()
                .where(failed.c.id.in_(due))
                .values(next_attempt_at=now + timedelta(seconds=lease_seconds))
                .returning(failed.c.id, failed.c.consumer, failed.c.envelope)
            ).all()
        for row in claimed:
            envelope = Envelope.from_body(row.envelope)
            consume(
                envelope,
                by_consumer[row.consumer],
                runtime_sessions,
                max_attempts=max_attempts,
                retry_base_seconds=retry_base_seconds,
                observe_lag=False,
            )
            rerun += 1
        _update_dead_letter_gauge(sessions, schema, by_consumer.values())
    return rerun


def _update_dead_letter_gauge(
    sessions: sessionmaker[Session], schema: str, subscriptions: Iterable[Subscription]
) -> None:
    failed = tables_for(schema).failed_event
    services = {sub.service for sub in subscriptions}
    with sessions() as session, session.begin():
        for service in services:
            count = session.execute(
                sa.select(sa.func.count()).where(
                    failed.c.dead.is_(True), sa.func.starts_with(failed.c.consumer, f"{service}.")
                )
            ).scalar_one()
            DEAD_LETTERS.labels(service=service).set(count)


@dataclass(frozen=True)
class DeadLetter:
    id: int
    consumer: str
    event_id: str
    event_type: str
    tenant_id: str
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    envelope: Envelope

    def __getitem__(self, key: str) -> Any:
        """Mapping-style access too (`d["id"]`), for tables and CLI output."""
        return getattr(self, key)


def list_dead_letters(
    sessions: sessionmaker[Session],
    schema: str,
    limit: int = 100,
    *,
    consumer: str | None = None,
    tenant_id: str | None = None,
) -> list[DeadLetter]:
    """Dead letters of a service schema, oldest first. `sessions`: relay/ops sessions (BYPASSRLS)."""
    failed = tables_for(schema).failed_event
    query = sa.select(failed).where(failed.c.dead.is_(True)).order_by(failed.c.id).limit(limit)
    if consumer is not None:
        query = query.where(failed.c.consumer == consumer)
    if tenant_id is not None:
        query = query.where(failed.c.tenant_id == tenant_id)
    with sessions() as session, session.begin():
        rows = session.execute(query).all()
    return [
        DeadLetter(
            id=row.id,
            consumer=row.consumer,
            event_id=str(row.event_id),
            event_type=row.event_type,
            tenant_id=row.tenant_id,
            attempts=row.attempts,
            last_error=row.last_error,
            created_at=row.created_at,
            updated_at=row.updated_at,
            envelope=Envelope.from_body(row.envelope),
        )
        for row in rows
    ]


def replay(
    sessions: sessionmaker[Session],
    subscriptions: Sequence[Subscription],
    schema: str,
    failed_id: int,
    *,
    runtime_sessions: sessionmaker[Session],
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    retry_base_seconds: float = DEFAULT_RETRY_BASE_SECONDS,
    lease_seconds: float = 300.0,
) -> str:
    """Reset failure `failed_id` of service schema `schema` (a dead letter, or a failure waiting
    for its retry) and consume it again now; return the outcome. Processed: the row is gone.
    Failed again: it is back in the retry cycle with a fresh attempt count.

    `sessions`: relay/ops sessions (BYPASSRLS); `runtime_sessions`: the service's runtime ones.
    `subscriptions`: those of the service (only the ones stored in `schema` are considered)."""
    by_consumer = _by_schema(subscriptions).get(schema, {})
    failed = tables_for(schema).failed_event
    with sessions() as session, session.begin():
        row = session.execute(
            sa.select(failed.c.consumer, failed.c.envelope).where(failed.c.id == failed_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise NotFound(f"no failed event {failed_id} in {schema}")
        subscription = by_consumer.get(row.consumer)
        if subscription is None:
            raise NotFound(
                f"failed event {failed_id} belongs to {row.consumer}, which is not subscribed here"
            )
        # reset, and lease it to this replay so that retry_due() does not run it at the same time
        session.execute(
            failed.update()
            .where(failed.c.id == failed_id)
            .values(
                dead=False,
                attempts=0,
                next_attempt_at=datetime.now(UTC) + timedelta(seconds=lease_seconds),
                updated_at=sa.func.now(),
            )
        )
    log.info("replaying failed event %s (%s)", failed_id, row.consumer)
    outcome = consume(
        Envelope.from_body(row.envelope),
        subscription,
        runtime_sessions,
        max_attempts=max_attempts,
        retry_base_seconds=retry_base_seconds,
        observe_lag=False,
    )
    _update_dead_letter_gauge(sessions, schema, [subscription])
    return outcome
