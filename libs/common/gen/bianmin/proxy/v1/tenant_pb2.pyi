import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TenantProjection(_message.Message):
    __slots__ = ("tenant_id", "name", "onboarded_at")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ONBOARDED_AT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    name: str
    onboarded_at: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., name: _Optional[str] = ..., onboarded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
