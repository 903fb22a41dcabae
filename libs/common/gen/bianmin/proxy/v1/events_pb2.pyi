import datetime

from bianmin.common.v1 import satisfaction_pb2 as _satisfaction_pb2
from bianmin.proxy.v1 import agent_pb2 as _agent_pb2
from bianmin.proxy.v1 import delegation_pb2 as _delegation_pb2
from bianmin.proxy.v1 import performance_pb2 as _performance_pb2
from bianmin.proxy.v1 import trip_pb2 as _trip_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AgentSaved(_message.Message):
    __slots__ = ("agent",)
    AGENT_FIELD_NUMBER: _ClassVar[int]
    agent: _agent_pb2.Agent
    def __init__(self, agent: _Optional[_Union[_agent_pb2.Agent, _Mapping]] = ...) -> None: ...

class DelegationRegistered(_message.Message):
    __slots__ = ("delegation_id", "agent", "item_code", "case_id", "village", "actor", "registered_at")
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    agent: str
    item_code: str
    case_id: str
    village: str
    actor: str
    registered_at: _timestamp_pb2.Timestamp
    def __init__(self, delegation_id: _Optional[str] = ..., agent: _Optional[str] = ..., item_code: _Optional[str] = ..., case_id: _Optional[str] = ..., village: _Optional[str] = ..., actor: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DelegationMoved(_message.Message):
    __slots__ = ("delegation_id", "agent", "case_id", "action", "from_state", "to_state", "trip_date", "reason", "actor", "moved_at")
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    FROM_STATE_FIELD_NUMBER: _ClassVar[int]
    TO_STATE_FIELD_NUMBER: _ClassVar[int]
    TRIP_DATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    MOVED_AT_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    agent: str
    case_id: str
    action: str
    from_state: _delegation_pb2.DelegationState
    to_state: _delegation_pb2.DelegationState
    trip_date: str
    reason: str
    actor: str
    moved_at: _timestamp_pb2.Timestamp
    def __init__(self, delegation_id: _Optional[str] = ..., agent: _Optional[str] = ..., case_id: _Optional[str] = ..., action: _Optional[str] = ..., from_state: _Optional[_Union[_delegation_pb2.DelegationState, str]] = ..., to_state: _Optional[_Union[_delegation_pb2.DelegationState, str]] = ..., trip_date: _Optional[str] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ..., moved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DelegationReassigned(_message.Message):
    __slots__ = ("delegation_id", "agent", "case_id", "carrier", "previous_carrier", "trip_date", "trip_id", "reason", "actor", "reassigned_at")
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRIP_DATE_FIELD_NUMBER: _ClassVar[int]
    TRIP_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASSIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    agent: str
    case_id: str
    carrier: str
    previous_carrier: str
    trip_date: str
    trip_id: str
    reason: str
    actor: str
    reassigned_at: _timestamp_pb2.Timestamp
    def __init__(self, delegation_id: _Optional[str] = ..., agent: _Optional[str] = ..., case_id: _Optional[str] = ..., carrier: _Optional[str] = ..., previous_carrier: _Optional[str] = ..., trip_date: _Optional[str] = ..., trip_id: _Optional[str] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ..., reassigned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DelegationTripMissed(_message.Message):
    __slots__ = ("delegation_id", "agent", "trip_date")
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    TRIP_DATE_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    agent: str
    trip_date: str
    def __init__(self, delegation_id: _Optional[str] = ..., agent: _Optional[str] = ..., trip_date: _Optional[str] = ...) -> None: ...

class DelegationUncarried(_message.Message):
    __slots__ = ("delegation_id", "case_id", "case_number", "agent", "trip_date")
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    TRIP_DATE_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    case_id: str
    case_number: str
    agent: str
    trip_date: str
    def __init__(self, delegation_id: _Optional[str] = ..., case_id: _Optional[str] = ..., case_number: _Optional[str] = ..., agent: _Optional[str] = ..., trip_date: _Optional[str] = ...) -> None: ...

class TripPlanned(_message.Message):
    __slots__ = ("trip",)
    TRIP_FIELD_NUMBER: _ClassVar[int]
    trip: _trip_pb2.Trip
    def __init__(self, trip: _Optional[_Union[_trip_pb2.Trip, _Mapping]] = ...) -> None: ...

class TripDelivered(_message.Message):
    __slots__ = ("trip_id", "agent", "destination", "delegation_ids", "delivered_at")
    TRIP_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    DELEGATION_IDS_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    trip_id: str
    agent: str
    destination: _trip_pb2.TripDestination
    delegation_ids: _containers.RepeatedScalarFieldContainer[str]
    delivered_at: _timestamp_pb2.Timestamp
    def __init__(self, trip_id: _Optional[str] = ..., agent: _Optional[str] = ..., destination: _Optional[_Union[_trip_pb2.TripDestination, str]] = ..., delegation_ids: _Optional[_Iterable[str]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DelegationReplied(_message.Message):
    __slots__ = ("delegation_id", "agent", "case_id", "method", "satisfaction", "actor", "replied_at")
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REPLIED_AT_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    agent: str
    case_id: str
    method: _delegation_pb2.ConfirmationMethod
    satisfaction: _satisfaction_pb2.Satisfaction
    actor: str
    replied_at: _timestamp_pb2.Timestamp
    def __init__(self, delegation_id: _Optional[str] = ..., agent: _Optional[str] = ..., case_id: _Optional[str] = ..., method: _Optional[_Union[_delegation_pb2.ConfirmationMethod, str]] = ..., satisfaction: _Optional[_Union[_satisfaction_pb2.Satisfaction, str]] = ..., actor: _Optional[str] = ..., replied_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DelegationArchived(_message.Message):
    __slots__ = ("delegation_id", "agent", "case_id", "actor", "archived_at")
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_AT_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    agent: str
    case_id: str
    actor: str
    archived_at: _timestamp_pb2.Timestamp
    def __init__(self, delegation_id: _Optional[str] = ..., agent: _Optional[str] = ..., case_id: _Optional[str] = ..., actor: _Optional[str] = ..., archived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HouseholdAssigned(_message.Message):
    __slots__ = ("household_id", "village", "agent", "previous_agent", "priority")
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_AGENT_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    household_id: str
    village: str
    agent: str
    previous_agent: str
    priority: bool
    def __init__(self, household_id: _Optional[str] = ..., village: _Optional[str] = ..., agent: _Optional[str] = ..., previous_agent: _Optional[str] = ..., priority: _Optional[bool] = ...) -> None: ...

class VisitRecorded(_message.Message):
    __slots__ = ("visit_id", "household_id", "agent", "priority", "at")
    VISIT_ID_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    visit_id: str
    household_id: str
    agent: str
    priority: bool
    at: _timestamp_pb2.Timestamp
    def __init__(self, visit_id: _Optional[str] = ..., household_id: _Optional[str] = ..., agent: _Optional[str] = ..., priority: _Optional[bool] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class QuotaShortfallRecorded(_message.Message):
    __slots__ = ("quota",)
    QUOTA_FIELD_NUMBER: _ClassVar[int]
    quota: _performance_pb2.Quota
    def __init__(self, quota: _Optional[_Union[_performance_pb2.Quota, _Mapping]] = ...) -> None: ...

class StarsAwarded(_message.Message):
    __slots__ = ("stars",)
    STARS_FIELD_NUMBER: _ClassVar[int]
    stars: _performance_pb2.VillageStars
    def __init__(self, stars: _Optional[_Union[_performance_pb2.VillageStars, _Mapping]] = ...) -> None: ...

class ProxyQuotaClosed(_message.Message):
    __slots__ = ("month", "quotas", "closed_at")
    MONTH_FIELD_NUMBER: _ClassVar[int]
    QUOTAS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    month: str
    quotas: _containers.RepeatedCompositeFieldContainer[_performance_pb2.Quota]
    closed_at: _timestamp_pb2.Timestamp
    def __init__(self, month: _Optional[str] = ..., quotas: _Optional[_Iterable[_Union[_performance_pb2.Quota, _Mapping]]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VillageStarsAwarded(_message.Message):
    __slots__ = ("quarter", "stars", "awarded_at")
    QUARTER_FIELD_NUMBER: _ClassVar[int]
    STARS_FIELD_NUMBER: _ClassVar[int]
    AWARDED_AT_FIELD_NUMBER: _ClassVar[int]
    quarter: str
    stars: _containers.RepeatedCompositeFieldContainer[_performance_pb2.VillageStars]
    awarded_at: _timestamp_pb2.Timestamp
    def __init__(self, quarter: _Optional[str] = ..., stars: _Optional[_Iterable[_Union[_performance_pb2.VillageStars, _Mapping]]] = ..., awarded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
