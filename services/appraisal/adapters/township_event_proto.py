"""Intake's events the township assessment keeps (`bianmin.intake.v1`, an event's JSON data) →
plain values: a completed case, a verified complaint, a supervision press."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bianmin.intake.v1 import events_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common.messaging import message_of


@dataclass(frozen=True)
class CompletedCase:
    case_id: str
    number: str
    item_name: str
    window: str | None
    village: str | None
    completed_at: datetime
    overdue: bool


def _at(stamp: Timestamp, fallback: datetime) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC) if stamp.seconds or stamp.nanos else fallback


def completed_case(data: dict[str, Any], occurred_at: datetime) -> CompletedCase:
    m = message_of(data, events_pb2.CaseCompleted)
    c = m.case
    if not c.case_id:
        raise ValueError("case_completed without a case id")
    return CompletedCase(
        case_id=c.case_id,
        number=c.number,
        item_name=c.item_name,
        window=c.window or None,
        village=c.village or None,
        completed_at=_at(m.completed_at, occurred_at),
        overdue=m.overdue,
    )


def verified_complaint(data: dict[str, Any], occurred_at: datetime) -> tuple[str, datetime] | None:
    """(petition id, decided at) of a complaint decided verified; None when groundless."""
    m = message_of(data, events_pb2.ComplaintDecided)
    if not m.verified:
        return None
    if not m.petition_id:
        raise ValueError("complaint_decided without a petition id")
    return m.petition_id, _at(m.decided_at, occurred_at)


def press(data: dict[str, Any], occurred_at: datetime) -> tuple[str, datetime]:
    """(`<case>:<press number>`, pressed at) of a supervision press (督办)."""
    m = message_of(data, events_pb2.CasePressed)
    if not m.case.case_id:
        raise ValueError("case_pressed without a case id")
    return f"{m.case.case_id}:{m.presses}", _at(m.pressed_at, occurred_at)
