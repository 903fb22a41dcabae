"""The console's session: one HttpOnly, SameSite=Lax cookie (path /console, Secure behind TLS)
holding the API's own tokens — the access token, the refresh token — with the CSRF token of the
session and who the caller is, sealed (Fernet: encrypted and authenticated with the deployment's
seal keys, libs/common/sealing.py), so the browser's scripts can neither read nor forge it.

- The access token is refreshed through `POST /v1/auth/refresh` when it is about to expire; the
  refresh token rotates, and two requests of one browser refreshing at once would show the old
  one twice (which ends the session, by design of the API): a refresh is done once per refresh
  token and its answer shared for a minute (`_REFRESHED`, per gateway replica).
- The session ends with logout (`POST /v1/auth/logout` revokes the refresh token, the cookie is
  cleared) and with the API's own expiry: a refresh the API refuses (idle too long, older than 7
  days, revoked) sends the caller back to the login page.
- Every form carries the session's CSRF token (`csrf`), compared in constant time; the login form
  its own, from a short-lived sealed cookie. A POST whose `Origin` names another host is refused.
- The `client_token` the API gives at a login is kept in its own long-lived cookie and shown at the
  next login, so failed logins from elsewhere never lock this browser's owner out."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from libs.common.sealing import Sealer, SealError
from services.gateway.entrypoints.console.api import Api, ApiError

COOKIE = "bianmin_console"
LOGIN_COOKIE = "bianmin_console_login"
CLIENT_COOKIE = "bianmin_console_client"
PATH = "/console"
REFRESH_AHEAD = 60  # seconds before the access token expires
_SHARED_FOR = 60.0


class LoginRequired(Exception):
    """No session, or one the API no longer honours: back to the login page."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


class CsrfRejected(Exception):
    pass


@dataclass
class ConsoleSession:
    access: str
    refresh: str
    expires_at: float
    username: str
    name: str
    roles: list[str]
    tenants: list[str]
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    changed: bool = False

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def townships(self) -> list[str]:
        return [t for t in self.tenants if not t.endswith(".*")]

    @property
    def county(self) -> str | None:
        scoped = [t[:-2] for t in self.tenants if t.endswith(".*")]
        return scoped[0] if scoped else None


def sealer(request: Request) -> Sealer:
    return request.app.state.console_sealer


def secure(request: Request) -> bool:
    gw = request.app.state.gateway
    return bool(gw.runtime and gw.runtime.settings.http_hsts)


def _set(response: Response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=PATH, httponly=True, samesite="lax", secure=secure(request)
    )


async def log_in(request: Request, username: str, password: str) -> ConsoleSession:
    api = Api(request, None)
    body: dict[str, Any] = {"username": username, "password": password}
    client_token = request.cookies.get(CLIENT_COOKIE)
    if client_token and 0 < len(client_token) <= 256:
        body["client_token"] = client_token
    tokens = await api.post("/v1/auth/token", body)
    return await _session_of(request, tokens)


async def _session_of(request: Request, tokens: dict, csrf: str | None = None) -> ConsoleSession:
    me = await Api(request, tokens["access_token"]).get("/v1/me")
    s = ConsoleSession(
        access=tokens["access_token"],
        refresh=tokens["refresh_token"],
        expires_at=time.time() + int(tokens["expires_in"]),
        username=me["username"],
        name=me.get("name") or me["username"],
        roles=list(me["roles"]),
        tenants=list(me["tenants"]),
        changed=True,
    )
    if csrf:
        s.csrf = csrf
    if tokens.get("client_token"):
        request.state.console_client_token = tokens["client_token"]
    return s


async def current(request: Request) -> ConsoleSession:
    """The caller's session, its access token fresh; else `LoginRequired`."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        raise LoginRequired()
    try:
        fields = sealer(request).open(raw)
        fields.pop("changed", None)
        s = ConsoleSession(**fields)
    except (SealError, TypeError):
        raise LoginRequired() from None
    if s.expires_at - time.time() < REFRESH_AHEAD:
        s = await _refreshed(request, s)
    request.state.console_session = s
    return s


async def _refreshed(request: Request, s: ConsoleSession) -> ConsoleSession:
    shared: dict[str, tuple[float, ConsoleSession]] = request.app.state.console_refreshed
    key = hashlib.sha256(s.refresh.encode()).hexdigest()
    now = time.monotonic()
    for k, (at, _) in list(shared.items()):
        if now - at > _SHARED_FOR:
            del shared[k]
    if key in shared:
        return shared[key][1]
    try:
        tokens = await Api(request, None).post("/v1/auth/refresh", {"refresh_token": s.refresh})
        fresh = await _session_of(request, tokens, csrf=s.csrf)
    except ApiError:
        raise LoginRequired("会话已过期，请重新登录") from None
    shared[key] = (now, fresh)
    return fresh


async def log_out(request: Request, s: ConsoleSession) -> None:
    # the cookie goes whatever the API says
    with contextlib.suppress(Exception):
        await Api(request, s.access).call("POST", "/v1/auth/logout", json={"refresh_token": s.refresh})


def save(request: Request, response: Response, s: ConsoleSession | None) -> Response:
    """Write the session cookie when it changed (a login, a refresh); also the client token."""
    if s is not None and s.changed:
        fields = asdict(s)
        fields.pop("changed")
        _set(response, request, COOKIE, sealer(request).seal(fields))
    client_token = getattr(request.state, "console_client_token", None)
    if client_token:
        _set(response, request, CLIENT_COOKIE, client_token, max_age=180 * 24 * 3600)
    return response


def clear(request: Request, response: Response) -> Response:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="lax", secure=secure(request))
    return response


def login_csrf(request: Request) -> tuple[str, str]:
    """The login form's CSRF token and the sealed cookie that vouches for it."""
    token = secrets.token_urlsafe(32)
    return token, sealer(request).seal({"csrf": token, "at": time.time()})


def set_login_cookie(request: Request, response: Response, sealed: str) -> None:
    _set(response, request, LOGIN_COOKIE, sealed, max_age=3600)


def check_login_csrf(request: Request, sent: str | None) -> None:
    try:
        kept = sealer(request).open(request.cookies.get(LOGIN_COOKIE, ""))
    except SealError:
        raise CsrfRejected() from None
    if time.time() - float(kept.get("at", 0)) > 3600:
        raise CsrfRejected()
    _compare(str(kept.get("csrf", "")), sent)
    _same_origin(request)


def check_csrf(request: Request, s: ConsoleSession, sent: str | None) -> None:
    _compare(s.csrf, sent)
    _same_origin(request)


def _compare(expected: str, sent: str | None) -> None:
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfRejected()


def _same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise CsrfRejected()
