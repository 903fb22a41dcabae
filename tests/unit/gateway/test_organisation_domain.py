"""A township's organisation rules (services/gateway/domain/organisation.py): who may change it,
villages, departments, windows, AB posts, staff and settings. Pure: no database."""

from __future__ import annotations

from typing import Any

import pytest

from libs.common.errors import Forbidden, ValidationFailed
from libs.common.tenancy import Principal
from services.gateway.domain.directory import Group, Village
from services.gateway.domain.organisation import (
    Department,
    Posts,
    StaffMember,
    Window,
    assign_posts,
    default_settings,
    new_department,
    new_staff,
    new_village,
    new_window,
    parse_office_hours,
    parse_trip_days,
    patch_settings,
    require_township_admin,
)

NAPO = "tianyang.napo"


def _p(*roles: str, tenants: tuple[str, ...] = (NAPO,)) -> Principal:
    return Principal("u1", frozenset(roles), frozenset(tenants), "tianyang")


# --- who may write -----------------------------------------------------------------------------


def test_the_township_admin_of_the_township_and_a_county_admin_may_write() -> None:
    assert require_township_admin(_p("township_admin"), NAPO).username == "u1"
    assert require_township_admin(_p("county_admin", tenants=("tianyang.*",)), NAPO)


@pytest.mark.parametrize(
    "principal",
    [
        _p("window_staff"),
        _p("intake_desk", "proxy_agent"),
        _p("county_supervisor", tenants=("tianyang.*",)),
        _p("ops", tenants=("tianyang.*",)),
        # admin of another township, with a county role that lets them *see* napo
        _p("township_admin", "county_department", tenants=("tianyang.other", "tianyang.*")),
    ],
)
def test_nobody_else_may_write(principal: Principal) -> None:
    with pytest.raises(Forbidden):
        require_township_admin(principal, NAPO)


# --- villages, departments, windows ------------------------------------------------------------


def test_a_village_with_its_groups_trimmed() -> None:
    v = new_village("nongli", " 弄立村 ", [{"code": "g1", "name": "一组"}])
    assert v == Village("nongli", "弄立村", (Group("g1", "一组"),))
    assert new_village("bali", "巴力村", []).groups == ()


@pytest.mark.parametrize(
    ("code", "name", "groups"),
    [
        ("巴力", "村", []),
        ("v1", " ", []),
        ("v1", "村", [{"code": "g1", "name": "一"}, {"code": "g1", "name": "二"}]),
        ("v1", "村", [{"code": "G 1", "name": "一"}]),
    ],
)
def test_an_invalid_village(code: str, name: str, groups: list[dict]) -> None:
    with pytest.raises(ValidationFailed):
        new_village(code, name, groups)


def test_a_department() -> None:
    assert new_department("minzheng", " 民政办 ") == Department("minzheng", "民政办")
    with pytest.raises(ValidationFailed):
        new_department("min zheng", "民政办")
    with pytest.raises(ValidationFailed):
        new_department("minzheng", "")


def test_a_window_belongs_to_an_existing_department() -> None:
    w = new_window("w1", "民政窗口", "minzheng", ["dibao", "wubao"], {"minzheng"})
    assert w == Window("w1", "民政窗口", "minzheng", ("dibao", "wubao"), None)
    with pytest.raises(ValidationFailed, match="no department"):
        new_window("w1", "民政窗口", "tudi", [], {"minzheng"})


@pytest.mark.parametrize("items", [["dibao", "dibao"], ["Di Bao"], [""]])
def test_window_items_are_unique_codes(items: list[str]) -> None:
    with pytest.raises(ValidationFailed):
        new_window("w1", "民政窗口", "minzheng", items, {"minzheng"})


# --- AB posts ----------------------------------------------------------------------------------

STAFF = {"zhang": ["window_staff"], "li": ["window_staff", "intake_desk"], "wang": ["intake_desk"]}


def test_ab_posts_are_two_different_window_staff() -> None:
    assert assign_posts("zhang", "li", STAFF) == Posts("zhang", "li")


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("zhang", "zhang", "two different"),
        ("zhang", "wang", "window_staff"),
        ("zhao", "li", "not a staff user"),
        ("zhang", "Li Si", "username"),
    ],
)
def test_invalid_ab_posts(a: str, b: str, why: str) -> None:
    with pytest.raises(ValidationFailed, match=why):
        assign_posts(a, b, STAFF)


# --- staff -------------------------------------------------------------------------------------


def test_a_staff_member() -> None:
    m = new_staff(
        "zhang",
        "张三",
        " 13812345678 ",
        ["window_staff"],
        window="w1",
        village=None,
        windows={"w1"},
        villages={"v1"},
    )
    assert m == StaffMember("zhang", "张三", "13812345678", ("window_staff",), "w1", "")


