"""A township's organisation through the gateway's HTTP API on the real database: villages,
departments, windows and their AB posts, staff, settings. Each change commits with its outbox
event; an invalid request writes nothing; window staff may read but not write; another
township's people do not see the township at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from libs.common import db
from libs.common.runtime import Runtime
from services.gateway.service_layer.settings import get_settings
from tests.integration.gateway.support import PASSWORD, assert_problem, login, outbox_rows, unique_code

DEFAULT_SETTINGS = {
    "office_hours": [["09:00", "12:00"], ["14:00", "17:30"]],
    "time_zone": "Asia/Shanghai",
    "trip_days": ["wed", "sun"],
    "warn_ratio": 0.8,
    "escalation_notice_days": 5,
    "appeal_days": 5,
    "visit_round_days": 14,
    "callback_ratio": 0.35,
    "locale": "zh-CN",
    "sign_in_times": ["08:30", "14:30"],
    "extra": {},
}


def _onboard(client: TestClient, headers: dict[str, str]) -> str:
    body = {"code": unique_code(), "name": "那坡镇", "villages": [{"code": "nongli", "name": "弄立村"}]}
    r = client.post("/v1/townships", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _events(runtime: Runtime, tenant: str) -> list[str]:
    return [r["event_type"] for r in outbox_rows(runtime, tenant)][1:]  # after township_onboarded


def _count(runtime: Runtime, table: str, tenant: str) -> int:
    with db.transaction(runtime.ops_sessions, None) as s:
        return s.execute(
            sa.text(f'SELECT count(*) FROM gateway."{table}" WHERE tenant_id = :t'), {"t": tenant}
        ).scalar_one()


@pytest.fixture
def township(client: TestClient, admin: dict[str, str]) -> str:
    return _onboard(client, admin)


@pytest.fixture
def other_township(client: TestClient, admin: dict[str, str]) -> str:
    return _onboard(client, admin)


@pytest.fixture
def ta(client: TestClient, make_user: Callable[..., str], township: str) -> dict[str, str]:
    """Headers of the township's admin."""
    return login(client, make_user(["township_admin"], [township]))


@pytest.fixture
def department(client: TestClient, ta: dict[str, str], township: str) -> str:
    r = client.post(
        f"/v1/townships/{township}/departments", json={"code": "minzheng", "name": "民政办"}, headers=ta
    )
    assert r.status_code == 201, r.text
    return "minzheng"


@pytest.fixture
def window(client: TestClient, ta: dict[str, str], township: str, department: str) -> str:
    body = {"code": "w1", "name": "民政窗口", "department": department, "item_codes": ["dibao"]}
    r = client.post(f"/v1/townships/{township}/windows", json=body, headers=ta)
    assert r.status_code == 201, r.text
    return "w1"


# --- settings ----------------------------------------------------------------------------------


def test_a_new_township_has_the_default_settings(
    client: TestClient, admin: dict[str, str], ta: dict[str, str], township: str, runtime: Runtime
) -> None:
    r = client.get(f"/v1/townships/{township}/settings", headers=ta)
    assert r.status_code == 200, r.text
    assert r.json() == DEFAULT_SETTINGS
    assert client.get(f"/v1/townships/{township}/settings", headers=admin).json() == DEFAULT_SETTINGS
    assert get_settings(runtime.sessions, township) == DEFAULT_SETTINGS  # for the calendar code
    assert _count(runtime, "tenant_settings", township) == 1  # written by the onboarding
    assert _events(runtime, township) == []  # onboarding publishes township_onboarded only


def test_patching_settings_changes_what_it_names_and_publishes_them(
    client: TestClient, ta: dict[str, str], township: str, runtime: Runtime
) -> None:
    patch = {"office_hours": [["08:30", "12:00"], ["14:30", "18:00"]], "trip_days": ["sun", "wed", "fri"]}
    r = client.patch(f"/v1/townships/{township}/settings", json=patch | {"warn_ratio": 0.75}, headers=ta)
    assert r.status_code == 200, r.text
    expected = DEFAULT_SETTINGS | patch | {"trip_days": ["wed", "fri", "sun"], "warn_ratio": 0.75}
    assert r.json() == expected
    assert client.get(f"/v1/townships/{township}/settings", headers=ta).json() == expected
    assert get_settings(runtime.sessions, township)["office_hours"] == patch["office_hours"]

    [event] = outbox_rows(runtime, township, "settings_changed")
    settings = event["payload"]["settings"]
    assert settings["office_hours"] == [
        {"start": "08:30", "end": "12:00"},
        {"start": "14:30", "end": "18:00"},
    ]
    assert (settings["trip_days"], settings["warn_ratio"]) == (["wed", "fri", "sun"], 0.75)
    assert settings["time_zone"] == "Asia/Shanghai"


