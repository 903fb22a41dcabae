"""Views of the service layer (dicts) ↔ the gateway's protobuf messages, for the gRPC
DirectoryService. Translation only: what a view holds was decided by the service layer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bianmin.gateway.v1 import calendar_pb2, organisation_pb2, settings_pb2, staff_pb2, township_pb2
from google.protobuf import timestamp_pb2

from libs.common.errors import ValidationFailed
from libs.common.grpc.enums import enum_word
from services.gateway.adapters import settings_proto
from services.gateway.adapters.organisation_proto import role_pb

_TOWNSHIP_STATUS = {
    "active": township_pb2.TOWNSHIP_STATUS_ACTIVE,
    "suspended": township_pb2.TOWNSHIP_STATUS_SUSPENDED,
}
_CALENDAR_SOURCE = {
    "national": calendar_pb2.CALENDAR_SOURCE_NATIONAL,
    "county": calendar_pb2.CALENDAR_SOURCE_COUNTY,
    "township": calendar_pb2.CALENDAR_SOURCE_TOWNSHIP,
}


# --- enums and instants ------------------------------------------------------------------------


def role_name(role: staff_pb2.Role.ValueType) -> str | None:
    """ROLE_TOWNSHIP_ADMIN → `township_admin`; UNSPECIFIED → None (no filter)."""
    try:
        return enum_word(staff_pb2.Role, "ROLE_", role) or None
    except ValueError:
        raise ValidationFailed(f"unknown role {role}") from None


def township_status_name(status: township_pb2.TownshipStatus.ValueType) -> str | None:
    """ACTIVE → "active"; UNSPECIFIED → None (no filter)."""
    for name, value in _TOWNSHIP_STATUS.items():
        if value == status:
            return name
    if status == township_pb2.TOWNSHIP_STATUS_UNSPECIFIED:
        return None
    raise ValidationFailed(f"unknown township status {status}")


def instant(ts: timestamp_pb2.Timestamp) -> datetime:
    """An aware UTC datetime (the caller checks that the field is set)."""
    return ts.ToDatetime(tzinfo=UTC)


def timestamp(value: str | datetime) -> timestamp_pb2.Timestamp:
    """A Timestamp from an RFC 3339 string (as the service layer's views carry) or a datetime."""
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(datetime.fromisoformat(value) if isinstance(value, str) else value)
    return ts


# --- messages ----------------------------------------------------------------------------------


def township_pb(view: dict) -> township_pb2.Township:
    return township_pb2.Township(
        tenant_id=view["id"],
        code=view["code"],
        name=view["name"],
        county=view["county"],
        status=_TOWNSHIP_STATUS.get(view["status"], township_pb2.TOWNSHIP_STATUS_UNSPECIFIED),
        villages=[
            township_pb2.Village(
                code=v["code"], name=v["name"], groups=[township_pb2.Group(**g) for g in v["groups"]]
            )
            for v in view["villages"]
        ],
    )


def department_pb(view: dict) -> organisation_pb2.Department:
    # the directory holds township departments only (county departments are not modelled yet)
    return organisation_pb2.Department(code=view["code"], name=view["name"], county=bool(view.get("county")))


def window_pb(view: dict) -> organisation_pb2.Window:
    window = organisation_pb2.Window(
        code=view["code"],
        name=view["name"],
        department=view["department"],
        item_codes=view["item_codes"],
    )
    posts = view.get("posts") or {}
    if posts.get("a") or posts.get("b"):
        window.posts.CopyFrom(organisation_pb2.WindowPosts(a=posts.get("a") or "", b=posts.get("b") or ""))
    return window


def staff_pb(view: dict, tenant: str) -> staff_pb2.Staff:
    """A staff view of the service layer (its phone already masked there)."""
    return staff_pb2.Staff(
        username=view["username"],
        name=view["name"],
        phone=view["phone"],
        roles=[r for r in (role_pb(name) for name in view["roles"]) if r != staff_pb2.ROLE_UNSPECIFIED],
        window=view.get("window") or "",
        village=view.get("village") or "",
        department=view.get("department") or "",
        tenant_id=tenant,
        active=bool(view.get("active", True)),  # accounts are not deactivated yet: all are active
    )


def settings_pb(view: dict[str, Any]) -> settings_pb2.TenantSettings:
    return settings_proto.settings_pb(view)


def calendar_day_pb(view: dict) -> calendar_pb2.CalendarDay:
    return calendar_pb2.CalendarDay(
        date=view["date"],
        working=view["working"],
        hours=[settings_pb2.OfficeHours(start=a, end=b) for a, b in view["hours"]],
        source=_CALENDAR_SOURCE.get(view["source"], calendar_pb2.CALENDAR_SOURCE_UNSPECIFIED),
        provisional=view["provisional"],
        reason=view.get("reason") or "",
    )
