"""Trips between the domain and `bianmin.proxy.v1` protos: the `Trip` message (its manifest, the
applicants' names masked) and the `TripPlanned` / `TripDelivered` events."""

from __future__ import annotations

from datetime import datetime

from bianmin.proxy.v1 import events_pb2
from bianmin.proxy.v1 import trip_pb2 as pb

from libs.common.grpc.enums import enum_number
from libs.common.pii import mask_name
from services.proxy.domain.trip import Trip


def trip_to_pb(trip: Trip) -> pb.Trip:
    message = pb.Trip(
        id=trip.id,
        trip_date=trip.date.isoformat(),
        agent=trip.carrier,
        village=trip.village,
        destination=enum_number(pb.TripDestination, "TRIP_DESTINATION_", trip.destination),
        state=enum_number(pb.TripState, "TRIP_STATE_", trip.status),
        entries=[
            pb.TripEntry(
                delegation_id=d.id,
                case_id=d.case_id,
                case_number=d.case_number,
                item_code=d.item_code,
                applicant_name=mask_name(d.applicant.name),
                village=d.village,
            )  # fmt: skip
            for d in trip.delegations
        ],
    )
    if trip.delivered_at is not None:
        message.delivered_at.FromDatetime(trip.delivered_at)
    return message


def planned_event(trip: Trip) -> events_pb2.TripPlanned:
    return events_pb2.TripPlanned(trip=trip_to_pb(trip))


def delivered_event(trip: Trip, delivered: list[str], at: datetime) -> events_pb2.TripDelivered:
    message = events_pb2.TripDelivered(
        trip_id=trip.id, agent=trip.carrier, delegation_ids=delivered,
        destination=enum_number(pb.TripDestination, "TRIP_DESTINATION_", trip.destination),
    )  # fmt: skip
    message.delivered_at.FromDatetime(at)
    return message
