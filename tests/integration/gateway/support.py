"""Helpers of the gateway's HTTP tests (fixtures are in conftest.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response

from libs.common import db
from libs.common.errors import BianminError
from libs.common.runtime import Runtime
from services.gateway.entrypoints.http.routers.townships import PROJECTING_SERVICES

PASSWORD = "correct horse battery"


def unique_code(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@dataclass
class DictServices:
    """Stands in for `ServiceClients` (the gRPC services are not the subject of these tests):
    health and tenant projections come from dicts."""

    health: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(PROJECTING_SERVICES, True))
    known: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in PROJECTING_SERVICES})
    failing: dict[str, BianminError] = field(default_factory=dict)

    async def healthy(self, service: str) -> bool:
        return self.health[service]

    async def knows_tenant(self, service: str, tenant: str) -> bool:
        if service in self.failing:
            raise self.failing[service]
        return tenant in self.known[service]

    async def aclose(self) -> None:
        """Nothing to close: no channels."""


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def outbox_rows(runtime: Runtime, tenant: str, event_type: str | None = None) -> list[sa.RowMapping]:
    """The gateway's outbox rows of a tenant, read across tenants with the ops role."""
    query = "SELECT * FROM gateway.outbox WHERE tenant_id = :t"
    if event_type:
        query += " AND event_type = :e"
    with db.transaction(runtime.ops_sessions, None) as s:
        return list(s.execute(sa.text(query + " ORDER BY id"), {"t": tenant, "e": event_type}).mappings())


def assert_problem(response: Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["title"] and isinstance(body["detail"], str)
    assert "Traceback" not in response.text
    return body
