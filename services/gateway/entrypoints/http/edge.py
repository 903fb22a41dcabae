"""The edge of the gateway: rate limits, the request-size limit, the security headers and the
request id with the HTTP metrics.

Everything here is plain ASGI middleware installed by `create_app` from `Settings`
(`BIANMIN_HTTP_*`); the answers are problems like every other error (problems.py).

- **Rate limits** (`429 rate_limited` with `Retry-After`): token buckets **in process memory, so
  per gateway replica** (N replicas allow N times the rate). Every request spends a token from
  the bucket of its client IP and, when it carries a valid bearer token, from the bucket of its
  user (`http_rate_per_second`, burst `http_burst`). Login (`POST /v1/auth/token`) also spends
  from a stricter per-IP bucket here and a per-username bucket in the route (`throttle_login`),
  on top of the back-off per account and source of `domain/credentials.py`. A staff console page
  spends one token of its IP's bucket; the API calls it makes for the page in process spend none
  (`CONSOLE_INNER`), but a console login still spends from the login bucket. The client IP is the ASGI
  client address: uvicorn replaces it with `X-Forwarded-For` only when the peer is one of
  `BIANMIN_TRUSTED_PROXIES` (server.py). Probes (`/healthz`, `/readyz`) are never limited.
- **Request size** (`413`, code `validation_error`): a `Content-Length` above
  `http_max_body_bytes` is refused before anything is read; a chunked body is counted as it
  streams and refused as soon as it passes the limit.
- **Security headers** on every response (`security_headers`): nosniff, no framing, no referrer,
  `Cache-Control: no-store`, a deny-all Content-Security-Policy except on the interactive docs
  (which run their own scripts and styles, served from here: nothing from elsewhere) and the staff
  console (its own scripts and styles, none inline), and HSTS
  only when `http_hsts` says we are behind TLS.
- **Request id and metrics** (`RequestMiddleware`, the outermost): `X-Request-Id` on every answer
  (the caller's, else a new one) and `bianmin_http_*` by route template.
"""

from __future__ import annotations

import math
import re
import time
import uuid
from urllib.parse import unquote_to_bytes

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.common.errors import BianminError, RateLimited
from libs.common.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS
from libs.common.rate import TokenBuckets
from libs.common.settings import Settings
from libs.common.tenancy import Principal
from services.gateway.entrypoints.http.problems import problem

LOGIN_PATH = "/v1/auth/token"
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})
DOCS_PATHS = ("/docs", "/redoc")  # and /docs/oauth2-redirect
DOCS_ASSETS = "/docs/static"  # Swagger UI's and ReDoc's scripts and styles (app.py)
CSP = "default-src 'none'; frame-ancestors 'none'"
# the interactive docs run their own scripts (an inline one starts Swagger UI, ReDoc injects styles
# and starts a search worker), but only from here: the browser refuses anything from elsewhere
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
# the staff console (entrypoints/console): its own scripts and styles only, no inline script or
# style, forms posting only here, nothing framed, nothing from another origin
CONSOLE_PATH = "/console"
CONSOLE_STATIC = "/console/static/"
CONSOLE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
_VERIFIED = "bianmin.verified"  # where `verified` keeps the token, its principal or its error
# set by the staff console on the API calls it makes in process for one of its pages (console/api.py;
# an ASGI scope key, which no request from outside can set): the page was charged already, so its
# API calls spend no more tokens — except a login, which spends from the per-IP login bucket as ever
CONSOLE_INNER = "bianmin.console_inner"


class Limits:
    """The buckets of one gateway app (on `app.state.limits`)."""

    def __init__(self, settings: Settings) -> None:
        self.by_ip = TokenBuckets(settings.http_rate_per_second, settings.http_burst)
        self.by_user = TokenBuckets(settings.http_rate_per_second, settings.http_burst)
        self.login_by_ip = TokenBuckets(
            settings.http_login_ip_per_minute / 60, settings.http_login_ip_per_minute
        )
        self.login_by_user = TokenBuckets(
            settings.http_login_user_per_minute / 60, settings.http_login_user_per_minute
        )


def retry_after(wait: float) -> int:
    return max(1, math.ceil(wait))


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header, else None."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    return authorization.split(" ", 1)[1].strip()


