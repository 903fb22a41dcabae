"""The service catalogue: the county template, the township copies and their overrides, the
public guides (DOMAIN.md §2). A change and its `CatalogueItemSaved` event commit together.

Where rows live: one table, `catalogue_item`. A township's items are under its tenant id; the
county template is under the county scope `<county>.*`, so row-level security keeps the template
and every township apart like any two tenants, with no second policy to reason about. Copying at
onboarding reads the template in the township's transaction by switching `app.tenant_id` to the
county scope for that one query and back (see `copy_template`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from bianmin.intake.v1 import events_pb2
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import (
    AlreadyExists,
    Forbidden,
    IdempotencyConflict,
    NotFound,
    Unauthenticated,
    ValidationFailed,
    VersionConflict,
)
from libs.common.messaging import county_scope, outbox
from libs.common.tenancy import Principal, county_of, validate_code
from services.intake.adapters import tables
from services.intake.adapters.catalogue_proto import item_to_pb
from services.intake.domain.catalogue import CatalogueItem, ServiceGuide, as_data, catalogue_item

TEMPLATE_READERS = ("county_admin", "county_supervisor", "system")
STAFF_ROLES = (
    *TEMPLATE_READERS,
    "county_department",
    "township_admin",
    "window_staff",
    "intake_desk",
    "proxy_agent",
    "petition_officer",
    "ops",
)
EDITOR_ROLES = ("township_admin", "county_admin")
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 200
SYSTEM_ACTOR = "system"

t = tables.catalogue_item


@dataclass(frozen=True)
class StoredItem:
    """An item as stored for one tenant (or the template), with its bookkeeping."""

    item: CatalogueItem
    version: int
    updated_at: datetime
    overridden: bool  # the township changed the template's promised limit
    windows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    items: list[StoredItem]
    next_page_token: str


# --- county template -------------------------------------------------------------------------


def create_template_item(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    item: CatalogueItem,
    idempotency_key: str = "",
) -> StoredItem:
    """Add an item to the caller's county template. A retry with the same idempotency key and
    the same item returns the first result; any other second create of the code is refused."""
    principal = _require(principal, "county_admin")
    scope = _county_scope(principal)
    now = datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        row = (
            s.execute(
                insert(t)
                .values(
                    tenant_id=scope,
                    **as_data(item),
                    template_promised_days=item.promised_days,
                    idempotency_key=idempotency_key or None,
                    created_at=now,
                    updated_at=now,
                    updated_by=principal.username,
                )
                .on_conflict_do_nothing()
                .returning(t)
            )
            .mappings()
            .first()
        )
        if row is None:
            existing = s.execute(sa.select(t).where(t.c.code == item.code)).mappings().one()
            if idempotency_key and existing["idempotency_key"] == idempotency_key:
                if _item(existing) != item:
                    raise IdempotencyConflict("this Idempotency-Key was used for a different item")
                return _stored(existing)
            raise AlreadyExists(f"item {item.code} is in the county template already")
        stored = _stored(row)
        _record_saved(s, scope, stored, principal.username)
    return stored


def list_template_items(
    sessions: sessionmaker[Session], principal: Principal | None, page_size: int = 0, page_token: str = ""
) -> Page:
    principal = _require(principal, *TEMPLATE_READERS)
    with db.transaction(sessions, _county_scope(principal)) as s:
        return _page(s, sa.select(t), page_size, page_token)


# --- a township's catalogue ------------------------------------------------------------------


def get_item(
    sessions: sessionmaker[Session], principal: Principal | None, tenant: str | None, code: str
) -> StoredItem:
    _require(principal, *STAFF_ROLES)
    with db.transaction(sessions, _tenant(tenant)) as s:
        return _stored(_row(s, code), _window_map(s))


def list_items(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    page_size: int = 0,
    page_token: str = "",
    category: str = "",
    level: str = "",
) -> Page:
    _require(principal, *STAFF_ROLES)
    query = sa.select(t)
    if category:
        query = query.where(t.c.category == category)
    if level:
        query = query.where(t.c.level == level)
    with db.transaction(sessions, _tenant(tenant)) as s:
        _require_known(s, tenant)
        return _page(s, query, page_size, page_token)


def update_promised_days(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    code: str,
    promised_days: int,
    expected_version: int = 0,
) -> StoredItem:
    """The township's override of an item's promised limit (0 ≤ days ≤ statutory)."""
    principal = _require(principal, *EDITOR_ROLES)
    scope = _tenant(tenant)
    with db.transaction(sessions, scope) as s:
        row = _row(s, code, for_update=True)
        if expected_version and row["version"] != expected_version:
            raise VersionConflict(f"item {code} is at version {row['version']}, not {expected_version}")
        current = _item(row)
        changed = current.with_promised_days(promised_days)
        if changed == current:
            return _stored(row, _window_map(s))
        row = (
            s.execute(
                sa.update(t)
                .where(t.c.code == code)
                .values(
                    promised_days=changed.promised_days,
                    version=t.c.version + 1,
                    updated_at=datetime.now(UTC),
                    updated_by=principal.username,
                )
                .returning(t)
            )
            .mappings()
            .one()
        )
        stored = _stored(row, _window_map(s))
        _record_saved(s, scope, stored, principal.username)
    return stored


def copy_template(session: Session, tenant: str) -> int:
    """Copy every county template item into a newly onboarded township; returns how many were
    new. Runs in the `township_onboarded` handler's transaction, scoped to the township.

    The template rows live under `<county>.*`, which the township's scope cannot see, so the
    read switches `app.tenant_id` (transaction-local, `set_config(…, true)`) to the county scope
    and straight back: still one connection and one transaction, no role with BYPASSRLS, and the
    inserts and outbox rows are checked against the township's scope as usual. If the read
    fails the whole transaction rolls back, setting included. Idempotent: an item the township
    has already (copied before, maybe overridden since) is left alone."""
    _set_scope(session, county_scope(county_of(tenant)))
    template = session.execute(sa.select(t).order_by(t.c.code)).mappings().all()
    _set_scope(session, tenant)
    if not template:
        return 0
    now = datetime.now(UTC)
    rows = [
        {
            "tenant_id": tenant,
            **as_data(_item(r)),
            "template_promised_days": r["promised_days"],
            "created_at": now,
            "updated_at": now,
            "updated_by": SYSTEM_ACTOR,
        }
        for r in template
    ]
    copied = session.execute(insert(t).values(rows).on_conflict_do_nothing().returning(t)).mappings().all()
    for row in copied:
        _record_saved(session, tenant, _stored(row), SYSTEM_ACTOR)
    return len(copied)


# --- public guides ---------------------------------------------------------------------------


def get_guide(sessions: sessionmaker[Session], tenant: str | None, code: str) -> ServiceGuide:
    """Public: any caller the edge let through, for the tenant in the call; no personal data."""
    with db.transaction(sessions, _tenant(tenant)) as s:
        return _item(_row(s, code)).guide(_window_map(s).get(code, ()))


def list_guides(
    sessions: sessionmaker[Session], tenant: str | None, page_size: int = 0, page_token: str = ""
) -> tuple[list[ServiceGuide], str]:
    with db.transaction(sessions, _tenant(tenant)) as s:
        _require_known(s, tenant)
        page = _page(s, sa.select(t), page_size, page_token)
        return [p.item.guide(p.windows) for p in page.items], page.next_page_token


# --- helpers ---------------------------------------------------------------------------------


def _require(principal: Principal | None, *roles: str) -> Principal:
    if principal is None:
        raise Unauthenticated("a bearer token is required")
    if not principal.has_role(*roles):
        raise Forbidden(f"needs one of the roles: {', '.join(roles)}")
    return principal


def _county_scope(principal: Principal) -> str:
    """The template's scope comes from the caller's token, never from the call's metadata."""
    if not principal.county:
        raise Forbidden("the caller acts for no county")
    return county_scope(validate_code(principal.county, "county"))


