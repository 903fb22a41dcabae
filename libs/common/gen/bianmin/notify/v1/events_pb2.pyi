import datetime

from bianmin.notify.v1 import notification_pb2 as _notification_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NoticeIssued(_message.Message):
    __slots__ = ("notice_id", "case_id", "kind", "issued_at")
    NOTICE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    notice_id: str
    case_id: str
    kind: _notification_pb2.NoticeKind
    issued_at: _timestamp_pb2.Timestamp
    def __init__(self, notice_id: _Optional[str] = ..., case_id: _Optional[str] = ..., kind: _Optional[_Union[_notification_pb2.NoticeKind, str]] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NotificationSent(_message.Message):
    __slots__ = ("notification_id", "channel", "topic", "case_id", "notice_id", "sent_at")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    NOTICE_ID_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    channel: _notification_pb2.Channel
    topic: _notification_pb2.Topic
    case_id: str
    notice_id: str
    sent_at: _timestamp_pb2.Timestamp
    def __init__(self, notification_id: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ..., topic: _Optional[_Union[_notification_pb2.Topic, str]] = ..., case_id: _Optional[str] = ..., notice_id: _Optional[str] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NotificationDelivered(_message.Message):
    __slots__ = ("notification_id", "channel", "delivered_at")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    channel: _notification_pb2.Channel
    delivered_at: _timestamp_pb2.Timestamp
    def __init__(self, notification_id: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NotificationFailed(_message.Message):
    __slots__ = ("notification_id", "channel", "attempts", "error", "next_attempt_at")
    NOTIFICATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    notification_id: str
    channel: _notification_pb2.Channel
    attempts: int
    error: str
    next_attempt_at: _timestamp_pb2.Timestamp
    def __init__(self, notification_id: _Optional[str] = ..., channel: _Optional[_Union[_notification_pb2.Channel, str]] = ..., attempts: _Optional[int] = ..., error: _Optional[str] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeadLetterParked(_message.Message):
    __slots__ = ("dead_letter",)
    DEAD_LETTER_FIELD_NUMBER: _ClassVar[int]
    dead_letter: _notification_pb2.DeadLetter
    def __init__(self, dead_letter: _Optional[_Union[_notification_pb2.DeadLetter, _Mapping]] = ...) -> None: ...

class DeadLetterReplayed(_message.Message):
    __slots__ = ("dead_letter_id", "replayed_by", "replayed_at")
    DEAD_LETTER_ID_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_BY_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_AT_FIELD_NUMBER: _ClassVar[int]
    dead_letter_id: str
    replayed_by: str
    replayed_at: _timestamp_pb2.Timestamp
    def __init__(self, dead_letter_id: _Optional[str] = ..., replayed_by: _Optional[str] = ..., replayed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
