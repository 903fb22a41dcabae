"""The interactive docs and the OpenAPI document, on an app built for its document only (no
database, no services): /docs and /redoc load nothing from elsewhere, the bearer scheme is
declared on every operation but the public ones, and the main answers have their fields."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from libs.common.settings import Settings
from services.gateway.entrypoints.http.app import Gateway, create_app

PUBLIC = {
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("post", "/v1/auth/token"),
    ("post", "/v1/auth/refresh"),
    ("post", "/v1/auth/logout"),
    ("get", "/v1/public/townships/{tenant}/guides"),
    ("get", "/v1/public/townships/{tenant}/guides/{code}"),
    ("get", "/v1/public/townships/{tenant}/board"),
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    runtime = SimpleNamespace(settings=Settings(), sessions=sessionmaker())
    gw = Gateway(runtime=runtime, issuer=None, verifier=None, services=None)  # type: ignore[arg-type]
    return TestClient(create_app(gw))


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict:
    return client.get("/openapi.json").json()


def _operations(document: dict) -> dict[tuple[str, str], dict]:
    return {(m, p): op for p, ops in document["paths"].items() for m, op in ops.items()}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_load_only_the_gateways_own_assets(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://", r.text), "the page would call out (blank offline)"
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert asset.startswith("/docs/static/"), asset
        answer = client.get(asset)
        assert answer.status_code == 200 and answer.content, asset
    # and the browser itself refuses anything from elsewhere
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp and "frame-ancestors 'none'" in csp


def test_the_bearer_scheme_is_declared_on_every_operation_but_the_public_ones(document: dict) -> None:
    assert document["components"]["securitySchemes"] == {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    operations = _operations(document)
    assert operations.keys() >= PUBLIC
    for key, op in operations.items():
        assert op.get("security") == (None if key in PUBLIC else [{"bearer": []}]), key
        assert "authorization" not in {p["name"].lower() for p in op.get("parameters", [])}, key


def _fields(document: dict, schema: dict) -> set[str]:
    name = schema["$ref"].rsplit("/", 1)[1]
    return set(document["components"]["schemas"][name]["properties"])


@pytest.mark.parametrize(
    ("method", "path", "status", "fields"),
    [
        ("post", "/v1/auth/token", "200", {"access_token", "refresh_token", "expires_in"}),
        ("get", "/v1/me", "200", {"username", "name", "roles", "tenants", "department"}),
        ("post", "/v1/townships", "201", {"id", "code", "name", "county", "status", "villages"}),
        ("get", "/v1/townships", "200", {"items", "next_page_token"}),
        ("get", "/v1/townships/{tenant}", "200", {"id", "villages", "services"}),
        ("post", "/v1/townships/{tenant}/cases", "201", {"id", "number", "state", "clock", "history"}),
        ("get", "/v1/townships/{tenant}/cases", "200", {"items", "next_page_token"}),
        ("get", "/v1/townships/{tenant}/cases/{case_id}", "200", {"id", "applicant", "clock", "version"}),
        ("post", "/v1/townships/{tenant}/cases/{case_id}/accept", "200", {"id", "state", "version"}),
        ("get", "/v1/catalog/items", "200", {"items", "next_page_token"}),
        ("get", "/v1/townships/{tenant}/catalog/items/{code}", "200", {"code", "materials", "fee"}),
        ("get", "/v1/public/townships/{tenant}/guides/{code}", "200", {"item_code", "materials"}),
        ("post", "/v1/townships/{tenant}/inquiries", "201", {"id", "citizen_name", "first_ask"}),
        ("get", "/v1/townships/{tenant}/inquiries", "200", {"items", "next_page_token"}),
        ("get", "/v1/townships/{tenant}/cases/{case_id}/notices", "200", {"items", "next_page_token"}),
        ("get", "/v1/townships/{tenant}/cases/{case_id}/notices/{notice_id}", "200", {"kind", "text"}),
        ("get", "/v1/me/inbox", "200", {"items", "next_page_token", "unread"}),
    ],
)
def test_the_main_answers_have_their_fields(
    document: dict, method: str, path: str, status: str, fields: set[str]
) -> None:
    answer = _operations(document)[(method, path)]["responses"][status]
    assert fields <= _fields(document, answer["content"]["application/json"]["schema"])


def test_a_case_page_lists_cases(document: dict) -> None:
    answer = _operations(document)[("get", "/v1/townships/{tenant}/cases")]["responses"]["200"]
    page = document["components"]["schemas"][
        answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    ]
    assert page["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Case"}
    assert "from" in document["components"]["schemas"]["HistoryEntry"]["properties"]  # its JSON name
