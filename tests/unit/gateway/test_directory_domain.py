"""The directory's rules (services/gateway/domain/directory.py): township validation, principals
and the two guards the HTTP edge relies on. Pure: no database."""

from __future__ import annotations

import pytest

from libs.common.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from libs.common.tenancy import Principal, require_role
from services.gateway.domain.directory import (
    COUNTY_ROLES,
    ROLES,
    TOWNSHIP_ROLES,
    Group,
    Village,
    new_township,
    principal_for,
    require_visible,
)

VILLAGES = [
    {
        "code": "nongli",
        "name": "弄立村",
        "groups": [{"code": "g1", "name": "一组"}, {"code": "g2", "name": "二组"}],
    },
    {"code": "bali", "name": "巴力村"},  # groups are optional
]


# --- new_township ----------------------------------------------------------------------------


def test_a_valid_township() -> None:
    t = new_township("tianyang", "napo", "那坡镇", VILLAGES)
    assert (t.county, t.code, t.name, t.status) == ("tianyang", "napo", "那坡镇", "active")
    assert t.tenant_id == "tianyang.napo"
    assert t.villages == (
        Village("nongli", "弄立村", (Group("g1", "一组"), Group("g2", "二组"))),
        Village("bali", "巴力村", ()),
    )


def test_a_township_without_villages() -> None:
    assert new_township("tianyang", "napo", "那坡镇", []).villages == ()


def test_names_are_trimmed_at_every_level() -> None:
    t = new_township(
        "tianyang",
        "napo",
        " 那坡镇 ",
        [{"code": "v1", "name": " 村 ", "groups": [{"code": "g1", "name": " 组 "}]}],
    )
    assert (t.name, t.villages[0].name, t.villages[0].groups[0].name) == ("那坡镇", "村", "组")


@pytest.mark.parametrize("code", ["", "n", "NaPo", "na po", "na.po", "-napo", "napo\n", None, 7])
def test_bad_township_code(code: object) -> None:
    with pytest.raises(ValidationFailed, match="township code"):
        new_township("tianyang", code, "那坡镇", [])  # type: ignore[arg-type]


def test_bad_village_code() -> None:
    with pytest.raises(ValidationFailed, match="village code"):
        new_township("tianyang", "napo", "那坡镇", [{"code": "村1", "name": "村"}])


def test_bad_group_code() -> None:
    with pytest.raises(ValidationFailed, match="group code"):
        new_township(
            "tianyang",
            "napo",
            "那坡镇",
            [{"code": "v1", "name": "村", "groups": [{"code": "组", "name": "组"}]}],
        )


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "x" * 101, None])
def test_empty_or_overlong_township_name(name: object) -> None:
    with pytest.raises(ValidationFailed, match="township name"):
        new_township("tianyang", "napo", name, [])  # type: ignore[arg-type]


def test_a_name_of_100_characters_is_fine() -> None:
    assert new_township("tianyang", "napo", "镇" * 100, []).name == "镇" * 100


def test_empty_village_name() -> None:
    with pytest.raises(ValidationFailed, match="village name"):
        new_township("tianyang", "napo", "那坡镇", [{"code": "v1", "name": " "}])


def test_empty_group_name() -> None:
    with pytest.raises(ValidationFailed, match="group name"):
        new_township(
            "tianyang",
            "napo",
            "那坡镇",
            [{"code": "v1", "name": "村", "groups": [{"code": "g1", "name": ""}]}],
        )


def test_duplicate_village_codes() -> None:
    with pytest.raises(ValidationFailed, match="duplicate village codes"):
        new_township(
            "tianyang", "napo", "那坡镇", [{"code": "v1", "name": "甲"}, {"code": "v1", "name": "乙"}]
        )


def test_duplicate_group_codes_in_a_village() -> None:
    groups = [{"code": "g1", "name": "一组"}, {"code": "g1", "name": "又一组"}]
    with pytest.raises(ValidationFailed, match="duplicate group codes in village v1"):
        new_township("tianyang", "napo", "那坡镇", [{"code": "v1", "name": "村", "groups": groups}])


def test_the_same_group_code_in_two_villages_is_fine() -> None:
    villages = [{"code": f"v{i}", "name": "村", "groups": [{"code": "g1", "name": "一组"}]} for i in (1, 2)]
    t = new_township("tianyang", "napo", "那坡镇", villages)
    assert [v.groups[0].code for v in t.villages] == ["g1", "g1"]


# --- principals ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(COUNTY_ROLES))
def test_county_roles_act_across_the_county(role: str) -> None:
    p = principal_for("wang", [role], [], "tianyang")
    assert p.tenants == frozenset({"tianyang.*"})
    assert (p.username, p.roles, p.county) == ("wang", frozenset({role}), "tianyang")
    assert p.may_see("tianyang.napo") and not p.may_see("debao.napo")


@pytest.mark.parametrize("role", sorted(TOWNSHIP_ROLES))
def test_township_roles_act_in_their_townships_only(role: str) -> None:
    p = principal_for("li", [role], ["tianyang.napo"], "tianyang")
    assert p.tenants == frozenset({"tianyang.napo"})
    assert p.may_see("tianyang.napo") and not p.may_see("tianyang.baixin")


def test_a_county_role_keeps_its_explicit_townships_too() -> None:
    p = principal_for("zhao", ["county_supervisor", "window_staff"], ["tianyang.napo"], "tianyang")
    assert p.tenants == frozenset({"tianyang.napo", "tianyang.*"})
    assert p.roles == frozenset({"county_supervisor", "window_staff"})


def test_roles_partition() -> None:
    assert ROLES == COUNTY_ROLES | TOWNSHIP_ROLES and not COUNTY_ROLES & TOWNSHIP_ROLES
    assert "county_admin" in COUNTY_ROLES and "township_admin" in TOWNSHIP_ROLES


# --- guards ----------------------------------------------------------------------------------


def test_require_role_without_a_principal_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        require_role(None, "county_admin")


def test_require_role_without_the_role_is_forbidden() -> None:
    p = principal_for("li", ["township_admin"], ["tianyang.napo"], "tianyang")
    with pytest.raises(Forbidden, match="county_admin"):
        require_role(p, "county_admin")


def test_require_role_with_any_of_the_roles_returns_the_principal() -> None:
    p = principal_for("li", ["township_admin"], ["tianyang.napo"], "tianyang")
    assert require_role(p, "county_admin", "township_admin") is p


def test_require_visible_hides_what_the_caller_may_not_see() -> None:
    p = principal_for("li", ["township_admin"], ["tianyang.napo"], "tianyang")
    assert require_visible(p, "tianyang.napo") == "tianyang.napo"
    with pytest.raises(NotFound):  # not Forbidden: no existence leak
        require_visible(p, "tianyang.baixin")
    county = principal_for("wang", ["county_admin"], [], "tianyang")
    assert require_visible(county, "tianyang.baixin") == "tianyang.baixin"
    with pytest.raises(NotFound):
        require_visible(county, "debao.baixin")


def test_require_visible_for_nobody() -> None:
    with pytest.raises(NotFound):
        require_visible(Principal("nobody"), "tianyang.napo")
