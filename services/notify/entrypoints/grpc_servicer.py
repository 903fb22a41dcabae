"""NotifyService over gRPC: translates protos to calls of the service layer, decides nothing."""

from collections.abc import Callable
from datetime import UTC
from typing import Any

from bianmin.notify.v1 import notification_pb2 as npb
from bianmin.notify.v1 import notify_service_pb2 as pb
from bianmin.notify.v1 import notify_service_pb2_grpc as pb_grpc

from libs.common import tenant_projection
from libs.common.grpc.enums import enum_number, enum_word
from libs.common.messaging import Subscription
from libs.common.runtime import Runtime
from libs.common.tenancy import current_principal, current_tenant
from services.notify.adapters import tables
from services.notify.adapters.notification_proto import channel_pb, timestamp
from services.notify.service_layer import dead_letters, notices


def _set(message: Any, name: str, at: Any) -> None:
    if at is not None:
        getattr(message, name).FromDatetime(at.astimezone(UTC))


def notice_to_pb(view: notices.NoticeView) -> npb.Notice:
    r = view.row
    message = npb.Notice(
        id=str(r.id),
        case_id=r.case_id,
        kind=enum_number(npb.NoticeKind, "NOTICE_KIND_", r.kind, unknown=0),  # type: ignore[arg-type]
        channel=enum_number(npb.Channel, "CHANNEL_", view.channel, unknown=0),  # type: ignore[arg-type]
        status=enum_number(npb.DeliveryStatus, "DELIVERY_STATUS_", view.status, unknown=0),  # type: ignore[arg-type]
        text=r.text,
        recipient=r.recipient,
        locale=r.locale,
        case_number=r.case_number,
    )
    _set(message, "created_at", r.created_at)
    return message


def notification_to_pb(r: Any) -> npb.Notification:
    message = npb.Notification(
        id=str(r.id),
        topic=enum_number(npb.Topic, "TOPIC_", r.topic, unknown=0),  # type: ignore[arg-type]
        channel=enum_number(npb.Channel, "CHANNEL_", r.channel, unknown=0),  # type: ignore[arg-type]
        status=enum_number(npb.DeliveryStatus, "DELIVERY_STATUS_", r.status, unknown=0),  # type: ignore[arg-type]
        recipient=r.recipient,
        subject=r.subject,
        text=r.text,
        case_id=r.case_id or "",
        notice_id=str(r.notice_id) if r.notice_id else "",
        attempts=r.attempts,
        last_error=r.last_error or "",
        urgent=r.urgent,
    )
    _set(message, "created_at", r.created_at)
    _set(message, "sent_at", r.sent_at)
    _set(message, "next_attempt_at", r.next_attempt_at)
    return message


def inbox_item_to_pb(r: Any) -> npb.InboxItem:
    message = npb.InboxItem(
        id=str(r.id),
        topic=enum_number(npb.Topic, "TOPIC_", r.topic, unknown=0),  # type: ignore[arg-type]
        title=r.title,
        text=r.text,
        case_id=r.case_id or "",
        tenant_id=r.tenant_id,
    )
    _set(message, "created_at", r.created_at)
    _set(message, "read_at", r.read_at)
    return message


def dead_letter_to_pb(view: dead_letters.DeadLetterView) -> npb.DeadLetter:
    source = (
        npb.DEAD_LETTER_SOURCE_NOTIFICATION
        if view.source == dead_letters.NOTIFICATION
        else npb.DEAD_LETTER_SOURCE_EVENT
    )
    return npb.DeadLetter(
        id=view.id,
        source=source,
        notification_id=view.notification_id,
        event_type=view.event_type,
        event_id=view.event_id,
        consumer=view.consumer,
        reason=view.reason,
        attempts=view.attempts,
        parked_at=timestamp(view.parked_at),
        replayed_at=timestamp(view.replayed_at),
        tenant_id=view.tenant_id,
        channel=channel_pb(view.channel) if view.channel else 0,  # type: ignore[arg-type]
    )


