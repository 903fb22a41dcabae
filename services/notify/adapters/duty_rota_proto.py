"""`bianmin.appraisal.v1.DutyRotaPublished` (an event's JSON data) → the domain's DutyRota."""

from __future__ import annotations

from typing import Any

from bianmin.appraisal.v1 import events_pb2

from libs.common.messaging import message_of
from services.notify.domain.duty_rota import DutyRota


def duty_rota_of(data: dict[str, Any]) -> DutyRota:
    rota = message_of(data, events_pb2.DutyRotaPublished)
    return DutyRota(rota.month, tuple((duty.date, duty.username) for duty in rota.days))