@pytest.mark.parametrize(
    "patch",
    [
        {"office_hours": [["14:00", "17:30"], ["09:00", "12:00"]]},  # not sorted
        {"office_hours": [["09:00", "14:30"], ["14:00", "17:30"]]},  # overlapping
        {"office_hours": [["12:00", "09:00"]]},
        {"office_hours": [["9am", "12:00"]]},
        {"office_hours": []},
        {"office_hours": "09:00-17:00"},
        {"trip_days": ["wednesday"]},
        {"trip_days": ["wed", "wed"]},
        {"warn_ratio": 0},
        {"warn_ratio": 1},
        {"warn_ratio": 1.2},
        {"warn_ratio": None},
        {"warn_ratio": "lots"},
        {"time_zone": "Europe/Paris"},
        {"colour": "red"},
        {"warn_ratio": 0.5, "office_hours": [["12:00", "09:00"]]},  # all or nothing
    ],
)
def test_an_invalid_settings_patch_changes_nothing(
    client: TestClient, ta: dict[str, str], township: str, runtime: Runtime, patch: dict[str, Any]
) -> None:
    r = client.patch(f"/v1/townships/{township}/settings", json=patch, headers=ta)
    assert_problem(r, 422, "validation_error")
    assert client.get(f"/v1/townships/{township}/settings", headers=ta).json() == DEFAULT_SETTINGS
    assert _events(runtime, township) == []


# --- villages ----------------------------------------------------------------------------------


def test_adding_a_village_and_changing_its_groups(
    client: TestClient, ta: dict[str, str], township: str, runtime: Runtime
) -> None:
    url = f"/v1/townships/{township}/villages"
    body = {"code": "bali", "name": "巴力村", "groups": [{"code": "g1", "name": "一组"}]}
    r = client.post(url, json=body, headers=ta)
    assert r.status_code == 201, r.text
    assert r.json() == body

    again = body | {"groups": [{"code": "g1", "name": "一组"}, {"code": "g2", "name": "二组"}]}
    r = client.post(url, json=again, headers=ta)
    assert r.status_code == 200, r.text  # saved, not added
    assert r.json() == again

    listed = client.get(url, headers=ta).json()
    assert listed == {
        "items": [again, {"code": "nongli", "name": "弄立村", "groups": []}],
        "next_page_token": "",
    }
    events = outbox_rows(runtime, township, "village_saved")
    assert [len(e["payload"]["village"].get("groups", [])) for e in events] == [1, 2]
    assert events[0]["payload"]["tenant_id"] == township
    # the township's own view shows it too
    assert [v["code"] for v in client.get(f"/v1/townships/{township}", headers=ta).json()["villages"]] == [
        "bali",
        "nongli",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"code": "Ba Li", "name": "巴力村"},
        {"code": "bali", "name": " "},
        {
            "code": "bali",
            "name": "巴力村",
            "groups": [{"code": "g1", "name": "一"}, {"code": "g1", "name": "二"}],
        },
        {"code": "bali"},
        {"code": "bali", "name": "巴力村", "groups": "g1"},
    ],
)
def test_an_invalid_village_writes_nothing(
    client: TestClient, ta: dict[str, str], township: str, runtime: Runtime, body: dict
) -> None:
    assert_problem(
        client.post(f"/v1/townships/{township}/villages", json=body, headers=ta), 422, "validation_error"
    )
    assert _count(runtime, "village", township) == 1
    assert _events(runtime, township) == []


# --- departments -------------------------------------------------------------------------------


