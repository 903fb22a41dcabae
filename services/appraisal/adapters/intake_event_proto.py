"""Intake's events the automatic rules read (`bianmin.intake.v1`, an event's JSON data) → plain
values: the facts a rule's condition sees, the people and windows the event names, and the refs
of its sources. What the rules make of them is the service layer's (score_events.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bianmin.intake.v1 import case_pb2, events_pb2, petition_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common.grpc.enums import enum_word
from libs.common.messaging import message_of


@dataclass(frozen=True)
class Told:
    """One intake event as the rules see it. `people` by role (usernames), `windows` by role
    (window codes); `complaint_subject` the (type, id) a complaint names."""

    event: str
    facts: dict[str, Any]
    refs: dict[str, str]
    at: datetime
    people: dict[str, str] = field(default_factory=dict)
    windows: dict[str, str] = field(default_factory=dict)
    complaint_subject: tuple[str, str] | None = None
    department: str = ""


def _at(stamp: Timestamp, fallback: datetime) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC) if stamp.seconds or stamp.nanos else fallback


def _case_refs(case: case_pb2.CaseSummary, event_id: str) -> dict[str, str]:
    if not case.case_id:
        raise ValueError("a case event without a case id")
    return {"case": f"case:{case.case_id}", "event": f"event:{event_id}"}


def case_completed(data: dict[str, Any], event_id: str, occurred_at: datetime) -> Told:
    m = message_of(data, events_pb2.CaseCompleted)
    c = m.case
    return Told(
        "intake.case_completed",
        {
            "overdue": m.overdue,
            "working_days_late": int(m.working_days_late),
            "early": m.early,
            "outcome": enum_word(case_pb2.CaseOutcome, "CASE_OUTCOME_", m.outcome, unknown=""),
        },
        _case_refs(c, event_id),
        _at(m.completed_at, occurred_at),
        people={"handler": c.handler or m.actor},
        windows={"window": c.window},
    )


def supplement_requested(data: dict[str, Any], event_id: str, occurred_at: datetime) -> Told:
    m = message_of(data, events_pb2.CaseSupplementRequested)
    c = m.case
    refs = _case_refs(c, event_id)
    # one request is one transition of the case: its version after the request
    refs["transition"] = f"case:{c.case_id}:v{c.version}"
    return Told(
        "intake.case_supplement_requested",
        {"second_request": m.second_request},
        refs,
        _at(m.requested_at, occurred_at),
        people={"actor": m.actor, "handler": c.handler},
        windows={"window": c.window},
    )


def case_returned(data: dict[str, Any], event_id: str, occurred_at: datetime) -> Told:
    m = message_of(data, events_pb2.CaseReturned)
    c = m.case
    return Told(
        "intake.case_returned",
        {"reason_detailed": m.reason_detailed},
        _case_refs(c, event_id),
        _at(m.returned_at, occurred_at),
        people={"actor": m.actor, "handler": c.handler},
        windows={"window": c.window},
    )


def _subject(subject: petition_pb2.ComplaintSubject) -> tuple[str, str] | None:
    kind = enum_word(petition_pb2.ComplaintSubjectType, "COMPLAINT_SUBJECT_TYPE_", subject.type, unknown="")
    return (kind, subject.id) if kind and subject.id else None


def complaint_decided(data: dict[str, Any], event_id: str, occurred_at: datetime) -> Told:
    m = message_of(data, events_pb2.ComplaintDecided)
    if not m.petition_id:
        raise ValueError("complaint_decided without a petition id")
    subject = _subject(m.subject)
    return Told(
        "intake.complaint_decided",
        {
            "verified": m.verified,
            "subject_type": subject[0] if subject else "",
            "ground": enum_word(petition_pb2.ComplaintGround, "COMPLAINT_GROUND_", m.ground, unknown=""),
        },
        {"complaint": f"complaint:{m.petition_id}", "event": f"event:{event_id}"},
        _at(m.decided_at, occurred_at),
        complaint_subject=subject,
    )


def petition_answered(data: dict[str, Any], event_id: str, occurred_at: datetime) -> Told:
    """`forwarded`: a complaint the management office forwarded to a department (it answers)."""
    m = message_of(data, events_pb2.PetitionAnswered)
    if not m.petition_id:
        raise ValueError("petition_answered without a petition id")
    kind = enum_word(petition_pb2.PetitionKind, "PETITION_KIND_", m.kind, unknown="")
    return Told(
        "intake.petition_answered",
        {
            "forwarded": kind == "complaint" and bool(m.department),
            "on_time": m.on_time,
            "days_late": int(m.days_late),
            "kind": kind,
        },
        {"complaint": f"complaint:{m.petition_id}", "event": f"event:{event_id}"},
        _at(m.answered_at, occurred_at),
        complaint_subject=_subject(m.subject),
        department=m.department,
    )


def answer_times(data: dict[str, Any], occurred_at: datetime) -> tuple[datetime | None, datetime]:
    """(the answer deadline, the answer) of a `petition_answered`: the working days late count
    between them (the service layer has the calendar)."""
    m = message_of(data, events_pb2.PetitionAnswered)
    due = _at(m.answer_due_at, occurred_at) if m.answer_due_at.seconds else None
    return due, _at(m.answered_at, occurred_at)


@dataclass(frozen=True)
class ItemLimits:
    code: str
    promised_days: int
    statutory_days: int
    at: datetime


def catalogue_item(data: dict[str, Any], occurred_at: datetime) -> ItemLimits:
    m = message_of(data, events_pb2.CatalogueItemSaved)
    if not m.item.code:
        raise ValueError("catalogue_item_saved without an item code")
    return ItemLimits(m.item.code, int(m.item.promised_days), int(m.item.statutory_days),
                      _at(m.item.updated_at, occurred_at))  # fmt: skip
