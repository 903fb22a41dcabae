"""The exclusion list (不代办对象, DOMAIN.md §6.2; seed 002 篇6 四(二)): the township admin records
people no delegation is taken for; the township admin and the county supervisor list them, masked
and without the recorded reasons.

`is_excluded` is the check a delegation makes (in its own transaction): yes or no, never why — the
delegation is refused as "excluded", the recorded reason stays here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.paging import Page
from libs.common.tenancy import Principal, require_tenant
from libs.common.tenant_projection import require_known
from services.proxy.adapters import exclusion_repository as repo
from services.proxy.adapters import tables
from services.proxy.domain import exclusion as domain
from services.proxy.domain.exclusion import Exclusion
from services.proxy.service_layer import access


def create(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    name: str,
    id_number: str = "",
    phone: str = "",
    reason: str,
) -> Exclusion:
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *access.EXCLUSION_KEEPERS)
        name, id_number, phone, reason = domain.new_exclusion(name, id_number, phone, reason)
        entry = Exclusion(str(uuid.uuid4()), name, id_number, phone, reason, datetime.now(UTC), who.username)
        repo.add(s, scope, entry)
    return entry


def list_exclusions(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    page_size: int = 0,
    page_token: str = "",
) -> Page[Exclusion]:
    """In the order they were recorded (the answer's mapping masks them and drops the reasons)."""
    size = paging.page_size(page_size)
    after: tuple[datetime, str] | None = paging.decode_time_key(page_token) if page_token else None
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        access.require(principal, scope, *access.EXCLUSION_READERS)
        rows = repo.page(s, after=after, limit=size + 1)
    items, token = paging.split(rows, size, lambda last: paging.time_key_token(last.created_at, last.id))
    return Page(items, token)


def is_excluded(session: Session, name: str, id_number: str = "", phone: str = "") -> bool:
    """Is this person on the transaction's township's exclusion list? (DOMAIN.md §6.2; the
    matching rules: domain/exclusion.py). Only the answer, never the entry or its reason."""
    who = domain.person(name, id_number, phone)
    return any(domain.matches(entry, who) for entry in repo.candidates(session, who))
