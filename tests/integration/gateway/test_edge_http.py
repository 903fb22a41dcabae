"""The edge of the gateway on the real database: idempotent creates (`Idempotency-Key`), rate
limits, the request-size limit, CORS, security headers, the docs, and paginated lists.

Limits are per app (in memory), so each test that is about them builds its own app with tiny
limits (`edge_client`); the session's settings make them unlimited for every other test."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response

from libs.common import db
from libs.common.runtime import Runtime
from services.gateway.entrypoints.http import idempotency
from services.gateway.entrypoints.http.app import Gateway, create_app
from services.gateway.service_layer import directory
from tests.integration.gateway.support import DictServices, assert_problem, login, outbox_rows, unique_code

ORIGIN = "https://hall.example.gov.cn"


@pytest.fixture
def edge_client(runtime: Runtime, gateway_keys, county: str) -> Iterator[Callable[..., TestClient]]:  # type: ignore[no-untyped-def]
    """`edge_client(client=("1.2.3.4", 1), **settings)`: a client of an app built with those settings."""
    issuer, verifier = gateway_keys
    stack: list[TestClient] = []

    def make(client: tuple[str, int] = ("testclient", 50000), **settings: Any) -> TestClient:
        tuned = dataclasses.replace(runtime, settings=runtime.settings.model_copy(update=settings))
        app = create_app(Gateway(runtime=tuned, issuer=issuer, verifier=verifier, services=DictServices()))
        test_client = TestClient(app, client=client)
        stack.append(test_client.__enter__())
        return test_client

    yield make
    for test_client in stack:
        test_client.__exit__(None, None, None)


def _township(code: str | None = None, **extra: object) -> dict:
    return {
        "code": code or unique_code(),
        "name": "那坡镇",
        "villages": [{"code": "bali", "name": "巴力村"}],
        **extra,
    }


def _townships_with_code(runtime: Runtime, code: str) -> int:
    with db.transaction(runtime.ops_sessions, None) as s:
        return s.execute(
            sa.text("SELECT count(*) FROM gateway.township WHERE code = :c"), {"c": code}
        ).scalar_one()


def _keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


# --- Idempotency-Key ------------------------------------------------------------------------


def test_a_retried_create_returns_the_first_answer_and_creates_once(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    key, body = str(uuid.uuid4()), _township()
    first = client.post("/v1/townships", json=body, headers=_keyed(admin, key))
    assert first.status_code == 201, first.text
    assert idempotency.REPLAYED not in first.headers
    # the same body again, and once more with its keys in another order (the same JSON)
    reordered = dict(reversed(list(body.items())))
    for retry in (body, reordered):
        again = client.post("/v1/townships", json=retry, headers=_keyed(admin, key))
        assert again.status_code == 201, again.text
        assert again.headers[idempotency.REPLAYED] == "true"
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.content == first.content
    tenant = first.json()["id"]
    assert _townships_with_code(runtime, body["code"]) == 1
    assert len(outbox_rows(runtime, tenant)) == 1
    # without a key a retry is a new create (here refused: the township exists)
    assert_problem(client.post("/v1/townships", json=body, headers=admin), 409, "already_exists")


def test_the_same_key_with_another_body_is_a_conflict(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    key = str(uuid.uuid4())
    assert client.post("/v1/townships", json=_township(), headers=_keyed(admin, key)).status_code == 201
    other = _township()
    assert_problem(
        client.post("/v1/townships", json=other, headers=_keyed(admin, key)), 409, "idempotency_conflict"
    )
    assert _townships_with_code(runtime, other["code"]) == 0


def test_keys_belong_to_their_user(client: TestClient, admin: dict[str, str], make_user) -> None:  # type: ignore[no-untyped-def]
    key, other_admin = str(uuid.uuid4()), login(client, make_user(["county_admin"]))
    assert client.post("/v1/townships", json=_township(), headers=_keyed(admin, key)).status_code == 201
    mine = client.post("/v1/townships", json=_township(), headers=_keyed(other_admin, key))
    assert mine.status_code == 201 and idempotency.REPLAYED not in mine.headers


def test_a_failed_create_releases_its_key(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    key = str(uuid.uuid4())
    assert_problem(
        client.post("/v1/townships", json=_township("Not A Code"), headers=_keyed(admin, key)),
        422,
        "validation_error",
    )
    body = _township()
    again = client.post("/v1/townships", json=body, headers=_keyed(admin, key))
    assert again.status_code == 201 and idempotency.REPLAYED not in again.headers
    assert _townships_with_code(runtime, body["code"]) == 1


def test_an_expired_key_may_be_used_afresh(
    client: TestClient, admin: dict[str, str], runtime: Runtime
) -> None:
    assert idempotency.TTL.total_seconds() == 24 * 3600
    key = str(uuid.uuid4())
    assert client.post("/v1/townships", json=_township(), headers=_keyed(admin, key)).status_code == 201
    with db.transaction(runtime.ops_sessions, None) as s:
        s.execute(
            sa.text(
                "UPDATE gateway.idempotency_key SET expires_at = now() - interval '1 second' WHERE key = :k"
            ),
            {"k": key},
        )
    fresh = client.post("/v1/townships", json=_township(), headers=_keyed(admin, key))
    assert fresh.status_code == 201 and idempotency.REPLAYED not in fresh.headers


def _left_in_flight(runtime: Runtime, username: str, key: str, body: dict, age: timedelta) -> None:
    """The row of a gateway that died after claiming `key` `age` ago, before any answer."""
    with db.transaction(runtime.ops_sessions, None) as s:
        s.execute(
            sa.text(
                "INSERT INTO gateway.idempotency_key (username, key, method, path, request_hash,"
                " created_at, expires_at) VALUES (:u, :k, 'POST', '/v1/townships', :h, now() - :age,"
                " now() + interval '1 day')"
            ),
            {"u": username, "k": key, "h": idempotency.request_hash(json.dumps(body).encode()), "age": age},
        )


def test_a_key_left_in_flight_by_a_dead_gateway_is_taken_over_after_its_lease(
    client: TestClient,
    runtime: Runtime,
    make_user,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    username = make_user(["county_admin"])
    admin = login(client, username)
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
    fresh_key, fresh = str(uuid.uuid4()), _township()
    _left_in_flight(runtime, username, fresh_key, fresh, timedelta(seconds=1))  # still running somewhere
    assert_problem(
        client.post("/v1/townships", json=fresh, headers=_keyed(admin, fresh_key)),
        409,
        "idempotency_conflict",
    )
    assert _townships_with_code(runtime, fresh["code"]) == 0

    stale_key, stale = str(uuid.uuid4()), _township()
    _left_in_flight(runtime, username, stale_key, stale, idempotency.LEASE + timedelta(seconds=1))
    retried = client.post("/v1/townships", json=stale, headers=_keyed(admin, stale_key))
    assert retried.status_code == 201 and idempotency.REPLAYED not in retried.headers  # nothing had committed
    again = client.post("/v1/townships", json=stale, headers=_keyed(admin, stale_key))
    assert again.headers[idempotency.REPLAYED] == "true" and again.content == retried.content
    assert _townships_with_code(runtime, stale["code"]) == 1


def test_a_malformed_key_is_a_validation_error(client: TestClient, admin: dict[str, str]) -> None:
    for key in ("x" * 256, "has space"):
        assert_problem(
            client.post("/v1/townships", json=_township(), headers=_keyed(admin, key)),
            422,
            "validation_error",
        )


def test_concurrent_requests_with_one_key_execute_once(
    client: TestClient, admin: dict[str, str], runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    onboard = directory.onboard_township

    def slow_onboard(*args: Any, **kwargs: Any) -> dict:
        calls.append("onboard")
        time.sleep(0.3)  # the second request arrives while the first is in flight
        return onboard(*args, **kwargs)

    monkeypatch.setattr(directory, "onboard_township", slow_onboard)
    key, body = str(uuid.uuid4()), _township()
    start = threading.Barrier(3)
    replies: list[Response] = []

    def post() -> None:
        start.wait()
        replies.append(client.post("/v1/townships", json=body, headers=_keyed(admin, key)))

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [r.status_code for r in replies] == [201, 201, 201], [r.text for r in replies]
    assert calls == ["onboard"]
    assert sorted(r.headers.get(idempotency.REPLAYED, "") for r in replies) == ["", "true", "true"]
    assert len({r.content for r in replies}) == 1
    assert _townships_with_code(runtime, body["code"]) == 1
    assert len(outbox_rows(runtime, replies[0].json()["id"])) == 1


# --- rate limits ----------------------------------------------------------------------------


def _rate_limited(response: Response) -> int:
    assert_problem(response, 429, "rate_limited")
    seconds = int(response.headers["Retry-After"])
    assert seconds >= 1
    return seconds


def test_requests_beyond_the_rate_of_a_client_ip_are_429(edge_client: Callable[..., TestClient]) -> None:
    c = edge_client(http_rate_per_second=0.01, http_burst=3)
    for _ in range(3):
        assert_problem(c.get("/v1/me"), 401, "unauthenticated")
    assert _rate_limited(c.get("/v1/me")) > 1  # 1 token at 0.01/s: about 100 s
    assert c.get("/healthz").status_code == 200  # probes are never limited
    other_ip = TestClient(c.app, client=("10.0.0.2", 1))
    assert_problem(other_ip.get("/v1/me"), 401, "unauthenticated")


def test_requests_beyond_the_rate_of_a_user_are_429_from_any_ip(
    edge_client: Callable[..., TestClient], make_user: Callable[..., str]
) -> None:
    c = edge_client(client=("10.0.0.1", 1), http_rate_per_second=0.01, http_burst=3)
    headers = login(c, make_user(["county_admin"]))
    for _ in range(2):  # the login spent one of the IP's three, not the user's
        assert c.get("/v1/me", headers=headers).status_code == 200
    elsewhere = TestClient(c.app, client=("10.0.0.2", 1))
    assert elsewhere.get("/v1/me", headers=headers).status_code == 200  # the user's third
    _rate_limited(elsewhere.get("/v1/me", headers=headers))
    assert_problem(elsewhere.get("/v1/me"), 401, "unauthenticated")  # that IP itself may go on


def test_a_token_is_verified_once_per_request_and_a_bad_one_keeps_its_answer(
    edge_client: Callable[..., TestClient], make_user: Callable[..., str]
) -> None:
    """The per-user rate limit and the route's caller share one verification of the token."""
    c = edge_client()
    headers = login(c, make_user(["county_admin"]))
    verifier = c.app.state.gateway.verifier
    calls: list[str] = []
    verify = verifier.verify
    verifier.verify = lambda token: calls.append(token) or verify(token)
    try:
        assert c.get("/v1/me", headers=headers).status_code == 200
        assert len(calls) == 1
        tampered = {"Authorization": headers["Authorization"][:-2] + "xx"}
        assert_problem(c.get("/v1/me", headers=tampered), 401, "unauthenticated")
        assert len(calls) == 2
    finally:
        verifier.verify = verify


