"""Delegations between the domain and `bianmin.proxy.v1` protos: the `Delegation` message (the
applicant masked unless the caller is its agent), the requests' values, and the events. States,
methods and satisfactions travel as the API's words: DELEGATION_STATE_AT_COUNTY ↔ "at_county"."""

from __future__ import annotations

from datetime import UTC, datetime

from bianmin.common.v1 import applicant_pb2, satisfaction_pb2
from bianmin.proxy.v1 import delegation_pb2 as pb
from bianmin.proxy.v1 import events_pb2
from google.protobuf.message import Message

from libs.common.grpc.enums import enum_number, enum_word
from services.proxy.domain import delegation as domain
from services.proxy.domain.delegation import Confirmation, Consent, Delegation, Fee

STATE, METHOD, SATISFACTION = "DELEGATION_STATE_", "CONFIRMATION_METHOD_", "SATISFACTION_"


def state_word(value: int) -> str:
    return enum_word(pb.DelegationState, STATE, value, unknown="")


def state_number(word: str) -> int:
    return enum_number(pb.DelegationState, STATE, word, unknown=0)


def method_word(value: int) -> str:
    return enum_word(pb.ConfirmationMethod, METHOD, value, unknown="")


def method_number(word: str) -> int:
    return enum_number(pb.ConfirmationMethod, METHOD, word, unknown=0)


def satisfaction_word(value: int) -> str:
    return enum_word(satisfaction_pb2.Satisfaction, SATISFACTION, value, unknown="")


def satisfaction_number(word: str) -> int:
    return enum_number(satisfaction_pb2.Satisfaction, SATISFACTION, word, unknown=0)


def _time(message: Message, field: str) -> datetime | None:
    """A Timestamp field as an aware datetime (UTC), None when unset."""
    if not message.HasField(field):
        return None
    return getattr(message, field).ToDatetime(tzinfo=UTC)  # type: ignore[no-any-return]


def consent_from_pb(message: pb.Consent, has: bool, applicant_name: str) -> Consent | None:
    if not has:
        return None
    signed_at = _time(message, "signed_at")
    return Consent(
        method_word(message.method),
        signed_at,  # type: ignore[arg-type]  # the domain refuses a missing time
        message.signed_by or applicant_name,
    )


def confirmation_from_pb(message: pb.Confirmation, has: bool, witness: str) -> Confirmation | None:
    if not has:
        return None
    return Confirmation(method_word(message.method), _time(message, "at"), message.witnessed_by or witness)  # type: ignore[arg-type]


def fee_from_pb(message: pb.Fee, has: bool) -> Fee | None:
    return Fee(message.amount_fen, message.receipt) if has else None


def delegation_to_pb(d: Delegation, viewer: str) -> pb.Delegation:
    applicant, masked = d.seen_by(viewer)
    message = pb.Delegation(
        id=d.id,
        case_id=d.case_id,
        case_number=d.case_number,
        agent=d.agent,
        village=d.village,
        household_id=d.household_id,
        applicant=applicant_pb2.Applicant(
            name=applicant.name,
            phone=applicant.phone,
            id_number=applicant.id_number,
            address=applicant.address,
            masked=masked,
        ),  # fmt: skip
        item_code=d.item_code,
        item_level=d.item_level,
        state=state_number(d.state),
        consent=pb.Consent(method=method_number(d.consent.method), signed_by=d.consent.signed_by),
        materials=list(d.materials),
        trip_date=d.trip_date.isoformat() if d.trip_date else "",
        outcome=d.outcome,
        outcome_reason=d.outcome_reason,
        carrier=d.carrier,
        trip_id=d.trip_id,
        satisfaction=satisfaction_number(d.satisfaction) if d.satisfaction else 0,
        version=d.version,
    )
    message.consent.signed_at.FromDatetime(d.consent.signed_at)
    if d.fee is not None:
        message.fee.CopyFrom(pb.Fee(amount_fen=d.fee.amount_fen, receipt=d.fee.receipt))
    if d.confirmation is not None:
        message.confirmation.CopyFrom(
            pb.Confirmation(
                method=method_number(d.confirmation.method), witnessed_by=d.confirmation.witnessed_by
            )
        )
        message.confirmation.at.FromDatetime(d.confirmation.at)
    for h in d.history:
        step = message.history.add(
            actor=h.actor, action=h.action, state=state_number(h.state), reason=h.reason
        )
        step.at.FromDatetime(h.at)
    message.created_at.FromDatetime(d.created_at)
    return message


def event_to_pb(event: domain.DelegationEvent) -> Message:
    """The wire message of a domain event (no personal data)."""
    base = {"delegation_id": event.delegation_id, "agent": event.agent, "actor": event.actor}
    message: Message
    if isinstance(event, domain.DelegationRegistered):
        message = events_pb2.DelegationRegistered(
            **base, item_code=event.item_code, case_id=event.case_id, village=event.village
        )
        message.registered_at.FromDatetime(event.at)
    elif isinstance(event, domain.DelegationMoved):
        message = events_pb2.DelegationMoved(
            **base, case_id=event.case_id, action=event.action, from_state=state_number(event.from_state),
            to_state=state_number(event.to_state), reason=event.reason,
            trip_date=event.trip_date.isoformat() if event.trip_date else "",
        )  # fmt: skip
        message.moved_at.FromDatetime(event.at)
    elif isinstance(event, domain.DelegationReassigned):
        message = events_pb2.DelegationReassigned(
            **base, case_id=event.case_id, carrier=event.carrier, previous_carrier=event.previous_carrier,
            trip_date=event.trip_date.isoformat(), trip_id=event.trip_id, reason=event.reason,
        )  # fmt: skip
        message.reassigned_at.FromDatetime(event.at)
    elif isinstance(event, domain.DelegationReplied):
        message = events_pb2.DelegationReplied(
            **base, case_id=event.case_id, method=method_number(event.method),
            satisfaction=satisfaction_number(event.satisfaction),
        )  # fmt: skip
        message.replied_at.FromDatetime(event.at)
    elif isinstance(event, domain.DelegationArchived):
        message = events_pb2.DelegationArchived(**base, case_id=event.case_id)
        message.archived_at.FromDatetime(event.at)
    else:  # pragma: no cover - every event type is above
        raise TypeError(f"no wire message for {type(event).__name__}")
    return message
