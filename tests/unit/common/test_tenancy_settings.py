"""Tenancy (codes, tenant ids, principals, the ambient scope) and the typed settings."""

from __future__ import annotations

import pytest

from libs.common.errors import ValidationFailed
from libs.common.settings import SERVICES, Settings
from libs.common.tenancy import (
    Principal,
    county_of,
    current_principal,
    current_tenant,
    tenant_id,
    tenant_scope,
    validate_code,
    validate_tenant,
    validate_tenant_code,
    validate_username,
)

# --- codes and tenant ids --------------------------------------------------------------------


# API.md *Codes*: county and township codes form the tenant id; every other code fits national ones
@pytest.mark.parametrize("code", ["ab", "napo", "a1", "1napo", "na_po_2", "na-po", "x" * 32])
def test_a_township_code_is_lower_case_without_a_dot(code: str) -> None:
    assert validate_tenant_code(code) == code


@pytest.mark.parametrize(
    "code",
    ["", "a", "x" * 33, "_ab", "-ab", "Napo", "na.po", "na po", "纳坡", "ab\n", None, 12],
)
def test_a_township_code_refuses_anything_else(code: object) -> None:
    with pytest.raises(ValidationFailed, match="township must be 2-32 lower-case"):
        validate_tenant_code(code)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "code",
    ["a", "w-forest", "forest-right", "shebao.cxjm_canbao", "HK_1", "11450000MB1234567X4500101001", "x" * 64],
)
def test_other_codes_take_national_item_codes(code: str) -> None:
    assert validate_code(code) == code


@pytest.mark.parametrize("code", ["", "x" * 65, "na po", "纳坡", "a/b", "a:b", "ab\n", None, 12])
def test_other_codes_refuse_anything_else(code: object) -> None:
    with pytest.raises(ValidationFailed):
        validate_code(code)  # type: ignore[arg-type]


def test_validate_code_names_what_was_wrong() -> None:
    with pytest.raises(ValidationFailed, match="village code must be 1-64"):
        validate_code("坡", "village code")


@pytest.mark.parametrize("username", ["", "a", "Li", "li.si", "li-si", "1li", "x" * 33, None])
def test_a_username_keeps_the_strict_rule(username: object) -> None:
    with pytest.raises(ValidationFailed, match="username"):
        validate_username(username)  # type: ignore[arg-type]
    assert validate_username("li_si2") == "li_si2"


@pytest.mark.parametrize(
    "tenant", ["tianyang.napo", "demo.t1", "ab.cd", "tianyang.na-po", f"{'a' * 32}.{'b' * 32}"]
)
def test_validate_tenant_accepts_county_dot_township(tenant: str) -> None:
    assert validate_tenant(tenant) == tenant


@pytest.mark.parametrize(
    "tenant",
    [
        "",
        "tianyang",
        "tianyang.",
        ".napo",
        "tianyang.*",  # a county scope is not a tenant
        "tianyang.napo.x",
        "Tianyang.napo",
        "tianyang.Napo",
        "tianyang.napo\n",
        " tianyang.napo",
        None,
        3,
    ],
)
def test_validate_tenant_rejects_anything_else(tenant: object) -> None:
    with pytest.raises(ValidationFailed):
        validate_tenant(tenant)  # type: ignore[arg-type]


def test_tenant_id_and_county_of() -> None:
    assert tenant_id("tianyang", "napo") == "tianyang.napo"
    assert county_of("tianyang.napo") == "tianyang"
    with pytest.raises(ValidationFailed, match="township"):
        tenant_id("tianyang", "Na Po")
    with pytest.raises(ValidationFailed, match="county"):
        tenant_id("Tian", "napo")


# --- principals ------------------------------------------------------------------------------


def test_township_principal_sees_only_its_townships() -> None:
    p = Principal("li", frozenset({"township_admin"}), frozenset({"tianyang.napo"}), "tianyang")
    assert p.may_see("tianyang.napo")
    assert not p.may_see("tianyang.baixin")
    assert not p.may_see("other.napo")


def test_county_scope_sees_every_township_of_its_county_only() -> None:
    p = Principal("wang", frozenset({"county_admin"}), frozenset({"tianyang.*"}), "tianyang")
    assert p.may_see("tianyang.napo")
    assert p.may_see("tianyang.baixin")
    assert not p.may_see("debao.napo")


def test_a_principal_without_tenants_sees_nothing() -> None:
    assert not Principal("nobody").may_see("tianyang.napo")


def test_may_see_refuses_a_malformed_tenant() -> None:
    p = Principal("wang", frozenset({"county_admin"}), frozenset({"tianyang.*"}), "tianyang")
    with pytest.raises(ValidationFailed):
        p.may_see("tianyang")


def test_has_role() -> None:
    p = Principal("li", frozenset({"window_staff", "intake_desk"}))
    assert p.has_role("intake_desk")
    assert p.has_role("county_admin", "window_staff")
    assert not p.has_role("county_admin")
    assert not p.has_role()


