"""The gateway's HTTP API (API.md): one FastAPI app assembled from the routers. Built by
`create_app` from a `Gateway` context; connects nothing at import time."""

import time
import uuid

from fastapi import FastAPI, Request

from libs.common.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS
from services.gateway.entrypoints.http import problems
from services.gateway.entrypoints.http.deps import Caller, Gateway
from services.gateway.entrypoints.http.routers import auth, calendar, directory_entities, health, townships

ROUTERS = (health.router, auth.router, townships.router, directory_entities.router, calendar.router)

__all__ = ["Caller", "Gateway", "create_app"]


def create_app(gw: Gateway) -> FastAPI:
    app = FastAPI(
        title="Bianmin gateway",
        version="1",
        description="The single entrance of Bianmin (便民). Errors are application/problem+json.",
    )
    app.state.gateway = gw
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router)

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

    return app
