"""Calendars through the gateway's HTTP API on the real database: county and township overrides
(each with its outbox event in the same transaction), the effective calendar
(national ∘ county ∘ township), deadline previews (sla.md §8 T1, T2, T5, T10, T14), refusals and
validation errors that write nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from libs.common import db
from libs.common.runtime import Runtime
from services.gateway.service_layer.calendars import import_national_year
from tests.integration.gateway.support import assert_problem, login, outbox_rows, unique_code

COUNTY_SCOPE = "tianyang.*"
HOURS = [["09:00", "12:00"], ["14:00", "17:30"]]
EVENT = "calendar_day_changed"


@pytest.fixture(scope="module", autouse=True)
def national_calendars(runtime: Runtime) -> None:
    """2026 published; 2027 imported before its State Council notice (provisional)."""
    assert import_national_year(runtime.sessions, 2026, "tianyang")["published"] is True
    assert import_national_year(runtime.sessions, 2027, "tianyang")["published"] is False


def _onboard(client: TestClient, admin: dict[str, str]) -> str:
    r = client.post("/v1/townships", json={"code": unique_code(), "name": "那坡镇"}, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture
def town_a(client: TestClient, admin: dict[str, str]) -> str:
    return _onboard(client, admin)


@pytest.fixture
def town_b(client: TestClient, admin: dict[str, str]) -> str:
    return _onboard(client, admin)


@pytest.fixture
def a_admin(client: TestClient, make_user: Callable[..., str], town_a: str) -> dict[str, str]:
    return login(client, make_user(["township_admin"], [town_a]))


@pytest.fixture
def a_staff(client: TestClient, make_user: Callable[..., str], town_a: str) -> dict[str, str]:
    return login(client, make_user(["window_staff"], [town_a]))


def _days(client: TestClient, headers: dict[str, str], tenant: str, first: str, last: str) -> dict[str, dict]:
    r = client.get(f"/v1/townships/{tenant}/calendar", params={"from": first, "to": last}, headers=headers)
    assert r.status_code == 200, r.text
    return {d["date"]: d for d in r.json()}


def _deadline(client: TestClient, headers: dict[str, str], tenant: str, start: str, n: int) -> dict:
    r = client.get(
        f"/v1/townships/{tenant}/calendar/deadline",
        params={"start": start, "working_days": n},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    return r.json()


def _overrides(runtime: Runtime, scope: str) -> dict[str, tuple[bool, str]]:
    with db.transaction(runtime.ops_sessions, None) as s:
        rows = s.execute(
            sa.text("SELECT day, working, reason FROM gateway.calendar_day WHERE scope = :s"), {"s": scope}
        ).all()
    return {d.isoformat(): (w, r) for d, w, r in rows}


# --- the effective calendar ---------------------------------------------------------------------


def test_the_national_calendar_with_weekends_holidays_and_adjusted_days(
    client: TestClient, a_staff: dict[str, str], town_a: str
) -> None:
    days = _days(client, a_staff, town_a, "2026-09-18", "2026-09-28")
    assert len(days) == 11
    assert days["2026-09-18"] == {
        "date": "2026-09-18",
        "working": True,
        "hours": HOURS,
        "source": "national",
        "provisional": False,
    }
    assert days["2026-09-19"]["working"] is False and days["2026-09-19"]["hours"] == []  # a Saturday
    assert days["2026-09-20"]["working"] is True and days["2026-09-20"]["hours"] == HOURS  # Sunday, adjusted
    for d in ("2026-09-25", "2026-09-26", "2026-09-27"):  # Mid-Autumn
        assert days[d]["working"] is False and days[d]["source"] == "national"


def test_a_township_override_changes_that_township_only_and_delete_removes_it(
    client: TestClient,
    a_admin: dict[str, str],
    admin: dict[str, str],
    town_a: str,
    town_b: str,
    runtime: Runtime,
) -> None:
    day = "2026-04-18"  # a Saturday worked for a campaign (T14)
    r = client.put(
        f"/v1/townships/{town_a}/calendar/days/{day}",
        json={"kind": "work", "reason": "春季征兵集中办理"},
        headers=a_admin,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert {k: body[k] for k in ("date", "kind", "reason", "scope", "source")} == {
        "date": day,
        "kind": "work",
        "reason": "春季征兵集中办理",
        "scope": town_a,
        "source": "township",
    }
    assert _overrides(runtime, town_a) == {day: (True, "春季征兵集中办理")}

    a = _days(client, a_admin, town_a, "2026-04-17", "2026-04-20")
    assert a[day] == {
        "date": day,
        "working": True,
        "hours": HOURS,
        "source": "township",
        "provisional": False,
    }
    b = _days(client, admin, town_b, "2026-04-17", "2026-04-20")
    assert b[day]["working"] is False and b[day]["source"] == "national"  # the neighbour is unaffected

    # a case accepted on Friday gets Saturday as its first working day in A only
    start = "2026-04-17T10:00:00+08:00"
    assert _deadline(client, a_admin, town_a, start, 1)["due_at"] == "2026-04-18T17:30:00+08:00"
    assert _deadline(client, admin, town_b, start, 1)["due_at"] == "2026-04-20T17:30:00+08:00"

    (changed,) = outbox_rows(runtime, town_a, EVENT)
    assert changed["payload"]["county"] == "tianyang"
    assert changed["payload"]["day"]["date"] == day
    assert changed["payload"]["day"]["kind"] == "DAY_KIND_WORK"
    assert changed["payload"]["day"]["source"] == "CALENDAR_SOURCE_TOWNSHIP"
    assert not changed["payload"].get("removed", False)

    r = client.delete(f"/v1/townships/{town_a}/calendar/days/{day}", headers=a_admin)
    assert r.status_code == 204, r.text
    assert _overrides(runtime, town_a) == {}
    assert _days(client, a_admin, town_a, day, day)[day]["working"] is False
    assert _deadline(client, a_admin, town_a, start, 1)["due_at"] == "2026-04-20T17:30:00+08:00"
    rows = outbox_rows(runtime, town_a, EVENT)
    assert len(rows) == 2 and rows[1]["payload"]["removed"] is True
    assert int(rows[1]["payload"]["version"]) > int(rows[0]["payload"]["version"])

    assert_problem(
        client.delete(f"/v1/townships/{town_a}/calendar/days/{day}", headers=a_admin), 404, "not_found"
    )
    assert len(outbox_rows(runtime, town_a, EVENT)) == 2  # nothing removed, nothing published


def test_a_county_override_changes_every_township_and_a_township_override_beats_it(
    client: TestClient,
    admin: dict[str, str],
    a_admin: dict[str, str],
    town_a: str,
    town_b: str,
    runtime: Runtime,
) -> None:
    day = "2026-04-20"  # a Monday: a local holiday for the whole county (壮族三月三, T14)
    before = len(outbox_rows(runtime, COUNTY_SCOPE, EVENT))
    r = client.put(f"/v1/calendar/days/{day}", json={"kind": "off", "reason": "壮族三月三"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "tianyang" and r.json()["source"] == "county"
    try:
        for tenant in (town_a, town_b):
            d = _days(client, admin, tenant, day, day)[day]
            assert (d["working"], d["source"], d["hours"]) == (False, "county", [])
        start = "2026-04-17T10:00:00+08:00"  # Friday; Monday is off now
        assert _deadline(client, admin, town_b, start, 1)["due_at"] == "2026-04-21T17:30:00+08:00"

        rows = outbox_rows(runtime, COUNTY_SCOPE, EVENT)
        assert len(rows) == before + 1
        assert rows[-1]["payload"]["day"]["source"] == "CALENDAR_SOURCE_COUNTY"
        assert rows[-1]["payload"]["day"]["kind"] == "DAY_KIND_OFF"
        assert rows[-1]["payload"]["day"]["reason"] == "壮族三月三"

        # the nearest level wins: township A keeps the day open
        r = client.put(
            f"/v1/townships/{town_a}/calendar/days/{day}",
            json={"kind": "work", "reason": "值班开放"},
            headers=a_admin,
        )
        assert r.status_code == 200, r.text
        assert _days(client, admin, town_a, day, day)[day]["source"] == "township"
        assert _days(client, admin, town_a, day, day)[day]["working"] is True
        assert _days(client, admin, town_b, day, day)[day]["working"] is False
        # a township admin may not change the county's calendar
        assert_problem(client.delete(f"/v1/calendar/days/{day}", headers=a_admin), 403, "forbidden")
    finally:
        r = client.delete(f"/v1/calendar/days/{day}", headers=admin)
    assert r.status_code == 204, r.text
    assert _days(client, admin, town_b, day, day)[day] | {"hours": None} == {
        "date": day,
        "working": True,
        "hours": None,
        "source": "national",
        "provisional": False,
    }
    assert outbox_rows(runtime, COUNTY_SCOPE, EVENT)[-1]["payload"]["removed"] is True
    assert _overrides(runtime, "tianyang") == {}
    assert_problem(client.delete(f"/v1/calendar/days/{day}", headers=admin), 404, "not_found")


# --- deadline previews --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "due"),
    [  # T1: after close on the Friday before Mid-Autumn; Sun 09-20 is an adjusted working day
        (1, "2026-09-20T17:30:00+08:00"),
        (3, "2026-09-22T17:30:00+08:00"),
        (5, "2026-09-24T17:30:00+08:00"),
        (7, "2026-09-29T17:30:00+08:00"),
    ],
)
def test_deadline_across_mid_autumn(
    client: TestClient, a_staff: dict[str, str], town_a: str, n: int, due: str
) -> None:
    answer = _deadline(client, a_staff, town_a, "2026-09-18T17:45:00+08:00", n)
    assert answer == {"due_at": due, "provisional": False}


def test_deadline_across_national_day_with_a_working_saturday(
    client: TestClient, a_staff: dict[str, str], town_a: str
) -> None:
    # T2, DAY model: 10-08, 10-09, Sat 10-10, 10-12, 10-13
    answer = _deadline(client, a_staff, town_a, "2026-09-30T10:00:00+08:00", 5)
    assert answer == {"due_at": "2026-10-13T17:30:00+08:00", "provisional": False}


@pytest.fixture
def server_in_another_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The server process runs in a zone far from the county's (T10: 'server runs in UTC')."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("server_in_another_zone")
def test_deadline_uses_the_county_zone_whatever_the_input_offset_or_the_server_zone(
    client: TestClient, a_staff: dict[str, str], town_a: str
) -> None:
    # T10: 2026-10-07 16:30Z is 10-08 00:30 in Asia/Shanghai, a working Thursday (not the
    # holiday 10-07): the first working day after it is Friday 10-09
    expected = {"due_at": "2026-10-09T17:30:00+08:00", "provisional": False}
    assert _deadline(client, a_staff, town_a, "2026-10-07T16:30:00Z", 1) == expected
    assert _deadline(client, a_staff, town_a, "2026-10-07T16:30:00+00:00", 1) == expected
    assert _deadline(client, a_staff, town_a, "2026-10-07T12:30:00-04:00", 1) == expected
    # an immediate case (n = 0) is due at that local day's close
    assert (
        _deadline(client, a_staff, town_a, "2026-10-07T16:30:00Z", 0)["due_at"] == "2026-10-08T17:30:00+08:00"
    )


def test_a_year_without_a_published_national_calendar_is_provisional(
    client: TestClient, a_staff: dict[str, str], town_a: str
) -> None:
    # T5: 2027 is not published: weekends only, and said so
    start = "2026-12-28T10:00:00+08:00"
    assert _deadline(client, a_staff, town_a, start, 2) == {
        "due_at": "2026-12-30T17:30:00+08:00",
        "provisional": False,
    }
    assert _deadline(client, a_staff, town_a, start, 5) == {
        "due_at": "2027-01-04T17:30:00+08:00",
        "provisional": True,
    }
    days = _days(client, a_staff, town_a, "2026-12-31", "2027-01-04")
    assert days["2026-12-31"]["provisional"] is False
    assert all(days[d]["provisional"] for d in ("2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"))
    assert [days[d]["working"] for d in ("2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04")] == [
        True,  # no guessed New Year holiday before the notice
        False,
        False,
        True,
    ]


# --- refusals and validation --------------------------------------------------------------------


def test_who_may_change_and_see_a_calendar(
    client: TestClient,
    a_staff: dict[str, str],
    a_admin: dict[str, str],
    admin: dict[str, str],
    town_a: str,
    town_b: str,
    runtime: Runtime,
) -> None:
    body = {"kind": "off", "reason": "停电"}
    day = "2026-06-01"
    assert_problem(
        client.put(f"/v1/townships/{town_a}/calendar/days/{day}", json=body, headers=a_staff),
        403,
        "forbidden",
    )
    assert_problem(
        client.delete(f"/v1/townships/{town_a}/calendar/days/{day}", headers=a_staff), 403, "forbidden"
    )
    assert_problem(client.put(f"/v1/calendar/days/{day}", json=body, headers=a_admin), 403, "forbidden")
    # another township does not exist for A's people
    assert_problem(
        client.put(f"/v1/townships/{town_b}/calendar/days/{day}", json=body, headers=a_admin),
        404,
        "not_found",
    )
    r = client.get(f"/v1/townships/{town_b}/calendar", params={"from": day, "to": day}, headers=a_admin)
    assert_problem(r, 404, "not_found")
    r = client.get(
        f"/v1/townships/{town_b}/calendar/deadline",
        params={"start": "2026-06-01T10:00:00+08:00", "working_days": 1},
        headers=a_staff,
    )
    assert_problem(r, 404, "not_found")
    # a township that was never onboarded: not_found, even for the county
    ghost = f"tianyang.{unique_code()}"
    assert_problem(
        client.put(f"/v1/townships/{ghost}/calendar/days/{day}", json=body, headers=admin), 404, "not_found"
    )
    assert_problem(
        client.get(f"/v1/townships/{ghost}/calendar", params={"from": day, "to": day}, headers=admin),
        404,
        "not_found",
    )
    assert_problem(client.put(f"/v1/calendar/days/{day}", json=body), 401, "unauthenticated")
    # the county admin may change a township's calendar
    r = client.put(f"/v1/townships/{town_b}/calendar/days/{day}", json=body, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["updated_by"] and r.json()["source"] == "township"
    assert _overrides(runtime, town_a) == {} and _overrides(runtime, ghost) == {}
    assert outbox_rows(runtime, town_a, EVENT) == []
    assert len(outbox_rows(runtime, town_b, EVENT)) == 1


@pytest.mark.parametrize(
    ("day", "body"),
    [
        ("2026-02-30", {"kind": "off", "reason": "x"}),  # no such date
        ("20260418", {"kind": "off", "reason": "x"}),  # not YYYY-MM-DD
        ("1899-04-18", {"kind": "off", "reason": "x"}),  # out of the supported years
        ("2026-04-18", {"kind": "holiday", "reason": "x"}),  # bad kind
        ("2026-04-18", {"kind": "off"}),  # missing reason
        ("2026-04-18", {"kind": "off", "reason": "   "}),  # blank reason
        ("2026-04-18", {"reason": "x"}),  # missing kind
    ],
)
def test_invalid_overrides_are_refused_and_write_nothing(
    client: TestClient,
    admin: dict[str, str],
    a_admin: dict[str, str],
    town_a: str,
    runtime: Runtime,
    day: str,
    body: dict,
) -> None:
    county_events = len(outbox_rows(runtime, COUNTY_SCOPE, EVENT))
    county_days = _overrides(runtime, "tianyang")
    assert_problem(
        client.put(f"/v1/townships/{town_a}/calendar/days/{day}", json=body, headers=a_admin),
        422,
        "validation_error",
    )
    assert_problem(client.put(f"/v1/calendar/days/{day}", json=body, headers=admin), 422, "validation_error")
    assert _overrides(runtime, town_a) == {}
    assert _overrides(runtime, "tianyang") == county_days
    assert outbox_rows(runtime, town_a, EVENT) == []
    assert len(outbox_rows(runtime, COUNTY_SCOPE, EVENT)) == county_events


def test_invalid_deletes_are_refused(client: TestClient, a_admin: dict[str, str], town_a: str) -> None:
    r = client.delete(f"/v1/townships/{town_a}/calendar/days/2026-13-01", headers=a_admin)
    assert_problem(r, 422, "validation_error")


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-09-18T17:45:00", "working_days": 1},  # naive: which zone?
        {"start": "2026-09-18", "working_days": 1},  # a date is not an instant
        {"start": "tomorrow", "working_days": 1},
        {"start": "2026-09-31T10:00:00+08:00", "working_days": 1},
        {"start": "2026-09-18T17:45:00+08:00", "working_days": -1},
        {"start": "2026-09-18T17:45:00+08:00", "working_days": 366},
        {"start": "2026-09-18T17:45:00+08:00", "working_days": "five"},
        {"start": "2026-09-18T17:45:00+08:00"},
        {"working_days": 1},
    ],
)
def test_invalid_deadline_questions(
    client: TestClient, a_staff: dict[str, str], town_a: str, params: dict
) -> None:
    r = client.get(f"/v1/townships/{town_a}/calendar/deadline", params=params, headers=a_staff)
    assert_problem(r, 422, "validation_error")


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-05-02", "to": "2026-05-01"},  # from after to
        {"from": "2026-01-01", "to": "2027-01-02"},  # 367 days
        {"from": "2026-01-01"},
        {"from": "2026/01/01", "to": "2026-01-02"},
    ],
)
def test_invalid_calendar_ranges(
    client: TestClient, a_staff: dict[str, str], town_a: str, params: dict
) -> None:
    r = client.get(f"/v1/townships/{town_a}/calendar", params=params, headers=a_staff)
    assert_problem(r, 422, "validation_error")


def test_the_longest_range_is_answered(client: TestClient, a_staff: dict[str, str], town_a: str) -> None:
    days = _days(client, a_staff, town_a, "2026-01-01", "2027-01-01")  # 366 days, across two years
    assert len(days) == 366
    assert days["2026-01-04"]["working"] is True  # a Sunday worked for New Year (T12)
    assert days["2027-01-01"]["provisional"] is True


def test_an_unknown_township_is_not_found_before_any_role_check(
    client: TestClient, make_user: Callable[..., str], town_a: str, runtime: Runtime
) -> None:
    supervisor = login(client, make_user(["county_supervisor"]))  # sees the county, may not write
    body = {"kind": "off", "reason": "停电"}
    day = "2026-06-02"
    ghost = f"tianyang.{unique_code()}"
    r = client.put(f"/v1/townships/{ghost}/calendar/days/{day}", json=body, headers=supervisor)
    assert_problem(r, 404, "not_found")
    assert_problem(
        client.delete(f"/v1/townships/{ghost}/calendar/days/{day}", headers=supervisor), 404, "not_found"
    )
    r = client.put(f"/v1/townships/{town_a}/calendar/days/{day}", json=body, headers=supervisor)
    assert_problem(r, 403, "forbidden")
    assert _overrides(runtime, town_a) == {} and outbox_rows(runtime, town_a, EVENT) == []
    # reading is for anyone who sees the township
    assert _days(client, supervisor, town_a, day, day)[day]["working"] is True


def test_office_hours_come_from_the_township_settings(
    client: TestClient, a_admin: dict[str, str], admin: dict[str, str], town_a: str, town_b: str
) -> None:
    summer = [["08:30", "12:00"], ["15:00", "18:00"]]  # 夏季作息时间
    r = client.patch(f"/v1/townships/{town_a}/settings", json={"office_hours": summer}, headers=a_admin)
    assert r.status_code == 200, r.text
    day = "2026-06-03"
    assert _days(client, a_admin, town_a, day, day)[day]["hours"] == summer
    assert _days(client, admin, town_b, day, day)[day]["hours"] == HOURS
    start = "2026-06-03T10:00:00+08:00"
    assert _deadline(client, a_admin, town_a, start, 1)["due_at"] == "2026-06-04T18:00:00+08:00"
    assert _deadline(client, admin, town_b, start, 1)["due_at"] == "2026-06-04T17:30:00+08:00"
    # an immediate case at 17:45 is still due that day: A closes at 18:00 in summer
    assert _deadline(client, a_admin, town_a, "2026-06-03T17:45:00+08:00", 0)["due_at"] == (
        "2026-06-03T18:00:00+08:00"
    )