def test_login_has_its_own_stricter_limits(
    edge_client: Callable[..., TestClient], make_user: Callable[..., str]
) -> None:
    c = edge_client(http_login_ip_per_minute=2, http_login_user_per_minute=2)
    username = make_user(["county_admin"])
    login(c, username)
    login(c, username)
    r = c.post("/v1/auth/token", json={"username": username, "password": "whatever"})
    assert _rate_limited(r) >= 20  # a token every 30 s
    assert c.get("/healthz").status_code == 200 and c.get("/v1/me").status_code == 401  # the rest goes on
    # per username, whatever the IP
    elsewhere = TestClient(c.app, client=("10.0.0.3", 1))
    _rate_limited(elsewhere.post("/v1/auth/token", json={"username": username, "password": "whatever"}))
    assert login(elsewhere, make_user(["county_admin"]))  # another user from there is fine


# --- request size ---------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413(
    edge_client: Callable[..., TestClient], make_user: Callable[..., str], runtime: Runtime
) -> None:
    c = edge_client(http_max_body_bytes=2000)
    headers = login(c, make_user(["county_admin"]))
    big = _township(name="镇" * 1000)  # about 3 kB of UTF-8
    body = assert_problem(c.post("/v1/townships", json=big, headers=headers), 413, "validation_error")
    assert "2000" in body["detail"]
    # chunked (no Content-Length): counted as it streams, also through the idempotency layer
    payload = json.dumps(big).encode()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(payload), 500):
            yield payload[i : i + 500]

    for extra in ({}, {"Idempotency-Key": str(uuid.uuid4())}):
        r = c.post(
            "/v1/townships",
            content=chunks(),
            headers={**headers, **extra, "Content-Type": "application/json"},
        )
        assert "content-length" not in r.request.headers
        assert_problem(r, 413, "validation_error")
    assert _townships_with_code(runtime, big["code"]) == 0
    # under the limit it is served
    assert c.post("/v1/townships", json=_township(), headers=headers).status_code == 201


