"""The printed forms (adapters/pdf.py): a trip day's manifests and a delegation's implementation
card (代办事项落实卡). Who may print is who may read (trips.list_trips, delegations.get); the card
names the applicant in full only for the delegation's own agent, as reading does."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import NotFound, Unavailable
from libs.common.tenancy import Principal, require_tenant
from services.proxy.adapters import pdf, tables
from services.proxy.service_layer import delegations, trips
from services.proxy.service_layer.delegations import Intake

log = logging.getLogger(__name__)


def _names(s: Session, tenant: str, items: dict[str, str] | None = None) -> pdf.Names:
    te, st, v = tables.tenant, tables.staff, tables.village
    township = s.execute(sa.select(te.c.name).where(te.c.tenant_id == tenant)).scalar() or tenant
    people = dict(s.execute(sa.select(st.c.username, st.c.name)).tuples().all())
    villages = dict(s.execute(sa.select(v.c.code, v.c.name)).tuples().all())
    return pdf.Names(township, people, villages, items or {}, trips.township_tz(s))


def trip_manifests(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    intake: Intake,
    *,
    day_text: str = "",
    agent: str = "",
    now: datetime | None = None,
) -> tuple[bytes, str]:
    """The manifests of a trip day (default the next) the caller may read, one trip a page."""
    at = now or datetime.now(UTC)
    listed = trips.list_trips(sessions, principal, tenant, day_text=day_text, agent=agent, now=at)
    scope = require_tenant(tenant)
    items = _item_names(intake, sorted({d.item_code for trip in listed for d in trip.delegations}))
    with db.transaction(sessions, scope) as s:  # (intake is asked before: no call in a transaction)
        names = _names(s, scope, items)
        day = (
            listed[0].date.isoformat()
            if listed
            else day_text or trips.next_trip_day(s, at.astimezone(names.tz).date()).isoformat()
        )
    return pdf.manifests(listed, names, at), f"trips-{day}.pdf"


def delegation_card(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    intake: Intake,
    delegation_id: str,
    *,
    now: datetime | None = None,
) -> tuple[bytes, str]:
    """The implementation card of a delegation the caller may read."""
    d = delegations.get(sessions, principal, tenant, delegation_id)
    scope = require_tenant(tenant)
    items = _item_names(intake, [d.item_code])
    with db.transaction(sessions, scope) as s:
        names = _names(s, scope, items)
    applicant, _ = d.seen_by(principal.username if principal is not None else "")  # the one rule
    return pdf.card(d, applicant, names, now or datetime.now(UTC)), f"card-{d.case_number}.pdf"


def _item_names(intake: Intake, codes: Iterable[str]) -> dict[str, str]:
    """The catalogue's names of `codes`; an item intake cannot name now prints as its code."""
    found: dict[str, str] = {}
    for code in codes:
        try:
            item = intake.item(code)
        except (Unavailable, NotFound) as exc:
            log.warning("item %s printed without its name: %s", code, exc)
            continue
        if item is not None and item.name:
            found[code] = item.name
    return found
