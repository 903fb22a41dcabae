"""The service catalogue: the county template, the township copies and their overrides, the
public guides (DOMAIN.md §2). A change and its `CatalogueItemSaved` event commit together.

Where rows live: one table, `catalogue_item`. A township's items are under its tenant id; the
county template is under the county scope `<county>.*`, so row-level security keeps the template
and every township apart like any two tenants, with no second policy to reason about. Copying at
onboarding reads the template in the township's transaction by switching `app.tenant_id` to the
county scope for that one query and back (see `copy_template`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.errors import (
    AlreadyExists,
    Forbidden,
    IdempotencyConflict,
    NotFound,
    VersionConflict,
)
from libs.common.messaging import Envelope, county_scope, outbox
from libs.common.paging import Page
from libs.common.tenancy import (
    Principal,
    county_of,
    require_role,
    require_tenant,
    validate_code,
    validate_tenant_code,
)
from services.intake.adapters import catalogue_proto, tables
from services.intake.adapters.county_townships import townships_of
from services.intake.domain.catalogue import CatalogueItem, ServiceGuide, StoredItem, as_data, catalogue_item
from services.intake.service_layer.townships import require_known

log = logging.getLogger(__name__)

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
SYSTEM_ACTOR = "system"

t = tables.catalogue_item


# --- county template -------------------------------------------------------------------------


def create_template_item(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    item: CatalogueItem,
    idempotency_key: str = "",
) -> StoredItem:
    """Add an item to the caller's county template. A retry with the same idempotency key and
    the same item returns the first result; any other second create of the code is refused."""
    principal = require_role(principal, "county_admin")
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


def update_template_item(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    item: CatalogueItem,
    expected_version: int = 0,
) -> StoredItem:
    """Change an item of the caller's county template (every field; the code names it). Its
    `CatalogueItemSaved` under the county scope makes intake bring every active township's copy
    up to date (`distribute_template_item`). The same content again changes nothing."""
    principal = require_role(principal, "county_admin")
    scope = _county_scope(principal)
    with db.transaction(sessions, scope) as s:
        row = _row(s, item.code, for_update=True)
        if expected_version and row["version"] != expected_version:
            raise VersionConflict(f"item {item.code} is at version {row['version']}, not {expected_version}")
        if _item(row) == item:
            return _stored(row)
        row = (
            s.execute(
                sa.update(t)
                .where(t.c.code == item.code)
                .values(
                    **as_data(item),
                    template_promised_days=item.promised_days,
                    version=t.c.version + 1,
                    updated_at=datetime.now(UTC),
                    updated_by=principal.username,
                )
                .returning(t)
            )
            .mappings()
            .one()
        )
        stored = _stored(row)
        _record_saved(s, scope, stored, principal.username)
    return stored


def list_template_items(
    sessions: sessionmaker[Session], principal: Principal | None, page_size: int = 0, page_token: str = ""
) -> Page[StoredItem]:
    principal = require_role(principal, *TEMPLATE_READERS)
    with db.transaction(sessions, _county_scope(principal)) as s:
        return _page(s, sa.select(t), page_size, page_token)


# --- a township's catalogue ------------------------------------------------------------------


def get_item(
    sessions: sessionmaker[Session], principal: Principal | None, tenant: str | None, code: str
) -> StoredItem:
    require_role(principal, *STAFF_ROLES)
    with db.transaction(sessions, require_tenant(tenant)) as s:
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
) -> Page[StoredItem]:
    require_role(principal, *STAFF_ROLES)
    query = sa.select(t)
    if category:
        query = query.where(t.c.category == category)
    if level:
        query = query.where(t.c.level == level)
    with db.transaction(sessions, require_tenant(tenant)) as s:
        require_known(s, tenant)
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
    principal = require_role(principal, *EDITOR_ROLES)
    scope = require_tenant(tenant)
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
    _lock_county(session, county_of(tenant), shared=True)
    db.set_scope(session, county_scope(county_of(tenant)))
    template = session.execute(sa.select(t).order_by(t.c.code)).mappings().all()
    db.set_scope(session, tenant)
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


# --- template items reaching the townships already onboarded ----------------------------------
#
# A template item saved under `<county>.*` (created or changed) puts `catalogue_item_saved` in the
# outbox under the county scope. Its handler (`distribute_template_item`) runs scoped to the
# county, where row-level security hides the townships' rows, so it does not touch them: it
# lists the county's active townships from the tenant projection (migration 0009's listing
# policy) and writes one `catalogue_template_item_distributed` per township under that
# township's tenant id. Each of those is consumed on its own (`apply_distributed_item`), in the
# township's own transaction with its own inbox row, retries and dead letter: one failing
# township blocks no other, and a redelivery finds nothing left to do.


def distribute_template_item(session: Session, envelope: Envelope) -> int:
    """Hand a template item's `catalogue_item_saved` (county scope) to every active township of
    the county: one outbox event each, in the caller's county-scoped transaction (the whole
    fan-out commits with the consumer's inbox row, or is retried whole). Returns how many."""
    county, data = envelope.county, envelope.data
    townships = _active_townships(session, county)
    item = data.get("item") or {}
    event = catalogue_proto.template_item_distributed(item, data.get("actor", ""))
    try:
        for township in townships:  # the outbox row must pass RLS as the township's
            db.set_scope(session, township)
            outbox.record(session, source="intake", message_or_type=event, tenant_id=township)
    finally:
        db.set_scope(session, envelope.tenant_id)
    log.info("template item %s handed to %d township(s) of %s", item.get("code", "?"), len(townships), county)
    return len(townships)


