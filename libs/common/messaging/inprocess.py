"""The in-process bus (all-in-one mode, no RabbitMQ): the outbox relay hands its batch to every
matching subscription through `consume_batch()`, the very function nameko workers call on a
batch of their queue, so inbox idempotency, failure records, retries and dead letters behave as
in production — and, as there, a burst of events costs each subscription one transaction per
township instead of one per event.

Delivery is synchronous, in the caller's (the relay's) thread. Only a failure that could not even
be recorded (the database is away) stops it: the relay then keeps the outbox rows and publishes
them again later; subscribers that already processed some see duplicates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from libs.common.messaging.amqp import BatchOutcome
from libs.common.messaging.consumer import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_BASE_SECONDS,
    Subscription,
    check_subscriptions,
    consume_batch,
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
        # (source, event type) → its subscriptions: what `Subscription.matches` decides, looked up
        self.routes: dict[tuple[str, str], list[Subscription]] = {}
        for sub in self.subscriptions:
            self.routes.setdefault((sub.source, sub.event_type), []).append(sub)
        self.sessions_for = sessions_for
        self.max_attempts = max_attempts
        self.retry_base_seconds = retry_base_seconds

    def publish(self, envelope: Envelope) -> None:
        """One envelope to every subscription it matches; raises as `consume_batch()` does."""
        self._deliver([envelope])

    def publish_batch(self, envelopes: Sequence[Envelope]) -> BatchOutcome:
        """Each subscription's envelopes of the batch, in their order, through `consume_batch()`.
        All delivered, or none counted: a failure that could not be recorded leaves the relay
        every row to publish again (the inbox turns what was done into duplicates)."""
        try:
            self._deliver(envelopes)
        except Exception as exc:  # noqa: BLE001 - reported to the relay, which keeps the rows
            return BatchOutcome(0, exc)
        return BatchOutcome(len(envelopes))

    def _deliver(self, envelopes: Sequence[Envelope]) -> None:
        of_kind: dict[tuple[str, str], list[Envelope]] = {}
        for envelope in envelopes:
            of_kind.setdefault((envelope.source, envelope.event_type), []).append(envelope)
        for kind, batch in of_kind.items():
            for sub in self.routes.get(kind, ()):
                consume_batch(
                    batch,
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
