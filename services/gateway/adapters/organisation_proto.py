"""Villages, departments, windows and staff → `bianmin.gateway.v1` event messages (events.proto)."""

from __future__ import annotations

from bianmin.gateway.v1 import events_pb2, organisation_pb2, staff_pb2

from libs.common.grpc.enums import enum_number
from services.gateway.adapters.directory_proto import village
from services.gateway.domain.directory import Village
from services.gateway.domain.organisation import StaffMember


def role_pb(role: str) -> staff_pb2.Role.ValueType:
    """`township_admin` → ROLE_TOWNSHIP_ADMIN; a role the proto does not know → UNSPECIFIED."""
    return enum_number(staff_pb2.Role, "ROLE_", role, unknown=staff_pb2.ROLE_UNSPECIFIED)  # type: ignore[return-value]


def village_saved(tenant: str, v: Village) -> events_pb2.VillageSaved:
    return events_pb2.VillageSaved(tenant_id=tenant, village=village(v))


def department_created(code: str, name: str) -> events_pb2.DepartmentCreated:
    return events_pb2.DepartmentCreated(department=organisation_pb2.Department(code=code, name=name))


def window_saved(view: dict) -> events_pb2.WindowSaved:
    return events_pb2.WindowSaved(window=_window(view))


def window_posts_assigned(code: str, posts: dict, previous: dict) -> events_pb2.WindowPostsAssigned:
    """`posts` and `previous`: {"a": username or None, "b": …}; no previous when both are empty."""
    event = events_pb2.WindowPostsAssigned(window=code, posts=_posts(posts))
    if previous["a"] or previous["b"]:
        event.previous.CopyFrom(_posts(previous))
    return event


def staff_saved(member: StaffMember) -> events_pb2.StaffSaved:
    return events_pb2.StaffSaved(
        username=member.username,
        name=member.name,
        roles=[role_pb(r) for r in member.roles],  # township roles: all known to the proto
        window=member.window,
        village=member.village,
        active=True,
        phone=member.phone,
    )


def _posts(posts: dict) -> organisation_pb2.WindowPosts:
    return organisation_pb2.WindowPosts(a=posts["a"] or "", b=posts["b"] or "")


def _window(view: dict) -> organisation_pb2.Window:
    window = organisation_pb2.Window(
        code=view["code"], name=view["name"], department=view["department"], item_codes=view["item_codes"]
    )
    if view["posts"]["a"] or view["posts"]["b"]:
        window.posts.CopyFrom(_posts(view["posts"]))
    return window
