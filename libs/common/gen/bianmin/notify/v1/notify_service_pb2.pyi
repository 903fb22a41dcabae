from bianmin.notify.v1 import notification_pb2 as _notification_pb2
from bianmin.notify.v1 import tenant_pb2 as _tenant_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetTenantRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTenantResponse(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: _tenant_pb2.TenantProjection
    def __init__(self, tenant: _Optional[_Union[_tenant_pb2.TenantProjection, _Mapping]] = ...) -> None: ...

class ListNoticesRequest(_message.Message):
    __slots__ = ("case_id", "page_size", "page_token")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    page_size: int
    page_token: str
    def __init__(self, case_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListNoticesResponse(_message.Message):
    __slots__ = ("notices", "next_page_token")
    NOTICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    notices: _containers.RepeatedCompositeFieldContainer[_notification_pb2.Notice]
    next_page_token: str
    def __init__(self, notices: _Optional[_Iterable[_Union[_notification_pb2.Notice, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetNoticeRequest(_message.Message):
    __slots__ = ("notice_id",)
    NOTICE_ID_FIELD_NUMBER: _ClassVar[int]
    notice_id: str
    def __init__(self, notice_id: _Optional[str] = ...) -> None: ...

class GetNoticeResponse(_message.Message):
    __slots__ = ("notice",)
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    notice: _notification_pb2.Notice
    def __init__(self, notice: _Optional[_Union[_notification_pb2.Notice, _Mapping]] = ...) -> None: ...

class RenderNoticeRequest(_message.Message):
    __slots__ = ("notice_id",)
    NOTICE_ID_FIELD_NUMBER: _ClassVar[int]
    notice_id: str
    def __init__(self, notice_id: _Optional[str] = ...) -> None: ...

class RenderNoticeResponse(_message.Message):
    __slots__ = ("pdf", "filename")
    PDF_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    pdf: bytes
    filename: str
    def __init__(self, pdf: _Optional[bytes] = ..., filename: _Optional[str] = ...) -> None: ...

class ListNotificationsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "case_id", "channel", "status")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    case_id: str
    channel: _notification_pb2.Channel
    status: _notification_pb2.DeliveryStatus
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., case_id: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ..., status: _Optional[_Union[_notification_pb2.DeliveryStatus, str]] = ...) -> None: ...

class ListNotificationsResponse(_message.Message):
    __slots__ = ("notifications", "next_page_token")
    NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    notifications: _containers.RepeatedCompositeFieldContainer[_notification_pb2.Notification]
    next_page_token: str
    def __init__(self, notifications: _Optional[_Iterable[_Union[_notification_pb2.Notification, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListInboxRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "unread_only")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    UNREAD_ONLY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    unread_only: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., unread_only: _Optional[bool] = ...) -> None: ...

class ListInboxResponse(_message.Message):
    __slots__ = ("items", "next_page_token", "unread")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    UNREAD_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[_notification_pb2.InboxItem]
    next_page_token: str
    unread: int
    def __init__(self, items: _Optional[_Iterable[_Union[_notification_pb2.InboxItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., unread: _Optional[int] = ...) -> None: ...

class MarkInboxItemReadRequest(_message.Message):
    __slots__ = ("item_id",)
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    def __init__(self, item_id: _Optional[str] = ...) -> None: ...

class MarkInboxItemReadResponse(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: _notification_pb2.InboxItem
    def __init__(self, item: _Optional[_Union[_notification_pb2.InboxItem, _Mapping]] = ...) -> None: ...

class ListDeadLettersRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "source", "include_replayed")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_REPLAYED_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    source: _notification_pb2.DeadLetterSource
    include_replayed: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., source: _Optional[_Union[_notification_pb2.DeadLetterSource, str]] = ..., include_replayed: _Optional[bool] = ...) -> None: ...

class ListDeadLettersResponse(_message.Message):
    __slots__ = ("dead_letters", "next_page_token")
    DEAD_LETTERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    dead_letters: _containers.RepeatedCompositeFieldContainer[_notification_pb2.DeadLetter]
    next_page_token: str
    def __init__(self, dead_letters: _Optional[_Iterable[_Union[_notification_pb2.DeadLetter, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReplayDeadLetterRequest(_message.Message):
    __slots__ = ("dead_letter_id",)
    DEAD_LETTER_ID_FIELD_NUMBER: _ClassVar[int]
    dead_letter_id: str
    def __init__(self, dead_letter_id: _Optional[str] = ...) -> None: ...

class ReplayDeadLetterResponse(_message.Message):
    __slots__ = ("dead_letter",)
    DEAD_LETTER_FIELD_NUMBER: _ClassVar[int]
    dead_letter: _notification_pb2.DeadLetter
    def __init__(self, dead_letter: _Optional[_Union[_notification_pb2.DeadLetter, _Mapping]] = ...) -> None: ...
