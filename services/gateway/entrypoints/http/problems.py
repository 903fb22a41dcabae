"""Errors at the edge: every failure is `application/problem+json` (RFC 9457) with a stable
`code` (API.md). One table maps codes to HTTP statuses; nothing else picks a status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from libs.common.errors import BianminError

log = logging.getLogger(__name__)

HTTP_STATUS = {
    "validation_error": 422,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "invalid_transition": 409,
    "version_conflict": 412,
    "idempotency_conflict": 409,
    "materials_incomplete": 409,
    "already_exists": 409,
    "rate_limited": 429,
    "unavailable": 503,
    "internal": 500,
}
TITLES = {code: code.replace("_", " ").capitalize() for code in HTTP_STATUS}
_BY_STATUS = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "not_found",
    429: "rate_limited",
}


def problem(code: str, detail: str, **extra: object) -> JSONResponse:
    status = HTTP_STATUS.get(code, 500)
    body = {
        "type": "about:blank",
        "title": TITLES.get(code, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(BianminError)
    async def _domain(_: Request, exc: BianminError) -> JSONResponse:
        return problem(exc.code, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem("validation_error", "the request is not valid", errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = _BY_STATUS.get(exc.status_code, "validation_error" if exc.status_code < 500 else "internal")
        return problem(code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem("internal", "an internal error occurred; it has been logged")
