"""A township's settings → `bianmin.gateway.v1` messages (settings.proto, events.proto)."""

from __future__ import annotations

import json
from typing import Any

from bianmin.gateway.v1 import events_pb2, settings_pb2


def settings_pb(settings: dict[str, Any]) -> settings_pb2.TenantSettings:
    return settings_pb2.TenantSettings(
        office_hours=[settings_pb2.OfficeHours(start=a, end=b) for a, b in settings["office_hours"]],
        time_zone=settings["time_zone"],
        trip_days=settings["trip_days"],
        warn_ratio=settings["warn_ratio"],
        escalation_notice_days=settings["escalation_notice_days"],
        appeal_days=settings["appeal_days"],
        visit_round_days=settings["visit_round_days"],
        callback_ratio=settings["callback_ratio"],
        locale=settings["locale"],
        sign_in_times=settings["sign_in_times"],
        extra={k: json.dumps(v, ensure_ascii=False) for k, v in settings["extra"].items()},
    )


def settings_changed(settings: dict[str, Any]) -> events_pb2.SettingsChanged:
    return events_pb2.SettingsChanged(settings=settings_pb(settings))