def apply_distributed_item(session: Session, tenant: str, data: Mapping[str, Any]) -> bool:
    """Bring the township's copy of one template item up to date, in the township's transaction;
    True when it changed. Follows the template as it is now (not the event's snapshot), so an
    older event handled after a newer one changes nothing."""
    code = str((data.get("item") or {}).get("code", ""))
    actor = str(data.get("actor") or SYSTEM_ACTOR)
    if not code:
        log.warning("catalogue_template_item_distributed without an item code in %s: ignored", tenant)
        return False
    return sync_template(session, tenant, codes=[code], actor=actor) > 0


def sync_template(
    session: Session, tenant: str, *, codes: list[str] | None = None, actor: str = SYSTEM_ACTOR
) -> int:
    """Make the township's copies of the template items (all, or `codes`) follow the template:
    missing items copied; changed ones updated field by field, keeping the township's own
    promised limit while it is within the new statutory one (`follow_template`). Runs in the
    caller's transaction scoped to `tenant`; each change writes its `CatalogueItemSaved`.
    Idempotent: returns how many items changed (0 on a re-run)."""
    query = sa.select(t).order_by(t.c.code)
    if codes is not None:
        query = query.where(t.c.code.in_(codes))
    db.set_scope(session, county_scope(county_of(tenant)))
    template = session.execute(query).mappings().all()
    db.set_scope(session, tenant)
    changed = 0
    for source in template:
        current = (
            session.execute(sa.select(t).where(t.c.code == source["code"]).with_for_update())
            .mappings()
            .first()
        )
        now = datetime.now(UTC)
        if current is None:
            row = (
                session.execute(
                    insert(t)
                    .values(
                        tenant_id=tenant,
                        **as_data(_item(source)),
                        template_promised_days=source["promised_days"],
                        created_at=now,
                        updated_at=now,
                        updated_by=actor,
                    )
                    .on_conflict_do_nothing()
                    .returning(t)
                )
                .mappings()
                .first()
            )
            if row is not None:
                _record_saved(session, tenant, _stored(row), actor)
                changed += 1
            continue
        followed, clamped_from = follow_template(
            _item(current), current["template_promised_days"], _item(source)
        )
        if followed == _item(current) and current["template_promised_days"] == source["promised_days"]:
            continue
        row = (
            session.execute(
                sa.update(t)
                .where(t.c.code == source["code"])
                .values(
                    **as_data(followed),
                    template_promised_days=source["promised_days"],
                    version=t.c.version + 1,
                    updated_at=now,
                    updated_by=actor,
                )
                .returning(t)
            )
            .mappings()
            .one()
        )
        if clamped_from is not None:
            log.warning(
                "item %s of %s: the new statutory limit %d is below the township's promised limit %d, "
                "which was lowered to it",
                source["code"], tenant, followed.statutory_days, clamped_from,
            )  # fmt: skip
        _record_saved(session, tenant, _stored(row, _window_map(session)), actor, clamped_from or 0)
        changed += 1
    return changed