def test_creating_and_listing_departments(
    client: TestClient, ta: dict[str, str], township: str, department: str, runtime: Runtime
) -> None:
    url = f"/v1/townships/{township}/departments"
    assert client.post(url, json={"code": "tudi", "name": "国土所"}, headers=ta).json() == {
        "code": "tudi",
        "name": "国土所",
    }
    assert client.get(url, headers=ta).json()["items"] == [
        {"code": "minzheng", "name": "民政办"},
        {"code": "tudi", "name": "国土所"},
    ]
    events = outbox_rows(runtime, township, "department_created")
    assert [e["payload"]["department"] for e in events] == [
        {"code": "minzheng", "name": "民政办"},
        {"code": "tudi", "name": "国土所"},
    ]
    assert all(e["tenant_id"] == township for e in events)


@pytest.mark.parametrize(
    "body",
    [
        {"code": "minzheng", "name": "又一个民政办"},  # exists
        {"code": "min zheng", "name": "民政办"},
        {"code": "tudi", "name": ""},
        {"name": "国土所"},
    ],
)
def test_an_invalid_department_writes_nothing(
    client: TestClient, ta: dict[str, str], township: str, department: str, runtime: Runtime, body: dict
) -> None:
    r = client.post(f"/v1/townships/{township}/departments", json=body, headers=ta)
    assert_problem(r, 422, "validation_error")
    assert client.get(f"/v1/townships/{township}/departments", headers=ta).json()["items"] == [
        {"code": "minzheng", "name": "民政办"}
    ]
    assert len(outbox_rows(runtime, township, "department_created")) == 1


def test_lists_are_paged(client: TestClient, ta: dict[str, str], township: str) -> None:
    url = f"/v1/townships/{township}/departments"
    for code in ("d1", "d2", "d3"):
        assert client.post(url, json={"code": code, "name": code}, headers=ta).status_code == 201
    first = client.get(url, params={"page_size": 2}, headers=ta).json()
    assert [d["code"] for d in first["items"]] == ["d1", "d2"] and first["next_page_token"]
    second = client.get(
        url, params={"page_size": 2, "page_token": first["next_page_token"]}, headers=ta
    ).json()
    assert (second["items"], second["next_page_token"]) == ([{"code": "d3", "name": "d3"}], "")


# --- windows -----------------------------------------------------------------------------------


def test_creating_changing_and_listing_windows(
    client: TestClient, ta: dict[str, str], township: str, window: str, runtime: Runtime
) -> None:
    url = f"/v1/townships/{township}/windows"
    created = {
        "code": "w1",
        "name": "民政窗口",
        "department": "minzheng",
        "item_codes": ["dibao"],
        "posts": {"a": None, "b": None},
    }
    assert client.get(url, headers=ta).json() == {"items": [created], "next_page_token": ""}

    changed = {"code": "w1", "name": "综合窗口", "department": "minzheng", "item_codes": ["dibao", "wubao"]}
    r = client.post(url, json=changed, headers=ta)
    assert r.status_code == 200, r.text
    assert r.json() == changed | {"posts": {"a": None, "b": None}}

    events = outbox_rows(runtime, township, "window_saved")
    assert [e["payload"]["window"] for e in events] == [
        {"code": "w1", "name": "民政窗口", "department": "minzheng", "item_codes": ["dibao"]},
        {"code": "w1", "name": "综合窗口", "department": "minzheng", "item_codes": ["dibao", "wubao"]},
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"code": "w2", "name": "国土窗口", "department": "tudi"},  # no such department
        {"code": "W 2", "name": "窗口", "department": "minzheng"},
        {"code": "w2", "name": "窗口", "department": "minzheng", "item_codes": ["dibao", "dibao"]},
        {"code": "w2", "name": "窗口", "department": "minzheng", "item_codes": "dibao"},
        {"code": "w2", "name": "窗口"},
    ],
)
def test_an_invalid_window_writes_nothing(
    client: TestClient, ta: dict[str, str], township: str, department: str, runtime: Runtime, body: dict
) -> None:
    assert_problem(
        client.post(f"/v1/townships/{township}/windows", json=body, headers=ta), 422, "validation_error"
    )
    assert _count(runtime, "window", township) == 0
    assert outbox_rows(runtime, township, "window_saved") == []


# --- AB posts ----------------------------------------------------------------------------------


