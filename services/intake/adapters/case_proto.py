"""Case domain events → `bianmin.intake.v1` event messages (events.proto), each with the
CaseSummary of the case as it stood right after that event's transition.

Enum values travel as the domain's lower-case words: "in_progress" ↔ CASE_STATE_IN_PROGRESS.
The clock fields come from the event's `EventClock` (derived before the save, case_clock.derive_clock):
CaseSummary.due_at (the deadline in force right after the event; unset while paused or not
started), CaseAccepted.clock and CaseResumed.clock, CaseEscalated.notify_by,
CaseExtended.previous_due_at / due_at, CaseCompleted.overdue / working_days_late / early.
Without one (unit tests, old callers) they are left unset."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bianmin.common.v1 import applicant_pb2, satisfaction_pb2
from bianmin.intake.v1 import case_pb2, catalogue_pb2, events_pb2
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common.grpc.enums import enum_number  # unknown=0: a word the proto lacks travels as UNSPECIFIED
from services.intake.domain import case as d
from services.intake.domain.event_clock import EventClock

# a return's reason shorter than this is "not detailed" (W-SVC-03)
DETAILED_REASON_MIN = 10


def summary(case: d.Case, *, state: str | None = None, version: int | None = None) -> case_pb2.CaseSummary:
    return case_pb2.CaseSummary(
        case_id=case.id,
        number=case.number,
        item_code=case.item_code,
        kind=enum_number(case_pb2.CaseKind, "CASE_KIND_", case.kind, unknown=0),  # type: ignore[arg-type]
        state=enum_number(case_pb2.CaseState, "CASE_STATE_", state or case.state, unknown=0),  # type: ignore[arg-type]
        level=enum_number(case_pb2.IntakeLevel, "INTAKE_LEVEL_", case.level, unknown=0),  # type: ignore[arg-type]
        channel=enum_number(case_pb2.CaseChannel, "CASE_CHANNEL_", case.channel, unknown=0),  # type: ignore[arg-type]
        applicant=_applicant(case.applicant),
        first_ask=case.first_ask,
        handler=case.handler or "",
        window=case.window or "",
        department=case.department or "",
        village=case.village or "",
        version=version if version is not None else case.version,
    )


def _applicant(a: d.Applicant, *, masked: bool = False) -> applicant_pb2.Applicant:
    return applicant_pb2.Applicant(
        name=a.name,
        phone=a.phone,
        id_number=a.id_number or "",
        address=a.address or "",
        email=a.email or "",
        masked=masked,
    )


def _ts(message: Message, name: str, at: datetime) -> None:
    getattr(message, name).FromDatetime(at)


def _fields(case: d.Case, e: d.CaseEvent) -> tuple[dict[str, Any], str]:
    """The event-specific fields of the message and the name of its timestamp field."""
    names = {m.code: m.name for m in case.materials}
    builders: dict[type, Callable[[Any], tuple[dict[str, Any], str]]] = {
        d.CaseReceived: lambda e: ({"missing_materials": e.missing}, "received_at"),
        d.CaseAccepted: lambda e: ({}, "accepted_at"),
        d.CaseSupplementRequested: lambda e: (
            {
                "missing_materials": e.missing,
                "missing_material_names": [names.get(c, c) for c in e.missing],
                "note": e.note,
                "second_request": e.second_request,
            },
            "requested_at",
        ),
        d.CaseMaterialsSubmitted: lambda e: (
            {"materials": e.materials, "missing_materials": e.missing},
            "submitted_at",
        ),
        d.CaseRefused: lambda e: ({"reason": e.reason, "refer_to": e.refer_to}, "refused_at"),
        d.CaseAssigned: lambda e: (
            {"handler": e.handler, "previous_handler": e.previous_handler or ""},
            "assigned_at",
        ),
        d.CaseEscalated: lambda e: (
            {
                "to_level": enum_number(
                    catalogue_pb2.HandlingLevel, "HANDLING_LEVEL_", e.to_level, unknown=0
                ),
                "department": e.department,
                "reason": e.reason,
            },
            "escalated_at",
        ),
        d.CaseResumed: lambda e: ({"note": e.note}, "resumed_at"),
        d.CaseExtended: lambda e: (
            {"working_days": e.working_days, "reason": e.reason, "extensions": e.extensions},
            "extended_at",
        ),
        d.CaseCompleted: lambda e: (
            {
                "outcome": enum_number(case_pb2.CaseOutcome, "CASE_OUTCOME_", e.outcome, unknown=0),
                "reason": e.reason,
            },
            "completed_at",
        ),
        d.CaseReplied: lambda e: (
            {
                "satisfaction": enum_number(
                    satisfaction_pb2.Satisfaction, "SATISFACTION_", e.satisfaction, unknown=0
                ),
                "confirmation": e.confirmation,
            },
            "replied_at",
        ),
        d.CaseArchived: lambda e: ({}, "archived_at"),
        d.CaseReturned: lambda e: (
            {"reason": e.reason, "reason_detailed": len(e.reason.strip()) >= DETAILED_REASON_MIN},
            "returned_at",
        ),
        d.CaseWithdrawn: lambda e: ({"reason": e.reason}, "withdrawn_at"),
        d.CasePressed: lambda e: ({"note": e.note, "presses": e.presses}, "pressed_at"),
    }
    return builders[type(e)](e)


def event_message(
    case: d.Case,
    event: d.CaseEvent,
    *,
    state: str,
    version: int,
    applicant_sealed: str = "",
    item_name: str = "",
    clock: EventClock | None = None,
) -> Message:
    """The events.proto message of a domain event (same name); `state` and `version` are the
    case's right after the event's transition, `clock` its clock facts. The applicant travels
    only sealed (`applicant_sealed`, libs/common/sealing.py): no personal data in clear on the bus."""
    fields, at_field = _fields(case, event)
    cls = getattr(events_pb2, type(event).__name__)
    case_summary = summary(case, state=state, version=version)
    case_summary.ClearField("applicant")
    case_summary.applicant_sealed = applicant_sealed
    case_summary.item_name = item_name
    message: Message = cls(case=case_summary, actor=event.actor, **fields)
    _ts(message, at_field, event.at)
    if clock is not None:
        _clock_fields(message, event, clock)
    return message


def _clock_fields(message: Any, event: d.CaseEvent, k: EventClock) -> None:
    """Set the clock fields of an event message (the message types differ: duck-typed)."""
    _set_ts(message.case, "due_at", k.due_at)
    if isinstance(event, d.CaseAccepted | d.CaseResumed) and k.clock is not None:
        clock_pb = message.clock
        c = k.clock
        clock_pb.state = enum_number(case_pb2.ClockState, "CLOCK_STATE_", c.state, unknown=0)
        clock_pb.colour = enum_number(case_pb2.ClockColour, "CLOCK_COLOUR_", k.colour, unknown=0)
        clock_pb.provisional = c.provisional
        clock_pb.extensions = k.extensions
        clock_pb.working_days = c.promised_days
        _set_ts(clock_pb, "started_at", c.started_at)
        _set_ts(clock_pb, "due_at", c.due_at)
        _set_ts(clock_pb, "warn_at", c.warn_at)
        _set_ts(clock_pb, "original_due_at", k.original_due_at)
        _set_ts(clock_pb, "stopped_at", c.stopped_at)
        for start, end in c.pauses:
            pause = clock_pb.pauses.add(reason="escalated")
            pause.start_at.FromDatetime(start)
            _set_ts(pause, "end_at", end)
    elif isinstance(event, d.CaseEscalated):
        _set_ts(message, "notify_by", k.notify_by)
    elif isinstance(event, d.CaseExtended):
        _set_ts(message, "previous_due_at", k.previous_due_at)
        _set_ts(message, "due_at", k.due_at)
    elif isinstance(event, d.CaseCompleted):
        message.overdue = k.overdue
        message.working_days_late = k.working_days_late
        message.early = k.early


# --- the deadline events (service_layer/deadline_sweep.py, moved_deadlines.py): for staff, so
# without the applicant (the case id leads to it)


def staff_summary(case: d.Case, due_at: datetime | None) -> case_pb2.CaseSummary:
    """The case's summary without the applicant, with the deadline in force."""
    message = summary(case)
    message.ClearField("applicant")
    if due_at is not None:
        message.due_at.CopyFrom(_timestamp(due_at))
    return message


