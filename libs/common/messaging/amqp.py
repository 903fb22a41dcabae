"""Publishing envelopes to RabbitMQ in nameko's event wire format (stack.md §2.6), with plain
kombu and no eventlet: the outbox relay's publisher.

Wire format (what a nameko `@event_handler(source, event_type)` consumes):
exchange `<source>.events` (topic, durable), routing key = event type, body = the envelope as a
JSON object (`application/json`, utf-8), persistent (delivery_mode 2), `message_id` = event id,
application headers = the trace context only (`traceparent`, `tracestate`, `baggage`).
Per-message ids stay in the body: nameko re-sends the headers it received on its next dispatch.

Reliability: publisher confirms (`confirm_publish`) and `mandatory=True`; `publish()` returns
only once the broker has confirmed the message (waiting at most `confirm_timeout`: a dead TCP
connection cannot hang the relay). Connection errors are retried with a fresh connection (kombu
`retry_policy`); after that `publish()` raises, the relay keeps the row, and the next
`publish()` connects afresh.

Queues are PRE-DECLARED for the `declare_queues` subscriptions (when connecting), exactly as
nameko declares a SERVICE_POOL handler's queue (`evt-<source>-<event_type>--<service>.<method>`,
durable, not auto-delete, not exclusive, no arguments, bound by routing key), so events
published before a worker ever started wait in its queue, and nameko's own declaration later is
equivalent (no PRECONDITION_FAILED).

Unroutable policy (the broker returned the message: no queue is bound for its routing key):
* the route is EXPECTED (some `declare_queues` subscription has this source and event type):
  the queue must have been deleted behind our back, so it is declared again and
  `UnroutableEvent` is raised: the relay keeps the row and publishes it on its next pass;
* the route is not expected: nobody subscribes to this event (yet); that is ordinary pub/sub,
  it is logged at INFO and the event counts as published. With `strict=True` every unroutable
  event raises instead (the row stays until some queue is bound).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from kombu import Connection, Exchange, Producer, Queue

from libs.common.messaging.consumer import Subscription
from libs.common.messaging.envelope import Envelope

log = logging.getLogger(__name__)

TRACE_HEADERS = ("traceparent", "tracestate", "baggage")
PERSISTENT = 2


class UnroutableEvent(Exception):
    """The broker could not route an event that some subscription expects; retry later."""


def event_exchange(source: str) -> Exchange:
    """The exchange nameko uses for `source`'s events (nameko/standalone/events.py)."""
    return Exchange(f"{source}.events", type="topic", durable=True, delivery_mode=PERSISTENT)


def subscription_queue(subscription: Subscription) -> Queue:
    """The queue nameko's `@event_handler(..., handler_type=SERVICE_POOL)` declares."""
    return Queue(
        subscription.queue_name,
        exchange=event_exchange(subscription.source),
        routing_key=subscription.event_type,
        durable=True,
        auto_delete=False,
        exclusive=False,
    )


class AmqpPublisher:
    """The bus port on RabbitMQ. Thread-safe (one connection, publishes serialised)."""

    def __init__(
        self,
        amqp_url: str,
        declare_queues: Iterable[Subscription] = (),
        *,
        strict: bool = False,
        max_retries: int = 3,
        connect_timeout: float = 5.0,
        confirm_timeout: float = 15.0,
    ) -> None:
        self.amqp_url = amqp_url
        self.subscriptions = list(declare_queues)
        self.expected = {(s.source, s.event_type) for s in self.subscriptions}
        self.strict = strict
        self.retry_policy = {
            "max_retries": max_retries,
            "interval_start": 0,
            "interval_step": 1,
            "interval_max": 5,
        }
        self.connect_timeout = connect_timeout
        self.confirm_timeout = confirm_timeout
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._producer: Producer | None = None
        self._returned: list[tuple[Any, str, str]] = []

    # -- connection ---------------------------------------------------------------------------

    def _on_return(self, exc: Any, exchange: str, routing_key: str, message: Any) -> None:
        self._returned.append((exc, exchange, routing_key))

    def _connect(self) -> Producer:
        if self._producer is not None:
            return self._producer
        connection = Connection(
            self.amqp_url, transport_options={"confirm_publish": True}, connect_timeout=self.connect_timeout
        )
        try:
            connection.ensure_connection(max_retries=self.retry_policy["max_retries"])
            producer = Producer(connection, on_return=self._on_return)
            self._declare(connection, self.subscriptions)
        except Exception:
            connection.release()
            raise
        self._connection, self._producer = connection, producer
        log.info("publishing events to %s", connection.as_uri())
        return producer

    def _declare(self, connection: Connection, subscriptions: Iterable[Subscription]) -> None:
        channel = connection.default_channel
        for sub in subscriptions:
            subscription_queue(sub)(channel).declare()

    def declare(self) -> None:
        """Connect now and pre-declare the subscriptions' queues (otherwise done on first publish)."""
        with self._lock:
            self._connect()

    def close(self) -> None:
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        connection, self._connection, self._producer = self._connection, None, None
        if connection is not None:
            try:
                connection.release()
            except Exception:  # noqa: BLE001 - it is going away anyway
                log.debug("closing the AMQP connection failed", exc_info=True)

    def __enter__(self) -> AmqpPublisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- publishing ---------------------------------------------------------------------------

    def publish(self, envelope: Envelope) -> None:
        exchange = event_exchange(envelope.source)
        headers = {k: v for k, v in envelope.headers.items() if k in TRACE_HEADERS}
        with self._lock:
            try:
                producer = self._connect()
                self._returned.clear()
                producer.publish(
                    envelope.to_body(),
                    exchange=exchange,
                    routing_key=envelope.event_type,
                    serializer="json",
                    delivery_mode=PERSISTENT,
                    mandatory=True,
                    headers=headers,
                    message_id=envelope.event_id,
                    declare=[exchange],
                    retry=True,
                    retry_policy=self.retry_policy,
                    confirm_timeout=self.confirm_timeout,
                )
                returned = list(self._returned)
            except Exception:
                # a channel error (404, 406) closes the channel; start afresh next time
                self._reset()
                raise
            if returned:
                self._unroutable(envelope, returned[0][0])

    def _unroutable(self, envelope: Envelope, reason: Any) -> None:
        route = (envelope.source, envelope.event_type)
        where = f"{envelope.source}.events/{envelope.event_type}"
        if route in self.expected:
            assert self._connection is not None
            self._declare(
                self._connection, [s for s in self.subscriptions if (s.source, s.event_type) == route]
            )
            raise UnroutableEvent(
                f"{where}: no queue was bound ({reason}); declared the expected queues again"
            )
        if self.strict:
            raise UnroutableEvent(f"{where}: no queue is bound ({reason})")
        log.info("%s: event %s has no subscriber; nobody receives it", where, envelope.event_id)
