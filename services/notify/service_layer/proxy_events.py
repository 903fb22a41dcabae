"""Proxy's trip events → the staff inbox and SMS (DOMAIN.md §6.3 step 3, §10; issue 19).

- `trip_planned` (`bianmin jobs plan-trips`, once per trip of the next trip day): the carrier is
  told its manifest — an inbox item and an SMS to its work phone (the dispatcher looks it up in the
  staff projection). An empty manifest tells nobody.
- `delegation_reassigned` (dispatch chose the backup, or a township agent for the county leg):
  the new carrier is told in the inbox (topic `assignment`); its manifest follows on plan-trips.
- `delegation_trip_missed`: every active township_admin of the township is warned in the inbox
  (none is logged: the warning would otherwise be lost silently).
- `delegation_uncarried` (a case escalated to the county, no township agent to carry it): the
  township admins warned likewise (topic `no_carrier`).

Handlers run in the consumer's idempotent, tenant-scoped transaction; the inbox and notification
rows are unique per source event, so a repeated delivery changes nothing."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from libs.common.messaging import Envelope, Subscription
from services.notify.adapters import proxy_event_proto
from services.notify.domain import proxy_events
from services.notify.service_layer.case_events import staff_message, township_admins

SOURCE = "proxy"
log = logging.getLogger(__name__)


def on_trip_planned(envelope: Envelope, session: Session) -> None:
    trip = proxy_event_proto.trip_planned_of(envelope.data)
    if not trip.entries or not trip.agent:
        return
    title, text = proxy_events.manifest_message(trip)
    staff_message(session, envelope, trip.agent, "trip_list", title, text, None, sms=True)


def on_delegation_reassigned(envelope: Envelope, session: Session) -> None:
    reassigned = proxy_event_proto.reassigned_of(envelope.data)
    if not reassigned.carrier or reassigned.carrier == reassigned.previous_carrier:
        return
    title, text = proxy_events.reassigned_message(reassigned)
    staff_message(session, envelope, reassigned.carrier, "assignment", title, text, None)


def on_delegation_trip_missed(envelope: Envelope, session: Session) -> None:
    missed = proxy_event_proto.trip_missed_of(envelope.data)
    title, text = proxy_events.missed_message(missed)
    _warn_admins(session, envelope, "trip_missed", title, text, f"delegation {missed.delegation_id}")


def on_delegation_uncarried(envelope: Envelope, session: Session) -> None:
    uncarried = proxy_event_proto.uncarried_of(envelope.data)
    title, text = proxy_events.uncarried_message(uncarried)
    _warn_admins(session, envelope, "no_carrier", title, text, f"delegation {uncarried.delegation_id}")


def _warn_admins(session: Session, envelope: Envelope, topic: str, title: str, text: str, what: str) -> None:
    """An inbox item to every active township_admin (none is logged: never lost silently)."""
    admins = township_admins(session)
    if not admins:
        log.warning("%s in %s: no township_admin to warn (%s)", what, envelope.tenant_id, topic)
    for username in admins:
        staff_message(session, envelope, username, topic, title, text, None)


def subscriptions() -> list[Subscription]:
    return [
        Subscription(SOURCE, "trip_planned", "notify", on_trip_planned),
        Subscription(SOURCE, "delegation_reassigned", "notify", on_delegation_reassigned),
        Subscription(SOURCE, "delegation_trip_missed", "notify", on_delegation_trip_missed),
        Subscription(SOURCE, "delegation_uncarried", "notify", on_delegation_uncarried),
    ]
