"""Attendance in protobuf (proto/bianmin/appraisal/v1): sign-ins, the attendance day, and the
judging's events (AttendanceJudged, WindowUnstaffed of events.proto)."""

from __future__ import annotations

from datetime import UTC, date

from bianmin.appraisal.v1 import attendance_pb2, events_pb2
from bianmin.appraisal.v1 import workforce_service_pb2 as pb

from services.appraisal.domain.attendance import AttendanceDay, Half, SignIn, SpotCheck


def sign_in_to_pb(x: SignIn) -> attendance_pb2.SignIn:
    m = attendance_pb2.SignIn(username=x.username, id=x.id, entered_by=x.entered_by, source=x.source)
    m.at.FromDatetime(x.at.astimezone(UTC))
    return m


def day_to_pb(x: AttendanceDay) -> attendance_pb2.AttendanceDay:
    return attendance_pb2.AttendanceDay(
        username=x.username,
        date=x.day.isoformat(),
        sign_ins=[sign_in_to_pb(s) for s in x.sign_ins],
        status=x.status,
        late_minutes=x.late_minutes,
        early_minutes=x.early_minutes,
        judged=x.judged,
        window=x.window,
    )


def judged_event(username: str, window: str, day: date, half: Half) -> events_pb2.AttendanceJudged:
    return events_pb2.AttendanceJudged(
        ref=f"attendance:{username}:{day.isoformat()}:{half.half}",
        username=username,
        window=window,
        date=day.isoformat(),
        half=half.half,
        status=half.status,
        late_minutes=half.late_minutes,
        early_minutes=half.early_minutes,
    )


def unstaffed_event(window: str, day: date, half: str, minutes: int) -> events_pb2.WindowUnstaffed:
    return events_pb2.WindowUnstaffed(
        ref=f"window:{window}:{day.isoformat()}:{half}", window=window, date=day.isoformat(), half=half,
        minutes=minutes,
    )  # fmt: skip


def spot_check_to_pb(x: SpotCheck) -> pb.RecordSpotCheckResponse:
    m = pb.RecordSpotCheckResponse(
        id=x.id, username=x.username, finding=x.finding, half=x.half, recorded_by=x.recorded_by
    )
    m.at.FromDatetime(x.at.astimezone(UTC))
    return m
