import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_SMS: _ClassVar[Channel]
    CHANNEL_EMAIL: _ClassVar[Channel]
    CHANNEL_INBOX: _ClassVar[Channel]
    CHANNEL_PRINT: _ClassVar[Channel]

class DeliveryStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELIVERY_STATUS_UNSPECIFIED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_QUEUED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_SENT: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_DELIVERED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_FAILED: _ClassVar[DeliveryStatus]
    DELIVERY_STATUS_DEAD_LETTERED: _ClassVar[DeliveryStatus]

class NoticeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NOTICE_KIND_UNSPECIFIED: _ClassVar[NoticeKind]
    NOTICE_KIND_ACCEPTANCE: _ClassVar[NoticeKind]
    NOTICE_KIND_SUPPLEMENT: _ClassVar[NoticeKind]
    NOTICE_KIND_REFUSAL: _ClassVar[NoticeKind]
    NOTICE_KIND_ESCALATION: _ClassVar[NoticeKind]
    NOTICE_KIND_EXTENSION: _ClassVar[NoticeKind]
    NOTICE_KIND_RESULT: _ClassVar[NoticeKind]
    NOTICE_KIND_SATISFACTION: _ClassVar[NoticeKind]
    NOTICE_KIND_RETURN: _ClassVar[NoticeKind]

