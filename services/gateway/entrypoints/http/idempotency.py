"""`Idempotency-Key` on creates (API.md, ARCHITECTURE.md §6): a retried create returns the first
result instead of creating twice.

**Which routes:** every `POST` route declared with `status_code=201` (as the app's OpenAPI
document shows it) — that is the opt-in, and routers do nothing else. A request to such a route
that carries an `Idempotency-Key` header and a valid bearer token goes through
`IdempotencyMiddleware` (one ASGI middleware for the whole app); any other request passes
untouched (without a valid token the route answers 401 as usual).

**What is stored:** one row of `gateway.idempotency_key` per (username, key) — a key belongs to
the user who sent it — with the method, path and a hash of the body (JSON is canonicalised first,
so key order and spacing do not matter), and, once the create succeeded, its status, body and
content headers. Keys expire after `TTL` (24 h); a user's expired keys are deleted on their next
keyed request, so an expired key may be used afresh.

**How:**
1. The key is claimed *before* the route runs: `INSERT … ON CONFLICT DO NOTHING` on the primary
   key, committed at once. Of two concurrent requests with one key exactly one inserts; the other
   sees the row.
2. The winner runs the route. A 2xx answer is stored (before it is sent) and later requests with
   the key get it back — same status, same body — with `Idempotent-Replayed: true`. Any other
   answer (or an exception) releases the key: a failed create changed nothing (one transaction),
   so running it again is safe.
3. A request that finds the key with a different method, path or body gets `409
   idempotency_conflict`. One that finds it in flight waits up to `WAIT_SECONDS` for the result
   (or for the release, and then claims it itself); still in flight after that → 409.

4. A claim still in flight after `LEASE` belongs to a gateway that died mid-request (no create
   runs that long: the services' calls time out first). The next request with the key takes it
   over (compare-and-set on the claim's time, so one retry wins) and runs the route again. That
   is safe because the routes hand the key on to their service, which keeps it with what it
   wrote in the same transaction (cases, petitions, inquiries, catalogue items, delegations):
   run again, the service returns what it committed the first time — or writes it now when
   nothing committed. The other creates are keyed by a code or a username of their own, so a
   second run answers `already_exists` rather than making a second one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.common import db
from services.gateway.adapters import tables
from services.gateway.entrypoints.http.edge import authenticated_username
from services.gateway.entrypoints.http.problems import problem

log = logging.getLogger(__name__)

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"
TTL = timedelta(hours=24)
WAIT_SECONDS = 10.0
LEASE = timedelta(seconds=60)  # a claim older than this and still in flight: its gateway died
KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}\Z")  # visible ASCII, e.g. a UUID
STORED_HEADERS = ("content-type", "location", "etag")
t = tables.idempotency_key


def is_create(app: FastAPI, scope: Scope) -> bool:
    """Whether the request goes to a route that opted in: a POST whose OpenAPI operation answers
    201 (`status_code=201`). Read from the app's own OpenAPI document (once per app), so it holds
    however routers are nested."""
    patterns: list[re.Pattern[str]] | None = getattr(app.state, "idempotent_creates", None)
    if patterns is None:
        paths = app.openapi().get("paths", {})
        patterns = [
            compile_path(path)[0]
            for path, operations in paths.items()
            if "201" in operations.get("post", {}).get("responses", {})
        ]
        app.state.idempotent_creates = patterns
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return any(pattern.match(path) for pattern in patterns)


def request_hash(body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        data = b"json:" + canonical.encode()
    except (ValueError, RecursionError):  # not JSON, or nested too deep to walk: hashed as sent
        data = b"raw:" + body
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Claim:
    username: str
    key: str
    method: str
    path: str
    request_hash: str


@dataclass(frozen=True)
class Stored:
    status: int
    headers: dict[str, str]
    body: bytes


CLAIMED, CONFLICT, IN_FLIGHT = "claimed", "conflict", "in_flight"


class Store:
    """The table, used from worker threads (the database calls are blocking)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def claim(self, c: Claim) -> str | Stored:
        now = datetime.now(UTC)
        with db.transaction(self.sessions, None) as s:
            s.execute(sa.delete(t).where(t.c.username == c.username, t.c.expires_at <= now))
            inserted = s.execute(
                insert(t)
                .values(
                    username=c.username,
                    key=c.key,
                    method=c.method,
                    path=c.path,
                    request_hash=c.request_hash,
                    created_at=now,
                    expires_at=now + TTL,
                )
                .on_conflict_do_nothing()
                .returning(t.c.key)
            ).first()
            if inserted:
                return CLAIMED
            row = (
                s.execute(sa.select(t).where(t.c.username == c.username, t.c.key == c.key)).mappings().first()
            )
        if row is None:  # released between our insert and select: try again
            return IN_FLIGHT
        if (row["method"], row["path"], row["request_hash"]) != (c.method, c.path, c.request_hash):
            return CONFLICT
        if row["status"] is None:
            return (
                self._take_over(c, row["created_at"], now) if row["created_at"] <= now - LEASE else IN_FLIGHT
            )
        return Stored(row["status"], dict(row["response_headers"] or {}), bytes(row["response_body"] or b""))

    def _take_over(self, c: Claim, claimed_at: datetime, now: datetime) -> str:
        """Claim a dead gateway's key for this request (one of several concurrent retries wins)."""
        with db.transaction(self.sessions, None) as s:
            taken = s.execute(
                sa.update(t)
                .where(t.c.username == c.username, t.c.key == c.key, t.c.status.is_(None))
                .where(t.c.created_at == claimed_at)
                .values(created_at=now)
                .returning(t.c.key)
            ).first()
        if taken:
            log.warning(
                "Idempotency-Key %r of %s was left in flight; this retry runs it again", c.key, c.username
            )
            return CLAIMED
        return IN_FLIGHT

    def complete(self, c: Claim, result: Stored) -> None:
        with db.transaction(self.sessions, None) as s:
            s.execute(
                sa.update(t)
                .where(t.c.username == c.username, t.c.key == c.key)
                .values(status=result.status, response_headers=result.headers, response_body=result.body)
            )

    def release(self, c: Claim) -> None:
        with db.transaction(self.sessions, None) as s:
            s.execute(sa.delete(t).where(t.c.username == c.username, t.c.key == c.key, t.c.status.is_(None)))


