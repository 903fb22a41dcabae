"""Reading notices, notifications and the inbox (NotifyService's reads).

Notices and notifications of a township are for the roles that read its cases (tenancy's
CASE_READER_ROLES, as intake's cases); the township comes from the call (`x-tenant-id`, already
checked against the caller's token) and row-level security keeps every query inside it. The inbox
is the caller's own: their items in every township they may see, found by their username."""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging, sealing
from libs.common.errors import NotFound, Unauthenticated, ValidationFailed
from libs.common.paging import Page
from libs.common.tenancy import CASE_READER_ROLES, Principal, require_role, require_tenant
from libs.common.tenant_projection import require_known
from services.notify.adapters import pdf, tables
from services.notify.domain import notices as n

CHANNELS = ("sms", "email", "inbox", "print")
STATUSES = ("queued", "sent", "delivered", "failed", "dead_lettered")
# which delivery a notice's channel/status reports: the one that reaches the applicant first
NOTICE_CHANNEL_ORDER = ("sms", "email", "print")


@dataclass(frozen=True)
class NoticeView:
    row: Any
    channel: str
    status: str


def _township(s: Session, tenant: str | None) -> None:
    require_known(s, tables.tenant, require_tenant(tenant))


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        raise NotFound(f"no such {what}") from None


def _after(table: sa.Table, token: str) -> Any:
    """The keyset condition of a page token `<created_at>|<id>` (newest first)."""
    at, id_ = paging.decode_time_key(token, uuid.UUID, invalid="page_token is not one this service gave out")
    return sa.tuple_(table.c.created_at, table.c.id) < sa.tuple_(sa.literal(at), sa.literal(id_))


def _paged(rows: list[Any], size: int) -> tuple[list[Any], str]:
    return paging.split(rows, size, lambda last: paging.time_key_token(last.created_at, last.id))


# --- notices ---------------------------------------------------------------------------------


def _views(s: Session, rows: list[Any]) -> list[NoticeView]:
    if not rows:
        return []
    nt = tables.notification
    deliveries = s.execute(
        sa.select(nt.c.notice_id, nt.c.channel, nt.c.status).where(nt.c.notice_id.in_([r.id for r in rows]))
    ).all()
    by_notice: dict[Any, dict[str, str]] = {}
    for d in deliveries:
        by_notice.setdefault(d.notice_id, {})[d.channel] = d.status
    views = []
    for r in rows:
        known = by_notice.get(r.id, {})
        channel = next((c for c in NOTICE_CHANNEL_ORDER if c in known), "print")
        views.append(NoticeView(r, channel, known.get(channel, "delivered")))
    return views


def list_notices(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    case_id: str,
    page_size: int = 0,
    page_token: str = "",
) -> Page:
    require_role(principal, *CASE_READER_ROLES)
    size = paging.page_size(page_size, clamp=False)
    t = tables.notice
    with db.transaction(sessions, tenant) as s:
        _township(s, tenant)
        query = sa.select(t).where(t.c.case_id == case_id)
        if page_token:
            query = query.where(_after(t, page_token))
        rows = s.execute(query.order_by(t.c.created_at.desc(), t.c.id.desc()).limit(size + 1)).all()
        items, token = _paged(list(rows), size)
        return Page(_views(s, items), token)


def get_notice(
    sessions: sessionmaker[Session], principal: Principal | None, tenant: str | None, notice_id: str
) -> NoticeView:
    require_role(principal, *CASE_READER_ROLES)
    key = _uuid(notice_id, "notice")
    t = tables.notice
    with db.transaction(sessions, tenant) as s:
        _township(s, tenant)
        row = s.execute(sa.select(t).where(t.c.id == key)).first()
        if row is None:
            raise NotFound(f"no notice {notice_id}")
        return _views(s, [row])[0]


def render_notice(
    sessions: sessionmaker[Session], principal: Principal | None, tenant: str | None, notice_id: str
) -> tuple[bytes, str]:
    """The notice's printable form (PDF) and a file name for it: the applicant's own copy, naming
    them in full (the sealed text; a notice made before it was kept prints the masked one)."""
    row = get_notice(sessions, principal, tenant, notice_id).row
    with db.transaction(sessions, tenant) as s:
        printed = _printed(s, tenant, row)
    lines = printed.text.splitlines()
    document = pdf.render(
        title=lines[0] if lines else row.kind,
        case_number=row.case_number,
        verification_code=row.verification_code,
        text=printed.text,
        date=f"{printed.local.year}年{printed.local.month}月{printed.local.day}日",
        centre=f"{printed.township}便民服务中心" if printed.township else "",
        document_number=n.document_number(printed.township, row.kind, printed.local.year, printed.serial),
        applicant=printed.applicant,
        window=row.window or "",
        phone=printed.phone,
    )
    return document, f"{row.case_number}-{row.kind}.pdf"


@dataclass(frozen=True)
class _Printed:
    text: str
    applicant: str
    township: str
    phone: str
    local: datetime
    serial: int


