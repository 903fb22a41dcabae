import datetime

from bianmin.gateway.v1 import settings_pb2 as _settings_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CalendarSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CALENDAR_SOURCE_UNSPECIFIED: _ClassVar[CalendarSource]
    CALENDAR_SOURCE_NATIONAL: _ClassVar[CalendarSource]
    CALENDAR_SOURCE_COUNTY: _ClassVar[CalendarSource]
    CALENDAR_SOURCE_TOWNSHIP: _ClassVar[CalendarSource]

class DayKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DAY_KIND_UNSPECIFIED: _ClassVar[DayKind]
    DAY_KIND_OFF: _ClassVar[DayKind]
    DAY_KIND_WORK: _ClassVar[DayKind]
CALENDAR_SOURCE_UNSPECIFIED: CalendarSource
CALENDAR_SOURCE_NATIONAL: CalendarSource
CALENDAR_SOURCE_COUNTY: CalendarSource
CALENDAR_SOURCE_TOWNSHIP: CalendarSource
DAY_KIND_UNSPECIFIED: DayKind
DAY_KIND_OFF: DayKind
DAY_KIND_WORK: DayKind

class CalendarDay(_message.Message):
    __slots__ = ("date", "working", "hours", "source", "provisional", "reason")
    DATE_FIELD_NUMBER: _ClassVar[int]
    WORKING_FIELD_NUMBER: _ClassVar[int]
    HOURS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    date: str
    working: bool
    hours: _containers.RepeatedCompositeFieldContainer[_settings_pb2.OfficeHours]
    source: CalendarSource
    provisional: bool
    reason: str
    def __init__(self, date: _Optional[str] = ..., working: _Optional[bool] = ..., hours: _Optional[_Iterable[_Union[_settings_pb2.OfficeHours, _Mapping]]] = ..., source: _Optional[_Union[CalendarSource, str]] = ..., provisional: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class CalendarOverride(_message.Message):
    __slots__ = ("date", "kind", "reason", "source", "updated_at")
    DATE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    date: str
    kind: DayKind
    reason: str
    source: CalendarSource
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, date: _Optional[str] = ..., kind: _Optional[_Union[DayKind, str]] = ..., reason: _Optional[str] = ..., source: _Optional[_Union[CalendarSource, str]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