def clock_colour_changed(
    case: d.Case, colour: str, previous: str, due_at: datetime, at: datetime
) -> events_pb2.CaseClockColourChanged:
    return events_pb2.CaseClockColourChanged(
        case=staff_summary(case, due_at),
        colour=enum_number(case_pb2.ClockColour, "CLOCK_COLOUR_", colour, unknown=0),  # type: ignore[arg-type]
        previous_colour=enum_number(case_pb2.ClockColour, "CLOCK_COLOUR_", previous, unknown=0),  # type: ignore[arg-type]
        due_at=_timestamp(due_at),
        changed_at=_timestamp(at),
    )


DEADLINES_RECOMPUTED = events_pb2.CaseDeadlinesRecomputed  # its data is written as JSON below


def recomputed_json(row: Any, previous_due_at: datetime | None) -> dict[str, Any]:
    """A CaseDeadlineRecomputed as `data_of` gives it (int64 as a string, enums by name, empty
    fields left out; tests compare the two) from a case-with-clock row, written directly: a third
    of a million summaries through protobuf messages cost minutes of CPU."""
    due = _json_time(row.due_at)
    case_summary = {
        "case_id": str(row.id),
        "number": row.number,
        "item_code": row.item_code,
        "kind": _enum_name("CASE_KIND_", row.kind),
        "state": _enum_name("CASE_STATE_", row.state),
        "level": _enum_name("INTAKE_LEVEL_", row.level),
        "channel": _enum_name("CASE_CHANNEL_", row.channel),
        "first_ask": row.first_ask,
        "handler": row.handler,
        "window": row.window,
        "department": row.department,
        "village": row.village,
        "due_at": due,
        "version": str(row.version),
    }
    entry = {
        "case": {k: v for k, v in case_summary.items() if v},
        "previous_due_at": _json_time(previous_due_at),
        "due_at": due,
        "warn_at": _json_time(row.warn_at),
        "provisional": bool(row.provisional),
    }
    return {k: v for k, v in entry.items() if v}


