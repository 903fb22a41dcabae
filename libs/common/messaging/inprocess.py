"""The in-process bus (all-in-one mode, no RabbitMQ): the outbox relay hands each envelope to
every matching subscription through `consume()`, the very function nameko workers call, so
inbox idempotency, failure records, retries and dead letters behave as in production.

Delivery is synchronous, in the caller's (the relay's) thread. `publish()` raises only when a
failure could not even be recorded (the database is away): the relay then keeps the outbox row
and publishes it again later; subscribers that already processed it see a duplicate."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from libs.common.messaging.consumer import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_BASE_SECONDS,
    Subscription,
    check_subscriptions,
    consume,
    retry_due,
)
from libs.common.messaging.envelope import Envelope

SessionsFor = Callable[[str], sessionmaker[Session]]


class InProcessBus:
    """`sessions_for(service)` gives a consuming service's runtime sessions."""

    def __init__(
        self,
        subscriptions: Iterable[Subscription],
        sessions_for: SessionsFor,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_base_seconds: float = DEFAULT_RETRY_BASE_SECONDS,
    ) -> None:
        self.subscriptions = list(subscriptions)
        by_service: dict[str, list[Subscription]] = {}
        for sub in self.subscriptions:
            by_service.setdefault(sub.service, []).append(sub)
        for subs in by_service.values():
            check_subscriptions(subs)
        self.by_service = by_service
        self.sessions_for = sessions_for
        self.max_attempts = max_attempts
        self.retry_base_seconds = retry_base_seconds

    def publish(self, envelope: Envelope) -> None:
        for sub in self.subscriptions:
            if sub.matches(envelope):
                consume(
                    envelope,
                    sub,
                    self.sessions_for(sub.service),
                    max_attempts=self.max_attempts,
                    retry_base_seconds=self.retry_base_seconds,
                )

    def retry_due(self, ops_sessions_for: SessionsFor, now: datetime | None = None) -> int:
        """Re-run due failures of every subscribed service (the all-in-one retry timer).
        `ops_sessions_for(service)` gives relay/ops (BYPASSRLS) sessions for that service."""
        return sum(
            retry_due(
                ops_sessions_for(service),
                subs,
                now,
                runtime_sessions=self.sessions_for(service),
                max_attempts=self.max_attempts,
                retry_base_seconds=self.retry_base_seconds,
            )
            for service, subs in self.by_service.items()
        )
