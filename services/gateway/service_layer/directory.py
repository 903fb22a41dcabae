"""Townships: onboard, list, get, suspend. A change and its event commit in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import AlreadyExists, InvalidTransition, NotFound
from libs.common.messaging import outbox
from libs.common.tenancy import Principal
from services.gateway.adapters import directory_proto, tables
from services.gateway.domain.directory import new_township, require_visible
from services.gateway.service_layer import settings


def onboard_township(sessions: sessionmaker[Session], principal: Principal, body: dict) -> dict:
    township = new_township(principal.county, body["code"], body["name"], body.get("villages") or [])
    tenant = township.tenant_id
    now = datetime.now(UTC)
    with db.transaction(sessions, tenant) as s:
        # the primary key decides, so two onboardings of one code at once cannot both succeed
        created = s.execute(
            insert(tables.township)
            .values(
                id=tenant,
                county=township.county,
                code=township.code,
                name=township.name,
                created_at=now,
                created_by=principal.username,
            )
            .on_conflict_do_nothing()
            .returning(tables.township.c.id)
        ).first()
        if not created:
            existing = s.execute(
                sa.select(tables.township.c.name).where(tables.township.c.id == tenant)
            ).scalar_one_or_none()
            named = (
                f"named {existing}" if existing == township.name else f"named {existing}, not {township.name}"
            )
            raise AlreadyExists(f"township {tenant} exists already, {named}")
        for v in township.villages:
            s.execute(
                sa.insert(tables.village).values(
                    tenant_id=tenant,
                    code=v.code,
                    name=v.name,
                    groups=[{"code": g.code, "name": g.name} for g in v.groups],
                )
            )
        settings.insert_defaults(s, tenant, township.county, principal.username)
        outbox.record(
            s,
            source="gateway",
            message_or_type=directory_proto.township_onboarded(township, now),
            tenant_id=tenant,
        )
    return get_township(sessions, principal, tenant)


def list_townships(
    sessions: sessionmaker[Session],
    principal: Principal,
    *,
    after: str | None = None,
    limit: int | None = None,
    status: str | None = None,
) -> list[dict]:
    """The townships the principal may see, by id; `after`/`limit` select one page (keyset);
    only those in `status` ("active", "suspended") when given."""
    t = tables.township
    counties = [p.removesuffix(".*") for p in principal.tenants if p.endswith(".*")]
    visible = sa.or_(t.c.id.in_(sorted(principal.tenants)), t.c.county.in_(counties))
    query = sa.select(t).where(visible).order_by(t.c.id)
    if status is not None:
        query = query.where(t.c.status == status)
    if after is not None:
        query = query.where(t.c.id > after)
    if limit is not None:
        query = query.limit(limit)
    with db.transaction(sessions, None) as s:
        rows = s.execute(query).mappings().all()
    return [_view(r, _villages(sessions, r["id"])) for r in rows if principal.may_see(r["id"])]


def get_township(sessions: sessionmaker[Session], principal: Principal, tenant: str) -> dict:
    require_visible(principal, tenant)
    with db.transaction(sessions, None) as s:
        row = s.execute(sa.select(tables.township).where(tables.township.c.id == tenant)).mappings().first()
    if row is None:
        raise NotFound(f"no township {tenant}")
    return _view(row, _villages(sessions, tenant))


def suspend_township(sessions: sessionmaker[Session], principal: Principal, tenant: str) -> dict:
    """Stop a township's work: writes in it are refused until it is reactivated."""
    return _change_status(sessions, principal, tenant, "active", "suspended")


def reactivate_township(sessions: sessionmaker[Session], principal: Principal, tenant: str) -> dict:
    return _change_status(sessions, principal, tenant, "suspended", "active")


def is_suspended(sessions: sessionmaker[Session], tenant: str) -> bool:
    return db.read_alone(sessions, _STATUS, {"the_id": tenant}) == "suspended"


# built once: every write request through the gateway asks it
_STATUS = sa.select(tables.township.c.status).where(tables.township.c.id == sa.bindparam("the_id"))


def _change_status(
    sessions: sessionmaker[Session], principal: Principal, tenant: str, from_status: str, to_status: str
) -> dict:
    require_visible(principal, tenant)
    with db.transaction(sessions, tenant) as s:
        status = s.execute(
            sa.select(tables.township.c.status).where(tables.township.c.id == tenant).with_for_update()
        ).scalar()
        if status is None:
            raise NotFound(f"no township {tenant}")
        if status != from_status:
            raise InvalidTransition(f"township {tenant} is {status} already")
        s.execute(sa.update(tables.township).where(tables.township.c.id == tenant).values(status=to_status))
        event = directory_proto.status_changed(tenant, to_status, datetime.now(UTC))
        outbox.record(s, source="gateway", tenant_id=tenant, message_or_type=event)
    return get_township(sessions, principal, tenant)


def _villages(sessions: sessionmaker[Session], tenant: str) -> list[dict]:
    with db.transaction(sessions, tenant) as s:
        rows = s.execute(sa.select(tables.village).order_by(tables.village.c.code)).mappings().all()
    return [{"code": r["code"], "name": r["name"], "groups": r["groups"]} for r in rows]


def _view(row: sa.RowMapping, villages: list[dict]) -> dict:
    return {
        "id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "county": row["county"],
        "status": row["status"],
        "villages": villages,
    }
