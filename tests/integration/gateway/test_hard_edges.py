"""Inputs that once answered 500 (found by probing a running platform): each is a 4xx problem now."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.integration.gateway.support import assert_problem

LISTS = ("cases", "inquiries", "petitions", "stats", "personal-data-access")


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "from=2026-01-01&to=3000-01-01"])
def test_far_dates_are_validation_errors(
    client: TestClient, admin: dict[str, str], path: str, query: str
) -> None:
    r = client.get(f"/v1/townships/tianyang.napo/{path}?{query}", headers=admin)
    body = assert_problem(r, 422, "validation_error")
    assert any(e["loc"][-1] in ("from", "to") for e in body["errors"]), body


def test_json_nested_too_deep_with_an_idempotency_key(client: TestClient, admin: dict[str, str]) -> None:
    deep = b'{"code": "x", "name": "y", "villages": ' + b"[" * 1500 + b"]" * 1500 + b"}"
    for body in (deep, b"[" * 5000 + b"]" * 5000):
        r = client.post(
            "/v1/townships",
            content=body,
            headers={**admin, "Content-Type": "application/json", "Idempotency-Key": "deep-1"},
        )
        assert_problem(r, 422, "validation_error")
    assert not [t for t in client.get("/v1/townships", headers=admin).json()["items"] if t["code"] == "x"]


@pytest.mark.parametrize("version", ["99999999999999999999999", "9223372036854775808", "²", "9" * 5000])
def test_an_if_match_beyond_a_version_is_a_validation_error(
    client: TestClient, admin: dict[str, str], version: str
) -> None:
    r = client.post(
        "/v1/townships/tianyang.napo/cases/00000000-0000-0000-0000-000000000000/accept",
        json={},
        headers={**admin, "If-Match": f'"{version}"'.encode()},  # bytes: '²' is no ASCII
    )
    assert "If-Match" in assert_problem(r, 422, "validation_error")["detail"]
