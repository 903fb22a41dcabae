"""The worker following each delegation's intake case (DOMAIN.md §6.3; API.md *Proxy* states):
intake's `case_accepted`, `case_escalated`, `case_resumed`, `case_completed`, `case_replied`,
`case_archived`, `case_withdrawn`, `case_refused` and `case_returned` (the last two: the answer is
back with the agent, `returned`, outcome denied with the reason) move the delegation of that case
(domain `Delegation.follow`) — recorded here, in the consumer's idempotent, tenant-scoped
transaction; no gRPC call.

Exactly once: the consumer's inbox makes a redelivered event a duplicate; and each step carries
the case's version, so a step that comes late (events of different types travel on different
queues) or again (a replay) is older than what the delegation knows and changes nothing. A case
that is not of the proxy channel is skipped before any query."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from libs.common.messaging import Envelope, Subscription
from services.proxy.adapters.case_event_proto import STEPS, case_step
from services.proxy.service_layer import delegations

SOURCE = "intake"

Handler = Callable[[Envelope, Session], None]


def _handler(event_type: str) -> Handler:
    def handle(envelope: Envelope, session: Session) -> None:
        step = case_step(event_type, envelope.data)
        if step is None:
            return
        delegations.follow_case(
            session, step.case_id, step.step, step.version, step.actor, envelope.occurred_at,
            to_level=step.to_level, reason=step.reason,
        )  # fmt: skip

    handle.__name__ = f"on_{event_type}"
    return handle


HANDLERS: dict[str, Handler] = {event_type: _handler(event_type) for event_type in STEPS}


def subscriptions() -> list[Subscription]:
    return [Subscription(SOURCE, event_type, "proxy", handler) for event_type, handler in HANDLERS.items()]
