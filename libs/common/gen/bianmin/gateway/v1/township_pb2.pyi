import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TownshipStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOWNSHIP_STATUS_UNSPECIFIED: _ClassVar[TownshipStatus]
    TOWNSHIP_STATUS_ACTIVE: _ClassVar[TownshipStatus]
    TOWNSHIP_STATUS_SUSPENDED: _ClassVar[TownshipStatus]
TOWNSHIP_STATUS_UNSPECIFIED: TownshipStatus
TOWNSHIP_STATUS_ACTIVE: TownshipStatus
TOWNSHIP_STATUS_SUSPENDED: TownshipStatus

class Township(_message.Message):
    __slots__ = ("tenant_id", "code", "name", "status", "villages", "county", "onboarded_at")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VILLAGES_FIELD_NUMBER: _ClassVar[int]
    COUNTY_FIELD_NUMBER: _ClassVar[int]
    ONBOARDED_AT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    code: str
    name: str
    status: TownshipStatus
    villages: _containers.RepeatedCompositeFieldContainer[Village]
    county: str
    onboarded_at: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., code: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[_Union[TownshipStatus, str]] = ..., villages: _Optional[_Iterable[_Union[Village, _Mapping]]] = ..., county: _Optional[str] = ..., onboarded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Village(_message.Message):
    __slots__ = ("code", "name", "groups")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    groups: _containers.RepeatedCompositeFieldContainer[Group]
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., groups: _Optional[_Iterable[_Union[Group, _Mapping]]] = ...) -> None: ...

class Group(_message.Message):
    __slots__ = ("code", "name")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...
