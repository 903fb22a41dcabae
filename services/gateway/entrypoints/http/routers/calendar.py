"""Working-day calendars: county and township overrides, a tenant's effective calendar, and the
deadline a case would get (API.md *Directory* → Calendar; DOMAIN.md §3.3, §5).

Dates and instants are taken as strings and parsed by the domain's rules (a strict YYYY-MM-DD,
an RFC 3339 instant with an offset), so every malformed input is one `validation_error`."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from libs.common.tenancy import require_role
from services.gateway.domain.calendar import (
    MAX_REASON,
    MAX_WORKING_DAYS,
    parse_day,
    parse_instant,
    parse_range,
)
from services.gateway.entrypoints.http.deps import Authed, Sessions, Tenant
from services.gateway.service_layer import calendars

router = APIRouter(tags=["calendar"])

DatePath = Annotated[str, Path(description="YYYY-MM-DD, a local date of the county", examples=["2026-10-10"])]


class OverrideIn(BaseModel):
    kind: Literal["off", "work"] = Field(description="off: an extra day off; work: an extra working day")
    reason: str = Field(min_length=1, max_length=MAX_REASON, description="why (shown with the day)")


class Override(BaseModel):
    date: str
    kind: Literal["off", "work"]
    reason: str
    scope: str = Field(description="the county code or the township id")
    source: Literal["county", "township"]
    updated_by: str
    updated_at: str
    version: int = Field(description="the scope's calendar version after this change")


class CalendarDay(BaseModel):
    date: str
    working: bool
    hours: list[list[str]] = Field(description='office hours, e.g. [["09:00","12:00"],["14:00","17:30"]]')
    source: Literal["national", "county", "township"]
    provisional: bool = Field(description="the national calendar of that year is not published yet")


class Deadline(BaseModel):
    due_at: str = Field(description="RFC 3339 in the county's time zone")
    provisional: bool


# --- county scope (county_admin) ---------------------------------------------------------------


@router.put("/v1/calendar/days/{date}", response_model=Override)
def put_county_day(date: DatePath, body: OverrideIn, c: Authed, sessions: Sessions) -> dict:
    principal = require_role(c.principal, "county_admin")
    return calendars.set_override(sessions, principal, None, parse_day(date), body.kind, body.reason)


@router.delete("/v1/calendar/days/{date}", status_code=204)
def delete_county_day(date: DatePath, c: Authed, sessions: Sessions) -> Response:
    principal = require_role(c.principal, "county_admin")
    calendars.remove_override(sessions, principal, None, parse_day(date))
    return Response(status_code=204)


# --- township scope (its township_admin, or a county_admin) ------------------------------------


@router.put("/v1/townships/{tenant}/calendar/days/{date}", response_model=Override)
def put_township_day(tenant: Tenant, date: DatePath, body: OverrideIn, c: Authed, sessions: Sessions) -> dict:
    calendars.require_township(sessions, tenant)  # an unknown township is not_found for everyone
    principal = require_role(c.principal, "township_admin", "county_admin")
    return calendars.set_override(sessions, principal, tenant, parse_day(date), body.kind, body.reason)


@router.delete("/v1/townships/{tenant}/calendar/days/{date}", status_code=204)
def delete_township_day(tenant: Tenant, date: DatePath, c: Authed, sessions: Sessions) -> Response:
    calendars.require_township(sessions, tenant)  # an unknown township is not_found for everyone
    principal = require_role(c.principal, "township_admin", "county_admin")
    calendars.remove_override(sessions, principal, tenant, parse_day(date))
    return Response(status_code=204)


# --- reading (anyone who sees the township) ----------------------------------------------------


@router.get("/v1/townships/{tenant}/calendar", response_model=list[CalendarDay])
def effective_calendar(
    tenant: Tenant,
    sessions: Sessions,
    first: Annotated[str, Query(alias="from", description="YYYY-MM-DD, first day")],
    last: Annotated[str, Query(alias="to", description="YYYY-MM-DD, last day (at most 366 days)")],
) -> list[dict]:
    d1, d2 = parse_range(first, last)
    return calendars.effective_days_of(sessions, tenant, d1, d2)


@router.get("/v1/townships/{tenant}/calendar/deadline", response_model=Deadline)
def deadline(
    tenant: Tenant,
    sessions: Sessions,
    start: Annotated[str, Query(description="RFC 3339 with an offset, e.g. 2026-09-18T17:45:00+08:00")],
    working_days: Annotated[int, Query(ge=0, le=MAX_WORKING_DAYS, description="the promised working days")],
) -> dict:
    return calendars.deadline_preview(sessions, tenant, parse_instant(start), working_days)