def follow_template(
    copy: CatalogueItem, copied_promised_days: int, template: CatalogueItem
) -> tuple[CatalogueItem, int | None]:
    """A township's copy after a template change: the template's fields, with the township's
    own (shortened) promised limit kept while it is ≤ the new statutory limit, else lowered to
    it — then the second value is the limit the township had (None: not clamped). A copy that
    was not overridden (its promised limit as copied) takes the template's new one."""
    if copy.promised_days == copied_promised_days:
        return template, None
    if copy.promised_days <= template.statutory_days:
        return replace(template, promised_days=copy.promised_days), None
    return replace(template, promised_days=template.statutory_days), copy.promised_days


def _active_townships(session: Session, county: str) -> list[str]:
    """The county's active townships, once the county's onboardings have committed (the lock)."""
    _lock_county(session, county, shared=False)
    return townships_of(session, county, active_only=True)


# --- public guides ---------------------------------------------------------------------------


def get_guide(sessions: sessionmaker[Session], tenant: str | None, code: str) -> ServiceGuide:
    """Public: any caller the edge let through, for the tenant in the call; no personal data."""
    with db.transaction(sessions, require_tenant(tenant)) as s:
        return _item(_row(s, code)).guide(_window_map(s).get(code, ()))


def list_guides(
    sessions: sessionmaker[Session], tenant: str | None, page_size: int = 0, page_token: str = ""
) -> tuple[list[ServiceGuide], str]:
    with db.transaction(sessions, require_tenant(tenant)) as s:
        require_known(s, tenant)
        page = _page(s, sa.select(t), page_size, page_token)
        return [p.item.guide(p.windows) for p in page.items], page.next_page_token


# --- helpers ---------------------------------------------------------------------------------


def _county_scope(principal: Principal) -> str:
    """The template's scope comes from the caller's token, never from the call's metadata."""
    if not principal.county:
        raise Forbidden("the caller acts for no county")
    return county_scope(validate_tenant_code(principal.county, "county"))


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


def _page(s: Session, query: sa.Select, page_size: int, page_token: str) -> Page[StoredItem]:
    size = paging.page_size(page_size)
    if page_token:
        query = query.where(t.c.code > validate_code(page_token, "page_token"))
    rows = s.execute(query.order_by(t.c.code).limit(size + 1)).mappings().all()
    windows = _window_map(s)
    return Page(*paging.split([_stored(r, windows) for r in rows], size, lambda i: i.item.code))


def _lock_county(s: Session, county: str, *, shared: bool) -> None:
    """Onboarding copies (shared) and template fan-outs (exclusive) of one county take turns,
    until their transactions end: a township whose onboarding read the template just before an
    item was saved is committed, and so listed, by the time that item's fan-out lists townships."""
    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    s.execute(sa.text(f"SELECT {fn}(hashtext(:k))"), {"k": f"intake.catalogue.{county}"})


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


def _record_saved(s: Session, tenant: str, stored: StoredItem, actor: str, clamped_from: int = 0) -> None:
    event = catalogue_proto.item_saved(stored, actor, clamped_from)
    outbox.record(s, source="intake", message_or_type=event, tenant_id=tenant)
