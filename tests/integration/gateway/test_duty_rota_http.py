"""The leader-on-duty rota over the gateway's HTTP API (routers/duty_rota.py) with a real appraisal
served in process (`inprocess.gateway_with_intake`) and real tokens: the township admin publishes
next month and reads it back, window staff may read but not publish, a date outside the month is a
`validation_error` (API.md: 422), a leader appraisal does not know as active staff is refused, and
another township's admin does not see the township at all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from libs.common import db
from libs.common.runtime import Runtime
from services.gateway.service_layer import identity
from tests.integration.gateway.inprocess import deliver, gateway_with_intake
from tests.integration.gateway.support import PASSWORD, assert_problem, login, unique_code

pytestmark = pytest.mark.integration


@dataclass
class Township:
    client: TestClient
    tenant: str
    leaders: tuple[str, str]  # two township admins on the staff (appraisal knows them)
    admin: dict[str, str]  # headers of the first leader
    window_staff: dict[str, str]
    month: date  # the first day of next month in the county's zone

    @property
    def rota(self) -> str:
        return f"/v1/townships/{self.tenant}/duty-rota"


@pytest.fixture(scope="module")
def township(runtime: Runtime, gateway_keys: Any, county: str) -> Iterator[Township]:
    with gateway_with_intake(runtime, gateway_keys) as app, TestClient(app) as client:
        bootstrap = unique_code("u")
        identity.create_user(
            runtime.sessions, username=bootstrap, password=PASSWORD, county=county, roles=["county_admin"]
        )
        admin = login(client, bootstrap)
        r = client.post("/v1/townships", json={"code": unique_code(), "name": "那坡镇"}, headers=admin)
        assert r.status_code == 201, r.text
        tenant = r.json()["id"]
        usernames = []
        for roles in (["township_admin"], ["township_admin"], ["window_staff"]):
            body = {
                "username": unique_code("s"),
                "password": PASSWORD,
                "name": "王五",
                "phone": "13800138000",
            }
            r = client.post(f"/v1/townships/{tenant}/staff", json=body | {"roles": roles}, headers=admin)
            assert r.status_code == 201, r.text
            usernames.append(r.json()["username"])
        deliver(runtime, "gateway", "appraisal", [tenant])  # the township and its staff, as the relay would
        today = datetime.now(ZoneInfo(runtime.settings.timezone)).date()
        next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        yield Township(
            client,
            tenant,
            (usernames[0], usernames[1]),
            login(client, usernames[0]),
            login(client, usernames[2]),
            next_month,
        )


def _days(t: Township, *pairs: tuple[int, int]) -> list[dict[str, str]]:
    """`(day of next month, leader index)` → the JSON duty days."""
    return [{"date": t.month.replace(day=d).isoformat(), "username": t.leaders[i]} for d, i in pairs]


def _appraisal_events(runtime: Runtime, tenant: str) -> list[dict]:
    with db.transaction(runtime.ops_sessions, None) as s:
        query = (
            "SELECT payload FROM appraisal.outbox WHERE tenant_id = :t AND event_type = 'duty_rota_published'"
        )
        return list(s.execute(sa.text(query + " ORDER BY id"), {"t": tenant}).scalars())


def test_the_township_admin_publishes_a_month_and_staff_read_it(runtime: Runtime, township: Township) -> None:
    t, month = township, f"{township.month:%Y-%m}"
    days = _days(t, (2, 1), (1, 0), (3, 0))
    r = t.client.put(f"{t.rota}/{month}", json={"days": days}, headers=t.admin)
    assert r.status_code == 200, r.text
    in_order = sorted(days, key=lambda d: d["date"])
    body = r.json()
    assert (body["month"], body["days"]) == (month, in_order)
    # every other working day of the month has no leader: published, and each said
    named = {d["date"] for d in days}
    gaps = [w["date"] for w in body["warnings"]]
    assert (
        gaps
        and not named & set(gaps)
        and all(w["reason"].startswith("a working day") for w in body["warnings"])
    )
    assert all(date.fromisoformat(g).weekday() < 5 for g in gaps)  # no national days here: weekdays
    assert _appraisal_events(runtime, t.tenant)[-1] == {"month": month, "days": in_order}

    first, last = t.month.isoformat(), t.month.replace(day=28).isoformat()
    for reader in (t.admin, t.window_staff):
        r = t.client.get(t.rota, params={"from": first, "to": last}, headers=reader)
        assert r.status_code == 200, r.text
        assert r.json() == {"days": in_order}
    r = t.client.get(
        t.rota, params={"from": t.month.replace(day=2).isoformat(), "to": first}, headers=t.admin
    )
    assert_problem(r, 422, "validation_error")  # from after to

    # a correction replaces the whole month
    corrected = _days(t, (5, 1))
    r = t.client.put(f"{t.rota}/{month}", json={"days": corrected}, headers=t.admin)
    assert r.status_code == 200, r.text
    r = t.client.get(t.rota, params={"from": first, "to": last}, headers=t.window_staff)
    assert r.json() == {"days": corrected}


def test_window_staff_may_not_publish(runtime: Runtime, township: Township) -> None:
    t, month = township, f"{township.month:%Y-%m}"
    before = _appraisal_events(runtime, t.tenant)
    r = t.client.put(f"{t.rota}/{month}", json={"days": _days(t, (10, 0))}, headers=t.window_staff)
    assert_problem(r, 403, "forbidden")
    assert _appraisal_events(runtime, t.tenant) == before


@pytest.mark.parametrize("case", ["outside the month", "unknown leader", "past month"])
def test_an_invalid_rota_is_a_validation_error_and_changes_nothing(
    runtime: Runtime, township: Township, case: str
) -> None:
    t, month = township, f"{township.month:%Y-%m}"
    days = _days(t, (1, 0))
    if case == "outside the month":
        days.append({"date": (t.month - timedelta(days=1)).isoformat(), "username": t.leaders[1]})
    elif case == "unknown leader":
        days.append({"date": t.month.replace(day=2).isoformat(), "username": "nobody_here"})
    else:
        past = (t.month - timedelta(days=70)).replace(day=1)
        month, days = f"{past:%Y-%m}", [{"date": past.isoformat(), "username": t.leaders[0]}]
    before = _appraisal_events(runtime, t.tenant)
    r = t.client.put(f"{t.rota}/{month}", json={"days": days}, headers=t.admin)
    body = assert_problem(r, 422, "validation_error")
    if case == "unknown leader":
        assert "nobody_here" in body["detail"]
    assert _appraisal_events(runtime, t.tenant) == before


def test_another_townships_admin_does_not_see_the_township(
    runtime: Runtime, township: Township, county: str
) -> None:
    stranger = unique_code("u")
    identity.create_user(runtime.sessions, username=stranger, password=PASSWORD, county=county,
                         roles=["township_admin"], tenants=[f"{county}.{unique_code()}"])  # fmt: skip
    headers = login(township.client, stranger)
    r = township.client.get(township.rota, params={"from": "2026-01-01", "to": "2026-01-31"}, headers=headers)
    assert_problem(r, 404, "not_found")
