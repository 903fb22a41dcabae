import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AppealState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    APPEAL_STATE_UNSPECIFIED: _ClassVar[AppealState]
    APPEAL_STATE_PENDING: _ClassVar[AppealState]
    APPEAL_STATE_UPHELD: _ClassVar[AppealState]
    APPEAL_STATE_REJECTED: _ClassVar[AppealState]
APPEAL_STATE_UNSPECIFIED: AppealState
APPEAL_STATE_PENDING: AppealState
APPEAL_STATE_UPHELD: AppealState
APPEAL_STATE_REJECTED: AppealState

class Appeal(_message.Message):
    __slots__ = ("id", "event_id", "reason", "state", "decision_reason", "filed_by", "filed_at", "decided_by", "decided_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DECISION_REASON_FIELD_NUMBER: _ClassVar[int]
    FILED_BY_FIELD_NUMBER: _ClassVar[int]
    FILED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    event_id: str
    reason: str
    state: AppealState
    decision_reason: str
    filed_by: str
    filed_at: _timestamp_pb2.Timestamp
    decided_by: str
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., event_id: _Optional[str] = ..., reason: _Optional[str] = ..., state: _Optional[_Union[AppealState, str]] = ..., decision_reason: _Optional[str] = ..., filed_by: _Optional[str] = ..., filed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_by: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
