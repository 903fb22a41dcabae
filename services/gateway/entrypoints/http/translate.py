"""What every router does between JSON and the services' gRPC: call with the caller's token and
township, read `If-Match`, and turn proto enums and timestamps into the API's words and local
times (API.md: times in the county's time zone with its offset)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Query

from libs.common.auth import acting_as
from libs.common.errors import NotFound, ValidationFailed
from libs.common.grpc.client import domain_errors
from libs.common.grpc.enums import enum_word
from libs.common.tenancy import Principal, county_of, tenant_scope, validate_tenant
from services.gateway.entrypoints.http.deps import Gateway

# the days a list's `from`/`to` may name: wide enough for any record, narrow enough that no day
# sum behind them leaves the calendar (`to=9999-12-31` was a 500)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
DATE = "YYYY-MM-DD in the county's time zone, inclusive"
FromDay = Annotated[date | None, Query(alias="from", description=DATE, ge=FIRST_DAY, le=LAST_DAY)]
ToDay = Annotated[date | None, Query(description=DATE, ge=FIRST_DAY, le=LAST_DAY)]


@contextmanager
def calling(token: str, tenant: str | None) -> Iterator[None]:
    """Calls inside carry `token` and `tenant`; a failed call raises the service's domain error."""
    with acting_as(token), tenant_scope(tenant), domain_errors():
        yield


def if_match_version(if_match: str | None) -> int:
    """`If-Match: "<version>"` → the expected version (0: no check)."""
    if not if_match:
        return 0
    value = if_match.strip().removeprefix("W/").strip('"')
    # ASCII digits only ('²' is a digit to str.isdigit), and a version fits the bigint it is stored in
    if not (len(value) <= 19 and value.isascii() and value.isdigit()) or not 1 <= int(value) < 2**63:
        raise ValidationFailed('If-Match must be "<version>", a positive whole number')
    return int(value)


def json_word(enum: Any, prefix: str, value: int) -> str | None:
    """The proto enum's number → the API's word, JSON null for UNSPECIFIED."""
    return enum_word(enum, prefix, value) or None


def local_time(message: Any, field: str, tz: ZoneInfo) -> str | None:
    """A Timestamp field as RFC 3339 in `tz` (None when unset)."""
    if not message.HasField(field):
        return None
    return str(getattr(message, field).ToDatetime(tzinfo=UTC).astimezone(tz).isoformat())


def county_tz(gw: Gateway) -> ZoneInfo:
    return ZoneInfo(gw.runtime.settings.timezone)


# --- the public routes (no token): guides and the results board --------------------------------

PUBLIC_ROLE = "public"  # the principal of an anonymous reader, for one township and one call


def public_tenant(tenant: str) -> str:
    """The township of a public route; a malformed one is simply not found."""
    try:
        return validate_tenant(tenant)
    except ValidationFailed:
        raise NotFound("no such township") from None


def public_token(gw: Gateway, tenant: str) -> str:
    """A token for an anonymous reader of one township: the public routes call intake like any
    other, and intake's interceptor and role checks hold (the role `public` may read guides and
    the board, nothing else)."""
    principal = Principal(
        username=PUBLIC_ROLE,
        roles=frozenset({PUBLIC_ROLE}),
        tenants=frozenset({tenant}),
        county=county_of(tenant),
    )
    return gw.issuer.issue(principal)[0]
