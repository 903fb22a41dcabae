"""Health, readiness, the OpenAPI document and the headers every response carries."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from services.gateway.entrypoints.http.routers.townships import PROJECTING_SERVICES
from tests.integration.gateway.support import DictServices, assert_problem

API_PATHS = {
    "/v1/auth/token",
    "/v1/auth/refresh",
    "/v1/auth/logout",
    "/v1/me",
    "/v1/townships",
    "/v1/townships/{tenant}",
    "/v1/townships/{tenant}/suspend",
    "/v1/townships/{tenant}/audit",
    "/v1/townships/{tenant}/reactivate",
    "/v1/townships/{tenant}/villages",
    "/v1/townships/{tenant}/departments",
    "/v1/townships/{tenant}/windows",
    "/v1/townships/{tenant}/windows/{code}/posts",
    "/v1/townships/{tenant}/staff",
    "/v1/townships/{tenant}/settings",
    "/v1/calendar/days/{date}",
    "/v1/townships/{tenant}/calendar/days/{date}",
    "/v1/townships/{tenant}/calendar",
    "/v1/townships/{tenant}/calendar/deadline",
    "/v1/catalog/items",
    "/v1/catalog/items/{code}",
    "/v1/townships/{tenant}/catalog/items",
    "/v1/townships/{tenant}/catalog/items/{code}",
    "/v1/public/townships/{tenant}/guides",
    "/v1/public/townships/{tenant}/guides/{code}",
    "/v1/public/townships/{tenant}/board",
    "/v1/townships/{tenant}/stats",
    "/v1/townships/{tenant}/inquiries",
    "/v1/townships/{tenant}/petitions",
    "/v1/townships/{tenant}/petitions/{petition_id}",
    "/v1/townships/{tenant}/petitions/{petition_id}/answer",
    "/v1/townships/{tenant}/petitions/{petition_id}/forward",
    "/v1/townships/{tenant}/petitions/{petition_id}/decide",
    "/v1/townships/{tenant}/personal-data-access",
    "/v1/townships/{tenant}/duty-rota",
    "/v1/townships/{tenant}/duty-rota/{month}",
    # proxy: agents, households, exclusions, visits (routers/proxy_agents.py)
    "/v1/townships/{tenant}/proxy/agents",
    "/v1/townships/{tenant}/proxy/agents/{username}",
    "/v1/townships/{tenant}/proxy/households",
    "/v1/townships/{tenant}/proxy/households/{household_id}",
    "/v1/townships/{tenant}/proxy/exclusions",
    "/v1/townships/{tenant}/proxy/visits",
    "/v1/townships/{tenant}/proxy/visits/due",
    # proxy: delegations (routers/proxy_delegations.py)
    "/v1/townships/{tenant}/proxy/delegations",
    "/v1/townships/{tenant}/proxy/delegations/{delegation_id}",
    "/v1/townships/{tenant}/proxy/delegations/{delegation_id}/reply",
    "/v1/townships/{tenant}/proxy/delegations/{delegation_id}/file",
    "/v1/townships/{tenant}/proxy/trips",
    "/v1/townships/{tenant}/proxy/trips/{trip_id}/deliver",
    "/v1/townships/{tenant}/proxy/delegations/{delegation_id}/card",
    "/v1/townships/{tenant}/proxy/quotas",
    "/v1/townships/{tenant}/proxy/stars",
    # workforce: attendance and leaves (routers/workforce.py)
    "/v1/townships/{tenant}/attendance",
    "/v1/townships/{tenant}/attendance/imports",
    "/v1/townships/{tenant}/attendance/sign-ins",
    "/v1/townships/{tenant}/attendance/spot-checks",
    "/v1/townships/{tenant}/leaves",
    "/v1/townships/{tenant}/leaves/{leave_id}/approve",
    "/v1/townships/{tenant}/leaves/{leave_id}/cancel",
    "/v1/townships/{tenant}/leaves/{leave_id}/reject",
    # appraisal (routers/appraisal.py)
    "/v1/appraisal/rulebooks",
    "/v1/appraisal/rulebooks/{rulebook_id}",
    "/v1/appraisal/rulebooks/{rulebook_id}/activate",
    "/v1/appraisal/townships",
    "/v1/appraisal/townships/{tenant}/indicators/{code}",
    "/v1/townships/{tenant}/appraisal/appeals",
    "/v1/townships/{tenant}/appraisal/appeals/{appeal_id}/decide",
    "/v1/townships/{tenant}/appraisal/events",
    "/v1/townships/{tenant}/appraisal/reports",
    "/v1/townships/{tenant}/appraisal/scores",
    "/v1/townships/{tenant}/cases",
    "/v1/townships/{tenant}/cases/{case_id}",
    "/v1/townships/{tenant}/cases/{case_id}/notices",
    "/v1/townships/{tenant}/cases/{case_id}/notices/{notice_id}",
    "/v1/townships/{tenant}/notifications",
    "/v1/me/inbox",
    "/v1/me/inbox/{item_id}/read",
    "/v1/county/escalated-cases",
    "/v1/townships/{tenant}/cases/{case_id}/accept",
    "/v1/townships/{tenant}/cases/{case_id}/request-supplement",
    "/v1/townships/{tenant}/cases/{case_id}/materials",
    "/v1/townships/{tenant}/cases/{case_id}/refuse",
    "/v1/townships/{tenant}/cases/{case_id}/assign",
    "/v1/townships/{tenant}/cases/{case_id}/escalate",
    "/v1/townships/{tenant}/cases/{case_id}/resume",
    "/v1/townships/{tenant}/cases/{case_id}/extend",
    "/v1/townships/{tenant}/cases/{case_id}/complete",
    "/v1/townships/{tenant}/cases/{case_id}/reply",
    "/v1/townships/{tenant}/cases/{case_id}/archive",
    "/v1/townships/{tenant}/cases/{case_id}/return",
    "/v1/townships/{tenant}/cases/{case_id}/withdraw",
    "/v1/townships/{tenant}/cases/{case_id}/press",
    "/v1/notifications/dead-letters",
    "/v1/notifications/dead-letters/{dead_letter_id}/replay",
    "/healthz",
    "/readyz",
}


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


def test_readyz_when_everything_is_up(client: TestClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ready",
        "checks": {"database": "ok", **dict.fromkeys(PROJECTING_SERVICES, "ok")},
    }


def test_readyz_names_the_service_that_is_down(client: TestClient, services: DictServices) -> None:
    services.health["proxy"] = False
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "not_ready"
    assert body["checks"] == {
        "database": "ok",
        "intake": "ok",
        "proxy": "unavailable",
        "appraisal": "ok",
        "notify": "ok",
    }
    services.health["proxy"] = True
    assert client.get("/readyz").status_code == 200


def test_openapi_lists_exactly_the_served_paths(client: TestClient) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    document = r.json()
    assert set(document["paths"]) == API_PATHS
    assert set(document["paths"]["/v1/townships"]) == {"get", "post"}
    assert set(document["paths"]["/v1/townships/{tenant}/suspend"]) == {"post"}
    assert set(document["paths"]["/v1/auth/token"]) == {"post"}
    # every error an operation may answer is documented as a problem
    problem = document["paths"]["/v1/townships"]["post"]["responses"]["422"]["content"]
    assert problem == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    from services.gateway.entrypoints.http.app import ROUTERS

    served = {route.path for router in ROUTERS for route in router.routes}  # type: ignore[attr-defined]
    assert served == API_PATHS


def test_an_unknown_path_is_a_not_found_problem(client: TestClient) -> None:
    assert_problem(client.get("/v1/no-such-thing"), 404, "not_found")


def test_every_response_carries_a_request_id_and_nosniff(client: TestClient) -> None:
    for response in (
        client.get("/healthz"),
        client.get("/v1/me"),  # a 401 problem
        client.post("/v1/auth/token", json={}),  # a 422 problem
        client.get("/v1/no-such-thing"),  # a 404 problem
    ):
        assert response.headers["X-Request-Id"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_a_given_request_id_is_echoed(client: TestClient) -> None:
    r = client.get("/healthz", headers={"X-Request-Id": "req-42"})
    assert r.headers["X-Request-Id"] == "req-42"


def test_readyz_asks_the_services_at_once(
    client: TestClient, services: DictServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each service's answer waits until every service has been asked: asked one after another,
    the first would wait in vain (and a service that does not answer would hold up the rest)."""
    asked: set[str] = set()
    everyone = asyncio.Event()

    async def healthy(service: str) -> bool:
        asked.add(service)
        if asked == set(PROJECTING_SERVICES):
            everyone.set()
        try:
            await asyncio.wait_for(everyone.wait(), timeout=5)
        except TimeoutError:
            return False
        return True

    monkeypatch.setattr(services, "healthy", healthy)
    r = client.get("/readyz")
    assert (r.status_code, r.json()["status"]) == (200, "ready"), r.json()