class Topic(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOPIC_UNSPECIFIED: _ClassVar[Topic]
    TOPIC_NOTICE: _ClassVar[Topic]
    TOPIC_ASSIGNMENT: _ClassVar[Topic]
    TOPIC_CLOCK_WARNING: _ClassVar[Topic]
    TOPIC_PRESS: _ClassVar[Topic]
    TOPIC_COLLECTIVE_PETITION: _ClassVar[Topic]
    TOPIC_APPRAISAL_RESULT: _ClassVar[Topic]
    TOPIC_QUOTA_REMINDER: _ClassVar[Topic]
    TOPIC_TRIP_LIST: _ClassVar[Topic]
    TOPIC_DIGEST: _ClassVar[Topic]
    TOPIC_OTHER: _ClassVar[Topic]
    TOPIC_TRIP_MISSED: _ClassVar[Topic]
    TOPIC_NO_CARRIER: _ClassVar[Topic]

class DeadLetterSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEAD_LETTER_SOURCE_UNSPECIFIED: _ClassVar[DeadLetterSource]
    DEAD_LETTER_SOURCE_NOTIFICATION: _ClassVar[DeadLetterSource]
    DEAD_LETTER_SOURCE_EVENT: _ClassVar[DeadLetterSource]
CHANNEL_UNSPECIFIED: Channel
CHANNEL_SMS: Channel
CHANNEL_EMAIL: Channel
CHANNEL_INBOX: Channel
CHANNEL_PRINT: Channel
DELIVERY_STATUS_UNSPECIFIED: DeliveryStatus
DELIVERY_STATUS_QUEUED: DeliveryStatus
DELIVERY_STATUS_SENT: DeliveryStatus
DELIVERY_STATUS_DELIVERED: DeliveryStatus
DELIVERY_STATUS_FAILED: DeliveryStatus
DELIVERY_STATUS_DEAD_LETTERED: DeliveryStatus
NOTICE_KIND_UNSPECIFIED: NoticeKind
NOTICE_KIND_ACCEPTANCE: NoticeKind
NOTICE_KIND_SUPPLEMENT: NoticeKind
NOTICE_KIND_REFUSAL: NoticeKind
NOTICE_KIND_ESCALATION: NoticeKind
NOTICE_KIND_EXTENSION: NoticeKind
NOTICE_KIND_RESULT: NoticeKind
NOTICE_KIND_SATISFACTION: NoticeKind
NOTICE_KIND_RETURN: NoticeKind
TOPIC_UNSPECIFIED: Topic
TOPIC_NOTICE: Topic
TOPIC_ASSIGNMENT: Topic
TOPIC_CLOCK_WARNING: Topic
TOPIC_PRESS: Topic
TOPIC_COLLECTIVE_PETITION: Topic
TOPIC_APPRAISAL_RESULT: Topic
TOPIC_QUOTA_REMINDER: Topic
TOPIC_TRIP_LIST: Topic
TOPIC_DIGEST: Topic
TOPIC_OTHER: Topic
TOPIC_TRIP_MISSED: Topic
TOPIC_NO_CARRIER: Topic
DEAD_LETTER_SOURCE_UNSPECIFIED: DeadLetterSource
DEAD_LETTER_SOURCE_NOTIFICATION: DeadLetterSource
DEAD_LETTER_SOURCE_EVENT: DeadLetterSource

class Notice(_message.Message):
    __slots__ = ("id", "case_id", "kind", "channel", "status", "created_at", "text", "recipient", "locale", "case_number")
    ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    CASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    id: str
    case_id: str
    kind: NoticeKind
    channel: Channel
    status: DeliveryStatus
    created_at: _timestamp_pb2.Timestamp
    text: str
    recipient: str
    locale: str
    case_number: str
    def __init__(self, id: _Optional[str] = ..., case_id: _Optional[str] = ..., kind: _Optional[_Union[NoticeKind, str]] = ..., channel: _Optional[_Union[Channel, str]] = ..., status: _Optional[_Union[DeliveryStatus, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., text: _Optional[str] = ..., recipient: _Optional[str] = ..., locale: _Optional[str] = ..., case_number: _Optional[str] = ...) -> None: ...

class Notification(_message.Message):
    __slots__ = ("id", "topic", "channel", "status", "recipient", "subject", "text", "case_id", "notice_id", "attempts", "last_error", "urgent", "created_at", "sent_at", "next_attempt_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    NOTICE_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    URGENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    topic: Topic
    channel: Channel
    status: DeliveryStatus
    recipient: str
    subject: str
    text: str
    case_id: str
    notice_id: str
    attempts: int
    last_error: str
    urgent: bool
    created_at: _timestamp_pb2.Timestamp
    sent_at: _timestamp_pb2.Timestamp
    next_attempt_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., topic: _Optional[_Union[Topic, str]] = ..., channel: _Optional[_Union[Channel, str]] = ..., status: _Optional[_Union[DeliveryStatus, str]] = ..., recipient: _Optional[str] = ..., subject: _Optional[str] = ..., text: _Optional[str] = ..., case_id: _Optional[str] = ..., notice_id: _Optional[str] = ..., attempts: _Optional[int] = ..., last_error: _Optional[str] = ..., urgent: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class InboxItem(_message.Message):
    __slots__ = ("id", "topic", "title", "text", "case_id", "created_at", "read_at", "tenant_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    READ_AT_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    topic: Topic
    title: str
    text: str
    case_id: str
    created_at: _timestamp_pb2.Timestamp
    read_at: _timestamp_pb2.Timestamp
    tenant_id: str
    def __init__(self, id: _Optional[str] = ..., topic: _Optional[_Union[Topic, str]] = ..., title: _Optional[str] = ..., text: _Optional[str] = ..., case_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., read_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tenant_id: _Optional[str] = ...) -> None: ...

class DeadLetter(_message.Message):
    __slots__ = ("id", "source", "notification_id", "event_type", "event_id", "consumer", "reason", "attempts", "parked_at", "replayed_at", "tenant_id", "channel")
    ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    PARKED_AT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_AT_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    id: str
    source: DeadLetterSource
    notification_id: str
    event_type: str
    event_id: str
    consumer: str
    reason: str
    attempts: int
    parked_at: _timestamp_pb2.Timestamp
    replayed_at: _timestamp_pb2.Timestamp
    tenant_id: str
    channel: Channel
    def __init__(self, id: _Optional[str] = ..., source: _Optional[_Union[DeadLetterSource, str]] = ..., notification_id: _Optional[str] = ..., event_type: _Optional[str] = ..., event_id: _Optional[str] = ..., consumer: _Optional[str] = ..., reason: _Optional[str] = ..., attempts: _Optional[int] = ..., parked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., replayed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tenant_id: _Optional[str] = ..., channel: _Optional[_Union[Channel, str]] = ...) -> None: ...
