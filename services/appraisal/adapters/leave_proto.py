"""Leaves in protobuf (proto/bianmin/appraisal/v1): the `Leave` message and the domain events as
their wire messages (LeaveApproved, LeaveCancelled, LeaveRuleBroken of events.proto)."""

from __future__ import annotations

from datetime import UTC, datetime

from bianmin.appraisal.v1 import attendance_pb2, events_pb2
from google.protobuf.message import Message

from services.appraisal.domain import leave as lv
from services.appraisal.domain.leave import Leave, LeaveApproved, LeaveCancelled, LeaveEvent, LeaveRuleBroken

# the API says `pending` where the proto (written first) says REQUESTED
_STATE = {
    lv.PENDING: attendance_pb2.LEAVE_STATE_REQUESTED,
    lv.APPROVED: attendance_pb2.LEAVE_STATE_APPROVED,
    lv.REJECTED: attendance_pb2.LEAVE_STATE_REJECTED,
    lv.CANCELLED: attendance_pb2.LEAVE_STATE_CANCELLED,
}
_WORD = {number: word for word, number in _STATE.items()}


def state_number(word: str) -> int:
    return _STATE.get(word, 0)


def state_word(number: int) -> str:
    """The API's word of a proto state; UNSPECIFIED (or unknown) → "" (no filter)."""
    return _WORD.get(number, "")


def _stamp(message: Message, name: str, at: datetime | None) -> None:
    if at is not None:
        getattr(message, name).FromDatetime(at.astimezone(UTC))


def leave_to_pb(leave: Leave) -> attendance_pb2.Leave:
    m = attendance_pb2.Leave(
        id=leave.id,
        username=leave.username,
        from_date=leave.first.isoformat(),
        to_date=leave.last.isoformat(),
        reason=leave.reason,
        state=state_number(leave.state),  # type: ignore[arg-type]
        approved_by=leave.decided_by,
        substitute=leave.substitute,
        working_days=leave.working_days,
        approver_role=leave.approver_role,
        decision_reason=leave.decision_reason,
        substitute_letter=leave.substitute_letter,
        requested_by=leave.requested_by,
        cancelled_by=leave.cancelled_by,
        version=leave.version,
    )
    _stamp(m, "requested_at", leave.requested_at)
    _stamp(m, "decided_at", leave.decided_at)
    _stamp(m, "cancelled_at", leave.cancelled_at)
    return m


def event_message(event: LeaveEvent) -> Message:
    if isinstance(event, LeaveApproved):
        return events_pb2.LeaveApproved(
            leave_id=event.leave_id,
            username=event.username,
            from_date=event.first.isoformat(),
            to_date=event.last.isoformat(),
            substitute=event.substitute,
        )
    if isinstance(event, LeaveCancelled):
        return events_pb2.LeaveCancelled(leave_id=event.leave_id, username=event.username)
    if isinstance(event, LeaveRuleBroken):
        return events_pb2.LeaveRuleBroken(
            ref=event.ref,
            username=event.username,
            window=event.window,
            rule=event.rule,
            leave_id=event.leave_id,
            department_approved=event.department_approved,
        )
    raise TypeError(f"not a leave event: {event!r}")
