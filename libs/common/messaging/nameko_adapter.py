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
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from libs.common.messaging.consumer import Subscription, check_subscriptions, consume, retry_due
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
    """A nameko service class named `service_name`: one SERVICE_POOL `@event_handler` per
    subscription (method `subscription.method`, so the queue is
    `evt-<source>-<event_type>--<service>.<method>`, as the relay pre-declares it) and a timer
    `retry_failed_events` every `retry_interval` seconds (default: max(1, retry base)).

    The handlers requeue on error, but `consume()` only raises when a failure cannot be
    recorded (database away); handler failures are recorded and acked."""
    from nameko.events import SERVICE_POOL
    from nameko.timer import timer

    event_handler = _resilient_event_handler()

    subs = check_subscriptions(subscriptions)
    for sub in subs:
        if sub.service != service_name:
            raise ValueError(f"subscription {sub.consumer} belongs to {sub.service}, not {service_name}")
    sessions = _LazySessions(sessions_factory)
    max_attempts = settings.consumer_max_attempts
    retry_base = settings.consumer_retry_base_seconds
    interval = retry_interval if retry_interval is not None else max(1.0, retry_base)

    def entrypoint(sub: Subscription) -> Callable[..., Any]:
        def handle(self: Any, body: Any) -> None:
            try:
                envelope = Envelope.from_body(body)
            except Exception:  # noqa: BLE001 - a malformed message cannot be retried; say so loudly
                log.exception("%s: malformed event dropped: %.500r", sub.consumer, body)
                EVENTS_CONSUMED.labels(consumer=sub.consumer, outcome="failed").inc()
                return
            consume(
                envelope,
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


def _resilient_event_handler() -> Callable[..., Any]:
    """nameko's `event_handler`, except that an ack (or requeue) on a connection the broker has
    just dropped does not kill the worker. nameko ignores amqp's ConnectionError there, but the
    socket's own error (ConnectionResetError, BrokenPipeError) escapes and kills the container,
    so a RabbitMQ restart would stop the worker for good (tests/e2e/test_notify_reliability.py).
    The unacked message is redelivered by the broker; the inbox makes the redelivery a duplicate."""
    from kombu.exceptions import OperationalError
    from nameko.events import EventHandler

    class ResilientEventHandler(EventHandler):  # type: ignore[misc]
        def handle_message_processed(self, message: Any, result: Any = None, exc_info: Any = None) -> None:
            try:
                super().handle_message_processed(message, result, exc_info)
            except (OSError, OperationalError) as exc:
                log.warning(
                    "%s: could not ack a message, the broker connection is gone (%s); it will be redelivered",
                    self.method_name,
                    exc,
                )

    decorator: Callable[..., Any] = ResilientEventHandler.decorator
    return decorator


def _prepare_psycopg() -> None:
    """psycopg 3 must wait through `select`-style calls eventlet can patch (stack.md §2.4)."""
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_selector")
    waiting: Any = sys.modules.get("psycopg.waiting")
    if waiting is not None and waiting.wait is not waiting.wait_selector:
        # imported before us: the env var came too late; the module attribute is what psycopg calls
        log.warning("psycopg was imported before run_worker(); switching it to wait_selector")
        waiting.wait = waiting.wait_selector


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

    `max_workers` (default `settings.worker_max_workers`): events handled at once, and nameko's
    prefetch. Give the runtime engine of `sessions_factory` a pool of at least as many
    connections: a smaller pool opens and closes an overflow connection per event."""
    _prepare_psycopg()
    import eventlet

    eventlet.monkey_patch()
    from nameko.runners import ServiceRunner

    settings = settings or Settings()  # type: ignore[call-arg]  # pydantic-settings reads the environment
    service = nameko_service(
        service_name, subscriptions, sessions_factory, settings, retry_interval=retry_interval
    )
    workers = max_workers if max_workers is not None else settings.worker_max_workers
    runner = ServiceRunner({"AMQP_URI": amqp_url, "max_workers": workers})
    runner.add_service(service)

    def shutdown(signum: int, frame: object) -> None:
        # signal handlers run in the main loop and cannot use eventlet primitives: stop in a greenlet
        log.info("%s: signal %d, stopping", service_name, signum)
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
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
