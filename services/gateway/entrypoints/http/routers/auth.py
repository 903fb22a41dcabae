"""Tokens and the caller's own identity (API.md *Auth*)."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Sessions
from services.gateway.entrypoints.http.edge import throttle_login
from services.gateway.service_layer import identity

router = APIRouter(tags=["auth"])


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


@router.post("/v1/auth/token")
def issue_token(body: TokenRequest, gw: GatewayDep, request: Request) -> dict:
    throttle_login(request, body.username)  # per username; per IP in the edge middleware
    principal = identity.authenticate(gw.runtime.sessions, body.username, body.password)
    token, expires_in = gw.issuer.issue(principal)
    return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}


@router.get("/v1/me")
def me(c: Authed, sessions: Sessions) -> dict:
    user = identity.get_user(sessions, c.principal.username)
    return {
        "username": user["username"],
        "name": user["name"],
        "roles": sorted(c.principal.roles),
        "tenants": sorted(c.principal.tenants),
        **({"department": c.principal.department} if c.principal.department else {}),
    }
