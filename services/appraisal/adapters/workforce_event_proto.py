"""Appraisal's own workforce events the automatic rules read (`bianmin.appraisal.v1`, an event's
JSON data: attendance_judging.py and leaves.py publish them) → the plain `Told` the rules see
(intake_event_proto.Told). The ref of each source names the township, so one half-day, one
window's half-day or one broken leave counts once whatever event id carries it."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bianmin.appraisal.v1 import events_pb2

from libs.common.calendar import DEFAULT_TZ
from libs.common.messaging import message_of
from services.appraisal.adapters.intake_event_proto import Told

_TZ = ZoneInfo(DEFAULT_TZ)


def _half_at(day: str, half: str, fallback: datetime) -> datetime:
    """The judged half-day itself (not the next day's judging run): a month's last afternoon
    counts in that month."""
    try:
        d = date.fromisoformat(day)
    except ValueError:
        return fallback
    return datetime.combine(d, time(9 if half == "am" else 15), _TZ)


def attendance_judged(data: dict[str, Any], tenant: str, occurred_at: datetime) -> Told:
    m = message_of(data, events_pb2.AttendanceJudged)
    if not m.username or not m.date or m.half not in ("am", "pm"):
        raise ValueError("an attendance judgement without its staff member, day or half")
    return Told(
        "appraisal.attendance_judged",
        {"status": m.status, "late_minutes": int(m.late_minutes), "early_minutes": int(m.early_minutes)},
        {"event": f"attendance:{tenant}:{m.username}:{m.date}:{m.half}"},
        _half_at(m.date, m.half, occurred_at),
        people={"staff": m.username},
        windows={"window": m.window},
    )


def window_unstaffed(data: dict[str, Any], tenant: str, occurred_at: datetime) -> Told:
    m = message_of(data, events_pb2.WindowUnstaffed)
    if not m.window or not m.date or m.half not in ("am", "pm"):
        raise ValueError("an unstaffed window without its window, day or half")
    return Told(
        "appraisal.window_unstaffed",
        {"minutes": int(m.minutes)},
        {"event": f"window:{tenant}:{m.window}:{m.date}:{m.half}"},
        _half_at(m.date, m.half, occurred_at),
        windows={"window": m.window},
    )


def leave_rule_broken(data: dict[str, Any], tenant: str, occurred_at: datetime) -> Told:
    m = message_of(data, events_pb2.LeaveRuleBroken)
    if not m.leave_id:
        raise ValueError("a broken leave rule without its leave")
    return Told(
        "appraisal.leave_rule_broken",
        {"department_approved": m.department_approved, "rule": m.rule},
        {"event": f"leave:{tenant}:{m.leave_id}:{m.rule}"},
        occurred_at,
        people={"staff": m.username},
        windows={"window": m.window},
    )
