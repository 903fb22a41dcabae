import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TripState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRIP_STATE_UNSPECIFIED: _ClassVar[TripState]
    TRIP_STATE_PLANNED: _ClassVar[TripState]
    TRIP_STATE_DELIVERED: _ClassVar[TripState]

class TripDestination(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRIP_DESTINATION_UNSPECIFIED: _ClassVar[TripDestination]
    TRIP_DESTINATION_TOWNSHIP: _ClassVar[TripDestination]
    TRIP_DESTINATION_COUNTY: _ClassVar[TripDestination]
TRIP_STATE_UNSPECIFIED: TripState
TRIP_STATE_PLANNED: TripState
TRIP_STATE_DELIVERED: TripState
TRIP_DESTINATION_UNSPECIFIED: TripDestination
TRIP_DESTINATION_TOWNSHIP: TripDestination
TRIP_DESTINATION_COUNTY: TripDestination

class TripEntry(_message.Message):
    __slots__ = ("delegation_id", "case_id", "case_number", "item_code", "applicant_name", "village")
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_NAME_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    case_id: str
    case_number: str
    item_code: str
    applicant_name: str
    village: str
    def __init__(self, delegation_id: _Optional[str] = ..., case_id: _Optional[str] = ..., case_number: _Optional[str] = ..., item_code: _Optional[str] = ..., applicant_name: _Optional[str] = ..., village: _Optional[str] = ...) -> None: ...

class Trip(_message.Message):
    __slots__ = ("id", "trip_date", "agent", "destination", "department", "entries", "state", "delivered_at", "village")
    ID_FIELD_NUMBER: _ClassVar[int]
    TRIP_DATE_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    trip_date: str
    agent: str
    destination: TripDestination
    department: str
    entries: _containers.RepeatedCompositeFieldContainer[TripEntry]
    state: TripState
    delivered_at: _timestamp_pb2.Timestamp
    village: str
    def __init__(self, id: _Optional[str] = ..., trip_date: _Optional[str] = ..., agent: _Optional[str] = ..., destination: _Optional[_Union[TripDestination, str]] = ..., department: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[TripEntry, _Mapping]]] = ..., state: _Optional[_Union[TripState, str]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., village: _Optional[str] = ...) -> None: ...