def _printed(s: Session, tenant: str | None, row: Any) -> _Printed:
    """What the printed copy shows besides the row: the text naming the applicant, the township,
    its service phone (the setting `service_phone`), the local date and the serial of the 文号."""
    text, applicant = row.text, ""
    sealer = sealing.of(s)
    if row.text_sealed and sealer is not None:
        opened = sealer.open(row.text_sealed)
        text, applicant = opened["text"], opened.get("applicant", "")
    township = s.execute(sa.select(tables.tenant.c.name).where(tables.tenant.c.tenant_id == tenant)).scalar()
    st = tables.settings
    setting = s.execute(sa.select(st.c.timezone, st.c.other).where(st.c.tenant_id == tenant)).first()
    local = row.created_at.astimezone(ZoneInfo((setting.timezone if setting else None) or "Asia/Shanghai"))
    t = tables.notice
    start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    serial = s.execute(  # the notices of this kind made this year up to this one (never deleted: stable)
        sa.select(sa.func.count()).where(
            t.c.kind == row.kind,
            t.c.created_at >= start,
            sa.tuple_(t.c.created_at, t.c.id) <= sa.tuple_(sa.literal(row.created_at), sa.literal(row.id)),
        )
    ).scalar()
    return _Printed(
        text, applicant, township or "", _service_phone(setting.other if setting else {}), local, serial or 1
    )


def _service_phone(other: dict[str, Any]) -> str:
    """The township's service phone: TenantSettings.extra["service_phone"] (JSON text)."""
    value = (other.get("extra") or {}).get("service_phone", "")
    with contextlib.suppress(TypeError, ValueError):  # a bare string is the phone as it is
        value = json.loads(value)
    return str(value or "")


# --- notifications ---------------------------------------------------------------------------


def list_notifications(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    case_id: str = "",
    channel: str = "",
    status: str = "",
    page_size: int = 0,
    page_token: str = "",
) -> Page:
    require_role(principal, *CASE_READER_ROLES)
    size = paging.page_size(page_size, clamp=False)
    if channel and channel not in CHANNELS:
        raise ValidationFailed(f"channel must be one of {', '.join(CHANNELS)}")
    if status and status not in STATUSES:
        raise ValidationFailed(f"status must be one of {', '.join(STATUSES)}")
    t = tables.notification
    query = sa.select(t)
    if case_id:
        query = query.where(t.c.case_id == case_id)
    if channel:
        query = query.where(t.c.channel == channel)
    if status:
        query = query.where(t.c.status == status)
    if page_token:
        query = query.where(_after(t, page_token))
    with db.transaction(sessions, tenant) as s:
        _township(s, tenant)
        rows = s.execute(query.order_by(t.c.created_at.desc(), t.c.id.desc()).limit(size + 1)).all()
    items, token = _paged(list(rows), size)
    return Page(items, token)


# --- the inbox -------------------------------------------------------------------------------


def list_inbox(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    *,
    unread_only: bool = False,
    page_size: int = 0,
    page_token: str = "",
) -> tuple[Page, int]:
    """The caller's inbox, newest first, and how many items are unread. Read across townships
    under the policy of own rows (migration 0007: the database hands out the caller's items
    only), then kept to the townships the token may see."""
    who = _require_user(principal)
    size = paging.page_size(page_size, clamp=False)
    t = tables.inbox_item
    mine = t.c.username == who.username
    query = sa.select(t).where(mine)
    if unread_only:
        query = query.where(t.c.read_at.is_(None))
    if page_token:
        query = query.where(_after(t, page_token))
    with db.transaction(sessions, None, user=who.username) as s:
        rows = [
            r
            for r in s.execute(query.order_by(t.c.created_at.desc(), t.c.id.desc()).limit(size + 1)).all()
            if who.may_see(r.tenant_id)
        ]
        unread = sum(
            count
            for tenant, count in s.execute(
                sa.select(t.c.tenant_id, sa.func.count())
                .where(mine, t.c.read_at.is_(None))
                .group_by(t.c.tenant_id)
            ).all()
            if who.may_see(tenant)
        )
    items, token = _paged(rows, size)
    return Page(items, token), unread


def mark_inbox_item_read(sessions: sessionmaker[Session], principal: Principal | None, item_id: str) -> Any:
    """Mark one of the caller's inbox items read (again: the first time stays)."""
    who = _require_user(principal)
    key = _uuid(item_id, "inbox item")
    t = tables.inbox_item
    with db.transaction(sessions, None, user=who.username) as s:
        row = s.execute(
            sa.update(t)
            .where(t.c.id == key, t.c.username == who.username)
            .values(read_at=sa.func.coalesce(t.c.read_at, sa.func.now()))
            .returning(*t.c)
        ).first()
        if row is None or not who.may_see(row.tenant_id):
            raise NotFound(f"no inbox item {item_id}")  # the transaction rolls back
        return row


def _require_user(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("a bearer token is required")
    return principal
