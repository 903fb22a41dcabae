"""The duty rota in protobuf: `DutyDay`s and the `DutyRotaPublished` event (proto/bianmin/appraisal/v1)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bianmin.appraisal.v1 import attendance_pb2, events_pb2

from services.appraisal.domain.duty_rota import DutyDay, Rota


def days_to_pb(days: Iterable[DutyDay]) -> list[attendance_pb2.DutyDay]:
    return [attendance_pb2.DutyDay(date=d.day.isoformat(), username=d.username) for d in days]


def published_event(rota: Rota) -> events_pb2.DutyRotaPublished:
    """The event of a month's rota as it now stands: every day of it, in date order."""
    return events_pb2.DutyRotaPublished(month=rota.month, days=days_to_pb(rota.days))


def missing_event(month: str, last_working_day: date) -> events_pb2.DutyRotaMissed:
    return events_pb2.DutyRotaMissed(month=month, last_working_day=last_working_day.isoformat())
