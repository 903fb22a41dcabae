"""nameko as a thin adapter: a worker service class whose `@event_handler`s call `consume()`
(ARCHITECTURE.md §2) and whose timer re-runs due failures.

Import discipline: this module imports nameko (and so eventlet) only inside its functions, and
the rest of `libs.common.messaging` never imports it at module level: API processes must never
import eventlet. A worker's entrypoint must, before anything imports psycopg:

    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")   # psycopg 3 under eventlet
    import eventlet; eventlet.monkey_patch()

`run_worker()` does both itself, as early as it can, and repairs psycopg's wait function if
psycopg was imported before it (stack.md §2.4); doing it in the entrypoint is still the rule.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from libs.common.messaging.consumer import Subscription, check_subscriptions, consume_batch, retry_due
from libs.common.messaging.envelope import Envelope
from libs.common.observability.metrics import EVENTS_CONSUMED
from libs.common.settings import Settings

log = logging.getLogger(__name__)


class ConsumerSessions(Protocol):
    """What a worker needs (libs.common.runtime.Runtime has both): `sessions`, the runtime role
    (handlers run there, under RLS), and `ops_sessions`, the relay/ops role (BYPASSRLS: finds due
    failures of every tenant)."""

    sessions: sessionmaker[Session]
    ops_sessions: sessionmaker[Session]


@dataclass(frozen=True)
class WorkerSessions:
    """A plain `ConsumerSessions`."""

    sessions: sessionmaker[Session]
    ops_sessions: sessionmaker[Session]


SessionsFactory = Callable[[], ConsumerSessions]


class _LazySessions:
    """Create the engines on first use inside the worker (after monkey-patching), once."""

    def __init__(self, factory: SessionsFactory) -> None:
        self._factory = factory
        self._sessions: ConsumerSessions | None = None
        self._lock = threading.Lock()

    def get(self) -> ConsumerSessions:
        if self._sessions is None:
            with self._lock:
                if self._sessions is None:
                    self._sessions = self._factory()
        return self._sessions


def _class_name(service_name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", service_name) if part) + "Worker"


def nameko_service(
    service_name: str,
    subscriptions: Sequence[Subscription],
    sessions_factory: SessionsFactory,
    settings: Settings,
    *,
    retry_interval: float | None = None,
) -> type:
    """A nameko service class named `service_name`: one SERVICE_POOL batching event handler per
    subscription (method `subscription.method`, so the queue is
    `evt-<source>-<event_type>--<service>.<method>`, as the relay pre-declares it), each given
    a batch of its queue's messages for `consume_batch()`, and a timer `retry_failed_events`
    every `retry_interval` seconds (default: max(1, retry base)).

    The handlers requeue on error, but `consume_batch()` only raises when a failure cannot be
    recorded (database away); handler failures are recorded and acked."""
    from nameko.events import SERVICE_POOL
    from nameko.timer import timer

    event_handler = _batch_event_handler()

    subs = check_subscriptions(subscriptions)
    for sub in subs:
        if sub.service != service_name:
            raise ValueError(f"subscription {sub.consumer} belongs to {sub.service}, not {service_name}")
    sessions = _LazySessions(sessions_factory)
    max_attempts = settings.consumer_max_attempts
    retry_base = settings.consumer_retry_base_seconds
    interval = retry_interval if retry_interval is not None else max(1.0, retry_base)

    def entrypoint(sub: Subscription) -> Callable[..., Any]:
        def handle(self: Any, bodies: list[Any]) -> None:
            envelopes = []
            for body in bodies:
                try:
                    envelopes.append(Envelope.from_body(body))
                except Exception:  # noqa: BLE001 - a malformed message cannot be retried; say so loudly
                    log.exception("%s: malformed event dropped: %.500r", sub.consumer, body)
                    EVENTS_CONSUMED.labels(consumer=sub.consumer, outcome="failed").inc()
            consume_batch(
                envelopes,
                sub,
                sessions.get().sessions,
                max_attempts=max_attempts,
                retry_base_seconds=retry_base,
            )

        handle.__name__ = handle.__qualname__ = sub.method
        return event_handler(sub.source, sub.event_type, handler_type=SERVICE_POOL, requeue_on_error=True)(
            handle
        )

    def retry_failed_events(self: Any) -> None:
        try:
            s = sessions.get()
            retry_due(
                s.ops_sessions,
                subs,
                runtime_sessions=s.sessions,
                max_attempts=max_attempts,
                retry_base_seconds=retry_base,
            )
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("%s: retrying failed events failed", service_name)

    attrs: dict[str, Any] = {"name": service_name, "__module__": __name__}
    for sub in subs:
        attrs[sub.method] = entrypoint(sub)
    attrs["retry_failed_events"] = timer(interval=interval)(retry_failed_events)
    return type(_class_name(service_name), (), attrs)


class AckWindow:
    """The delivery tags of one channel that are not acked yet, in arrival order, and which of
    them are done. Batches finish out of order; `basic_ack(tag, multiple=True)` acks every
    outstanding delivery up to `tag`, so it may only name the end of a DONE run at the head:
    `settle` and `drop` return that tag (or None while the head still waits)."""

    def __init__(self) -> None:
        self._done: dict[int, bool] = {}  # insertion order = delivery order

    def delivered(self, tag: int) -> None:
        self._done[tag] = False

    def settle(self, tags: Iterable[int]) -> int | None:
        """These deliveries are done (to be acked)."""
        for tag in tags:
            if tag in self._done:
                self._done[tag] = True
        return self._advance()

    def drop(self, tag: int) -> int | None:
        """This delivery was settled otherwise (requeued): it no longer holds up the head."""
        self._done.pop(tag, None)
        return self._advance()

    def __len__(self) -> int:
        return len(self._done)

    def _advance(self) -> int | None:
        head: list[int] = []
        for tag, done in self._done.items():
            if not done:
                break
            head.append(tag)
        for tag in head:
            del self._done[tag]
        return head[-1] if head else None


BATCH_SIZE_KEY = "BIANMIN_BATCH_SIZE"  # nameko config keys of the batching entrypoint
BATCH_WAIT_KEY = "BIANMIN_BATCH_WAIT_SECONDS"


@functools.cache
def _batch_event_handler() -> Callable[..., Any]:
    """nameko's `event_handler`, handing its worker a BATCH of message bodies: up to
    `BIANMIN_BATCH_SIZE` messages of its queue, or what arrived within `BIANMIN_BATCH_WAIT_SECONDS`
    of the first (config keys; `run_worker` sets them from the settings). The messages of a batch
    are acked together after the worker returns, or all requeued if it raised, so nothing is acked
    before its effect is committed. The queue consumer's prefetch is max_workers × batch size, so
    every worker can have a full batch.

    Also resilient: an ack (or requeue) on a connection the broker has just dropped does not kill
    the worker. nameko ignores amqp's ConnectionError there, but the socket's own error
    (ConnectionResetError, BrokenPipeError) escapes and kills the container, so a RabbitMQ restart
    would stop the worker for good (tests/e2e/test_notify_reliability.py). The unacked messages are
    redelivered by the broker; the inbox makes the redelivery a duplicate."""
    import eventlet
    from amqp.exceptions import ConnectionError as AmqpConnectionError
    from kombu.exceptions import OperationalError
    from nameko.containers import ContainerBeingKilled
    from nameko.events import EventHandler
    from nameko.messaging import QueueConsumer

    class BatchQueueConsumer(QueueConsumer):  # type: ignore[misc]
        """nameko's queue consumer with a prefetch for whole batches and acks by ONE frame per
        batch (`AckWindow`): a frame per event was a quarter of the worker's time."""

        def __init__(self) -> None:
            super().__init__()
            self._windows: dict[Any, AckWindow] = {}  # per channel

        @property
        def prefetch_count(self) -> int:
            return int(self.container.max_workers * self.container.config.get(BATCH_SIZE_KEY, 1))

        def get_consumers(self, consumer_cls: Any, channel: Any) -> Any:
            self._windows = {channel: AckWindow()}  # a new channel: the old one's tags mean nothing
            return super().get_consumers(consumer_cls, channel)

        def handle_message(self, provider: Any, body: Any, message: Any) -> None:
            self._windows.setdefault(message.channel, AckWindow()).delivered(message.delivery_tag)
            super().handle_message(provider, body, message)

        def ack_messages(self, messages: list[Any]) -> None:
            by_channel: dict[Any, list[Any]] = {}
            for message in messages:
                by_channel.setdefault(message.channel, []).append(message)
            for channel, batch in by_channel.items():
                window = self._windows.get(channel)
                if window is None:  # its channel is gone: nameko's own way (a no-op by now)
                    for message in batch:
                        self.ack_message(message)
                    continue
                self._ack_up_to(channel, window.settle(m.delivery_tag for m in batch))

        def requeue_message(self, message: Any) -> None:
            super().requeue_message(message)
            window = self._windows.get(message.channel)
            if window is not None:
                self._ack_up_to(message.channel, window.drop(message.delivery_tag))

        def _ack_up_to(self, channel: Any, tag: int | None) -> None:
            if tag is not None and channel.connection:  # else the broker has taken them back
                channel.basic_ack(tag, multiple=True)

    class BatchEventHandler(EventHandler):  # type: ignore[misc]
        queue_consumer = BatchQueueConsumer()

        def setup(self) -> None:
            super().setup()
            config = self.container.config
            self.batch_size = int(config.get(BATCH_SIZE_KEY, 1))
            self.batch_wait = float(config.get(BATCH_WAIT_KEY, 0.02))
            self._buffer: list[tuple[Any, Any]] = []
            self._round = 0  # which buffer a pending timer was started for

        def handle_message(self, body: Any, message: Any) -> None:
            # green threads switch only where they wait: nothing here can interleave
            self._buffer.append((body, message))
            if len(self._buffer) >= self.batch_size:
                self._flush()
            elif len(self._buffer) == 1:
                self.container.spawn_managed_thread(partial(self._flush_later, self._round))

        def _flush_later(self, round_: int) -> None:
            eventlet.sleep(self.batch_wait)
            if round_ == self._round:
                self._flush()

        def _flush(self) -> None:
            batch, self._buffer = self._buffer, []
            self._round += 1
            if not batch:
                return
            messages = [message for _, message in batch]
            try:
                self.container.spawn_worker(
                    self,
                    ([body for body, _ in batch],),
                    {},
                    context_data=self.unpack_message_headers(messages[0]),
                    handle_result=partial(self.handle_batch_result, messages),
                )
            except ContainerBeingKilled:
                for message in messages:
                    self.queue_consumer.requeue_message(message)

        def handle_batch_result(
            self, messages: list[Any], worker_ctx: Any, result: Any = None, exc_info: Any = None
        ) -> tuple[Any, Any]:
            try:
                if exc_info is not None and self.requeue_on_error:
                    for message in messages:
                        self.queue_consumer.requeue_message(message)
                else:
                    self.queue_consumer.ack_messages(messages)
            except (OSError, OperationalError, AmqpConnectionError) as exc:
                log.warning(
                    "%s: could not settle %d messages, the broker connection is gone (%s);"
                    " they will be redelivered",
                    self.method_name,
                    len(messages),
                    exc,
                )
            return result, exc_info

        def stop(self) -> None:
            super().stop()  # no more messages arrive once the consumer is cancelled
            self._flush()  # the container waits for this last worker before the acks' connection goes

    decorator: Callable[..., Any] = BatchEventHandler.decorator
    return decorator