# --- CORS, security headers, docs -----------------------------------------------------------


def _preflight(c: TestClient) -> Response:
    return c.options(
        "/v1/townships",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
        },
    )


def test_no_cors_headers_by_default(client: TestClient) -> None:
    for r in (_preflight(client), client.get("/healthz", headers={"Origin": ORIGIN})):
        assert not [h for h in r.headers if h.lower().startswith("access-control-")]


def test_cors_allows_exactly_the_configured_origins(edge_client: Callable[..., TestClient]) -> None:
    c = edge_client(http_cors_origins=f"{ORIGIN}, https://other.example.gov.cn")
    preflight = _preflight(c)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "idempotency-key" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    simple = c.get("/healthz", headers={"Origin": ORIGIN})
    assert simple.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Retry-After" in simple.headers["Access-Control-Expose-Headers"]
    stranger = c.get("/healthz", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in stranger.headers


def test_security_headers_on_every_response(
    client: TestClient, edge_client: Callable[..., TestClient]
) -> None:
    for r in (
        client.get("/healthz"),
        client.get("/v1/me"),  # a 401 problem
        client.get("/v1/no-such-thing"),  # a 404 problem
        client.get("/openapi.json"),
    ):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert "Strict-Transport-Security" not in r.headers  # not behind TLS unless told
    limited = edge_client(http_rate_per_second=0.01, http_burst=1)
    limited.get("/v1/me")
    r = limited.get("/v1/me")
    assert r.status_code == 429 and r.headers["X-Frame-Options"] == "DENY"
    behind_tls = edge_client(http_hsts=True)
    assert behind_tls.get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_docs_are_served_with_their_assets_allowed(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        # the pages run their scripts and styles, from here only
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self';")
        assert r.headers["X-Frame-Options"] == "DENY"


# --- pagination -----------------------------------------------------------------------------


def test_townships_page_by_page_with_a_tamper_evident_token(
    client: TestClient, admin: dict[str, str], make_user: Callable[..., str]
) -> None:
    tenants = []
    for _ in range(5):
        r = client.post("/v1/townships", json=_township(), headers=admin)
        assert r.status_code == 201, r.text
        tenants.append(r.json()["id"])
    viewer = login(client, make_user(["township_admin"], tenants))

    seen: list[str] = []
    tokens: list[str] = [""]
    pages = []
    while True:
        r = client.get("/v1/townships", params={"page_size": 2, "page_token": tokens[-1]}, headers=viewer)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_page_token"}
        pages.append(len(body["items"]))
        seen += [t["id"] for t in body["items"]]
        if not body["next_page_token"]:
            break
        tokens.append(body["next_page_token"])
    assert pages == [2, 2, 1]
    saved = tokens[1]  # the token of the second page
    assert seen == sorted(tenants)
    # the whole list in one page by default
    everything = client.get("/v1/townships", headers=viewer).json()
    assert [t["id"] for t in everything["items"]] == sorted(tenants) and everything["next_page_token"] == ""

    # a token that was altered, or is not ours, is refused; a good one still works
    payload, mac = saved.split(".")
    flipped = ("A" if payload[5] != "A" else "B").join((payload[:5], payload[6:]))
    for bad in (f"{flipped}.{mac}", f"{payload}.{mac[:-2]}", "not-a-token", saved + "x", "a.b.c"):
        r = client.get("/v1/townships", params={"page_size": 2, "page_token": bad}, headers=viewer)
        assert_problem(r, 422, "validation_error")
    again = client.get("/v1/townships", params={"page_size": 2, "page_token": saved}, headers=viewer)
    assert [t["id"] for t in again.json()["items"]] == sorted(tenants)[2:4]
    for size in (0, 201, "many"):
        assert_problem(
            client.get("/v1/townships", params={"page_size": size}, headers=viewer), 422, "validation_error"
        )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/auth/token", '{"username": "a\\u0000b", "password": "whatever1"}'),
        ("PUT", "/v1/calendar/days/2091-01-02", '{"kind": "off", "reason": "a\\u0000b"}'),
        ("GET", "/v1/public/townships/tianyang.napo/guides/a%00b", None),
        ("GET", "/v1/townships?page_token=%00", None),
    ],
)
def test_a_nul_character_anywhere_is_a_validation_error(
    client: TestClient, admin: dict[str, str], method: str, path: str, body: str | None
) -> None:
    """PostgreSQL text cannot hold NUL: the edge refuses it before any route or service sees it."""
    headers = {**admin, "Content-Type": "application/json"}
    problem = assert_problem(
        client.request(method, path, content=body, headers=headers), 422, "validation_error"
    )
    assert "NUL" in problem["detail"]


def test_an_escaped_backslash_before_u0000_is_ordinary_text(
    client: TestClient, admin: dict[str, str]
) -> None:
    # JSON "\\u0000" is a backslash followed by the letters u0000, not a NUL character
    body = '{"username": "a\\\\u0000b", "password": "whatever1"}'
    r = client.post("/v1/auth/token", content=body, headers={"Content-Type": "application/json"})
    assert_problem(r, 401, "unauthenticated")
