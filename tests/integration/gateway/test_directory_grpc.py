"""The gateway's DirectoryService over a real gRPC server on loopback, on the session database:
every RPC answers what the service layer (and so the HTTP API) holds, scoped by the caller's
token and the `x-tenant-id` metadata — another township is NOT_FOUND, no token is
UNAUTHENTICATED, staff phones come masked, deadlines use the county's calendar."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import grpc
import pytest
from bianmin.gateway.v1 import (
    calendar_pb2,
    directory_service_pb2,
    directory_service_pb2_grpc,
    staff_pb2,
    township_pb2,
)
from google.protobuf import timestamp_pb2

from libs.common.auth import TokenIssuer, acting_as
from libs.common.grpc.client import make_channel
from libs.common.grpc.server import build_server
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal, tenant_scope
from services.gateway.domain.directory import principal_for
from services.gateway.entrypoints.service import SERVICE, servicers
from services.gateway.service_layer import audit, calendars, directory, organisation, settings
from tests.integration.gateway.support import PASSWORD, unique_code

pb = directory_service_pb2
TZ = ZoneInfo("Asia/Shanghai")


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def target(runtime: Runtime, gateway_keys, county: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    _issuer, verifier = gateway_keys
    server, port = build_server(
        servicers(runtime), SERVICE.grpc_service_names, verifier=verifier, host="127.0.0.1", port=0
    )
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(None)


@pytest.fixture(scope="module")
def stub(target: str) -> Iterator[directory_service_pb2_grpc.DirectoryServiceStub]:
    channel = make_channel(target)
    yield directory_service_pb2_grpc.DirectoryServiceStub(channel)
    channel.close()


@pytest.fixture(scope="module", autouse=True)
def national_2026(runtime: Runtime) -> None:
    assert calendars.import_national_year(runtime.sessions, 2026, "tianyang")["published"] is True


@dataclass(frozen=True)
class Town:
    tenant: str
    admin: Principal
    clerks: tuple[str, str]


def _onboard(runtime: Runtime, county: str) -> Town:
    """A township with a department, a window (AB posts), two window staff and changed settings,
    all through the service-layer functions the HTTP routers call."""
    s = runtime.sessions
    county_admin = principal_for(unique_code("ca"), ["county_admin"], [], county)
    body = {"code": unique_code(), "name": "那坡镇", "villages": [{"code": "nongli", "name": "弄立村"}]}
    tenant = directory.onboard_township(s, county_admin, body)["id"]
    admin = principal_for(unique_code("ta"), ["township_admin"], [tenant], county)
    organisation.create_department(s, admin, tenant, {"code": "minzheng", "name": "民政办"})
    organisation.create_department(s, admin, tenant, {"code": "nongye", "name": "农业站"})
    organisation.save_window(
        s,
        admin,
        tenant,
        {"code": "w1", "name": "民政窗口", "department": "minzheng", "item_codes": ["dibao"]},
    )
    organisation.save_window(
        s, admin, tenant, {"code": "w2", "name": "农业窗口", "department": "nongye", "item_codes": ["butie"]}
    )
    clerks = (unique_code("a"), unique_code("b"))
    for username, phone in zip(clerks, ("13812345678", "13987654321"), strict=True):
        organisation.create_staff(
            s,
            admin,
            tenant,
            {
                "username": username,
                "password": PASSWORD,
                "name": "窗口人员",
                "phone": phone,
                "roles": ["window_staff"],
                "window": "w1",
            },
        )
    organisation.assign_posts(s, admin, tenant, "w1", {"a": clerks[0], "b": clerks[1]})
    settings.patch(s, admin, tenant, {"trip_days": ["wed", "fri"], "warn_ratio": 0.75})
    calendars.set_override(s, admin, tenant, date(2026, 11, 20), "off", "赶圩日")
    return Town(tenant, admin, clerks)


@pytest.fixture(scope="module")
def town(runtime: Runtime, county: str) -> Town:
    return _onboard(runtime, county)


@pytest.fixture(scope="module")
def other(runtime: Runtime, county: str) -> Town:
    return _onboard(runtime, county)


@pytest.fixture(scope="module")
def token(gateway_keys, town: Town) -> str:  # type: ignore[no-untyped-def]
    issuer: TokenIssuer = gateway_keys[0]
    return issuer.issue(town.admin)[0]


def _call(method, request, token: str | None, tenant: str | None):  # type: ignore[no-untyped-def]
    with acting_as(token), tenant_scope(tenant):
        return method(request, timeout=10)


def _fails(method, request, token: str | None, tenant: str | None) -> grpc.RpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as info:
        _call(method, request, token, tenant)
    return info.value


def _code(err: grpc.RpcError) -> str | None:
    return dict(err.trailing_metadata() or ()).get("x-error-code")


# --- reads of the own township -----------------------------------------------------------------


def test_departments_and_windows(stub, token: str, town: Town) -> None:  # type: ignore[no-untyped-def]
    reply = _call(stub.ListDepartments, pb.ListDepartmentsRequest(), token, town.tenant)
    assert [(d.code, d.name, d.county) for d in reply.departments] == [
        ("minzheng", "民政办", False),
        ("nongye", "农业站", False),
    ]

    w1 = _call(stub.GetWindow, pb.GetWindowRequest(code="w1"), token, town.tenant).window
    assert (w1.code, w1.name, w1.department, list(w1.item_codes)) == ("w1", "民政窗口", "minzheng", ["dibao"])
    assert (w1.posts.a, w1.posts.b) == town.clerks
    assert not _call(stub.GetWindow, pb.GetWindowRequest(code="w2"), token, town.tenant).window.HasField(
        "posts"
    )

    windows = _call(stub.ListWindows, pb.ListWindowsRequest(), token, town.tenant).windows
    assert [w.code for w in windows] == ["w1", "w2"]
    by_department = _call(stub.ListWindows, pb.ListWindowsRequest(department="nongye"), token, town.tenant)
    assert [w.code for w in by_department.windows] == ["w2"]
    by_item = _call(stub.ListWindows, pb.ListWindowsRequest(item_code="dibao"), token, town.tenant)
    assert [w.code for w in by_item.windows] == ["w1"]

    err = _fails(stub.GetWindow, pb.GetWindowRequest(code="nope"), token, town.tenant)
    assert err.code() is grpc.StatusCode.NOT_FOUND and _code(err) == "not_found"


def test_staff_phones_are_masked(stub, token: str, town: Town) -> None:  # type: ignore[no-untyped-def]
    a, b = town.clerks
    staff = _call(stub.GetStaff, pb.GetStaffRequest(username=a), token, town.tenant).staff
    assert (staff.username, staff.name, staff.window, staff.tenant_id) == (a, "窗口人员", "w1", town.tenant)
    assert list(staff.roles) == [staff_pb2.ROLE_WINDOW_STAFF] and staff.active
    assert staff.phone == "138****5678"

    reply = _call(stub.ListStaff, pb.ListStaffRequest(role=staff_pb2.ROLE_WINDOW_STAFF), token, town.tenant)
    assert sorted(m.username for m in reply.staff) == sorted(town.clerks)
    assert {m.phone for m in reply.staff} == {"138****5678", "139****4321"}
    assert reply.next_page_token == ""
    everything = repr(reply) + repr(staff)
    assert "12345678" not in everything and "87654321" not in everything

    err = _fails(stub.GetStaff, pb.GetStaffRequest(username=town.admin.username), token, town.tenant)
    assert err.code() is grpc.StatusCode.NOT_FOUND  # the admin's principal has no account here
    err = _fails(stub.GetStaff, pb.GetStaffRequest(username="nobody"), token, town.tenant)
    assert err.code() is grpc.StatusCode.NOT_FOUND


def test_staff_pages_and_filters(stub, token: str, town: Town) -> None:  # type: ignore[no-untyped-def]
    seen, page_token = [], ""
    for _ in range(5):
        reply = _call(
            stub.ListStaff, pb.ListStaffRequest(page_size=1, page_token=page_token), token, town.tenant
        )
        seen += [m.username for m in reply.staff]
        page_token = reply.next_page_token
        if not page_token:
            break
    assert seen == sorted(town.clerks)

    for request in (
        pb.ListStaffRequest(window="w2"),
        pb.ListStaffRequest(village="nongli"),
        pb.ListStaffRequest(role=staff_pb2.ROLE_PROXY_AGENT),
    ):
        assert list(_call(stub.ListStaff, request, token, town.tenant).staff) == []
    assert len(_call(stub.ListStaff, pb.ListStaffRequest(window="w1"), token, town.tenant).staff) == 2

    for request in (pb.ListStaffRequest(page_token="not-a-token"), pb.ListStaffRequest(page_size=-1)):
        err = _fails(stub.ListStaff, request, token, town.tenant)
        assert err.code() is grpc.StatusCode.INVALID_ARGUMENT and _code(err) == "validation_error"


def test_settings(stub, token: str, town: Town) -> None:  # type: ignore[no-untyped-def]
    got = _call(stub.GetSettings, pb.GetSettingsRequest(), token, town.tenant).settings
    assert [(h.start, h.end) for h in got.office_hours] == [("09:00", "12:00"), ("14:00", "17:30")]
    assert (got.time_zone, list(got.trip_days), got.warn_ratio) == ("Asia/Shanghai", ["wed", "fri"], 0.75)
    assert (got.appeal_days, got.visit_round_days, got.locale) == (5, 14, "zh-CN")


def test_calendar_days(stub, token: str, town: Town) -> None:  # type: ignore[no-untyped-def]
    request = pb.ListCalendarDaysRequest(from_date="2026-09-30", to_date="2026-10-10")
    days = {d.date: d for d in _call(stub.ListCalendarDays, request, token, town.tenant).days}
    assert len(days) == 11
    assert days["2026-09-30"].working and [(h.start, h.end) for h in days["2026-09-30"].hours] == [
        ("09:00", "12:00"),
        ("14:00", "17:30"),
    ]
    assert not days["2026-10-01"].working and list(days["2026-10-01"].hours) == []
    assert {d.source for d in days.values()} == {calendar_pb2.CALENDAR_SOURCE_NATIONAL}
    assert not any(d.provisional for d in days.values())

    override = pb.ListCalendarDaysRequest(from_date="2026-11-20", to_date="2026-11-20")
    [day] = _call(stub.ListCalendarDays, override, token, town.tenant).days
    assert (day.working, day.source) == (False, calendar_pb2.CALENDAR_SOURCE_TOWNSHIP)

    for bad in (
        pb.ListCalendarDaysRequest(from_date="2026-10-10", to_date="2026-10-01"),
        pb.ListCalendarDaysRequest(from_date="2026-10-1", to_date="2026-10-10"),
        pb.ListCalendarDaysRequest(),
    ):
        err = _fails(stub.ListCalendarDays, bad, token, town.tenant)
        assert err.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_preview_deadline_across_national_day(stub, token: str, town: Town) -> None:  # type: ignore[no-untyped-def]
    start = timestamp_pb2.Timestamp()
    start.FromDatetime(datetime(2026, 9, 30, 10, 0, tzinfo=TZ))
    request = pb.PreviewDeadlineRequest(start_at=start, working_days=5)
    reply = _call(stub.PreviewDeadline, request, token, town.tenant)
    assert reply.due_at.ToDatetime(tzinfo=TZ) == datetime(2026, 10, 13, 17, 30, tzinfo=TZ)
    assert reply.due_at.ToDatetime(tzinfo=TZ).isoformat() == "2026-10-13T17:30:00+08:00"
    assert reply.provisional is False

    for bad in (
        pb.PreviewDeadlineRequest(working_days=5),  # no start
        pb.PreviewDeadlineRequest(start_at=start, working_days=-1),
        pb.PreviewDeadlineRequest(start_at=start, working_days=366),
    ):
        err = _fails(stub.PreviewDeadline, bad, token, town.tenant)
        assert err.code() is grpc.StatusCode.INVALID_ARGUMENT, bad


# --- scope ------------------------------------------------------------------------------------

TENANT_CALLS = [
    ("ListDepartments", pb.ListDepartmentsRequest()),
    ("GetWindow", pb.GetWindowRequest(code="w1")),
    ("ListWindows", pb.ListWindowsRequest()),
    ("GetStaff", pb.GetStaffRequest(username="x")),
    ("ListStaff", pb.ListStaffRequest()),
    ("GetSettings", pb.GetSettingsRequest()),
    ("ListCalendarDays", pb.ListCalendarDaysRequest(from_date="2026-10-01", to_date="2026-10-02")),
    ("PreviewDeadline", pb.PreviewDeadlineRequest(working_days=1)),
]


@pytest.mark.parametrize(("rpc", "request_"), TENANT_CALLS, ids=[c[0] for c in TENANT_CALLS])
def test_another_township_no_tenant_and_no_token(  # type: ignore[no-untyped-def]
    stub, token: str, town: Town, other: Town, rpc: str, request_
) -> None:
    method = getattr(stub, rpc)
    for tenant in (other.tenant, None, "elsewhere.napo"):
        err = _fails(method, request_, token, tenant)
        assert err.code() is grpc.StatusCode.NOT_FOUND, tenant
        assert _code(err) == "not_found"
    err = _fails(method, request_, None, town.tenant)
    assert err.code() is grpc.StatusCode.UNAUTHENTICATED


def test_county_admin_reads_any_township_of_the_county_and_is_audited(  # type: ignore[no-untyped-def]
    stub, gateway_keys, runtime: Runtime, county: str, town: Town
) -> None:
    issuer: TokenIssuer = gateway_keys[0]
    county_admin = principal_for(unique_code("ca"), ["county_admin"], [], county)
    county_token = issuer.issue(county_admin)[0]
    reply = _call(stub.ListDepartments, pb.ListDepartmentsRequest(), county_token, town.tenant)
    assert len(reply.departments) == 2
    trail = [
        e for e in audit.entries(runtime.sessions, town.tenant) if e["username"] == county_admin.username
    ]
    assert [(e["method"], e["path"]) for e in trail] == [
        ("GRPC", "/bianmin.gateway.v1.DirectoryService/ListDepartments")
    ]

    # a township of the county that was never onboarded: nothing to read
    missing = f"{county}.{unique_code()}"
    err = _fails(stub.GetSettings, pb.GetSettingsRequest(), county_token, missing)
    assert err.code() is grpc.StatusCode.NOT_FOUND
    # the township's own admin is not audited
    _call(stub.ListDepartments, pb.ListDepartmentsRequest(), issuer.issue(town.admin)[0], town.tenant)
    assert not [
        e for e in audit.entries(runtime.sessions, town.tenant) if e["username"] == town.admin.username
    ]


def test_townships_are_county_scoped_and_paged(  # type: ignore[no-untyped-def]
    stub, gateway_keys, county: str, token: str, town: Town, other: Town
) -> None:
    got = _call(stub.GetTownship, pb.GetTownshipRequest(tenant_id=town.tenant), token, None).township
    assert (got.tenant_id, got.status, [v.code for v in got.villages]) == (
        town.tenant,
        township_pb2.TOWNSHIP_STATUS_ACTIVE,
        ["nongli"],
    )
    err = _fails(stub.GetTownship, pb.GetTownshipRequest(tenant_id=other.tenant), token, None)
    assert err.code() is grpc.StatusCode.NOT_FOUND
    mine = _call(stub.ListTownships, pb.ListTownshipsRequest(), token, None)
    assert [t.tenant_id for t in mine.townships] == [town.tenant] and mine.next_page_token == ""

    issuer: TokenIssuer = gateway_keys[0]
    county_token = issuer.issue(principal_for(unique_code("ca"), ["county_admin"], [], county))[0]
    seen, page_token = [], ""
    while True:
        request = pb.ListTownshipsRequest(page_size=2, page_token=page_token)
        reply = _call(stub.ListTownships, request, county_token, None)
        assert len(reply.townships) <= 2
        seen += [t.tenant_id for t in reply.townships]
        page_token = reply.next_page_token
        if not page_token:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert {town.tenant, other.tenant} <= set(seen)
    suspended = pb.ListTownshipsRequest(status=township_pb2.TOWNSHIP_STATUS_SUSPENDED, page_size=200)
    assert town.tenant not in {
        t.tenant_id for t in _call(stub.ListTownships, suspended, county_token, None).townships
    }