def test_assigning_and_reassigning_ab_posts(
    client: TestClient,
    ta: dict[str, str],
    township: str,
    window: str,
    make_user: Callable[..., str],
    runtime: Runtime,
) -> None:
    a, b, c = (make_user(["window_staff"], [township]) for _ in range(3))
    url = f"/v1/townships/{township}/windows/{window}/posts"
    r = client.put(url, json={"a": a, "b": b}, headers=ta)
    assert r.status_code == 200, r.text
    assert r.json()["posts"] == {"a": a, "b": b}
    r = client.put(url, json={"a": c, "b": a}, headers=ta)
    assert r.json()["posts"] == {"a": c, "b": a}
    assert client.get(f"/v1/townships/{township}/windows", headers=ta).json()["items"][0]["posts"] == {
        "a": c,
        "b": a,
    }

    first, second = (e["payload"] for e in outbox_rows(runtime, township, "window_posts_assigned"))
    assert first == {"window": window, "posts": {"a": a, "b": b}}
    assert second == {"window": window, "posts": {"a": c, "b": a}, "previous": {"a": a, "b": b}}


@pytest.mark.parametrize("case", ["same", "not_window_staff", "other_township", "unknown", "missing_b"])
def test_invalid_ab_posts_change_nothing(
    client: TestClient,
    ta: dict[str, str],
    township: str,
    other_township: str,
    window: str,
    make_user: Callable[..., str],
    runtime: Runtime,
    case: str,
) -> None:
    a = make_user(["window_staff"], [township])
    body = {
        "same": {"a": a, "b": a},
        "not_window_staff": {"a": a, "b": make_user(["intake_desk"], [township])},
        "other_township": {"a": a, "b": make_user(["window_staff"], [other_township])},
        "unknown": {"a": a, "b": unique_code("nobody")},
        "missing_b": {"a": a},
    }[case]
    r = client.put(f"/v1/townships/{township}/windows/{window}/posts", json=body, headers=ta)
    assert_problem(r, 422, "validation_error")
    assert client.get(f"/v1/townships/{township}/windows", headers=ta).json()["items"][0]["posts"] == {
        "a": None,
        "b": None,
    }
    assert outbox_rows(runtime, township, "window_posts_assigned") == []


def test_posts_of_an_unknown_window_are_not_found(
    client: TestClient, ta: dict[str, str], township: str, make_user: Callable[..., str]
) -> None:
    a, b = (make_user(["window_staff"], [township]) for _ in range(2))
    r = client.put(f"/v1/townships/{township}/windows/w9/posts", json={"a": a, "b": b}, headers=ta)
    assert_problem(r, 404, "not_found")


# --- staff -------------------------------------------------------------------------------------


def test_creating_staff_makes_an_account_of_the_township_with_a_masked_phone(
    client: TestClient, ta: dict[str, str], township: str, window: str, runtime: Runtime
) -> None:
    username = unique_code("zhang")
    body = {
        "username": username,
        "password": "a long password",
        "name": "张三",
        "phone": "13812345678",
        "roles": ["window_staff", "intake_desk"],
        "window": window,
        "village": "nongli",
    }
    r = client.post(f"/v1/townships/{township}/staff", json=body, headers=ta)
    assert r.status_code == 201, r.text
    view = {
        "username": username,
        "name": "张三",
        "phone": "138****5678",
        "roles": ["intake_desk", "window_staff"],
        "window": "w1",
        "village": "nongli",
    }
    assert r.json() == view

    listed = client.get(f"/v1/townships/{township}/staff", headers=ta).json()["items"]
    assert view in listed
    assert all("13812345678" not in str(m) for m in listed)
    assert len(listed) == 2  # and the township admin (no window, no village)

    # the account works, in this township only
    me = client.get("/v1/me", headers=login(client, username, "a long password")).json()
    assert (me["roles"], me["tenants"]) == (["intake_desk", "window_staff"], [township])

    [event] = outbox_rows(runtime, township, "staff_saved")
    assert event["payload"] == {
        "username": username,
        "name": "张三",
        "roles": ["ROLE_INTAKE_DESK", "ROLE_WINDOW_STAFF"],
        "window": "w1",
        "village": "nongli",
        "active": True,
        "phone": "13812345678",  # staff contact for notify's SMS; masked everywhere it is listed
    }


