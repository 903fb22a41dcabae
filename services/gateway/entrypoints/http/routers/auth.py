"""Tokens, sessions and the caller's own identity (API.md *Auth*)."""

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from services.gateway.domain.credentials import MAX_PASSWORD_LENGTH
from services.gateway.entrypoints.http.answers import documented
from services.gateway.entrypoints.http.deps import Authed, Gateway, GatewayDep, Sessions
from services.gateway.entrypoints.http.edge import client_ip, throttle_login
from services.gateway.service_layer import identity

router = APIRouter(tags=["auth"])
_SECRET = Field(min_length=1, max_length=256)


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    # given at an earlier login to this account: failures from elsewhere never hold it off
    client_token: str | None = Field(None, min_length=1, max_length=256)


class RefreshRequest(BaseModel):
    refresh_token: str = _SECRET


class Tokens(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str
    client_token: str | None = None  # at a login: keep it and show it at the next login


@router.post("/v1/auth/token")
def issue_token(body: TokenRequest, gw: GatewayDep, request: Request) -> Tokens:
    throttle_login(request, body.username)  # per username; per IP in the edge middleware
    login = identity.log_in(
        gw.runtime.sessions,
        body.username,
        body.password,
        address=client_ip(request.scope),
        client_token=body.client_token,
        idle=_idle(gw),
    )
    return _tokens(gw, login)


@router.post("/v1/auth/refresh")
def refresh_token(body: RefreshRequest, gw: GatewayDep) -> Tokens:
    return _tokens(gw, identity.refresh(gw.runtime.sessions, body.refresh_token, idle=_idle(gw)))


@router.post("/v1/auth/logout", status_code=204)
def log_out(body: RefreshRequest, gw: GatewayDep) -> Response:
    identity.log_out(gw.runtime.sessions, body.refresh_token)
    return Response(status_code=204)


def _idle(gw: Gateway) -> timedelta:
    return timedelta(seconds=gw.runtime.settings.session_idle_seconds)


def _tokens(gw: Gateway, login: identity.Login) -> Tokens:
    access, expires_in = gw.issuer.issue(login.principal)
    return Tokens(
        access_token=access,
        expires_in=expires_in,
        refresh_token=login.refresh_token,
        client_token=login.client_token or None,
    )


class Me(BaseModel):
    username: str
    name: str
    roles: list[str]
    tenants: list[str] = Field(description="the townships the caller works in")
    department: str | None = Field(None, description="a county department user's; absent otherwise")


@router.get("/v1/me", **documented(Me))
def me(c: Authed, sessions: Sessions) -> dict:
    user = identity.get_user(sessions, c.principal.username)
    return {
        "username": user["username"],
        "name": user["name"],
        "roles": sorted(c.principal.roles),
        "tenants": sorted(c.principal.tenants),
        **({"department": c.principal.department} if c.principal.department else {}),
    }
