"""What every router needs: the gateway's context and the authenticated caller.

The context lives on `app.state.gateway` (set by `create_app`), so routers are plain module-level
`APIRouter`s with no globals and nothing connects at import time."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from libs.common.auth import TokenIssuer, TokenVerifier
from libs.common.errors import InvalidTransition, Unauthenticated
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal, validate_tenant
from services.gateway.adapters.service_clients import ServiceClients
from services.gateway.domain.directory import require_visible
from services.gateway.entrypoints.http.edge import bearer_token, verified
from services.gateway.service_layer import audit, directory


@dataclass
class Gateway:
    runtime: Runtime
    issuer: TokenIssuer
    verifier: TokenVerifier
    services: ServiceClients


@dataclass(frozen=True)
class Caller:
    principal: Principal
    token: str


# FastAPI runs a plain `def` dependency in its thread pool, a hand-over that costs more than
# these take: they only read the app's state or the token the rate limit has verified already
# (edge.verified, on the event loop too), so they are `async`. What does I/O stays plain.


async def gateway(request: Request) -> Gateway:
    return request.app.state.gateway


async def sessions(request: Request) -> sessionmaker[Session]:
    return request.app.state.gateway.runtime.sessions


# declares the bearer scheme (a JWT) on every operation that needs a caller, so the OpenAPI document
# says which do and Swagger UI's Authorize button sends the token; the token itself is read as the
# edge reads it (`bearer_token`), and a missing one is our problem+json 401, not FastAPI's
BEARER = HTTPBearer(scheme_name="bearer", bearerFormat="JWT", auto_error=False)
DeclaredBearer = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]


async def caller(request: Request, _: DeclaredBearer) -> Caller:
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise Unauthenticated("a bearer token is required")
    return Caller(verified(request.scope, token), token)


READS = frozenset({"GET", "HEAD", "OPTIONS"})


async def visible_tenant(
    request: Request,
    tenant: str,
    c: Annotated[Caller, Depends(caller)],
    db_sessions: Annotated[sessionmaker[Session], Depends(sessions)],
) -> str:
    """The `{tenant}` path parameter, valid and visible to the caller (else `not_found`).
    A county role reaching into a township through its county scope leaves an audit entry; a
    write to a suspended township is refused. Only those two touch the database, off the event
    loop: a township's own staff reading their township costs no thread hand-over."""
    require_visible(c.principal, validate_tenant(tenant))
    crossing = audit.is_cross_township(c.principal, tenant)
    writes = request.method not in READS and not request.url.path.endswith("/reactivate")
    if crossing or writes:
        await run_in_threadpool(_guard, db_sessions, c.principal, tenant, request, crossing, writes)
    return tenant


def _guard(
    db_sessions: sessionmaker[Session],
    principal: Principal,
    tenant: str,
    request: Request,
    crossing: bool,
    writes: bool,
) -> None:
    if crossing:
        audit.record(db_sessions, principal, tenant, request.method, request.url.path)
    if writes and directory.is_suspended(db_sessions, tenant):
        raise InvalidTransition(f"township {tenant} is suspended: nothing can change in it")


GatewayDep = Annotated[Gateway, Depends(gateway)]
Sessions = Annotated[sessionmaker[Session], Depends(sessions)]
Authed = Annotated[Caller, Depends(caller)]
Tenant = Annotated[str, Depends(visible_tenant)]
