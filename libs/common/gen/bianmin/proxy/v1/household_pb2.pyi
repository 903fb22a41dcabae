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
HOUSEHOLD_FLAG_UNSPECIFIED: HouseholdFlag
HOUSEHOLD_FLAG_WUBAO: HouseholdFlag
HOUSEHOLD_FLAG_DIBAO: HouseholdFlag
HOUSEHOLD_FLAG_DISABLED: HouseholdFlag
HOUSEHOLD_FLAG_ELDERLY_ALONE: HouseholdFlag
HOUSEHOLD_FLAG_POOR: HouseholdFlag
HOUSEHOLD_FLAG_ILL: HouseholdFlag

class Household(_message.Message):
    __slots__ = ("id", "village", "group", "head_name", "phone", "address", "flags", "agent", "priority", "masked", "created_at", "last_visited_at", "version")
    ID_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    HEAD_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    MASKED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_VISITED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    village: str
    group: str
    head_name: str
    phone: str
    address: str
    flags: _containers.RepeatedScalarFieldContainer[HouseholdFlag]
    agent: str
    priority: bool
    masked: bool
    created_at: _timestamp_pb2.Timestamp
    last_visited_at: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, id: _Optional[str] = ..., village: _Optional[str] = ..., group: _Optional[str] = ..., head_name: _Optional[str] = ..., phone: _Optional[str] = ..., address: _Optional[str] = ..., flags: _Optional[_Iterable[_Union[HouseholdFlag, str]]] = ..., agent: _Optional[str] = ..., priority: _Optional[bool] = ..., masked: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_visited_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class Exclusion(_message.Message):
    __slots__ = ("id", "name", "id_number", "phone", "reason", "created_by", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    id_number: str
    phone: str
    reason: str
    created_by: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., id_number: _Optional[str] = ..., phone: _Optional[str] = ..., reason: _Optional[str] = ..., created_by: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Visit(_message.Message):
    __slots__ = ("id", "household_id", "agent", "at", "needs", "note", "recorded_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    NEEDS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    household_id: str
    agent: str
    at: _timestamp_pb2.Timestamp
    needs: _containers.RepeatedScalarFieldContainer[str]
    note: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., household_id: _Optional[str] = ..., agent: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., needs: _Optional[_Iterable[str]] = ..., note: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DueVisit(_message.Message):
    __slots__ = ("household", "days_since", "never_visited")
    HOUSEHOLD_FIELD_NUMBER: _ClassVar[int]
    DAYS_SINCE_FIELD_NUMBER: _ClassVar[int]
    NEVER_VISITED_FIELD_NUMBER: _ClassVar[int]
    household: Household
    days_since: int
    never_visited: bool
    def __init__(self, household: _Optional[_Union[Household, _Mapping]] = ..., days_since: _Optional[int] = ..., never_visited: _Optional[bool] = ...) -> None: ...

class AgentDueVisits(_message.Message):
    __slots__ = ("agent", "households")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLDS_FIELD_NUMBER: _ClassVar[int]
    agent: str
    households: _containers.RepeatedCompositeFieldContainer[DueVisit]
    def __init__(self, agent: _Optional[str] = ..., households: _Optional[_Iterable[_Union[DueVisit, _Mapping]]] = ...) -> None: ...
