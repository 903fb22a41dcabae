"""The gateway's HTTP API (API.md): one FastAPI app assembled from the routers. Built by
`create_app` from a `Gateway` context; connects nothing at import time."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from libs.common.settings import Settings
from services.gateway.entrypoints import console
from services.gateway.entrypoints.http import edge, idempotency, problems
from services.gateway.entrypoints.http.deps import Caller, Gateway
from services.gateway.entrypoints.http.routers import (
    appraisal,
    auth,
    calendar,
    cases,
    catalogue,
    directory_entities,
    duty_rota,
    health,
    inquiries,
    notices,
    notifications,
    personal_data,
    petitions,
    proxy_agents,
    proxy_delegations,
    stats,
    townships,
    workforce,
)

ROUTERS = (
    health.router,
    auth.router,
    townships.router,
    directory_entities.router,
    calendar.router,
    catalogue.router,
    inquiries.router,
    cases.router,
    petitions.router,
    duty_rota.router,
    appraisal.router,
    workforce.router,
    proxy_agents.router,
    proxy_delegations.router,
    personal_data.router,
    stats.router,
    notices.router,
    notifications.router,
)

__all__ = ["Caller", "Gateway", "create_app"]


def create_app(gw: Gateway) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if gw.services is not None:  # an app made only for its OpenAPI document has none
            await gw.services.aclose()  # their channels live on this event loop

    # /docs and /redoc load Swagger UI and ReDoc from the installed package (no CDN: they render
    # offline); the assets sit under /docs so they share the docs' security headers (edge.py)
    app = FastAPIOffline(
        title="Bianmin gateway",
        version="1",
        description="The single entrance of Bianmin (便民). Errors are application/problem+json.",
        lifespan=lifespan,
        static_url=edge.DOCS_ASSETS,
        swagger_ui_parameters={"validatorUrl": None},  # the validator badge would call out
    )
    app.state.gateway = gw
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router, responses=problems.RESPONSES)
    console.install(app)  # the staff console's pages (/console/), outside the OpenAPI document

    # the edge, innermost first (the last added runs first): idempotent creates, body size, rate
    # limits, CORS (only with configured origins), then the request id, metrics and headers
    # an app built without a runtime (only for its OpenAPI document) takes the environment's settings
    settings = gw.runtime.settings if gw.runtime else Settings()  # type: ignore[call-arg]
    app.state.limits = edge.Limits(settings)
    app.add_middleware(idempotency.IdempotencyMiddleware)
    app.add_middleware(edge.NulCharacterMiddleware)
    app.add_middleware(edge.BodySizeMiddleware, max_bytes=settings.http_max_body_bytes)
    app.add_middleware(edge.RateLimitMiddleware, limits=app.state.limits)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-Id"],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-Id", idempotency.REPLAYED],
            max_age=600,
        )

    app.add_middleware(edge.RequestMiddleware, settings=settings)

    return app