class IdempotencyMiddleware:
    """The sessions are the gateway's (`app.state.gateway`), looked up per request like the
    routers' (deps.py): building the app connects nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = Headers(scope=scope).get(HEADER) if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST" or not is_create(scope["app"], scope):
            await self.app(scope, receive, send)
            return
        username = authenticated_username(scope)
        if username is None:
            await self.app(scope, receive, send)
            return
        if not KEY_RE.match(key):
            await problem("validation_error", "Idempotency-Key must be 1-255 visible ASCII characters")(
                scope, receive, send
            )
            return

        store = Store(scope["app"].state.gateway.runtime.sessions)
        body = await _read_body(receive)
        claim = Claim(username, key, scope["method"], scope["path"], request_hash(body))
        deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
        pause = 0.02
        while True:
            outcome = await run_in_threadpool(store.claim, claim)
            if outcome == CLAIMED:
                break
            if outcome == CONFLICT:
                detail = "this Idempotency-Key was used for a different request"
                await problem("idempotency_conflict", detail)(scope, receive, send)
                return
            if isinstance(outcome, Stored):
                await _replay(outcome, send)
                return
            if asyncio.get_running_loop().time() >= deadline:  # still in flight
                detail = "a request with this Idempotency-Key is still in progress; retry later"
                await problem("idempotency_conflict", detail)(scope, receive, send)
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.25)
        await self._run(store, claim, scope, _replaying(body, receive), send)

    async def _run(self, store: Store, claim: Claim, scope: Scope, receive: Receive, send: Send) -> None:
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        settled = False

        async def capturing_send(message: Message) -> None:
            nonlocal status, headers, settled
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
                if not 200 <= status < 300:
                    settled = True
                    await run_in_threadpool(store.release, claim)
            elif message["type"] == "http.response.body" and 200 <= status < 300:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await _complete(store, claim, status, headers, b"".join(chunks))
                    settled = True
            await send(message)

        try:
            await self.app(scope, receive, capturing_send)
        finally:
            if not settled:  # an exception, or a disconnect before the answer was stored
                await run_in_threadpool(store.release, claim)


async def _complete(
    store: Store, claim: Claim, status: int, raw: list[tuple[bytes, bytes]], body: bytes
) -> None:
    decoded = ((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)
    kept = {k: v for k, v in decoded if k in STORED_HEADERS}
    try:
        await run_in_threadpool(store.complete, claim, Stored(status, kept, body))
    except Exception:  # noqa: BLE001 - the create happened: answer it; the key stays in flight
        log.exception("could not store the answer of Idempotency-Key %r", claim.key)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # a disconnect: what came is what there is
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _replay(stored: Stored, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers.items()]
    headers += [(b"content-length", str(len(stored.body)).encode()), (REPLAYED.lower().encode(), b"true")]
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})
