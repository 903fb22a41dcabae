"""Events: envelope, transactional outbox and relay, RabbitMQ publisher (nameko wire format),
idempotent consumers with retries and dead letters, the in-process bus and the nameko adapter.

Importing this package never imports nameko or eventlet (API processes must not): the nameko
adapter (`nameko_service`, `run_worker`, `WorkerSessions`, `ConsumerSessions`) is loaded on first
attribute access, and imports nameko only when called."""

from __future__ import annotations

from typing import Any

from libs.common.messaging.amqp import AmqpPublisher, UnroutableEvent, event_exchange, subscription_queue
from libs.common.messaging.consumer import (
    DEAD_LETTERED,
    DUPLICATE,
    FAILED,
    PROCESSED,
    DeadLetter,
    Handler,
    Subscription,
    check_subscriptions,
    consume,
    consume_batch,
    list_dead_letters,
    replay,
    retry_due,
)
from libs.common.messaging.envelope import (
    Envelope,
    county_scope,
    data_of,
    event_type_of,
    is_county_scope,
    message_of,
    validate_event_tenant,
)
from libs.common.messaging.inprocess import InProcessBus
from libs.common.messaging.outbox import record
from libs.common.messaging.relay import OutboxRelay, Publisher
from libs.common.messaging.tables import (
    MessagingTables,
    create_messaging_tables,
    messaging_tables,
    tables_for,
)

_NAMEKO = {"nameko_service", "run_worker", "WorkerSessions", "ConsumerSessions"}

__all__ = [
    "DEAD_LETTERED",
    "DUPLICATE",
    "FAILED",
    "PROCESSED",
    "AmqpPublisher",
    "ConsumerSessions",
    "DeadLetter",
    "Envelope",
    "Handler",
    "InProcessBus",
    "MessagingTables",
    "OutboxRelay",
    "Publisher",
    "Subscription",
    "UnroutableEvent",
    "WorkerSessions",
    "check_subscriptions",
    "consume",
    "consume_batch",
    "county_scope",
    "create_messaging_tables",
    "data_of",
    "event_exchange",
    "event_type_of",
    "is_county_scope",
    "list_dead_letters",
    "message_of",
    "messaging_tables",
    "nameko_service",
    "record",
    "replay",
    "retry_due",
    "run_worker",
    "subscription_queue",
    "tables_for",
    "validate_event_tenant",
]


def __getattr__(name: str) -> Any:
    if name in _NAMEKO:
        from libs.common.messaging import nameko_adapter

        return getattr(nameko_adapter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
