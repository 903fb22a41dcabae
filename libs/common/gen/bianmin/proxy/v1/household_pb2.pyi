import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HouseholdFlag(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOUSEHOLD_FLAG_UNSPECIFIED: _ClassVar[HouseholdFlag]
    HOUSEHOLD_FLAG_WUBAO: _ClassVar[HouseholdFlag]
    HOUSEHOLD_FLAG_DIBAO: _ClassVar[HouseholdFlag]
    HOUSEHOLD_FLAG_DISABLED: _ClassVar[HouseholdFlag]
    HOUSEHOLD_FLAG_ELDERLY_ALONE: _ClassVar[HouseholdFlag]
    HOUSEHOLD_FLAG_POOR: _ClassVar[HouseholdFlag]
    HOUSEHOLD_FLAG_ILL: _ClassVar[HouseholdFlag]
    HOUSEHOLD_FLAG_PETITIONER: _ClassVar[HouseholdFlag]
HOUSEHOLD_FLAG_UNSPECIFIED: HouseholdFlag
HOUSEHOLD_FLAG_WUBAO: HouseholdFlag
HOUSEHOLD_FLAG_DIBAO: HouseholdFlag
HOUSEHOLD_FLAG_DISABLED: HouseholdFlag
HOUSEHOLD_FLAG_ELDERLY_ALONE: HouseholdFlag
HOUSEHOLD_FLAG_POOR: HouseholdFlag
HOUSEHOLD_FLAG_ILL: HouseholdFlag
HOUSEHOLD_FLAG_PETITIONER: HouseholdFlag

class Household(_message.Message):
    __slots__ = ("id", "village", "group", "head_name", "phone", "flags", "agent", "priority", "excluded", "last_visited_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    HEAD_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_FIELD_NUMBER: _ClassVar[int]
    LAST_VISITED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    village: str
    group: str
    head_name: str
    phone: str
    flags: _containers.RepeatedScalarFieldContainer[HouseholdFlag]
    agent: str
    priority: bool
    excluded: bool
    last_visited_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., village: _Optional[str] = ..., group: _Optional[str] = ..., head_name: _Optional[str] = ..., phone: _Optional[str] = ..., flags: _Optional[_Iterable[_Union[HouseholdFlag, str]]] = ..., agent: _Optional[str] = ..., priority: _Optional[bool] = ..., excluded: _Optional[bool] = ..., last_visited_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Visit(_message.Message):
    __slots__ = ("id", "household_id", "agent", "visited_at", "needs", "notes")
    ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    VISITED_AT_FIELD_NUMBER: _ClassVar[int]
    NEEDS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    id: str
    household_id: str
    agent: str
    visited_at: _timestamp_pb2.Timestamp
    needs: _containers.RepeatedScalarFieldContainer[str]
    notes: str
    def __init__(self, id: _Optional[str] = ..., household_id: _Optional[str] = ..., agent: _Optional[str] = ..., visited_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., needs: _Optional[_Iterable[str]] = ..., notes: _Optional[str] = ...) -> None: ...
