"""Intake's case and petition events (`bianmin.intake.v1`, an event's JSON data) → the domain's
plain values (domain/case_events.py). Enums become lower-case words ("" when unspecified)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bianmin.intake.v1 import case_pb2, catalogue_pb2, events_pb2
from google.protobuf.message import Message

from libs.common.grpc.enums import enum_word
from libs.common.messaging import message_of
from libs.common.messaging.envelope import event_type_of
from services.notify.domain.case_events import CaseEvent, CaseSummary, PetitionRegistered

CASE_EVENTS: dict[str, type[Message]] = {
    "case_received": events_pb2.CaseReceived,
    "case_supplement_requested": events_pb2.CaseSupplementRequested,
    "case_materials_submitted": events_pb2.CaseMaterialsSubmitted,
    "case_refused": events_pb2.CaseRefused,
    "case_accepted": events_pb2.CaseAccepted,
    "case_assigned": events_pb2.CaseAssigned,
    "case_escalated": events_pb2.CaseEscalated,
    "case_resumed": events_pb2.CaseResumed,
    "case_extended": events_pb2.CaseExtended,
    "case_completed": events_pb2.CaseCompleted,
    "case_replied": events_pb2.CaseReplied,
    "case_archived": events_pb2.CaseArchived,
    "case_returned": events_pb2.CaseReturned,
    "case_withdrawn": events_pb2.CaseWithdrawn,
    "case_pressed": events_pb2.CasePressed,
    "case_clock_colour_changed": events_pb2.CaseClockColourChanged,
    "case_deadline_recomputed": events_pb2.CaseDeadlineRecomputed,
}
CASE_EVENT_TYPES = tuple(CASE_EVENTS)

# the fields copied as they are, where the event has them (the rest have their defaults)
_PLAIN = (
    *("note", "second_request", "reason", "refer_to", "department", "working_days"),
    *("handler", "actor", "presses", "provisional"),
)
_LISTS = ("missing_materials", "missing_material_names")
_ENUMS = {
    "to_level": (catalogue_pb2.HandlingLevel, "HANDLING_LEVEL_"),
    "outcome": (case_pb2.CaseOutcome, "CASE_OUTCOME_"),
    "colour": (case_pb2.ClockColour, "CLOCK_COLOUR_"),
}
_TIMES = ("due_at", "notify_by", "previous_due_at")


def case_event_of(event_type: str, data: dict[str, Any]) -> CaseEvent:
    """The case event of `event_type` (a key of CASE_EVENTS) from its JSON data."""
    return from_message(message_of(data, CASE_EVENTS[event_type]), event_type)


def from_message(message: Any, event_type: str | None = None) -> CaseEvent:
    """The case event of a message (also one in a CaseDeadlinesRecomputed batch)."""
    fields = message.DESCRIPTOR.fields_by_name
    values: dict[str, Any] = {}
    for name in _PLAIN:
        if name in fields:
            values[name] = getattr(message, name)
    for name in _LISTS:
        if name in fields:
            values[name] = tuple(getattr(message, name))
    for name, (enum, prefix) in _ENUMS.items():
        if name in fields:
            values[name] = enum_word(enum, prefix, getattr(message, name))
    for name in _TIMES:
        if name in fields:
            values[name] = _time(message, name)
    if "clock" in fields and message.HasField("clock"):
        values["clock_due_at"] = _time(message.clock, "due_at")
        values["provisional"] = message.clock.provisional
    return CaseEvent(event_type=event_type or event_type_of(message), case=summary_of(message.case), **values)


def recomputed_of(data: dict[str, Any]) -> list[CaseEvent]:
    """The moved deadlines of a CaseDeadlinesRecomputed, one CaseDeadlineRecomputed each."""
    batch = message_of(data, events_pb2.CaseDeadlinesRecomputed)
    return [from_message(moved, "case_deadline_recomputed") for moved in batch.cases]


def summary_of(c: case_pb2.CaseSummary) -> CaseSummary:
    return CaseSummary(
        case_id=c.case_id,
        number=c.number,
        item_code=c.item_code,
        item_name=c.item_name,
        handler=c.handler,
        first_ask=c.first_ask,
        window=c.window,
        state=enum_word(case_pb2.CaseState, "CASE_STATE_", c.state),
        due_at=_time(c, "due_at"),
        version=c.version,
        applicant_sealed=c.applicant_sealed,
    )


def petition_registered_of(data: dict[str, Any]) -> PetitionRegistered:
    petition = message_of(data, events_pb2.PetitionRegistered)
    return PetitionRegistered(
        number=petition.number,
        collective=petition.collective,
        registered_at=_time(petition, "registered_at"),
        answer_due_at=_time(petition, "answer_due_at"),
    )


def _time(message: Any, name: str) -> datetime | None:
    return getattr(message, name).ToDatetime(UTC) if message.HasField(name) else None
