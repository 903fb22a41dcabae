"""Errors at the edge: every failure is `application/problem+json` (RFC 9457) with a stable
`code` (API.md). One table maps codes to HTTP statuses; nothing else picks a status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
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


class Problem(BaseModel):
    """An error (RFC 9457); `code` is stable and documented in API.md."""

    type: str = "about:blank"
    title: str
    status: int
    code: str = Field(description="validation_error, unauthenticated, forbidden, not_found, …")
    detail: str


# every status an API route may answer with a problem, declared once for the OpenAPI document
RESPONSES: dict[int | str, dict] = {
    status: {"model": Problem, "description": description, "content": {"application/problem+json": {}}}
    for status, description in (
        (401, "unauthenticated"),
        (403, "forbidden"),
        (404, "not_found"),
        (409, "invalid_transition, idempotency_conflict, materials_incomplete or already_exists"),
        (412, "version_conflict"),
        (413, "validation_error: the request body is too large"),
        (422, "validation_error"),
        (429, "rate_limited"),
        (503, "unavailable"),
    )
}


def problem(
    code: str,
    detail: str,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    """The problem response of `code`; `status` overrides the table only where HTTP itself needs
    another status for the same code (413: a body too large is a `validation_error`)."""
    body = problem_body(code, detail, status=status, **extra)
    headers = {**({"WWW-Authenticate": "Bearer"} if body["status"] == 401 else {}), **(headers or {})}
    return JSONResponse(body, status_code=body["status"], media_type=MEDIA_TYPE, headers=headers)


MEDIA_TYPE = "application/problem+json"


def problem_body(code: str, detail: str, *, status: int | None = None, **extra: object) -> dict:
    status = status or HTTP_STATUS.get(code, 500)
    return {
        "type": "about:blank",
        "title": TITLES.get(code, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }


def _problems_as_problem_json(app: FastAPI) -> None:
    """FastAPI documents a response model as application/json; ours are application/problem+json."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            document = build()
            for operation in (op for path in document["paths"].values() for op in path.values()):
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if status[0] in "45" and "application/problem+json" in content:
                        content["application/problem+json"] = content.pop("application/json", {})
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    _problems_as_problem_json(app)

    @app.exception_handler(BianminError)
    async def _domain(_: Request, exc: BianminError) -> JSONResponse:
        retry_after = exc.fields.get("retry_after")  # RateLimited carries it
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return problem(exc.code, exc.detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem("validation_error", "the request is not valid", errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 413:  # the body-size limit (edge.py)
            return problem("validation_error", str(exc.detail), status=413)
        code = _BY_STATUS.get(exc.status_code, "validation_error" if exc.status_code < 500 else "internal")
        return problem(code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem("internal", "an internal error occurred; it has been logged")