class NotifyServicer(pb_grpc.NotifyServiceServicer):
    def __init__(self, runtime: Runtime, subscriptions: Callable[[], list[Subscription]]) -> None:
        self.runtime = runtime
        self.subscriptions = subscriptions  # notify's consumers, to replay an event dead letter

    def GetTenant(self, request: pb.GetTenantRequest, context: object) -> pb.GetTenantResponse:
        return tenant_projection.get_tenant_response(pb, tables.tenant, self.runtime.sessions)

    # --- notices -------------------------------------------------------------------------------

    def ListNotices(self, request: pb.ListNoticesRequest, context: object) -> pb.ListNoticesResponse:
        page = notices.list_notices(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.case_id,
            request.page_size,
            request.page_token,
        )
        return pb.ListNoticesResponse(
            notices=[notice_to_pb(v) for v in page.items], next_page_token=page.next_page_token
        )

    def GetNotice(self, request: pb.GetNoticeRequest, context: object) -> pb.GetNoticeResponse:
        view = notices.get_notice(
            self.runtime.sessions, current_principal(), current_tenant(), request.notice_id
        )
        return pb.GetNoticeResponse(notice=notice_to_pb(view))

    def RenderNotice(self, request: pb.RenderNoticeRequest, context: object) -> pb.RenderNoticeResponse:
        document, filename = notices.render_notice(
            self.runtime.sessions, current_principal(), current_tenant(), request.notice_id
        )
        return pb.RenderNoticeResponse(pdf=document, filename=filename)

    # --- notifications and the inbox -----------------------------------------------------------

    def ListNotifications(
        self, request: pb.ListNotificationsRequest, context: object
    ) -> pb.ListNotificationsResponse:
        page = notices.list_notifications(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            case_id=request.case_id,
            channel=enum_word(npb.Channel, "CHANNEL_", request.channel),
            status=enum_word(npb.DeliveryStatus, "DELIVERY_STATUS_", request.status),
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.ListNotificationsResponse(
            notifications=[notification_to_pb(r) for r in page.items], next_page_token=page.next_page_token
        )

    def ListInbox(self, request: pb.ListInboxRequest, context: object) -> pb.ListInboxResponse:
        page, unread = notices.list_inbox(
            self.runtime.sessions,
            current_principal(),
            unread_only=request.unread_only,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.ListInboxResponse(
            items=[inbox_item_to_pb(r) for r in page.items],
            next_page_token=page.next_page_token,
            unread=unread,
        )

    def MarkInboxItemRead(
        self, request: pb.MarkInboxItemReadRequest, context: object
    ) -> pb.MarkInboxItemReadResponse:
        row = notices.mark_inbox_item_read(self.runtime.sessions, current_principal(), request.item_id)
        return pb.MarkInboxItemReadResponse(item=inbox_item_to_pb(row))

    # --- dead letters (ops, county_admin; across the townships the caller may see) ---------------

    def ListDeadLetters(
        self, request: pb.ListDeadLettersRequest, context: object
    ) -> pb.ListDeadLettersResponse:
        offset = int(request.page_token) if request.page_token.isdigit() else 0
        size = request.page_size if 0 < request.page_size <= 500 else 100
        source = {npb.DEAD_LETTER_SOURCE_NOTIFICATION: "notification", npb.DEAD_LETTER_SOURCE_EVENT: "event"}
        page, more = dead_letters.list_dead_letters(
            self.runtime.ops_sessions,
            current_principal(),
            source=source.get(request.source, ""),
            include_replayed=request.include_replayed,
            limit=size,
            offset=offset,
        )
        return pb.ListDeadLettersResponse(
            dead_letters=[dead_letter_to_pb(v) for v in page],
            next_page_token=str(offset + size) if more else "",
        )

    def ReplayDeadLetter(
        self, request: pb.ReplayDeadLetterRequest, context: object
    ) -> pb.ReplayDeadLetterResponse:
        settings = self.runtime.settings
        view = dead_letters.replay(
            self.runtime.ops_sessions,
            current_principal(),
            request.dead_letter_id,
            runtime_sessions=self.runtime.sessions,
            subscriptions=self.subscriptions(),
            max_attempts=settings.consumer_max_attempts,
            retry_base_seconds=settings.consumer_retry_base_seconds,
        )
        return pb.ReplayDeadLetterResponse(dead_letter=dead_letter_to_pb(view))