def _tenant(tenant: str | None) -> str:
    if not tenant:
        raise NotFound("no township in the call")
    return tenant


def _require_known(s: Session, tenant: str | None) -> None:
    if s.execute(sa.select(tables.tenant.c.tenant_id)).first() is None:
        raise NotFound(f"township {tenant} is not known here (yet)")


def _row(s: Session, code: str, *, for_update: bool = False) -> sa.RowMapping:
    query = sa.select(t).where(t.c.code == code)
    row = s.execute(query.with_for_update() if for_update else query).mappings().first()
    if row is None:
        raise NotFound(f"no catalogue item {code!r}")
    return row


def _window_map(s: Session) -> dict[str, tuple[str, ...]]:
    """Item code → codes of the township's windows serving it (intake's directory projection)."""
    window = tables.window
    served: dict[str, list[str]] = {}
    for code, item_codes in s.execute(sa.select(window.c.code, window.c.item_codes).order_by(window.c.code)):
        for item_code in item_codes or ():
            served.setdefault(item_code, []).append(code)
    return {k: tuple(v) for k, v in served.items()}


def _page(s: Session, query: sa.Select, page_size: int, page_token: str) -> Page:
    if page_size < 0:
        raise ValidationFailed("page_size must be ≥ 0")
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    if page_token:
        query = query.where(t.c.code > validate_code(page_token, "page_token"))
    rows = s.execute(query.order_by(t.c.code).limit(size + 1)).mappings().all()
    windows = _window_map(s)
    items = [_stored(r, windows) for r in rows[:size]]
    return Page(items, items[-1].item.code if len(rows) > size else "")


def _set_scope(s: Session, scope: str) -> None:
    s.execute(sa.text("SELECT set_config(:k, :v, true)"), {"k": db.TENANT_SETTING, "v": scope})


def _item(row: sa.RowMapping) -> CatalogueItem:
    return catalogue_item(dict(row))


def _stored(row: sa.RowMapping, windows: Mapping[str, tuple[str, ...]] | None = None) -> StoredItem:
    return StoredItem(
        item=_item(row),
        version=row["version"],
        updated_at=row["updated_at"],
        overridden=row["promised_days"] != row["template_promised_days"],
        windows=(windows or {}).get(row["code"], ()),
    )


def _record_saved(s: Session, tenant: str, stored: StoredItem, actor: str) -> None:
    event = events_pb2.CatalogueItemSaved(item=item_message(stored), actor=actor)
    outbox.record(s, source="intake", message_or_type=event, tenant_id=tenant)


def item_message(stored: StoredItem) -> Any:
    """The `CatalogueItem` proto of a stored item (for events and the gRPC servicer)."""
    return item_to_pb(
        stored.item,
        version=stored.version,
        updated_at=stored.updated_at,
        overridden=stored.overridden,
        windows=stored.windows,
    )
