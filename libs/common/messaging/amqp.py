"""Publishing envelopes to RabbitMQ in nameko's event wire format (stack.md §2.6), with plain
kombu and no eventlet: the outbox relay's publisher.

Wire format (what a nameko `@event_handler(source, event_type)` consumes):
exchange `<source>.events` (topic, durable), routing key = event type, body = the envelope as a
JSON object (`application/json`, utf-8), persistent (delivery_mode 2), `message_id` = event id,
application headers = the trace context only (`traceparent`, `tracestate`, `baggage`).
Per-message ids stay in the body: nameko re-sends the headers it received on its next dispatch.

Reliability: publisher confirms and `mandatory=True`. `publish_batch()` publishes a batch and
then waits once for the broker's confirms of all of it (py-amqp `confirm_select` with
`basic_ack`/`basic_nack` callbacks, at most `confirm_timeout` seconds: a dead TCP connection
cannot hang the relay); it reports how many LEADING envelopes were confirmed, so nothing after a
nack, a return that must be retried, or a missing confirm counts as published (it goes again).
`publish()` is a batch of one that raises instead. Connection errors are retried with a fresh
connection (`max_retries`, the unconfirmed rest of the batch again); after that the error is
reported, the relay keeps the rows, and the next call connects afresh.

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
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kombu import Connection, Exchange, Producer, Queue

from libs.common.messaging.consumer import Subscription
from libs.common.messaging.envelope import Envelope

log = logging.getLogger(__name__)

TRACE_HEADERS = ("traceparent", "tracestate", "baggage")
PERSISTENT = 2


class UnroutableEvent(Exception):
    """The broker could not route an event that some subscription expects; retry later."""


class PublishNacked(Exception):
    """The broker refused an event (basic.nack); retry later."""


class ConfirmTimeout(Exception):
    """The broker did not confirm an event in time; its fate is unknown, so it goes again."""


@dataclass(frozen=True)
class BatchOutcome:
    """`confirmed` leading envelopes of a batch are with the broker; `error` stopped the rest."""

    confirmed: int
    error: Exception | None = None


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
        self._last_tag = 0  # the channel's delivery tags count its publishes from 1
        self._pending: dict[int, int] = {}  # delivery tag -> index in the batch, until settled
        self._settled: dict[int, bool] = {}  # index -> acked (False: nacked)
        self._returned: dict[str | None, Any] = {}  # message id -> why the broker returned it
        self._batch: list[Envelope] = []

    # -- connection ---------------------------------------------------------------------------

    def _on_return(self, exc: Any, exchange: str, routing_key: str, message: Any) -> None:
        self._returned[message.properties.get("message_id")] = exc

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, True)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, False)

    def _settle(self, delivery_tag: int, multiple: bool, acked: bool) -> None:
        tags = [t for t in self._pending if t <= delivery_tag] if multiple else [delivery_tag]
        for tag in tags:
            index = self._pending.pop(tag, None)
            if index is not None:
                self._settled[index] = acked

    def _connect(self) -> Producer:
        if self._producer is not None:
            return self._producer
        # confirms handled here (not kombu's `confirm_publish`, which waits after every message)
        connection = Connection(self.amqp_url, connect_timeout=self.connect_timeout)
        try:
            connection.ensure_connection(max_retries=self.retry_policy["max_retries"])
            channel: Any = connection.default_channel  # py-amqp's Channel (kombu's type says less)
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            producer = Producer(channel, on_return=self._on_return)
            self._declare(connection, self.subscriptions)
        except Exception:
            connection.release()
            raise
        self._connection, self._producer, self._last_tag = connection, producer, 0
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
        """Publish one envelope and wait for its confirm; raise if it is not with the broker."""
        outcome = self.publish_batch([envelope])
        if outcome.error is not None:
            raise outcome.error

    def publish_batch(self, envelopes: Sequence[Envelope]) -> BatchOutcome:
        """Publish `envelopes` in order, then wait for all their confirms at once."""
        done = 0
        with self._lock:
            for attempt in range(self.retry_policy["max_retries"] + 1):
                try:
                    done += self._publish_confirmed(envelopes[done:])
                    return BatchOutcome(done)
                except _Stopped as stopped:
                    return BatchOutcome(done + stopped.confirmed, stopped.error)
                except Exception as exc:  # noqa: BLE001 - reported; the relay keeps the rows
                    # a channel error (404, 406) closes the channel: start afresh next time
                    connection = self._connection
                    self._reset()
                    done += self._confirmed_prefix()
                    policy = self.retry_policy
                    lost = (OSError,) if connection is None else (
                        OSError, *connection.connection_errors, *connection.recoverable_connection_errors
                    )  # fmt: skip
                    if not isinstance(exc, lost) or attempt == policy["max_retries"]:
                        return BatchOutcome(done, exc)
                    log.warning("publishing events failed (%s); retrying with a fresh connection", exc)
                    delay = policy["interval_start"] + attempt * policy["interval_step"]
                    time.sleep(min(delay, policy["interval_max"]))
        return BatchOutcome(done)  # pragma: no cover - the loop always returns

    def _confirmed_prefix(self) -> int:
        """How many leading envelopes of the current batch the broker acked (and did not return)."""
        count = 0
        while self._settled.get(count) and self._batch[count].event_id not in self._returned:
            count += 1
        return count

    def _publish_confirmed(self, envelopes: Sequence[Envelope]) -> int:
        """Publish and wait for the confirms; return how many were confirmed (all) or raise
        `_Stopped` (a nack, a return to retry, a timeout) or a connection/channel error."""
        self._batch = list(envelopes)
        self._pending.clear()
        self._settled.clear()
        self._returned.clear()
        producer = self._connect()
        for index, envelope in enumerate(envelopes):
            exchange = event_exchange(envelope.source)
            producer.publish(
                envelope.to_body(),
                exchange=exchange,
                routing_key=envelope.event_type,
                serializer="json",
                delivery_mode=PERSISTENT,
                mandatory=True,
                headers={k: v for k, v in envelope.headers.items() if k in TRACE_HEADERS},
                message_id=envelope.event_id,
                declare=[exchange],
                retry=False,
            )
            self._last_tag += 1
            self._pending[self._last_tag] = index
        assert self._connection is not None
        deadline = time.monotonic() + self.confirm_timeout
        while self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                confirmed = self._confirmed_prefix()
                self._reset()  # late confirms must not be taken for the next batch's
                raise _Stopped(
                    confirmed,
                    ConfirmTimeout(
                        f"{len(self._pending)} of {len(envelopes)} events "
                        f"not confirmed in {self.confirm_timeout}s"
                    ),
                )
            try:
                self._connection.drain_events(timeout=remaining)
            except TimeoutError:
                continue
        for index, envelope in enumerate(envelopes):
            if not self._settled[index]:
                raise _Stopped(index, PublishNacked(f"the broker refused event {envelope.event_id} (nack)"))
            if envelope.event_id in self._returned:
                try:
                    self._unroutable(envelope, self._returned[envelope.event_id])
                except UnroutableEvent as exc:
                    raise _Stopped(index, exc) from None
        return len(envelopes)

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


class _Stopped(Exception):
    """The batch stopped at `confirmed` without a connection error (nothing to retry now)."""

    def __init__(self, confirmed: int, error: Exception) -> None:
        super().__init__(str(error))
        self.confirmed, self.error = confirmed, error
