"""Proxy's trip events (`bianmin.proxy.v1`, an event's JSON data) → the domain's plain values
(domain/proxy_events.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bianmin.proxy.v1 import events_pb2, trip_pb2

from libs.common.grpc.enums import enum_word
from libs.common.messaging import message_of
from services.notify.domain.proxy_events import ManifestEntry, Reassigned, TripManifest, TripMissed, Uncarried


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def trip_planned_of(data: dict[str, Any]) -> TripManifest:
    trip = message_of(data, events_pb2.TripPlanned).trip
    day = _day(trip.trip_date)
    if day is None:
        raise ValueError(f"trip_planned: trip {trip.id!r} has no trip_date")
    return TripManifest(
        trip_id=trip.id,
        day=day,
        agent=trip.agent,
        destination=enum_word(trip_pb2.TripDestination, "TRIP_DESTINATION_", trip.destination),
        entries=tuple(
            ManifestEntry(e.delegation_id, e.case_number, e.item_code, e.village) for e in trip.entries
        ),
    )


def trip_missed_of(data: dict[str, Any]) -> TripMissed:
    missed = message_of(data, events_pb2.DelegationTripMissed)
    return TripMissed(missed.delegation_id, missed.agent, _day(missed.trip_date))


def uncarried_of(data: dict[str, Any]) -> Uncarried:
    u = message_of(data, events_pb2.DelegationUncarried)
    return Uncarried(u.delegation_id, u.case_number, u.agent, _day(u.trip_date))


def reassigned_of(data: dict[str, Any]) -> Reassigned:
    r = message_of(data, events_pb2.DelegationReassigned)
    return Reassigned(r.delegation_id, r.carrier, r.previous_carrier, _day(r.trip_date), r.reason)