# --- the ambient tenant ----------------------------------------------------------------------


def test_tenant_scope_nests_and_resets() -> None:
    outer_p, inner_p = Principal("outer"), Principal("inner")
    assert current_tenant() is None and current_principal() is None
    with tenant_scope("tianyang.napo", outer_p):
        assert (current_tenant(), current_principal()) == ("tianyang.napo", outer_p)
        with tenant_scope("tianyang.baixin"):  # no principal given: the outer one stays
            assert (current_tenant(), current_principal()) == ("tianyang.baixin", outer_p)
            with tenant_scope(None, inner_p):  # None clears the tenant
                assert (current_tenant(), current_principal()) == (None, inner_p)
            assert (current_tenant(), current_principal()) == ("tianyang.baixin", outer_p)
        assert (current_tenant(), current_principal()) == ("tianyang.napo", outer_p)
    assert current_tenant() is None and current_principal() is None


def test_tenant_scope_resets_on_error() -> None:
    with pytest.raises(RuntimeError), tenant_scope("tianyang.napo", Principal("p")):
        raise RuntimeError("boom")
    assert current_tenant() is None and current_principal() is None


def test_tenant_scope_validates_and_changes_nothing_when_invalid() -> None:
    with tenant_scope("tianyang.napo"):
        with pytest.raises(ValidationFailed), tenant_scope("not a tenant"):
            pass
        assert current_tenant() == "tianyang.napo"
    assert current_tenant() is None


# --- settings --------------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean environment: no BIANMIN_* variable of the caller leaks into these tests."""
    import os

    for name in list(os.environ):
        if name.startswith("BIANMIN_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_defaults(env: pytest.MonkeyPatch) -> None:
    s = Settings()
    assert (s.county_code, s.county_name) == ("demo", "示范县")
    assert s.database_url is None and s.amqp_url is None
    assert s.http_port == 8080 and s.grpc_port == 50051


def test_values_come_from_bianmin_prefixed_variables(env: pytest.MonkeyPatch) -> None:
    env.setenv("BIANMIN_COUNTY", "tianyang:田阳县")
    env.setenv("BIANMIN_HTTP_PORT", "9090")
    env.setenv("BIANMIN_DATABASE_URL", "postgresql://u@h/db")
    env.setenv("BIANMIN_LOG_JSON", "false")
    env.setenv("HTTP_PORT", "1")  # unprefixed: ignored
    s = Settings()
    assert (s.county_code, s.county_name) == ("tianyang", "田阳县")
    assert s.http_port == 9090
    assert s.database_url == "postgresql://u@h/db"
    assert s.log_json is False


def test_unknown_bianmin_variables_are_ignored(env: pytest.MonkeyPatch) -> None:
    env.setenv("BIANMIN_NO_SUCH_THING", "x")
    Settings()


@pytest.mark.parametrize(
    ("county", "code", "name"),
    [
        ("tianyang:田阳县", "tianyang", "田阳县"),
        ("debao", "debao", "debao"),  # no name: the code stands in
        ("debao:", "debao", "debao"),
        ("x1:a:b", "x1", "a:b"),  # only the first ':' separates
    ],
)
def test_county_code_and_name(county: str, code: str, name: str) -> None:
    s = Settings(county=county)
    assert (s.county_code, s.county_name) == (code, name)


def test_key_dir_defaults_under_the_data_dir(env: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env.setenv("BIANMIN_DATA_DIR", str(tmp_path))
    assert Settings().key_dir == tmp_path / "keys"
    env.setenv("BIANMIN_JWT_KEY_DIR", str(tmp_path / "k"))
    assert Settings().key_dir == tmp_path / "k"


def test_grpc_target_by_port_convention(env: pytest.MonkeyPatch) -> None:
    env.setenv("BIANMIN_GRPC_HOST", "10.0.0.5")
    env.setenv("BIANMIN_GRPC_PORT", "6000")
    s = Settings()
    assert [s.grpc_target(name) for name in SERVICES] == [
        f"10.0.0.5:{6000 + i}" for i in range(len(SERVICES))
    ]
    assert s.grpc_target("gateway") == "10.0.0.5:6000"
    assert s.grpc_target("notify") == "10.0.0.5:6004"


def test_grpc_target_from_targets_and_the_convention_for_the_rest(env: pytest.MonkeyPatch) -> None:
    env.setenv("BIANMIN_GRPC_TARGETS", " intake = intake.svc:50051 ,proxy=proxy.svc:7000,, ")
    s = Settings()
    assert s.grpc_target("intake") == "intake.svc:50051"
    assert s.grpc_target("proxy") == "proxy.svc:7000"
    assert s.grpc_target("notify") == "127.0.0.1:50055"  # not listed: the convention


def test_grpc_targets_match_whole_service_names(env: pytest.MonkeyPatch) -> None:
    env.setenv("BIANMIN_GRPC_TARGETS", "intake_v2=elsewhere:1")
    assert Settings().grpc_target("intake") == "127.0.0.1:50052"
