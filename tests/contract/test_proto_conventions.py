"""The conventions of proto/README.md that buf lint does not check, and the names other code is
written against."""

from __future__ import annotations

import re

import pytest
from google.protobuf import descriptor_pb2

from tests.contract.protos import (
    PASCAL_CASE,
    PROTO_ROOT,
    SERVICE_PACKAGES,
    event_type,
    file_named,
    is_past_tense_name,
    message,
    messages_by_full_name,
    own_files,
)

F = descriptor_pb2.FieldDescriptorProto
TENANT_SCOPED_EXCEPTIONS = {("bianmin.gateway.v1.DirectoryService", "GetTownship")}


def _events_files() -> list[descriptor_pb2.FileDescriptorProto]:
    return [f for f in own_files() if f.name.endswith("/events.proto")]


def _fields(msg: descriptor_pb2.DescriptorProto) -> list[tuple[str, int, int, str]]:
    return [(f.name, f.number, f.label, f.type_name or str(f.type)) for f in msg.field]


# -- events ----------------------------------------------------------------------------------------


def test_every_service_package_has_events() -> None:
    assert sorted(f.package for f in _events_files()) == sorted(f"bianmin.{p}.v1" for p in SERVICE_PACKAGES)


@pytest.mark.parametrize("name", ["CaseAccepted", "TownshipOnboarded", "CaseClockColourChanged"])
def test_event_type_is_snake_case_of_the_name(name: str) -> None:
    expected = {
        "CaseAccepted": "case_accepted",
        "TownshipOnboarded": "township_onboarded",
        "CaseClockColourChanged": "case_clock_colour_changed",
    }
    assert event_type(name) == expected[name]


def test_event_messages_are_pascal_case_past_tense() -> None:
    bad = [
        f"{f.name}: {m.name}"
        for f in _events_files()
        for m in f.message_type
        if not (PASCAL_CASE.match(m.name) and is_past_tense_name(m.name))
    ]
    assert not bad, f"event messages must be PascalCase, ending in a past participle: {bad}"


def test_events_files_hold_only_events() -> None:
    """Every top-level message of an events.proto is an event: no helper types, no services."""
    for f in _events_files():
        assert not f.service, f"{f.name} declares a service"
        assert not f.enum_type, f"{f.name} declares enums (put them in a resource file)"
        nested = [m.name for m in f.message_type if m.nested_type or m.enum_type]
        assert not nested, f"{f.name}: nested types in {nested}"


def test_event_types_are_unique_and_documented() -> None:
    readme = (PROTO_ROOT / "README.md").read_text()
    seen: dict[str, str] = {}
    undocumented = []
    for f in _events_files():
        for m in f.message_type:
            t = event_type(m.name)
            assert t not in seen, f"event type {t} of {f.package} clashes with {seen[t]}"
            seen[t] = f.package
            if not re.search(rf"`{t}`", readme):
                undocumented.append(f"{f.package}.{m.name} ({t})")
    assert not undocumented, f"event types missing from proto/README.md: {undocumented}"


def test_events_are_not_rpc_messages() -> None:
    events = {f".{f.package}.{m.name}" for f in _events_files() for m in f.message_type}
    for f in own_files():
        for s in f.service:
            for r in s.method:
                assert r.input_type not in events and r.output_type not in events, f"{s.name}.{r.name}"


# -- services --------------------------------------------------------------------------------------


def test_one_service_per_service_file() -> None:
    expected = {
        "bianmin/gateway/v1/directory_service.proto": "DirectoryService",
        "bianmin/intake/v1/intake_service.proto": "IntakeService",
        "bianmin/proxy/v1/proxy_service.proto": "ProxyService",
        "bianmin/appraisal/v1/appraisal_service.proto": "AppraisalService",
        "bianmin/appraisal/v1/workforce_service.proto": "WorkforceService",
        "bianmin/notify/v1/notify_service.proto": "NotifyService",
    }
    found = {f.name: [s.name for s in f.service] for f in own_files() if f.service}
    assert found == {k: [v] for k, v in expected.items()}


def test_tenant_is_never_a_request_field() -> None:
    """Tenant-scoped calls take the tenant from `x-tenant-id` metadata, never from the request."""
    msgs = messages_by_full_name()
    offenders = []
    for f in own_files():
        for s in f.service:
            for r in s.method:
                if (f"{f.package}.{s.name}", r.name) in TENANT_SCOPED_EXCEPTIONS:
                    continue
                names = {fld.name for fld in msgs[r.input_type].field}
                if names & {"tenant", "tenant_id", "township_id"}:
                    offenders.append(f"{s.name}.{r.name}")
    assert not offenders, offenders


def test_times_are_timestamps_and_dates_are_strings() -> None:
    bad = []
    for f in own_files():
        stack = list(f.message_type)
        while stack:
            m = stack.pop()
            stack.extend(m.nested_type)
            for fld in m.field:
                if fld.name.endswith("_at") and fld.type_name != ".google.protobuf.Timestamp":
                    bad.append(f"{f.name}: {m.name}.{fld.name}")
                if (fld.name.endswith("_date") or fld.name == "date") and fld.type != F.TYPE_STRING:
                    bad.append(f"{f.name}: {m.name}.{fld.name}")
    assert not bad, bad


