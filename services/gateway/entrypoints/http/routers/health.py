"""Liveness and readiness."""

import asyncio

import sqlalchemy as sa
from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from libs.common import db
from services.gateway.entrypoints.http.deps import GatewayDep

router = APIRouter(tags=["health"])
CHECKED_SERVICES = ("intake", "proxy", "appraisal", "notify")


@router.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(gw: GatewayDep, response: Response) -> dict:
    checks = {"database": "ok" if await run_in_threadpool(_database_answers, gw) else "unavailable"}
    # at once: a service that does not answer costs its timeout once, not once per service after it
    healthy = await asyncio.gather(*(gw.services.healthy(service) for service in CHECKED_SERVICES))
    checks |= {s: "ok" if up else "unavailable" for s, up in zip(CHECKED_SERVICES, healthy, strict=True)}
    ready = all(v == "ok" for v in checks.values())
    response.status_code = 200 if ready else 503
    return {"status": "ready" if ready else "not_ready", "checks": checks}


def _database_answers(gw: GatewayDep) -> bool:
    try:
        with db.transaction(gw.runtime.sessions, None) as s:
            s.execute(sa.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
    return True
