"""Logging in, tokens and the lockout, through the gateway's HTTP API on the real database."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import jwt
import sqlalchemy as sa
from fastapi.testclient import TestClient

from libs.common import db
from libs.common.runtime import Runtime
from services.gateway.domain.credentials import FAILURES_BEFORE_BACKOFF
from tests.integration.gateway.support import PASSWORD, assert_problem, login, unique_code


def _token(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/auth/token", json={"username": username, "password": password})


def test_login_gives_a_bearer_token_that_works_on_me(
    client: TestClient, make_user: Callable[..., str]
) -> None:
    username = make_user(["township_admin", "window_staff"], ["tianyang.napo"], name="李四")
    r = _token(client, username, PASSWORD)
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["access_token"] and body["expires_in"] == 900
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "username": username,
        "name": "李四",
        "roles": ["township_admin", "window_staff"],
        "tenants": ["tianyang.napo"],
    }


def test_a_county_admin_acts_across_the_county(client: TestClient, make_user: Callable[..., str]) -> None:
    username = make_user(["county_admin"])
    me = client.get("/v1/me", headers=login(client, username)).json()
    assert me["roles"] == ["county_admin"] and me["tenants"] == ["tianyang.*"]


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    client: TestClient, make_user: Callable[..., str]
) -> None:
    wrong = _token(client, make_user(["county_admin"]), "not the password")
    unknown = _token(client, unique_code("nobody"), PASSWORD)
    for r in (wrong, unknown):
        assert_problem(r, 401, "unauthenticated")
        assert r.headers["WWW-Authenticate"] == "Bearer"
    assert wrong.json() == unknown.json()


def _from(client: TestClient, address: str) -> TestClient:
    """The same app, called from another address."""
    return TestClient(client.app, client=(address, 50000))


def test_repeated_failures_hold_off_their_source_not_the_owner(
    client: TestClient, make_user: Callable[..., str], runtime: Runtime
) -> None:
    username = make_user(["county_admin"])
    for _ in range(FAILURES_BEFORE_BACKOFF):
        assert_problem(_token(client, username, "wrong password"), 401, "unauthenticated")
    # held off: even the right password is refused from there, with the same answer as a wrong one
    held = assert_problem(_token(client, username, PASSWORD), 401, "unauthenticated")
    assert "too many failed logins" in held["detail"]
    # the owner at another desk is not locked out
    assert _token(_from(client, "10.20.30.40"), username, PASSWORD).status_code == 200
    # the hold ends (moved into the past) and the right password works from there again
    with db.transaction(runtime.ops_sessions, None) as s:
        s.execute(
            sa.text(
                "UPDATE gateway.login_failure SET held_until = now() - interval '1 minute' "
                "WHERE username = :u"
            ),
            {"u": username},
        )
    assert _token(client, username, PASSWORD).status_code == 200


def test_a_known_client_passes_a_hold_on_its_own_address(
    client: TestClient, make_user: Callable[..., str]
) -> None:
    username = make_user(["county_admin"])
    first = _token(client, username, PASSWORD).json()
    known = first["client_token"]
    assert known
    for _ in range(FAILURES_BEFORE_BACKOFF):  # someone else, behind the same address
        assert_problem(_token(client, username, "wrong password"), 401, "unauthenticated")
    assert_problem(_token(client, username, PASSWORD), 401, "unauthenticated")
    again = client.post(
        "/v1/auth/token", json={"username": username, "password": PASSWORD, "client_token": known}
    )
    assert again.status_code == 200 and again.json()["client_token"] == known
    # a client token is one account's: shown with another account it counts for nothing
    other = make_user(["county_admin"])
    for _ in range(FAILURES_BEFORE_BACKOFF):
        _token(client, other, "wrong password")
    borrowed = client.post(
        "/v1/auth/token", json={"username": other, "password": PASSWORD, "client_token": known}
    )
    assert_problem(borrowed, 401, "unauthenticated")


def test_fewer_failures_than_the_limit_do_not_hold_and_a_success_resets_the_count(
    client: TestClient, make_user: Callable[..., str]
) -> None:
    username = make_user(["county_admin"])
    for _ in range(FAILURES_BEFORE_BACKOFF - 1):
        assert_problem(_token(client, username, "wrong password"), 401, "unauthenticated")
    assert _token(client, username, PASSWORD).status_code == 200
    for _ in range(FAILURES_BEFORE_BACKOFF - 1):  # counting starts again from zero
        assert_problem(_token(client, username, "wrong password"), 401, "unauthenticated")
    assert _token(client, username, PASSWORD).status_code == 200


def test_a_refresh_token_gives_new_tokens_once(client: TestClient, make_user: Callable[..., str]) -> None:
    username = make_user(["county_admin"], name="李四")
    first = _token(client, username, PASSWORD).json()
    renewed = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert body["refresh_token"] != first["refresh_token"] and body["expires_in"] == 900
    assert "client_token" not in body or body["client_token"] is None
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == username
    # the spent token shown again means it was copied: the whole session ends
    reused = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert "log in again" in assert_problem(reused, 401, "unauthenticated")["detail"]
    ended = client.post("/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert "log in again" in assert_problem(ended, 401, "unauthenticated")["detail"]


def test_logout_ends_the_session(client: TestClient, make_user: Callable[..., str]) -> None:
    username = make_user(["county_admin"])
    tokens = _token(client, username, PASSWORD).json()
    r = client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 204
    after = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert "ended" in assert_problem(after, 401, "unauthenticated")["detail"]
    # logging out twice, or with a token that never was, changes nothing and is no error
    assert client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    assert client.post("/v1/auth/logout", json={"refresh_token": "never-issued"}).status_code == 204
    assert_problem(
        client.post("/v1/auth/refresh", json={"refresh_token": "never-issued"}), 401, "unauthenticated"
    )
    assert_problem(client.post("/v1/auth/refresh", json={}), 422, "validation_error")


def test_a_session_ends_when_its_refresh_token_lapses_or_its_user_goes(
    client: TestClient, make_user: Callable[..., str], runtime: Runtime
) -> None:
    lapsed, removed = make_user(["county_admin"]), make_user(["county_admin"])
    tokens = {u: _token(client, u, PASSWORD).json()["refresh_token"] for u in (lapsed, removed)}
    with db.transaction(runtime.ops_sessions, None) as s:
        s.execute(
            sa.text(
                "UPDATE gateway.refresh_token SET expires_at = now() - interval '1 second' "
                "WHERE username = :u"
            ),
            {"u": lapsed},
        )
        s.execute(sa.text("DELETE FROM gateway.user_account WHERE username = :u"), {"u": removed})
    expired = client.post("/v1/auth/refresh", json={"refresh_token": tokens[lapsed]})
    assert "expired" in assert_problem(expired, 401, "unauthenticated")["detail"]
    gone = client.post("/v1/auth/refresh", json={"refresh_token": tokens[removed]})
    assert "no longer exists" in assert_problem(gone, 401, "unauthenticated")["detail"]


def test_me_without_a_token(client: TestClient) -> None:
    r = client.get("/v1/me")
    assert_problem(r, 401, "unauthenticated")
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_me_with_a_garbage_or_non_bearer_token(client: TestClient) -> None:
    for header in ("Bearer not-a-jwt", "Bearer ", "Basic dXNlcjpwYXNz", "bearer a.b.c", "Token x"):
        assert_problem(client.get("/v1/me", headers={"Authorization": header}), 401, "unauthenticated")


def test_me_with_an_expired_token(client: TestClient, make_user: Callable[..., str], gateway_keys) -> None:  # type: ignore[no-untyped-def]
    issuer, _ = gateway_keys
    kid, key = issuer.keyring.signing_key()
    now = int(time.time())
    claims = {
        "sub": make_user(["county_admin"]),
        "roles": ["county_admin"],
        "tenants": ["tianyang.*"],
        "county": "tianyang",
        "iat": now - 7200,
        "exp": now - 3600,
        "iss": issuer.issuer,
        "jti": uuid.uuid4().hex,
    }
    expired = jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})
    body = assert_problem(
        client.get("/v1/me", headers={"Authorization": f"Bearer {expired}"}), 401, "unauthenticated"
    )
    assert "expired" in body["detail"]
    # the same claims, still valid, are accepted: it is the expiry that was refused
    fresh = jwt.encode({**claims, "iat": now, "exp": now + 60}, key, algorithm="EdDSA", headers={"kid": kid})
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_a_token_of_a_deleted_user_is_refused(
    client: TestClient, make_user: Callable[..., str], runtime: Runtime
) -> None:
    username = make_user(["county_admin"])
    headers = login(client, username)
    with db.transaction(runtime.ops_sessions, None) as s:
        s.execute(sa.text("DELETE FROM gateway.user_account WHERE username = :u"), {"u": username})
    assert_problem(client.get("/v1/me", headers=headers), 401, "unauthenticated")


def test_malformed_login_bodies_are_validation_errors(client: TestClient) -> None:
    json_header = {"Content-Type": "application/json"}
    for response in (
        client.post("/v1/auth/token", content=b'{"username": "a", ', headers=json_header),
        client.post("/v1/auth/token", content=b"", headers=json_header),
        client.post("/v1/auth/token", content=b"[]", headers=json_header),
        client.post("/v1/auth/token", json={"username": 5, "password": ["x"]}),
        client.post("/v1/auth/token", json={"username": "someone"}),
        client.post("/v1/auth/token", json={"username": "", "password": "x"}),
        client.post("/v1/auth/token", json={"username": "someone", "password": "x" * 257}),
        client.post("/v1/auth/token", data={"username": "a", "password": "b"}),  # a form, not JSON
    ):
        body = assert_problem(response, 422, "validation_error")
        assert body["errors"], body