def test_list_rpcs_with_a_page_token_return_a_next_page_token() -> None:
    msgs = messages_by_full_name()
    for f in own_files():
        for s in f.service:
            for r in s.method:
                req = {fld.name for fld in msgs[r.input_type].field}
                res = {fld.name for fld in msgs[r.output_type].field}
                if "page_token" in req:
                    assert {"page_size", "page_token"} <= req, r.name
                    assert "next_page_token" in res, r.name


# -- names other code is written against --------------------------------------------------------------


def test_township_onboarded() -> None:
    m = message(file_named("bianmin/gateway/v1/events.proto"), "TownshipOnboarded")
    opt, rep = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    assert _fields(m) == [
        ("tenant_id", 1, opt, str(F.TYPE_STRING)),
        ("county", 2, opt, str(F.TYPE_STRING)),
        ("code", 3, opt, str(F.TYPE_STRING)),
        ("name", 4, opt, str(F.TYPE_STRING)),
        ("villages", 5, rep, ".bianmin.gateway.v1.Village"),
        ("onboarded_at", 6, opt, ".google.protobuf.Timestamp"),
    ]
    msgs = messages_by_full_name()
    village = msgs[".bianmin.gateway.v1.Village"]
    assert [(f.name, f.number) for f in village.field] == [("code", 1), ("name", 2), ("groups", 3)]
    assert village.field[2].type_name == ".bianmin.gateway.v1.Group"
    assert [(f.name, f.number) for f in msgs[".bianmin.gateway.v1.Group"].field] == [("code", 1), ("name", 2)]


@pytest.mark.parametrize("pkg", ["intake", "proxy", "appraisal", "notify"])
def test_get_tenant(pkg: str) -> None:
    f = file_named(f"bianmin/{pkg}/v1/{pkg}_service.proto")
    rpc = {r.name: r for r in f.service[0].method}["GetTenant"]
    assert rpc.input_type == f".bianmin.{pkg}.v1.GetTenantRequest"
    assert rpc.output_type == f".bianmin.{pkg}.v1.GetTenantResponse"
    msgs = messages_by_full_name()
    assert list(msgs[rpc.input_type].field) == []
    (tenant,) = msgs[rpc.output_type].field
    assert (tenant.name, tenant.number, tenant.type_name) == (
        "tenant",
        1,
        f".bianmin.{pkg}.v1.TenantProjection",
    )
    projection = msgs[f".bianmin.{pkg}.v1.TenantProjection"]
    assert [(x.name, x.number, x.type_name or x.type) for x in projection.field] == [
        ("tenant_id", 1, F.TYPE_STRING),
        ("name", 2, F.TYPE_STRING),
        ("onboarded_at", 3, ".google.protobuf.Timestamp"),
    ]


def test_directory_service() -> None:
    f = file_named("bianmin/gateway/v1/directory_service.proto")
    rpcs = {r.name: r for r in f.service[0].method}
    msgs = messages_by_full_name()
    get = rpcs["GetTownship"]
    assert [(x.name, x.number) for x in msgs[get.input_type].field] == [("tenant_id", 1)]
    assert [(x.name, x.number, x.type_name) for x in msgs[get.output_type].field] == [
        ("township", 1, ".bianmin.gateway.v1.Township")
    ]
    lst = rpcs["ListTownships"]
    assert {"page_size", "page_token"} <= {x.name for x in msgs[lst.input_type].field}
    assert {"townships", "next_page_token"} <= {x.name for x in msgs[lst.output_type].field}
    township = msgs[".bianmin.gateway.v1.Township"]
    assert [x.name for x in township.field][:5] == ["tenant_id", "code", "name", "status", "villages"]
    status = {e.name: e for e in file_named("bianmin/gateway/v1/township.proto").enum_type}["TownshipStatus"]
    assert [(v.name, v.number) for v in status.value] == [
        ("TOWNSHIP_STATUS_UNSPECIFIED", 0),
        ("TOWNSHIP_STATUS_ACTIVE", 1),
        ("TOWNSHIP_STATUS_SUSPENDED", 2),
    ]


def test_every_case_action_is_an_rpc() -> None:
    f = file_named("bianmin/intake/v1/intake_service.proto")
    rpcs = {r.name for r in f.service[0].method}
    actions = set(
        [
            "AcceptCase",
            "RequestSupplement",
            "SubmitMaterials",
            "RefuseCase",
            "AssignCase",
            "EscalateCase",
            "ResumeCase",
            "ExtendCase",
            "CompleteCase",
            "ReplyCase",
            "ArchiveCase",
            "ReturnCase",
            "WithdrawCase",
            "PressCase",
            "CreateCase",
            "GetCase",
            "ListCases",
            "GetCaseStats",
        ]
    )
    assert actions <= rpcs, actions - rpcs


def test_the_bus_derives_the_same_event_types() -> None:
    """libs/common/messaging names events by the same rule as proto/README.md documents."""
    envelope = pytest.importorskip("libs.common.messaging.envelope")
    from types import SimpleNamespace

    for f in _events_files():
        for m in f.message_type:
            fake = SimpleNamespace(DESCRIPTOR=SimpleNamespace(name=m.name))
            assert envelope.event_type_of(fake) == event_type(m.name), m.name
