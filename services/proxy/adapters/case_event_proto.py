"""Intake's case events (`bianmin.intake.v1` CaseAccepted, CaseEscalated, … as an event's JSON
data, `data_of`: field names as in the .proto, enums by name, int64 as text) → the one step proxy
follows. Read straight from the dict, not parsed into messages: the worker sees every case event
of the county, and most are not a delegation's (cheap consumers, issue 19)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PROXY_CHANNEL = "CASE_CHANNEL_PROXY"

# event type → the delegation's case step (domain/delegation.py CASE_STEPS)
STEPS = {
    "case_accepted": "accepted",
    "case_escalated": "escalated",
    "case_resumed": "resumed",
    "case_completed": "completed",
    "case_replied": "replied",
    "case_archived": "archived",
    "case_withdrawn": "withdrawn",
    "case_refused": "refused",
    "case_returned": "returned",
}


@dataclass(frozen=True)
class CaseStep:
    case_id: str
    step: str
    version: int
    actor: str
    to_level: str  # escalated only: township | county
    reason: str


def case_step(event_type: str, data: dict[str, Any]) -> CaseStep | None:
    """The step of a proxy-channel case (None for a case of any other channel, or no case id)."""
    case = data.get("case") or {}
    if case.get("channel") != PROXY_CHANNEL or not case.get("case_id"):
        return None
    level = str(data.get("to_level", ""))
    reason = str(data.get("reason", "") or data.get("note", "") or "")
    if data.get("refer_to"):  # a refusal names where the applicant should turn instead
        reason = f"{reason}（请转至{data['refer_to']}）" if reason else f"请转至{data['refer_to']}"
    return CaseStep(
        case_id=str(case["case_id"]),
        step=STEPS[event_type],
        version=int(case.get("version", 0) or 0),
        actor=str(data.get("actor", "") or "system"),
        to_level=level.removeprefix("HANDLING_LEVEL_").lower(),
        reason=reason,
    )