def authenticated_username(scope: Scope) -> str | None:
    """The username of a valid bearer token on the request, else None (the route answers 401)."""
    token = bearer_token(Headers(scope=scope).get("authorization"))
    if token is None:
        return None
    try:
        return verified(scope, token).username
    except BianminError:
        return None


def verified(scope: Scope, token: str) -> Principal:
    """The principal of `token`, or the error verifying it: verified once per request (the rate
    limit and the route's caller both need it), kept in the scope."""
    kept: tuple[str, Principal | BianminError] | None = scope.get(_VERIFIED)
    if kept is None or kept[0] != token:
        try:
            kept = (token, scope["app"].state.gateway.verifier.verify(token))
        except BianminError as exc:
            kept = (token, exc)
        scope[_VERIFIED] = kept
    if isinstance(kept[1], BianminError):
        raise kept[1]
    return kept[1]


def throttle_login(request: Request, username: str) -> None:
    """The per-username login limit (the per-IP one is in `RateLimitMiddleware`)."""
    wait = request.app.state.limits.login_by_user.take(username)
    if wait:
        raise RateLimited("too many login attempts for this user; retry later", retry_after=retry_after(wait))


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        ip = client_ip(scope)
        inner = scope.get(CONSOLE_INNER, False)
        wait = 0.0 if inner else self.limits.by_ip.take(ip)
        if not wait and scope["method"] == "POST" and scope["path"] == LOGIN_PATH:
            wait = self.limits.login_by_ip.take(ip)
        if not wait and not inner:
            username = authenticated_username(scope)
            if username is not None:
                wait = self.limits.by_user.take(username)
        if wait:
            seconds = retry_after(wait)
            response = problem(
                "rate_limited",
                f"too many requests; retry in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the limit. FastAPI re-raises
    HTTPExceptions met while reading the body, so the app's handler (problems.py) answers it; if
    a middleware was reading, `BodySizeMiddleware` answers it itself."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodySizeMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                too_large = False  # the server refuses a malformed Content-Length itself
            if too_large:
                await self._refuse(scope, receive, send)
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = BodyTooLarge(self.max_bytes).detail
        await problem("validation_error", detail, status=413, headers={"Connection": "close"})(
            scope, receive, send
        )


# a NUL character, raw or as a JSON escape (`\u0000` after an even run of backslashes): PostgreSQL
# text cannot hold it, so it is refused at the edge for every route and service behind it
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def has_nul(data: bytes) -> bool:
    return b"\x00" in data or _JSON_NUL.search(data) is not None


class NulCharacterMiddleware:
    """Refuses a request whose path, query or body carries a NUL character (`validation_error`).
    Sits inside `BodySizeMiddleware`, so the body it reads whole is already bounded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        target = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if "\x00" in scope["path"] or has_nul(unquote_to_bytes(target)):
            await self._refuse(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        if has_nul(b"".join(chunks)):
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": b"".join(chunks)}], receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await problem("validation_error", "text must not contain NUL characters")(scope, receive, send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A `receive` that gives `messages` first, then defers to `then` (e.g. for disconnects)."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


class RequestMiddleware:
    """The outermost: every answer carries the request id (the caller's `X-Request-Id`, else a
    new one) and the security headers, and is counted in the HTTP metrics by route template.
    Plain ASGI (not `@app.middleware`), which would run each request in a task of its own."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex
        status = [500]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = request_id
                security_headers(scope["path"], headers, self.settings)
            await send(message)

        await self.app(scope, receive, send_with_headers)
        route = getattr(scope.get("route"), "path", "unmatched")
        HTTP_REQUESTS.labels(scope["method"], route, str(status[0])).inc()
        HTTP_LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)


def security_headers(path: str, headers: MutableHeaders, settings: Settings) -> None:
    """Set the headers every response carries (called by the outermost middleware)."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    # the console's scripts and styles may be kept a while (a slow line loads them once); pages never
    headers["Cache-Control"] = "public, max-age=3600" if path.startswith(CONSOLE_STATIC) else "no-store"
    if path.startswith(DOCS_PATHS):
        headers["Content-Security-Policy"] = DOCS_CSP
    elif path == CONSOLE_PATH or path.startswith(CONSOLE_PATH + "/"):
        headers["Content-Security-Policy"] = CONSOLE_CSP
    else:
        headers["Content-Security-Policy"] = CSP
    if settings.http_hsts:
        headers["Strict-Transport-Security"] = HSTS