def _enum_name(prefix: str, word: str | None) -> str | None:
    return f"{prefix}{word.upper()}" if word else None


@functools.lru_cache(maxsize=4096)  # deadlines fall on few instants (close of office on a few days)
def _json_time(at: datetime | None) -> str | None:
    """A Timestamp as protobuf's JSON writes it (None: unset)."""
    return None if at is None else _timestamp(at).ToJsonString()


def _timestamp(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at.astimezone(UTC))
    return ts


# --- the Case message of the API (intake_service.proto's Case* RPCs) ---------------------------


def _set_ts(message: Message, name: str, at: datetime | None) -> None:
    if at is not None:
        getattr(message, name).FromDatetime(at)


def case_to_pb(view: Any) -> case_pb2.Case:
    """A `case_views.CaseView` (the case as one caller may see it) as the case.proto Case."""
    c: d.Case = view.case
    message = case_pb2.Case(
        id=c.id,
        number=c.number,
        tenant_id=c.tenant,
        item_code=c.item_code,
        item_name=view.item_name,
        kind=enum_number(case_pb2.CaseKind, "CASE_KIND_", c.kind, unknown=0),  # type: ignore[arg-type]
        state=enum_number(case_pb2.CaseState, "CASE_STATE_", c.state, unknown=0),  # type: ignore[arg-type]
        level=enum_number(case_pb2.IntakeLevel, "INTAKE_LEVEL_", c.level, unknown=0),  # type: ignore[arg-type]
        channel=enum_number(case_pb2.CaseChannel, "CASE_CHANNEL_", c.channel, unknown=0),  # type: ignore[arg-type]
        applicant=_applicant(c.applicant, masked=view.masked),
        missing_materials=list(c.missing_materials),
        first_ask=c.first_ask,
        handler=c.handler or "",
        window=c.window or "",
        department=c.department or "",
        village=c.village or "",
        outcome=enum_number(case_pb2.CaseOutcome, "CASE_OUTCOME_", c.outcome, unknown=0),  # type: ignore[arg-type]
        satisfaction=enum_number(satisfaction_pb2.Satisfaction, "SATISFACTION_", c.satisfaction, unknown=0),  # type: ignore[arg-type]
        presses=c.presses,
        version=c.version,
    )
    for m in c.materials:
        if m.code in c.received:
            received = case_pb2.ReceivedMaterial(code=m.code, name=m.name)
            received.received_at.FromDatetime(c.received[m.code])
            message.materials.append(received)
    k = view.clock
    message.clock.state = enum_number(case_pb2.ClockState, "CLOCK_STATE_", k.state, unknown=0)  # type: ignore[assignment]
    message.clock.colour = enum_number(case_pb2.ClockColour, "CLOCK_COLOUR_", k.colour, unknown=0)  # type: ignore[assignment]
    message.clock.provisional = k.provisional
    message.clock.extensions = k.extensions
    _set_ts(message.clock, "started_at", k.started_at)
    _set_ts(message.clock, "due_at", k.due_at)
    _set_ts(message.clock, "warn_at", k.warn_at)
    if view.escalation is not None:
        x = view.escalation
        message.escalation.to_level = enum_number(
            catalogue_pb2.HandlingLevel, "HANDLING_LEVEL_", x.to_level, unknown=0
        )  # type: ignore[assignment]
        message.escalation.department = x.department or ""
        message.escalation.reason = x.reason
        message.escalation.escalated_at.FromDatetime(x.escalated_at)
    _set_ts(message, "created_at", view.created_at)
    _set_ts(message, "updated_at", view.updated_at)
    for e in c.history:
        transition = case_pb2.CaseTransition(
            actor=e.actor,
            action=e.action,
            from_state=enum_number(case_pb2.CaseState, "CASE_STATE_", e.from_state, unknown=0),  # type: ignore[arg-type]
            to_state=enum_number(case_pb2.CaseState, "CASE_STATE_", e.to_state, unknown=0),  # type: ignore[arg-type]
            reason=e.reason,
        )
        transition.at.FromDatetime(e.at)
        message.history.append(transition)
    return message