def test_the_leave_approvers_are_township_roles(
    client: TestClient, ta: dict[str, str], township: str, runtime: Runtime
) -> None:
    """centre_head (中心主任) and township_leader (乡镇领导) approve leaves (DOMAIN.md §1, §8)."""
    for role, enum in (("centre_head", "ROLE_CENTRE_HEAD"), ("township_leader", "ROLE_TOWNSHIP_LEADER")):
        username = unique_code(role.replace("_", ""))
        body = {
            "username": username,
            "password": "a long password",
            "name": "领导",
            "phone": "13812345678",
            "roles": [role],
        }
        r = client.post(f"/v1/townships/{township}/staff", json=body, headers=ta)
        assert r.status_code == 201, r.text
        assert r.json()["roles"] == [role]
        me = client.get("/v1/me", headers=login(client, username, "a long password")).json()
        assert (me["roles"], me["tenants"]) == ([role], [township])
        saved = [
            e for e in outbox_rows(runtime, township, "staff_saved") if e["payload"]["username"] == username
        ]
        assert saved[0]["payload"]["roles"] == [enum]


@pytest.mark.parametrize(
    "changes",
    [
        {"roles": ["county_admin"]},  # only township roles here
        {"roles": ["window_staff", "county_supervisor"]},
        {"roles": []},
        {"roles": ["chief"]},
        {"window": "w9"},
        {"village": "v9"},
        {"password": "short"},
        {"password": "12345678"},  # too easy to guess
        {"password": "        "},
        {"password": "x" * 257},  # longer than a login takes
        {"phone": "not a phone"},
        {"username": "Zhang San"},
        {"username": "__ADMIN__"},  # exists already
        {"name": ""},
    ],
)
def test_invalid_staff_writes_nothing(
    client: TestClient,
    ta: dict[str, str],
    township: str,
    window: str,
    make_user: Callable[..., str],
    runtime: Runtime,
    changes: dict,
) -> None:
    username = unique_code("li")
    body = {
        "username": username,
        "password": PASSWORD,
        "name": "李四",
        "phone": "0776-5551234",
        "roles": ["window_staff"],
        "window": window,
    } | changes
    if body["username"] == "__ADMIN__":
        body["username"] = make_user(["window_staff"], [township])
    assert_problem(
        client.post(f"/v1/townships/{township}/staff", json=body, headers=ta), 422, "validation_error"
    )
    with db.transaction(runtime.ops_sessions, None) as s:
        assert (
            s.execute(
                sa.text("SELECT count(*) FROM gateway.user_account WHERE username = :u"), {"u": username}
            ).scalar_one()
            == 0
        )
    assert _count(runtime, "staff", township) == 0
    assert outbox_rows(runtime, township, "staff_saved") == []


# --- who may do what ---------------------------------------------------------------------------

WRITES: list[tuple[str, str, dict]] = [
    ("POST", "villages", {"code": "bali", "name": "巴力村"}),
    ("POST", "departments", {"code": "tudi", "name": "国土所"}),
    ("POST", "windows", {"code": "w2", "name": "窗口", "department": "minzheng"}),
    ("PUT", "windows/w1/posts", {"a": "__A__", "b": "__B__"}),
    (
        "POST",
        "staff",
        {
            "username": "__NEW__",
            "password": PASSWORD,
            "name": "王五",
            "phone": "13900001111",
            "roles": ["intake_desk"],
        },
    ),
    ("PATCH", "settings", {"warn_ratio": 0.7}),
]
READS = ["villages", "departments", "windows", "staff", "settings"]


