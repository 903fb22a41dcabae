"""Notices and notifications (API.md *Cases* notices and *Notifications*, DOMAIN.md §10). Notify
owns them; these routes translate its gRPC answers to JSON. A case's written notices (the
applicant's contact masked) for every role that reads the township's cases; a notice as JSON or,
with `Accept: application/pdf`, its printable form; the township's notifications (delivery state
per channel); the caller's own inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from bianmin.notify.v1 import notification_pb2 as npb
from bianmin.notify.v1 import notify_service_pb2 as pb
from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from libs.common.errors import NotFound
from libs.common.grpc.enums import enum_number
from services.gateway.entrypoints.http.answers import PageOf, documented
from services.gateway.entrypoints.http.deps import Authed, GatewayDep, Tenant
from services.gateway.entrypoints.http.pagination import PageParams
from services.gateway.entrypoints.http.translate import calling, county_tz, json_word, local_time

router = APIRouter(tags=["notices"])

NOTICES = "/v1/townships/{tenant}/cases/{case_id}/notices"
PDF = "application/pdf"
Channel = Literal["sms", "email", "inbox", "print"]
Status = Literal["queued", "sent", "delivered", "failed", "dead_lettered"]


class Notice(BaseModel):
    id: str
    case_id: str
    case_number: str
    kind: str | None
    channel: str | None
    status: str | None = Field(description="its delivery")
    created_at: datetime | None
    text: str
    recipient: str
    locale: str


class Notification(BaseModel):
    id: str
    topic: str | None
    channel: str | None
    status: str | None
    recipient: str = Field(description="masked")
    subject: str
    text: str
    case_id: str | None
    notice_id: str | None
    urgent: bool
    attempts: int
    last_error: str | None
    created_at: datetime | None
    sent_at: datetime | None
    next_attempt_at: datetime | None


class InboxItem(BaseModel):
    id: str
    tenant_id: str
    topic: str | None
    title: str
    text: str
    case_id: str | None
    created_at: datetime | None
    read_at: datetime | None


class Inbox(PageOf[InboxItem]):
    unread: int


def notice_json(x: npb.Notice, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": x.id,
        "case_id": x.case_id,
        "case_number": x.case_number,
        "kind": json_word(npb.NoticeKind, "NOTICE_KIND_", x.kind),
        "channel": json_word(npb.Channel, "CHANNEL_", x.channel),
        "status": json_word(npb.DeliveryStatus, "DELIVERY_STATUS_", x.status),
        "created_at": local_time(x, "created_at", tz),
        "text": x.text,
        "recipient": x.recipient,
        "locale": x.locale,
    }


def notification_json(x: npb.Notification, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": x.id,
        "topic": json_word(npb.Topic, "TOPIC_", x.topic),
        "channel": json_word(npb.Channel, "CHANNEL_", x.channel),
        "status": json_word(npb.DeliveryStatus, "DELIVERY_STATUS_", x.status),
        "recipient": x.recipient,
        "subject": x.subject,
        "text": x.text,
        "case_id": x.case_id or None,
        "notice_id": x.notice_id or None,
        "urgent": x.urgent,
        "attempts": x.attempts,
        "last_error": x.last_error or None,
        "created_at": local_time(x, "created_at", tz),
        "sent_at": local_time(x, "sent_at", tz),
        "next_attempt_at": local_time(x, "next_attempt_at", tz),
    }


def inbox_item_json(x: npb.InboxItem, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": x.id,
        "tenant_id": x.tenant_id,
        "topic": json_word(npb.Topic, "TOPIC_", x.topic),
        "title": x.title,
        "text": x.text,
        "case_id": x.case_id or None,
        "created_at": local_time(x, "created_at", tz),
        "read_at": local_time(x, "read_at", tz),
    }


def _page_token(page: Any) -> str:
    return str(page.after) if page.after is not None else ""


@router.get(NOTICES, **documented(PageOf[Notice]))
async def notices(tenant: Tenant, case_id: str, c: Authed, gw: GatewayDep, page: PageParams) -> dict:
    """The written notices of a case, newest first (acceptance, one-time supplement, refusal, …),
    each with the delivery that reaches the applicant (sms, else e-mail, else print)."""
    request = pb.ListNoticesRequest(case_id=case_id, page_size=page.size, page_token=_page_token(page))
    with calling(c.token, tenant):
        reply = await gw.services.notify().ListNotices(request)
    return {
        "items": [notice_json(x, county_tz(gw)) for x in reply.notices],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


@router.get(
    NOTICES + "/{notice_id}",
    **documented(Notice, content={PDF: {}}, description="the notice (JSON), or its PDF"),
)
async def notice(
    tenant: Tenant,
    case_id: str,
    notice_id: str,
    c: Authed,
    gw: GatewayDep,
    accept: Annotated[str | None, Header(description="application/pdf for the printable form")] = None,
) -> Any:
    """One notice as JSON, or with `Accept: application/pdf` its printable form (title, case
    number, verification code, text, date)."""
    stub = gw.services.notify()
    with calling(c.token, tenant):
        found = (await stub.GetNotice(pb.GetNoticeRequest(notice_id=notice_id))).notice
        if found.case_id != case_id:
            raise NotFound(f"no notice {notice_id} on case {case_id}")
        if accept and PDF in accept.lower():
            rendered = await stub.RenderNotice(pb.RenderNoticeRequest(notice_id=notice_id))
            return Response(
                content=rendered.pdf,
                media_type=PDF,
                headers={"Content-Disposition": f'inline; filename="{rendered.filename}"'},
            )
    return notice_json(found, county_tz(gw))


@router.get("/v1/townships/{tenant}/notifications", **documented(PageOf[Notification]))
async def notifications(
    tenant: Tenant,
    c: Authed,
    gw: GatewayDep,
    page: PageParams,
    case_id: Annotated[str | None, Query(max_length=64)] = None,
    channel: Channel | None = None,
    status: Status | None = None,
) -> dict:
    """The township's notifications (applicant and staff deliveries), newest first, with their
    delivery state; addresses masked."""
    request = pb.ListNotificationsRequest(
        page_size=page.size,
        page_token=_page_token(page),
        case_id=case_id or "",
        channel=enum_number(npb.Channel, "CHANNEL_", channel or ""),  # type: ignore[arg-type]
        status=enum_number(npb.DeliveryStatus, "DELIVERY_STATUS_", status or ""),  # type: ignore[arg-type]
    )
    with calling(c.token, tenant):
        reply = await gw.services.notify().ListNotifications(request)
    return {
        "items": [notification_json(x, county_tz(gw)) for x in reply.notifications],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
    }


@router.get("/v1/me/inbox", **documented(Inbox))
async def inbox(c: Authed, gw: GatewayDep, page: PageParams, unread_only: bool = False) -> dict:
    """The caller's own inbox (assignments, clock warnings, presses, collective petitions),
    newest first, and how many items are unread."""
    request = pb.ListInboxRequest(page_size=page.size, page_token=_page_token(page), unread_only=unread_only)
    with calling(c.token, None):
        reply = await gw.services.notify().ListInbox(request)
    return {
        "items": [inbox_item_json(x, county_tz(gw)) for x in reply.items],
        "next_page_token": page.token(reply.next_page_token) if reply.next_page_token else "",
        "unread": reply.unread,
    }


@router.post("/v1/me/inbox/{item_id}/read", **documented(InboxItem))
async def read_inbox_item(item_id: str, c: Authed, gw: GatewayDep) -> dict:
    """Mark one of the caller's own inbox items read (again: the first time stays); another
    user's item, or none, is not_found."""
    with calling(c.token, None):
        reply = await gw.services.notify().MarkInboxItemRead(pb.MarkInboxItemReadRequest(item_id=item_id))
    return inbox_item_json(reply.item, county_tz(gw))
