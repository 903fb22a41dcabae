"""Domain errors every layer understands. The gRPC interceptor and the HTTP edge map each to
its status (one table each, in one place); a service raises these and never picks a code."""

from __future__ import annotations


class BianminError(Exception):
    """Base of the errors a user may see. `code` is the stable API.md error code."""

    code = "internal"

    def __init__(self, detail: str = "", **fields: object) -> None:
        super().__init__(detail or self.__class__.__doc__ or self.code)
        self.detail = detail or (self.__class__.__doc__ or self.code).strip()
        self.fields = fields


class ValidationFailed(BianminError):
    """The request is not valid."""

    code = "validation_error"


class Unauthenticated(BianminError):
    """Missing or invalid credentials."""

    code = "unauthenticated"


class Forbidden(BianminError):
    """The caller may not do this."""

    code = "forbidden"


class NotFound(BianminError):
    """No such thing (or not visible to the caller)."""

    code = "not_found"


class InvalidTransition(BianminError):
    """The state machine does not allow this action now."""

    code = "invalid_transition"


class VersionConflict(BianminError):
    """The resource changed since the caller read it."""

    code = "version_conflict"


class IdempotencyConflict(BianminError):
    """The idempotency key was used for a different request."""

    code = "idempotency_conflict"


class MaterialsIncomplete(BianminError):
    """Materials are missing."""

    code = "materials_incomplete"


class AlreadyExists(BianminError):
    """It exists already."""

    code = "already_exists"


class RateLimited(BianminError):
    """Too many requests."""

    code = "rate_limited"


class Unavailable(BianminError):
    """A dependency is unavailable; retry later."""

    code = "unavailable"


BY_CODE: dict[str, type[BianminError]] = {
    cls.code: cls
    for cls in (
        ValidationFailed,
        Unauthenticated,
        Forbidden,
        NotFound,
        InvalidTransition,
        VersionConflict,
        IdempotencyConflict,
        MaterialsIncomplete,
        AlreadyExists,
        RateLimited,
        Unavailable,
    )
}
