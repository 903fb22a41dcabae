"""The personal data access log of a township (DOMAIN.md §11): every time intake showed a
person's record in full — a case's applicant, a petitioner — who saw it, when, whose record and
which fields. The log never holds the data itself. Readers: the township admin and the county
supervisor (intake decides: services/intake/service_layer/pii_audit.py)."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from bianmin.intake.v1 import intake_service_pb2 as pb
from fastapi import APIRouter, Query

from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.translate import FromDay, ToDay, calling, county_tz

router = APIRouter(tags=["personal data"])

ACCESSES = "/v1/townships/{tenant}/personal-data-access"


@router.get(ACCESSES)
async def personal_data_accesses(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    subject_id: Annotated[
        str | None, Query(max_length=100, description="only the accesses to this case or petition")
    ] = None,
    from_: FromDay = None,
    to: ToDay = None,
) -> dict:
    """Who was shown whose personal record in full, newest first: `{"id","at","actor",
    "subject":"applicant|petitioner","subject_id","fields":[...]}` (township_admin,
    county_supervisor)."""
    request = pb.ListPersonalDataAccessesRequest(
        page_size=page.size,
        page_token=str(page.after) if page.after is not None else "",
        subject_id=subject_id or "",
        from_date=from_.isoformat() if from_ else "",
        to_date=to.isoformat() if to else "",
    )
    with calling(c.token, tenant):
        reply = await gw.services.intake().ListPersonalDataAccesses(request)
    tz = county_tz(gw)
    return {
        "items": [_access_json(a, tz) for a in reply.accesses],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


def _access_json(a: pb.PersonalDataAccess, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "at": a.at.ToDatetime(tzinfo=UTC).astimezone(tz).isoformat(),
        "actor": a.actor,
        "subject": a.subject,
        "subject_id": a.subject_id,
        "fields": list(a.fields),
    }