def _prepare_psycopg() -> None:
    """psycopg 3 must wait through `select`-style calls eventlet can patch (stack.md §2.4)."""
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")
    waiting: Any = sys.modules.get("psycopg.waiting")
    if waiting is not None and waiting.wait is not waiting.wait_selector:
        # imported before us: the env var came too late; the module attribute is what psycopg calls
        log.warning("psycopg was imported before run_worker(); switching it to wait_selector")
        waiting.wait = waiting.wait_selector


def _stop_when_orphaned(parent: int, runner: Any) -> None:
    """A greenlet: `threading` is eventlet's since monkey_patch, so the watch sleeps green."""
    from libs.common.orphan import stop_when_orphaned

    stop_when_orphaned(parent, threading.Event())
    runner.stop()


def run_worker(
    service_name: str,
    subscriptions: Sequence[Subscription],
    sessions_factory: SessionsFactory,
    amqp_url: str,
    *,
    settings: Settings | None = None,
    max_workers: int | None = None,
    retry_interval: float | None = None,
) -> None:
    """Run the worker until SIGTERM/SIGINT, then stop gracefully (running handlers finish).

    `max_workers` (default `settings.worker_max_workers`): batches handled at once (each of up to
    `settings.worker_batch_size` events). Give the runtime engine of `sessions_factory` a pool
    of at least as many connections: a smaller pool opens and closes an overflow connection per
    batch."""
    _prepare_psycopg()
    import eventlet

    eventlet.monkey_patch()
    from nameko.runners import ServiceRunner

    settings = settings or Settings()  # type: ignore[call-arg]  # pydantic-settings reads the environment
    service = nameko_service(
        service_name, subscriptions, sessions_factory, settings, retry_interval=retry_interval
    )
    workers = max_workers if max_workers is not None else settings.worker_max_workers
    runner = ServiceRunner(
        {
            "AMQP_URI": amqp_url,
            "max_workers": workers,
            BATCH_SIZE_KEY: settings.worker_batch_size,
            BATCH_WAIT_KEY: settings.worker_batch_wait_seconds,
        }
    )
    runner.add_service(service)

    def shutdown(signum: int, frame: object) -> None:
        # signal handlers run in the main loop and cannot use eventlet primitives: stop in a greenlet
        log.info("%s: signal %d, stopping", service_name, signum)
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    if settings.parent_pid:  # a child of `bianmin run`: stop with it
        eventlet.spawn_n(_stop_when_orphaned, settings.parent_pid, runner)
    runner.start()
    log.info("%s: consuming %s", service_name, ", ".join(s.queue_name for s in subscriptions))
    runnlet = eventlet.spawn(runner.wait)
    while True:
        try:
            runnlet.wait()
        except OSError as exc:  # EINTR when the signal arrives while the hub waits on a socket
            if exc.errno == errno.EINTR:
                continue
            raise
        break
    log.info("%s: stopped", service_name)
