"""The gateway's HTTP API (API.md): FastAPI routers that translate HTTP to the service layer and
to gRPC calls of the services. Built by `create_app` from a `Gateway` context; connects nothing
at import time."""

import time
import uuid
from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Header, Request, Response
from pydantic import BaseModel, Field

from libs.common import db
from libs.common.auth import TokenIssuer, TokenVerifier, acting_as
from libs.common.errors import BianminError, Unauthenticated
from libs.common.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal, validate_tenant
from services.gateway.adapters.service_clients import ServiceClients
from services.gateway.domain.directory import require_role
from services.gateway.entrypoints.http import problems
from services.gateway.service_layer import directory, identity

PROJECTING_SERVICES = ("intake", "proxy", "appraisal", "notify")


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


# --- request bodies --------------------------------------------------------------------------


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class GroupIn(BaseModel):
    code: str
    name: str


class VillageIn(BaseModel):
    code: str
    name: str
    groups: list[GroupIn] = []


class TownshipIn(BaseModel):
    code: str
    name: str
    villages: list[VillageIn] = []


def create_app(gw: Gateway) -> FastAPI:
    app = FastAPI(
        title="Bianmin gateway",
        version="1",
        description="The single entrance of Bianmin (便民). Errors are application/problem+json.",
    )
    problems.install(app)
    sessions = gw.runtime.sessions

    @app.middleware("http")
    async def _request_id_and_metrics(request: Request, call_next):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        response.headers["X-Request-Id"] = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response

    def caller(authorization: Annotated[str | None, Header()] = None) -> Caller:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise Unauthenticated("a bearer token is required")
        token = authorization.split(" ", 1)[1].strip()
        return Caller(gw.verifier.verify(token), token)

    Authed = Annotated[Caller, Depends(caller)]

    # --- health --------------------------------------------------------------------------------

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz(response: Response) -> dict:
        checks: dict[str, str] = {}
        try:
            with db.transaction(sessions, None) as s:
                s.execute(sa.text("SELECT 1"))
            checks["database"] = "ok"
        except Exception:  # noqa: BLE001 - any failure means not ready
            checks["database"] = "unavailable"
        for service in PROJECTING_SERVICES:
            checks[service] = "ok" if gw.services.healthy(service) else "unavailable"
        ready = all(v == "ok" for v in checks.values())
        response.status_code = 200 if ready else 503
        return {"status": "ready" if ready else "not_ready", "checks": checks}

    # --- auth ----------------------------------------------------------------------------------

    @app.post("/v1/auth/token", tags=["auth"])
    def issue_token(body: TokenRequest) -> dict:
        principal = identity.authenticate(sessions, body.username, body.password)
        token, expires_in = gw.issuer.issue(principal)
        return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}

    @app.get("/v1/me", tags=["auth"])
    def me(c: Authed) -> dict:
        user = identity.get_user(sessions, c.principal.username)
        return {
            "username": user["username"],
            "name": user["name"],
            "roles": sorted(c.principal.roles),
            "tenants": sorted(c.principal.tenants),
        }

    # --- directory -----------------------------------------------------------------------------

    @app.post("/v1/townships", status_code=201, tags=["directory"])
    def onboard(body: TownshipIn, c: Authed) -> dict:
        principal = require_role(c.principal, "county_admin")
        return directory.onboard_township(sessions, principal, body.model_dump())

    @app.get("/v1/townships", tags=["directory"])
    def townships(c: Authed) -> dict:
        return {"items": directory.list_townships(sessions, c.principal), "next_page_token": ""}

    @app.get("/v1/townships/{tenant}", tags=["directory"])
    def township(tenant: str, c: Authed) -> dict:
        view = directory.get_township(sessions, c.principal, validate_tenant(tenant))
        with acting_as(c.token):
            view["services"] = {s: _probe(gw, s, tenant) for s in PROJECTING_SERVICES}
        return view

    @app.post("/v1/townships/{tenant}/suspend", tags=["directory"])
    def suspend(tenant: str, c: Authed) -> dict:
        principal = require_role(c.principal, "county_admin")
        return directory.suspend_township(sessions, principal, validate_tenant(tenant))

    return app


def _probe(gw: Gateway, service: str, tenant: str) -> str:
    """'ready' once the service has recorded the township, 'pending' before."""
    try:
        return "ready" if gw.services.knows_tenant(service, tenant) else "pending"
    except BianminError:
        return "unavailable"