def _write(
    client: TestClient, tenant: str, write: tuple[str, str, dict], headers: dict[str, str], **names: str
):  # type: ignore[no-untyped-def]
    method, path, body = write
    body = {k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    return client.request(method, f"/v1/townships/{tenant}/{path}", json=body, headers=headers)


@pytest.mark.parametrize("write", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_window_staff_may_read_but_not_write(
    client: TestClient,
    township: str,
    window: str,
    make_user: Callable[..., str],
    runtime: Runtime,
    write: tuple[str, str, dict],
) -> None:
    a, b = (make_user(["window_staff"], [township]) for _ in range(2))
    staff = login(client, a)
    before = len(outbox_rows(runtime, township))
    r = _write(client, township, write, staff, __A__=a, __B__=b, __NEW__=unique_code("w"))
    assert_problem(r, 403, "forbidden")
    assert len(outbox_rows(runtime, township)) == before
    for path in READS:
        assert client.get(f"/v1/townships/{township}/{path}", headers=staff).status_code == 200, path


@pytest.mark.parametrize("write", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_another_townships_admin_does_not_see_the_township(
    client: TestClient,
    township: str,
    other_township: str,
    window: str,
    make_user: Callable[..., str],
    runtime: Runtime,
    write: tuple[str, str, dict],
) -> None:
    a, b = (make_user(["window_staff"], [township]) for _ in range(2))
    stranger = login(client, make_user(["township_admin"], [other_township]))
    before = len(outbox_rows(runtime, township))
    r = _write(client, township, write, stranger, __A__=a, __B__=b, __NEW__=unique_code("w"))
    assert_problem(r, 404, "not_found")
    assert len(outbox_rows(runtime, township)) == before
    for path in READS:
        assert_problem(client.get(f"/v1/townships/{township}/{path}", headers=stranger), 404, "not_found")


@pytest.mark.parametrize("write", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_a_county_admin_may_write_and_a_county_supervisor_may_only_read(
    client: TestClient,
    admin: dict[str, str],
    township: str,
    window: str,
    make_user: Callable[..., str],
    write: tuple[str, str, dict],
) -> None:
    a, b = (make_user(["window_staff"], [township]) for _ in range(2))
    supervisor = login(client, make_user(["county_supervisor"]))
    names = {"__A__": a, "__B__": b, "__NEW__": unique_code("w")}
    assert_problem(_write(client, township, write, supervisor, **names), 403, "forbidden")
    assert _write(client, township, write, admin, **names).status_code in (200, 201)
    for path in READS:
        assert client.get(f"/v1/townships/{township}/{path}", headers=supervisor).status_code == 200, path


def test_staff_phones_are_masked_for_county_roles_too(
    client: TestClient, admin: dict[str, str], township: str, make_user: Callable[..., str]
) -> None:
    r = client.post(
        f"/v1/townships/{township}/staff",
        json={
            "username": unique_code("z"),
            "password": PASSWORD,
            "name": "赵六",
            "phone": "0776-5551234",
            "roles": ["proxy_agent"],
            "village": "nongli",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    supervisor = login(client, make_user(["county_supervisor"]))
    for headers in (admin, supervisor):
        phones = [
            m["phone"] for m in client.get(f"/v1/townships/{township}/staff", headers=headers).json()["items"]
        ]
        assert "0776-***1234" in phones and "0776-5551234" not in phones


def test_reads_and_writes_need_a_token(client: TestClient, township: str) -> None:
    assert_problem(client.get(f"/v1/townships/{township}/settings"), 401, "unauthenticated")
    r = client.post(f"/v1/townships/{township}/departments", json={"code": "tudi", "name": "国土所"})
    assert_problem(r, 401, "unauthenticated")


@pytest.mark.parametrize("write", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_a_township_that_does_not_exist_is_not_found_even_for_a_county_admin(
    client: TestClient, admin: dict[str, str], runtime: Runtime, write: tuple[str, str, dict]
) -> None:
    nowhere = f"tianyang.{unique_code()}"
    r = _write(client, nowhere, write, admin, __A__="a1", __B__="b1", __NEW__=unique_code("w"))
    assert_problem(r, 404, "not_found")
    for path in READS:
        assert_problem(client.get(f"/v1/townships/{nowhere}/{path}", headers=admin), 404, "not_found")
    assert outbox_rows(runtime, nowhere) == []
    assert all(_count(runtime, table, nowhere) == 0 for table in ("village", "department", "staff"))


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("villages", {"code": "bali", "name": "巴力\x00村"}),
        ("departments", {"code": "tudi", "name": "国土\n所"}),
        ("settings", {"extra": {"motto": "为民\x00服务"}}),
    ],
)
def test_control_characters_are_refused_not_a_server_error(
    client: TestClient, ta: dict[str, str], township: str, runtime: Runtime, path: str, body: dict
) -> None:
    method = client.patch if path == "settings" else client.post
    assert_problem(method(f"/v1/townships/{township}/{path}", json=body, headers=ta), 422, "validation_error")
    assert _events(runtime, township) == []
