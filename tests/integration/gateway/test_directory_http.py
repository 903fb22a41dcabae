"""Townships through the gateway's HTTP API on the real database: onboarding (with its outbox
event in the same transaction), visibility between tenants, and suspension."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from libs.common import db
from libs.common.errors import Unavailable
from libs.common.runtime import Runtime
from services.gateway.entrypoints.http.app import Gateway, create_app
from services.gateway.entrypoints.http.routers.townships import PROJECTING_SERVICES
from tests.integration.gateway.support import DictServices, assert_problem, login, outbox_rows, unique_code

VILLAGES = [
    {
        "code": "nongli",
        "name": "弄立村",
        "groups": [{"code": "g2", "name": "二组"}, {"code": "g1", "name": "一组"}],
    },
    {"code": "bali", "name": "巴力村", "groups": []},
]


def _onboard(client: TestClient, headers: dict[str, str], code: str | None = None, **extra: object):  # type: ignore[no-untyped-def]
    body = {"code": code or unique_code(), "name": "那坡镇", "villages": VILLAGES, **extra}
    return client.post("/v1/townships", json=body, headers=headers)


def _township_rows(runtime: Runtime, tenant: str) -> tuple[int, list[sa.RowMapping]]:
    with db.transaction(runtime.ops_sessions, None) as s:
        townships = s.execute(
            sa.text("SELECT count(*) FROM gateway.township WHERE id = :t"), {"t": tenant}
        ).scalar()
        villages = (
            s.execute(
                sa.text("SELECT code, name, groups FROM gateway.village WHERE tenant_id = :t ORDER BY code"),
                {"t": tenant},
            )
            .mappings()
            .all()
        )
    return townships, list(villages)


@pytest.fixture
def township_a(client: TestClient, admin: dict[str, str]) -> str:
    r = _onboard(client, admin)
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture
def township_b(client: TestClient, admin: dict[str, str]) -> str:
    r = _onboard(client, admin)
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture
def township_a_admin(client: TestClient, make_user: Callable[..., str], township_a: str) -> dict[str, str]:
    return login(client, make_user(["township_admin"], [township_a]))


# --- onboarding ------------------------------------------------------------------------------


def test_onboarding_answers_the_township_and_records_one_event(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    code = unique_code()
    tenant = f"tianyang.{code}"
    r = _onboard(client, admin, code)
    assert r.status_code == 201, r.text
    body = r.json()
    assert {"id", "code", "name", "villages", "status"} <= body.keys()
    assert (body["id"], body["code"], body["name"], body["status"]) == (tenant, code, "那坡镇", "active")
    assert body["villages"] == [  # by code, groups as given
        {"code": "bali", "name": "巴力村", "groups": []},
        {
            "code": "nongli",
            "name": "弄立村",
            "groups": [{"code": "g2", "name": "二组"}, {"code": "g1", "name": "一组"}],
        },
    ]

    townships, villages = _township_rows(runtime, tenant)
    assert townships == 1
    assert [(v["code"], v["name"]) for v in villages] == [("bali", "巴力村"), ("nongli", "弄立村")]

    rows = outbox_rows(runtime, tenant)
    assert [r["event_type"] for r in rows] == ["township_onboarded"]
    event = rows[0]
    assert event["tenant_id"] == tenant and event["source"] == "gateway"
    assert event["payload"]["tenant_id"] == tenant
    assert (event["payload"]["county"], event["payload"]["code"]) == ("tianyang", code)
    assert [v["code"] for v in event["payload"]["villages"]] == ["nongli", "bali"]
    assert event["payload"]["onboarded_at"]


def test_onboarding_a_township_twice_is_refused_without_a_second_event(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    code = unique_code()
    assert _onboard(client, admin, code).status_code == 201
    again = _onboard(client, admin, code, name="又一个")
    detail = assert_problem(again, 409, "already_exists")["detail"]
    assert "exists already, named 那坡镇, not 又一个" in detail  # says which township has the code
    same = _onboard(client, admin, code)
    assert "exists already, named 那坡镇" in assert_problem(same, 409, "already_exists")["detail"]
    assert len(outbox_rows(runtime, f"tianyang.{code}")) == 1
    assert client.get(f"/v1/townships/tianyang.{code}", headers=admin).json()["name"] == "那坡镇"


@pytest.mark.parametrize(
    "body",
    [
        {"code": "Bad Code", "name": "镇"},
        {"code": "napo\n", "name": "镇"},  # a trailing newline is not a code
        {"code": "CODE", "name": "镇"},
        {"code": "__CODE__", "name": " "},
        {
            "code": "__CODE__",
            "name": "镇",
            "villages": [{"code": "v1", "name": "甲"}, {"code": "v1", "name": "乙"}],
        },
        {
            "code": "__CODE__",
            "name": "镇",
            "villages": [
                {
                    "code": "v1",
                    "name": "甲",
                    "groups": [{"code": "g1", "name": "一"}, {"code": "g1", "name": "二"}],
                }
            ],
        },
        {"code": "__CODE__", "name": "镇", "villages": [{"code": "V 1", "name": "甲"}]},
        {"code": "__CODE__", "name": "镇", "villages": [{"code": "v1", "name": ""}]},
        # wrong types and missing fields (pydantic)
        {"code": 12, "name": "镇"},
        {"code": "__CODE__"},
        {"code": "__CODE__", "name": "镇", "villages": "v1"},
        {"code": "__CODE__", "name": "镇", "villages": [{"code": "v1"}]},
        {
            "code": "__CODE__",
            "name": "镇",
            "villages": [{"code": "v1", "name": "甲", "groups": [{"code": 1}]}],
        },
        {"code": "__CODE__", "name": ["镇"]},
    ],
)
def test_invalid_onboarding_is_a_validation_error_and_writes_nothing(
    client: TestClient, admin: dict[str, str], runtime: Runtime, body: dict
) -> None:
    code = unique_code()
    if body.get("code") == "__CODE__":
        body = {**body, "code": code}
    assert_problem(client.post("/v1/townships", json=body, headers=admin), 422, "validation_error")
    tenant = f"tianyang.{code}"
    assert _township_rows(runtime, tenant) == (0, [])
    assert outbox_rows(runtime, tenant) == []


def test_malformed_json_is_a_validation_error_and_writes_nothing(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    code = unique_code()
    broken = f'{{"code": "{code}", "name": "镇", "villages": ['.encode()
    r = client.post("/v1/townships", content=broken, headers={**admin, "Content-Type": "application/json"})
    assert_problem(r, 422, "validation_error")
    assert _township_rows(runtime, f"tianyang.{code}") == (0, [])
    assert outbox_rows(runtime, f"tianyang.{code}") == []


def test_onboarding_needs_a_token(client: TestClient) -> None:
    assert_problem(
        client.post("/v1/townships", json={"code": unique_code(), "name": "镇"}), 401, "unauthenticated"
    )


# --- tenants see only themselves ----------------------------------------------------------------


def test_a_township_admin_may_not_onboard(
    client: TestClient, township_a_admin: dict[str, str], runtime: Runtime
) -> None:
    code = unique_code()
    assert_problem(_onboard(client, township_a_admin, code), 403, "forbidden")
    assert outbox_rows(runtime, f"tianyang.{code}") == []


def test_a_township_admin_lists_only_its_own_township(
    client: TestClient,
    township_a_admin: dict[str, str],
    township_a: str,
    township_b: str,
    admin: dict[str, str],
) -> None:
    listed = client.get("/v1/townships", headers=township_a_admin)
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["items"]] == [township_a]
    assert listed.json()["next_page_token"] == ""
    # the county admin sees both (the session has many townships: walk every page)
    county_ids: set[str] = set()
    token = None
    while token != "":
        params = {"page_size": 200, "page_token": token or ""}
        page = client.get("/v1/townships", params=params, headers=admin)
        county_ids |= {t["id"] for t in page.json()["items"]}
        token = page.json()["next_page_token"]
    assert {township_a, township_b} <= county_ids


def test_another_township_does_not_exist_for_a_township_admin(
    client: TestClient, township_a_admin: dict[str, str], township_b: str
) -> None:
    hidden = assert_problem(
        client.get(f"/v1/townships/{township_b}", headers=township_a_admin), 404, "not_found"
    )
    never = f"tianyang.{unique_code()}"
    absent = assert_problem(client.get(f"/v1/townships/{never}", headers=township_a_admin), 404, "not_found")
    # an existing township and a missing one answer alike (no existence leak)
    assert hidden["detail"].replace(township_b, "X") == absent["detail"].replace(never, "X")
    # acting on a township the caller may not see is answered like reading it: it does not exist
    assert_problem(
        client.post(f"/v1/townships/{township_b}/suspend", headers=township_a_admin), 404, "not_found"
    )


def test_a_township_admin_reads_its_own_township_with_the_services_view(
    client: TestClient, township_a_admin: dict[str, str], township_a: str, services: DictServices
) -> None:
    services.known["intake"].add(township_a)
    services.failing["notify"] = Unavailable("notify is down")
    r = client.get(f"/v1/townships/{township_a}", headers=township_a_admin)
    assert r.status_code == 200
    body = r.json()
    assert (body["id"], body["status"]) == (township_a, "active")
    assert [v["code"] for v in body["villages"]] == ["bali", "nongli"]
    assert body["services"] == {
        "intake": "ready",
        "proxy": "pending",
        "appraisal": "pending",
        "notify": "unavailable",
    }


def test_a_county_admin_gets_not_found_for_a_missing_or_malformed_township(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert_problem(client.get(f"/v1/townships/tianyang.{unique_code()}", headers=admin), 404, "not_found")
    assert_problem(client.get(f"/v1/townships/debao.{unique_code()}", headers=admin), 404, "not_found")
    assert_problem(client.get("/v1/townships/not-a-tenant", headers=admin), 422, "validation_error")
    assert_problem(
        client.post(f"/v1/townships/tianyang.{unique_code()}/suspend", headers=admin), 404, "not_found"
    )


# --- suspension ------------------------------------------------------------------------------


def test_suspension_by_a_county_admin(
    client: TestClient, admin: dict[str, str], township_a: str, runtime: Runtime
) -> None:
    r = client.post(f"/v1/townships/{township_a}/suspend", headers=admin)
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["status"]) == (township_a, "suspended")
    assert client.get(f"/v1/townships/{township_a}", headers=admin).json()["status"] == "suspended"
    rows = outbox_rows(runtime, township_a, "township_suspended")
    assert len(rows) == 1
    assert rows[0]["tenant_id"] == township_a and rows[0]["payload"]["tenant_id"] == township_a
    assert rows[0]["payload"]["suspended_at"]
    assert [r["event_type"] for r in outbox_rows(runtime, township_a)] == [
        "township_onboarded",
        "township_suspended",
    ]


def test_a_suspended_township_changes_nothing_until_reactivated(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    tenant = _onboard(client, admin).json()["id"]
    assert client.post(f"/v1/townships/{tenant}/suspend", headers=admin).status_code == 200
    department = {"code": "minzheng", "name": "民政所"}
    refused = client.post(f"/v1/townships/{tenant}/departments", json=department, headers=admin)
    assert_problem(refused, 409, "invalid_transition")
    assert client.get(f"/v1/townships/{tenant}/departments", headers=admin).status_code == 200  # reads go on
    assert_problem(client.post(f"/v1/townships/{tenant}/suspend", headers=admin), 409, "invalid_transition")

    r = client.post(f"/v1/townships/{tenant}/reactivate", headers=admin)
    assert (r.status_code, r.json()["status"]) == (200, "active")
    assert [e["event_type"] for e in outbox_rows(runtime, tenant)][-2:] == [
        "township_suspended",
        "township_reactivated",
    ]
    assert (
        client.post(f"/v1/townships/{tenant}/departments", json=department, headers=admin).status_code == 201
    )
    assert_problem(
        client.post(f"/v1/townships/{tenant}/reactivate", headers=admin), 409, "invalid_transition"
    )


@dataclass
class SlowServices(DictServices):
    """Services that record a township `lag` seconds after it was first asked about."""

    lag: float = 0.3
    first_asked: dict[str, float] = field(default_factory=dict)
    asked: int = 0

    async def knows_tenant(self, service: str, tenant: str) -> bool:
        self.asked += 1
        first = self.first_asked.setdefault(tenant, time.monotonic())
        return time.monotonic() - first >= self.lag


def test_onboarding_answers_once_every_service_recorded_the_township(
    runtime: Runtime,
    gateway_keys,
    make_user: Callable[..., str],  # type: ignore[no-untyped-def]
) -> None:
    issuer, verifier = gateway_keys
    waiting = replace(runtime, settings=runtime.settings.model_copy(update={"onboard_wait_seconds": 5}))
    for services, at_least, at_most in ((SlowServices(lag=0.3), 0.3, 4.0), (SlowServices(lag=60), 5, 30)):
        app = create_app(Gateway(runtime=waiting, issuer=issuer, verifier=verifier, services=services))
        with TestClient(app) as client:
            began = time.monotonic()
            r = _onboard(client, login(client, make_user(["county_admin"])))
            took = time.monotonic() - began
        assert r.status_code == 201, r.text
        assert at_least <= took < at_most  # read your writes; never longer than the setting
        assert services.asked >= len(PROJECTING_SERVICES)


def test_onboarding_does_not_wait_for_a_service_that_does_not_answer(
    runtime: Runtime,
    gateway_keys,
    make_user: Callable[..., str],  # type: ignore[no-untyped-def]
) -> None:
    issuer, verifier = gateway_keys
    waiting = replace(runtime, settings=runtime.settings.model_copy(update={"onboard_wait_seconds": 5}))
    services = DictServices(failing={"proxy": Unavailable("proxy is not deployed")})
    services.known = {s: _Everything() for s in PROJECTING_SERVICES}
    app = create_app(Gateway(runtime=waiting, issuer=issuer, verifier=verifier, services=services))
    with TestClient(app) as client:
        began = time.monotonic()
        r = _onboard(client, login(client, make_user(["county_admin"])))
        assert r.status_code == 201 and time.monotonic() - began < 4


class _Everything(set):  # type: ignore[type-arg]
    def __contains__(self, item: object) -> bool:
        return True