@pytest.mark.parametrize(
    "changes",
    [
        {"roles": []},
        {"roles": ["county_admin"]},  # county roles are not granted by a township
        {"roles": ["window_staff", "ops"]},
        {"roles": ["root"]},
        {"roles": ["window_staff", "window_staff"]},
        {"phone": "call me"},
        {"phone": "123"},
        {"phone": ""},
        {"name": " "},
        {"username": "Zhang San"},
        {"window": "w9"},
        {"village": "v9"},
    ],
)
def test_invalid_staff(changes: dict[str, Any]) -> None:
    args: dict[str, Any] = {
        "username": "zhang",
        "name": "张三",
        "phone": "0776-5551234",
        "roles": ["window_staff"],
        "window": "w1",
        "village": "v1",
        "windows": {"w1"},
        "villages": {"v1"},
    } | changes
    with pytest.raises(ValidationFailed):
        new_staff(args.pop("username"), args.pop("name"), args.pop("phone"), args.pop("roles"), **args)


# --- settings ----------------------------------------------------------------------------------


def test_default_settings_follow_the_domain() -> None:
    d = default_settings("Asia/Shanghai")
    assert d["office_hours"] == [["09:00", "12:00"], ["14:00", "17:30"]]
    assert (d["time_zone"], d["warn_ratio"], d["trip_days"]) == ("Asia/Shanghai", 0.8, ["wed", "sun"])
    assert default_settings("Asia/Urumqi")["time_zone"] == "Asia/Urumqi"


def test_office_hours_sorted_and_not_overlapping() -> None:
    assert parse_office_hours([["08:30", "12:00"], ["12:00", "18:00"]]) == [
        ["08:30", "12:00"],
        ["12:00", "18:00"],
    ]
    assert parse_office_hours([("09:00", "17:00")]) == [["09:00", "17:00"]]


@pytest.mark.parametrize(
    "hours",
    [
        [],
        None,
        "09:00-12:00",
        [["14:00", "17:30"], ["09:00", "12:00"]],  # not sorted
        [["09:00", "12:00"], ["11:00", "17:30"]],  # overlapping
        [["12:00", "09:00"]],  # ends before it starts
        [["09:00", "09:00"]],  # empty
        [["9:00", "12:00"]],
        [["09:00", "24:00"]],
        [["09:60", "12:00"]],
        [["09:00", "12:00", "13:00"]],
        [["09:00"]],
        [[900, 1200]],
    ],
)
def test_invalid_office_hours(hours: Any) -> None:
    with pytest.raises(ValidationFailed, match="office_hours"):
        parse_office_hours(hours)


def test_trip_days_in_week_order() -> None:
    assert parse_trip_days(["sun", "wed"]) == ["wed", "sun"]
    assert parse_trip_days([]) == []


@pytest.mark.parametrize("days", [["wednesday"], ["Wed"], ["wed", "wed"], "wed", [3]])
def test_invalid_trip_days(days: Any) -> None:
    with pytest.raises(ValidationFailed):
        parse_trip_days(days)


def test_a_patch_changes_only_what_it_names() -> None:
    current = default_settings("Asia/Shanghai")
    new = patch_settings(current, {"warn_ratio": 0.75, "trip_days": ["sun", "wed"], "extra": {"a": 1}})
    assert new == current | {"warn_ratio": 0.75, "trip_days": ["wed", "sun"], "extra": {"a": 1}}
    assert current["warn_ratio"] == 0.8  # not changed in place
    assert patch_settings(new, {"extra": {"a": None, "b": [1]}})["extra"] == {"b": [1]}


@pytest.mark.parametrize(
    "patch",
    [
        {"warn_ratio": 0},
        {"warn_ratio": 1},
        {"warn_ratio": 1.5},
        {"warn_ratio": -0.2},
        {"warn_ratio": None},
        {"warn_ratio": True},
        {"warn_ratio": "0.8"},
        {"warn_ratio": float("nan")},
        {"callback_ratio": 0},
        {"appeal_days": 0},
        {"appeal_days": 2.5},
        {"visit_round_days": 400},
        {"escalation_notice_days": None},
        {"locale": "chinese"},
        {"sign_in_times": ["14:30", "08:30"]},
        {"sign_in_times": []},
        {"time_zone": "Europe/Paris"},  # follows the county
        {"colour": "red"},  # unknown
        {"extra": {"warn_ratio": 0.5}},  # a known setting is set by itself
        {"extra": []},
        {"warn_ratio": 0.7, "office_hours": [["12:00", "09:00"]]},  # all or nothing
    ],
)
def test_an_invalid_patch(patch: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        patch_settings(default_settings("Asia/Shanghai"), patch)


def test_names_and_extra_settings_refuse_control_characters() -> None:
    with pytest.raises(ValidationFailed, match="control"):
        new_department("tudi", "国土\x00所")
    with pytest.raises(ValidationFailed, match="control"):
        new_village("bali", "巴力村", [{"code": "g1", "name": "一\t组"}])
    with pytest.raises(ValidationFailed, match="NUL"):
        patch_settings(default_settings("Asia/Shanghai"), {"extra": {"a": ["x", {"b\x00": 1}]}})
