"""The first-ask register (首问登记, DOMAIN.md §4): registering an inquiry and reading the register.
An entry and its `InquiryRegistered` event commit together.

Who: the first-ask person is the caller (the token's username), never a field of the request.
Staff who meet citizens register (intake desk, window staff, the township admin, proxies); every
role of the township but ops reads the register, and the county roles that may read a township's
people (county admin, county supervisor) read it too — citizen name and contact masked for
everyone but the person who registered the entry (§11). Visibility of the township itself is
the gRPC interceptor's (`x-tenant-id` against the token)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.errors import IdempotencyConflict, ValidationFailed
from libs.common.messaging import outbox
from libs.common.paging import Page
from libs.common.tenancy import Principal, require_role, require_tenant
from services.intake.adapters import tables
from services.intake.adapters.inquiry_proto import registered_event
from services.intake.domain.inquiry import Inquiry, RegisteredInquiry, as_data, day_range, inquiry
from services.intake.service_layer.townships import require_known

REGISTRAR_ROLES = ("intake_desk", "window_staff", "township_admin", "proxy_agent")
READER_ROLES = (
    *REGISTRAR_ROLES,
    "petition_officer",
    "county_admin",
    "county_supervisor",
)

t = tables.inquiry


def register(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    entry: Inquiry,
    idempotency_key: str = "",
) -> RegisteredInquiry:
    """Register an inquiry with the caller as its first-ask person. The item, if named, must be
    in the township's catalogue. A retry with the same idempotency key (of the same person) and
    the same entry returns the first one; with a different entry → idempotency_conflict."""
    scope = require_tenant(tenant)
    now = datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, scope)  # first: a township that does not exist is not_found for all
        principal = require_role(principal, *REGISTRAR_ROLES)
        if entry.item_code and not _item_exists(s, entry.item_code):
            raise ValidationFailed(f"item_code {entry.item_code!r} is not in the township's catalogue")
        row = (
            s.execute(
                insert(t)
                .values(
                    tenant_id=scope,
                    id=str(uuid.uuid4()),
                    **as_data(entry),
                    first_ask=principal.username,
                    registered_at=now,
                    idempotency_key=idempotency_key or None,
                )
                .on_conflict_do_nothing()
                .returning(t)
            )
            .mappings()
            .first()
        )
        if row is None:  # only the idempotency index can conflict (ids are fresh)
            existing = (
                s.execute(
                    sa.select(t).where(
                        t.c.first_ask == principal.username, t.c.idempotency_key == idempotency_key
                    )
                )
                .mappings()
                .one()
            )
            if _stored(existing).inquiry != entry:
                raise IdempotencyConflict("this Idempotency-Key was used for a different inquiry")
            return _stored(existing)
        stored = _stored(row)
        outbox.record(s, source="intake", message_or_type=registered_event(stored), tenant_id=scope)
    return stored


def list_inquiries(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    tz: ZoneInfo,
    *,
    from_date: str = "",
    to_date: str = "",
    page_size: int = 0,
    page_token: str = "",
) -> Page[RegisteredInquiry]:
    """The register in time order, optionally for the dates `from_date`..`to_date` (inclusive,
    in the county's time zone `tz`); entries masked unless the caller registered them."""
    start, end = day_range(from_date, to_date, tz)
    size = paging.page_size(page_size)
    query = sa.select(t)
    if start is not None:
        query = query.where(t.c.registered_at >= start)
    if end is not None:
        query = query.where(t.c.registered_at < end)
    if page_token:
        after_at, after_id = paging.decode_time_key(page_token, str)
        query = query.where(sa.tuple_(t.c.registered_at, t.c.id) > sa.tuple_(sa.literal(after_at), after_id))
    with db.transaction(sessions, require_tenant(tenant)) as s:
        require_known(s, tenant)
        principal = require_role(principal, *READER_ROLES)
        rows = s.execute(query.order_by(t.c.registered_at, t.c.id).limit(size + 1)).mappings().all()
    items, token = paging.split([_stored(r) for r in rows], size, _token)
    # as the caller may see them: masked unless theirs
    return Page([i.seen_by(principal.username) for i in items], token)


# --- helpers ---------------------------------------------------------------------------------


def _item_exists(s: Session, code: str) -> bool:
    item = tables.catalogue_item
    return s.execute(sa.select(item.c.code).where(item.c.code == code)).first() is not None


def _stored(row: sa.RowMapping) -> RegisteredInquiry:
    return RegisteredInquiry(
        id=row["id"],
        inquiry=inquiry(dict(row)),
        first_ask=row["first_ask"],
        registered_at=row["registered_at"],
        case_id=row["case_id"],
    )


def _token(last: RegisteredInquiry) -> str:
    return paging.time_key_token(last.registered_at, last.id)
