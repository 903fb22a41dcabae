"""The console's only way to the platform: the gateway's own HTTP API, called in process (ASGI,
no socket) with the caller's bearer token and the browser's address. So every page and every
action passes the very checks an API client meets — the edge (rate limits per IP and user, body
size, NUL characters, idempotent creates), the tenant visibility and its audit, and the services'
role checks — and the console can do nothing the caller's token cannot (API.md *Staff console*)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.entrypoints.http.edge import CONSOLE_INNER, client_ip

# a worklist reads at most this many cases of one state (the counts say "500+" beyond)
MAX_ITEMS = 500
PAGE = 200  # the API's largest page


class ApiError(Exception):
    """A refusal of the API: its status and problem (`code`, `detail`)."""

    def __init__(self, status: int, code: str | None, detail: str | None) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status, self.code, self.detail = status, code, detail


class Api:
    def __init__(self, request: Request, token: str | None) -> None:
        self._app = request.app
        self._client = (client_ip(request.scope), 0)
        self._token = token
        self._request_id = request.headers.get("x-request-id")

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if self._token:
            sent["Authorization"] = f"Bearer {self._token}"
        if self._request_id:
            sent["X-Request-Id"] = self._request_id
        transport = httpx.ASGITransport(app=_marked(self._app), client=self._client)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            return await http.request(
                method, path, json=json, params={k: v for k, v in (params or {}).items() if v}, headers=sent
            )

    async def get(self, path: str, **params: Any) -> Any:
        return _body(await self.call("GET", path, params=params))

    async def post(
        self,
        path: str,
        body: Any = None,
        *,
        if_match: int | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        headers = {}
        if if_match:
            headers["If-Match"] = f'"{if_match}"'
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return _body(await self.call("POST", path, json=body if body is not None else {}, headers=headers))

    async def items(self, path: str, limit: int = MAX_ITEMS, **params: Any) -> tuple[list[dict], bool]:
        """The items of a paged list, at most `limit`; and whether there were more."""
        found: list[dict] = []
        token = ""
        while True:
            page = await self.get(path, page_size=min(PAGE, limit - len(found)), page_token=token, **params)
            found.extend(page["items"])
            token = page.get("next_page_token") or ""
            if not token:
                return found, False
            if len(found) >= limit:
                return found, True

    async def gather(self, *calls: Any) -> list[Any]:
        return list(await asyncio.gather(*calls))


def seg(value: str) -> str:
    """A value from the browser as one segment of an API path: quoted, never a dot segment (which
    would climb out of it); such a value names nothing (`not_found`)."""
    if value in ("", ".", ".."):
        raise ApiError(404, "not_found", "no such thing")
    return quote(value, safe="")


def _marked(app: ASGIApp) -> ASGIApp:
    """The app, its requests marked as the console's own (the edge charges the page, not these)."""

    async def marked(scope: Scope, receive: Receive, send: Send) -> None:
        scope[CONSOLE_INNER] = True
        await app(scope, receive, send)

    return marked


def _body(reply: httpx.Response) -> Any:
    if reply.status_code >= 400:
        try:
            problem = reply.json()
        except ValueError:
            problem = {}
        raise ApiError(reply.status_code, problem.get("code"), problem.get("detail"))
    if reply.status_code == 204 or not reply.content:
        return None
    if reply.headers.get("content-type", "").startswith("application/pdf"):
        return reply.content
    return reply.json()
