"""Tenants and principals. A tenant is a township, id `<county>.<township>`; it is validated once
at the edge and then carried ambiently: in a ContextVar inside a process, in the caller's token
across gRPC, and in every event envelope. It is never taken from a request body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from libs.common.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed

# API.md *Codes*. `\Z`, not `$`: `$` also matches before a trailing newline ("napo\n" would pass).
# County and township codes form the tenant id `<county>.<township>`: lower-case, no `.`.
TENANT_CODE_PATTERN = r"[a-z0-9][a-z0-9_-]{1,31}"
TENANT_CODE_RE = re.compile(rf"^{TENANT_CODE_PATTERN}\Z")
TENANT_RE = re.compile(rf"^({TENANT_CODE_PATTERN})\.({TENANT_CODE_PATTERN})\Z")
# every other code (village, group, department, window, item, material, rulebook, rule): national
# item codes (事项编码) are long, upper-case and start with digits, e.g. 11450000MB1234567X4500101001
CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}\Z")
# a username is typed at every login and shown in every history: kept to the strict old rule
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}\Z")


def validate_code(code: str, what: str = "code") -> str:
    """A village, group, department, window, item, material, rulebook or rule code."""
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise ValidationFailed(f"{what} must be 1-64 ASCII letters, digits, '-', '_' or '.'")
    return code


def validate_tenant_code(code: str, what: str = "township") -> str:
    """A county or township code (they form the tenant id)."""
    if not isinstance(code, str) or not TENANT_CODE_RE.match(code):
        raise ValidationFailed(f"{what} must be 2-32 lower-case ASCII letters, digits, '-' or '_'")
    return code


def validate_username(username: str, what: str = "username") -> str:
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise ValidationFailed(
            f"{what} must be 2-32 lower-case letters, digits or '_', starting with a letter"
        )
    return username


def tenant_id(county: str, township: str) -> str:
    return f"{validate_tenant_code(county, 'county')}.{validate_tenant_code(township, 'township')}"


def validate_tenant(value: str) -> str:
    """Return `value` if it is a well-formed `<county>.<township>` id, else raise."""
    if not isinstance(value, str) or not TENANT_RE.match(value):
        raise ValidationFailed(f"not a tenant id '<county>.<township>': {value!r}")
    return value


def county_of(tenant: str) -> str:
    return validate_tenant(tenant).split(".", 1)[0]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, their roles, and the tenants they act in.

    `tenants` holds township ids, or `<county>.*` for county roles that span the county."""

    username: str
    roles: frozenset[str] = field(default_factory=frozenset)
    tenants: frozenset[str] = field(default_factory=frozenset)
    county: str = ""
    # a county_department user's department: the only cases they see are those escalated to it
    department: str = ""

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def may_see(self, tenant: str) -> bool:
        return tenant in self.tenants or f"{county_of(tenant)}.*" in self.tenants


SYSTEM = Principal(username="system", roles=frozenset({"system"}))

# who reads a township's cases: intake lists them for these roles, and notify their notices and
# deliveries (services do not import each other, so the one list lives here)
CASE_READER_ROLES = (
    "intake_desk",
    "window_staff",
    "township_admin",
    "proxy_agent",
    "petition_officer",
    "county_admin",
    "county_supervisor",
    "ops",
)


def require_role(principal: Principal | None, *roles: str) -> Principal:
    """The caller, if they hold one of `roles` (no token: Unauthenticated; else Forbidden)."""
    if principal is None:
        raise Unauthenticated("a bearer token is required")
    if not principal.has_role(*roles):
        raise Forbidden(f"needs one of the roles: {', '.join(roles)}")
    return principal


def require_tenant(tenant: str | None) -> str:
    """The township a call names (`x-tenant-id`); none is NotFound, as for an unknown one."""
    if not tenant:
        raise NotFound("no township in the call")
    return tenant


_current_tenant: ContextVar[str | None] = ContextVar("bianmin_tenant", default=None)
_current_principal: ContextVar[Principal | None] = ContextVar("bianmin_principal", default=None)


def current_tenant() -> str | None:
    return _current_tenant.get()


def current_principal() -> Principal | None:
    return _current_principal.get()


@contextmanager
def tenant_scope(tenant: str | None, principal: Principal | None = None) -> Iterator[None]:
    """Make `tenant` (and `principal`) ambient for the duration of a call or an event."""
    t_token = _current_tenant.set(validate_tenant(tenant) if tenant else None)
    p_token = _current_principal.set(principal) if principal is not None else None
    try:
        yield
    finally:
        _current_tenant.reset(t_token)
        if p_token is not None:
            _current_principal.reset(p_token)
