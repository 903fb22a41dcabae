"""The leader-on-duty rota (领导带班值班, DOMAIN.md §8): a township's monthly rota naming the leader
in the centre on each day, published in advance. Appraisal owns it; these routes translate JSON
to its gRPC calls (with the caller's token, and the township as `x-tenant-id`) and back.

Who may do what is appraisal's decision (services/appraisal/service_layer/duty_rota.py): the
township admin (or the county admin) publishes a month — the current month or a later one — and
every staff role of the township, the county admin and the county supervisor read it. Dates are
taken as strings and checked by appraisal's rules (a strict YYYY-MM-DD inside the month), so a
malformed date is one `validation_error` like any other."""

from __future__ import annotations

from typing import Annotated

from bianmin.appraisal.v1 import attendance_pb2
from bianmin.appraisal.v1 import workforce_service_pb2 as pb
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.translate import calling

router = APIRouter(tags=["duty rota"])

ROTA = "/v1/townships/{tenant}/duty-rota"
MonthPath = Annotated[str, Path(description="YYYY-MM: the month of the rota", examples=["2026-12"])]


class DutyDay(BaseModel):
    date: str = Field(max_length=10, description="YYYY-MM-DD, a day of the month", examples=["2026-12-01"])
    username: str = Field(
        min_length=1, max_length=32, description="the leader on duty: an active staff member of the township"
    )


class RotaIn(BaseModel):
    days: list[DutyDay] = Field(
        max_length=31, description="the month's duty days, each day at most once; replaces the month's rota"
    )


class RotaWarning(BaseModel):
    date: str = Field(description="YYYY-MM-DD")
    reason: str


class Rota(BaseModel):
    month: str = Field(description="YYYY-MM")
    days: list[DutyDay] = Field(
        description="every duty day of the month's rota as it now stands, in date order"
    )
    warnings: list[RotaWarning] = Field(
        default_factory=list,
        description="each working day of the month (the township's calendar) with no leader on duty: "
        "the rota is published, the gap is said",
    )


GAP = "a working day with no leader on duty (seed 004: 保证每天有一位乡领导干部在中心接待群众来访)"


class DutyDays(BaseModel):
    days: list[DutyDay] = Field(description="the duty days of the range, in date order")


@router.put(ROTA + "/{month}", response_model=Rota)
async def put_duty_rota(tenant: Tenant, month: MonthPath, body: RotaIn, c: Authed, gw: GatewayDep) -> dict:
    """Publish (or correct) a month's rota (township_admin, county_admin): replaces every day of
    the month; the month must not be past and every leader an active staff member of the
    township. Appraisal publishes `duty_rota_published` with the whole month. Each working day
    of the month left without a leader comes back in `warnings`."""
    request = pb.PutDutyRotaRequest(
        month=month, days=[attendance_pb2.DutyDay(date=d.date, username=d.username) for d in body.days]
    )
    with calling(c.token, tenant):
        reply = await gw.services.workforce().PutDutyRota(request)
    warnings = [{"date": d, "reason": GAP} for d in reply.gaps]
    return {"month": month, "days": _days(reply.days), "warnings": warnings}


@router.get(ROTA, response_model=DutyDays)
async def duty_days(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    first: Annotated[str, Query(alias="from", description="YYYY-MM-DD, first day")],
    last: Annotated[str, Query(alias="to", description="YYYY-MM-DD, last day (at most 366 days)")],
) -> dict:
    """The leaders on duty from `from` to `to` (inclusive): the township's staff, the county admin
    and the county supervisor."""
    with calling(c.token, tenant):
        reply = await gw.services.workforce().ListDutyDays(
            pb.ListDutyDaysRequest(from_date=first, to_date=last)
        )
    return {"days": _days(reply.days)}


def _days(days: list[attendance_pb2.DutyDay]) -> list[dict[str, str]]:
    return [{"date": d.date, "username": d.username} for d in days]
