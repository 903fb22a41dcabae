"""The one table between domain errors and gRPC status codes (both directions).

A service raises a `BianminError`; the server interceptor answers with the status below, the
error's `detail` as the status message and its stable code in the trailing metadata
`x-error-code` (its `fields`, when any, as JSON in `x-error-fields`). The client side
(`status_to_error`) rebuilds the exact error class from `x-error-code`; the status alone is the
fallback for peers that send no code.

| error code             | gRPC status          | why                                                  |
|------------------------|----------------------|------------------------------------------------------|
| `validation_error`     | INVALID_ARGUMENT     | the request itself is wrong, whatever the state      |
| `unauthenticated`      | UNAUTHENTICATED      |                                                      |
| `forbidden`            | PERMISSION_DENIED    |                                                      |
| `not_found`            | NOT_FOUND            | also a tenant the caller may not see (no leak)       |
| `invalid_transition`   | FAILED_PRECONDITION  | valid request, wrong state; do not retry as is       |
| `materials_incomplete` | FAILED_PRECONDITION  | the case's state (its materials) forbids it now      |
| `version_conflict`     | ABORTED              | concurrency conflict: re-read, then retry            |
| `idempotency_conflict` | ALREADY_EXISTS       | the key already names another request                |
| `already_exists`       | ALREADY_EXISTS       |                                                      |
| `rate_limited`         | RESOURCE_EXHAUSTED   |                                                      |
| `unavailable`          | UNAVAILABLE          | the only status clients retry (channel retry policy) |
| `internal` (any other) | INTERNAL             | generic message; the traceback is only logged        |

Reverse, without `x-error-code`: each status maps to the first error of its row above (so
FAILED_PRECONDITION → `InvalidTransition`, ALREADY_EXISTS → `AlreadyExists`), OUT_OF_RANGE →
`ValidationFailed`, DEADLINE_EXCEEDED and CANCELLED → `Unavailable`, anything else → internal.
"""

from __future__ import annotations

import grpc

from libs.common import errors

ERROR_CODE_KEY = "x-error-code"
ERROR_FIELDS_KEY = "x-error-fields"
INTERNAL_MESSAGE = "internal error"

STATUS_BY_ERROR_CODE: dict[str, grpc.StatusCode] = {
    errors.ValidationFailed.code: grpc.StatusCode.INVALID_ARGUMENT,
    errors.Unauthenticated.code: grpc.StatusCode.UNAUTHENTICATED,
    errors.Forbidden.code: grpc.StatusCode.PERMISSION_DENIED,
    errors.NotFound.code: grpc.StatusCode.NOT_FOUND,
    errors.InvalidTransition.code: grpc.StatusCode.FAILED_PRECONDITION,
    errors.MaterialsIncomplete.code: grpc.StatusCode.FAILED_PRECONDITION,
    errors.VersionConflict.code: grpc.StatusCode.ABORTED,
    errors.IdempotencyConflict.code: grpc.StatusCode.ALREADY_EXISTS,
    errors.AlreadyExists.code: grpc.StatusCode.ALREADY_EXISTS,
    errors.RateLimited.code: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.Unavailable.code: grpc.StatusCode.UNAVAILABLE,
    errors.BianminError.code: grpc.StatusCode.INTERNAL,
}

ERROR_BY_STATUS: dict[grpc.StatusCode, type[errors.BianminError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: errors.ValidationFailed,
    grpc.StatusCode.OUT_OF_RANGE: errors.ValidationFailed,
    grpc.StatusCode.UNAUTHENTICATED: errors.Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: errors.Forbidden,
    grpc.StatusCode.NOT_FOUND: errors.NotFound,
    grpc.StatusCode.FAILED_PRECONDITION: errors.InvalidTransition,
    grpc.StatusCode.ABORTED: errors.VersionConflict,
    grpc.StatusCode.ALREADY_EXISTS: errors.AlreadyExists,
    grpc.StatusCode.RESOURCE_EXHAUSTED: errors.RateLimited,
    grpc.StatusCode.UNAVAILABLE: errors.Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: errors.Unavailable,
    grpc.StatusCode.CANCELLED: errors.Unavailable,
}


def status_for(error: errors.BianminError) -> grpc.StatusCode:
    """The status a domain error travels as (INTERNAL for a code the table does not know)."""
    return STATUS_BY_ERROR_CODE.get(error.code, grpc.StatusCode.INTERNAL)


def error_class_for(error_code: str | None, status: grpc.StatusCode | None) -> type[errors.BianminError]:
    """The error class to raise for a received stable code, else for the status."""
    if error_code:
        cls = errors.BY_CODE.get(error_code)
        if cls is not None:
            return cls
    return ERROR_BY_STATUS.get(status, errors.BianminError) if status is not None else errors.BianminError
