import datetime

from bianmin.common.v1 import applicant_pb2 as _applicant_pb2
from bianmin.common.v1 import satisfaction_pb2 as _satisfaction_pb2
from bianmin.proxy.v1 import agent_pb2 as _agent_pb2
from bianmin.proxy.v1 import delegation_pb2 as _delegation_pb2
from bianmin.proxy.v1 import household_pb2 as _household_pb2
from bianmin.proxy.v1 import performance_pb2 as _performance_pb2
from bianmin.proxy.v1 import tenant_pb2 as _tenant_pb2
from bianmin.proxy.v1 import trip_pb2 as _trip_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetTenantRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTenantResponse(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: _tenant_pb2.TenantProjection
    def __init__(self, tenant: _Optional[_Union[_tenant_pb2.TenantProjection, _Mapping]] = ...) -> None: ...

class CreateAgentRequest(_message.Message):
    __slots__ = ("username", "level", "village", "group", "backup")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    BACKUP_FIELD_NUMBER: _ClassVar[int]
    username: str
    level: _agent_pb2.AgentLevel
    village: str
    group: str
    backup: str
    def __init__(self, username: _Optional[str] = ..., level: _Optional[_Union[_agent_pb2.AgentLevel, str]] = ..., village: _Optional[str] = ..., group: _Optional[str] = ..., backup: _Optional[str] = ...) -> None: ...

class CreateAgentResponse(_message.Message):
    __slots__ = ("agent",)
    AGENT_FIELD_NUMBER: _ClassVar[int]
    agent: _agent_pb2.Agent
    def __init__(self, agent: _Optional[_Union[_agent_pb2.Agent, _Mapping]] = ...) -> None: ...

class GetAgentRequest(_message.Message):
    __slots__ = ("username",)
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    username: str
    def __init__(self, username: _Optional[str] = ...) -> None: ...

class GetAgentResponse(_message.Message):
    __slots__ = ("agent",)
    AGENT_FIELD_NUMBER: _ClassVar[int]
    agent: _agent_pb2.Agent
    def __init__(self, agent: _Optional[_Union[_agent_pb2.Agent, _Mapping]] = ...) -> None: ...

class ListAgentsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "level", "village")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    level: _agent_pb2.AgentLevel
    village: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., level: _Optional[_Union[_agent_pb2.AgentLevel, str]] = ..., village: _Optional[str] = ...) -> None: ...

class ListAgentsResponse(_message.Message):
    __slots__ = ("agents", "next_page_token")
    AGENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    agents: _containers.RepeatedCompositeFieldContainer[_agent_pb2.Agent]
    next_page_token: str
    def __init__(self, agents: _Optional[_Iterable[_Union[_agent_pb2.Agent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateAgentRequest(_message.Message):
    __slots__ = ("username", "backup", "active", "expected_version")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    BACKUP_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    username: str
    backup: str
    active: bool
    expected_version: int
    def __init__(self, username: _Optional[str] = ..., backup: _Optional[str] = ..., active: _Optional[bool] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateAgentResponse(_message.Message):
    __slots__ = ("agent",)
    AGENT_FIELD_NUMBER: _ClassVar[int]
    agent: _agent_pb2.Agent
    def __init__(self, agent: _Optional[_Union[_agent_pb2.Agent, _Mapping]] = ...) -> None: ...

class CreateHouseholdRequest(_message.Message):
    __slots__ = ("village", "group", "head_name", "phone", "address", "flags", "agent")
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    HEAD_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    village: str
    group: str
    head_name: str
    phone: str
    address: str
    flags: _containers.RepeatedScalarFieldContainer[_household_pb2.HouseholdFlag]
    agent: str
    def __init__(self, village: _Optional[str] = ..., group: _Optional[str] = ..., head_name: _Optional[str] = ..., phone: _Optional[str] = ..., address: _Optional[str] = ..., flags: _Optional[_Iterable[_Union[_household_pb2.HouseholdFlag, str]]] = ..., agent: _Optional[str] = ...) -> None: ...

class CreateHouseholdResponse(_message.Message):
    __slots__ = ("household",)
    HOUSEHOLD_FIELD_NUMBER: _ClassVar[int]
    household: _household_pb2.Household
    def __init__(self, household: _Optional[_Union[_household_pb2.Household, _Mapping]] = ...) -> None: ...

class ListHouseholdsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "village", "agent", "priority")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    village: str
    agent: str
    priority: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., village: _Optional[str] = ..., agent: _Optional[str] = ..., priority: _Optional[bool] = ...) -> None: ...

class ListHouseholdsResponse(_message.Message):
    __slots__ = ("households", "next_page_token")
    HOUSEHOLDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    households: _containers.RepeatedCompositeFieldContainer[_household_pb2.Household]
    next_page_token: str
    def __init__(self, households: _Optional[_Iterable[_Union[_household_pb2.Household, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateHouseholdRequest(_message.Message):
    __slots__ = ("household_id", "agent", "expected_version")
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    household_id: str
    agent: str
    expected_version: int
    def __init__(self, household_id: _Optional[str] = ..., agent: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateHouseholdResponse(_message.Message):
    __slots__ = ("household",)
    HOUSEHOLD_FIELD_NUMBER: _ClassVar[int]
    household: _household_pb2.Household
    def __init__(self, household: _Optional[_Union[_household_pb2.Household, _Mapping]] = ...) -> None: ...

class CreateExclusionRequest(_message.Message):
    __slots__ = ("name", "id_number", "phone", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    id_number: str
    phone: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., id_number: _Optional[str] = ..., phone: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CreateExclusionResponse(_message.Message):
    __slots__ = ("exclusion",)
    EXCLUSION_FIELD_NUMBER: _ClassVar[int]
    exclusion: _household_pb2.Exclusion
    def __init__(self, exclusion: _Optional[_Union[_household_pb2.Exclusion, _Mapping]] = ...) -> None: ...

class ListExclusionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListExclusionsResponse(_message.Message):
    __slots__ = ("exclusions", "next_page_token")
    EXCLUSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    exclusions: _containers.RepeatedCompositeFieldContainer[_household_pb2.Exclusion]
    next_page_token: str
    def __init__(self, exclusions: _Optional[_Iterable[_Union[_household_pb2.Exclusion, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateDelegationRequest(_message.Message):
    __slots__ = ("household_id", "applicant", "item_code", "consent", "materials", "village", "idempotency_key", "fee", "outcome", "reason")
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    MATERIALS_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    household_id: str
    applicant: _applicant_pb2.Applicant
    item_code: str
    consent: _delegation_pb2.Consent
    materials: _containers.RepeatedScalarFieldContainer[str]
    village: str
    idempotency_key: str
    fee: _delegation_pb2.Fee
    outcome: str
    reason: str
    def __init__(self, household_id: _Optional[str] = ..., applicant: _Optional[_Union[_applicant_pb2.Applicant, _Mapping]] = ..., item_code: _Optional[str] = ..., consent: _Optional[_Union[_delegation_pb2.Consent, _Mapping]] = ..., materials: _Optional[_Iterable[str]] = ..., village: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., fee: _Optional[_Union[_delegation_pb2.Fee, _Mapping]] = ..., outcome: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CreateDelegationResponse(_message.Message):
    __slots__ = ("delegation",)
    DELEGATION_FIELD_NUMBER: _ClassVar[int]
    delegation: _delegation_pb2.Delegation
    def __init__(self, delegation: _Optional[_Union[_delegation_pb2.Delegation, _Mapping]] = ...) -> None: ...

class GetDelegationRequest(_message.Message):
    __slots__ = ("delegation_id",)
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    def __init__(self, delegation_id: _Optional[str] = ...) -> None: ...

class GetDelegationResponse(_message.Message):
    __slots__ = ("delegation",)
    DELEGATION_FIELD_NUMBER: _ClassVar[int]
    delegation: _delegation_pb2.Delegation
    def __init__(self, delegation: _Optional[_Union[_delegation_pb2.Delegation, _Mapping]] = ...) -> None: ...

class ListDelegationsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "state", "agent", "village")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    state: _delegation_pb2.DelegationState
    agent: str
    village: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[_delegation_pb2.DelegationState, str]] = ..., agent: _Optional[str] = ..., village: _Optional[str] = ...) -> None: ...

class ListDelegationsResponse(_message.Message):
    __slots__ = ("delegations", "next_page_token")
    DELEGATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    delegations: _containers.RepeatedCompositeFieldContainer[_delegation_pb2.Delegation]
    next_page_token: str
    def __init__(self, delegations: _Optional[_Iterable[_Union[_delegation_pb2.Delegation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReplyDelegationRequest(_message.Message):
    __slots__ = ("delegation_id", "confirmation", "satisfaction", "expected_version")
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    confirmation: _delegation_pb2.Confirmation
    satisfaction: _satisfaction_pb2.Satisfaction
    expected_version: int
    def __init__(self, delegation_id: _Optional[str] = ..., confirmation: _Optional[_Union[_delegation_pb2.Confirmation, _Mapping]] = ..., satisfaction: _Optional[_Union[_satisfaction_pb2.Satisfaction, str]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ReplyDelegationResponse(_message.Message):
    __slots__ = ("delegation",)
    DELEGATION_FIELD_NUMBER: _ClassVar[int]
    delegation: _delegation_pb2.Delegation
    def __init__(self, delegation: _Optional[_Union[_delegation_pb2.Delegation, _Mapping]] = ...) -> None: ...

class ArchiveDelegationRequest(_message.Message):
    __slots__ = ("delegation_id", "expected_version")
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    expected_version: int
    def __init__(self, delegation_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ArchiveDelegationResponse(_message.Message):
    __slots__ = ("delegation",)
    DELEGATION_FIELD_NUMBER: _ClassVar[int]
    delegation: _delegation_pb2.Delegation
    def __init__(self, delegation: _Optional[_Union[_delegation_pb2.Delegation, _Mapping]] = ...) -> None: ...

class ListTripsRequest(_message.Message):
    __slots__ = ("trip_date", "agent")
    TRIP_DATE_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    trip_date: str
    agent: str
    def __init__(self, trip_date: _Optional[str] = ..., agent: _Optional[str] = ...) -> None: ...

class ListTripsResponse(_message.Message):
    __slots__ = ("trips",)
    TRIPS_FIELD_NUMBER: _ClassVar[int]
    trips: _containers.RepeatedCompositeFieldContainer[_trip_pb2.Trip]
    def __init__(self, trips: _Optional[_Iterable[_Union[_trip_pb2.Trip, _Mapping]]] = ...) -> None: ...

class DeliverTripRequest(_message.Message):
    __slots__ = ("trip_id", "delivered_at", "delegation_ids")
    TRIP_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    DELEGATION_IDS_FIELD_NUMBER: _ClassVar[int]
    trip_id: str
    delivered_at: _timestamp_pb2.Timestamp
    delegation_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, trip_id: _Optional[str] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delegation_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DeliverTripResponse(_message.Message):
    __slots__ = ("trip",)
    TRIP_FIELD_NUMBER: _ClassVar[int]
    trip: _trip_pb2.Trip
    def __init__(self, trip: _Optional[_Union[_trip_pb2.Trip, _Mapping]] = ...) -> None: ...

class RenderTripsRequest(_message.Message):
    __slots__ = ("trip_date", "agent")
    TRIP_DATE_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    trip_date: str
    agent: str
    def __init__(self, trip_date: _Optional[str] = ..., agent: _Optional[str] = ...) -> None: ...

class RenderDelegationCardRequest(_message.Message):
    __slots__ = ("delegation_id",)
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    delegation_id: str
    def __init__(self, delegation_id: _Optional[str] = ...) -> None: ...

class RenderTripsResponse(_message.Message):
    __slots__ = ("pdf", "filename")
    PDF_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    pdf: bytes
    filename: str
    def __init__(self, pdf: _Optional[bytes] = ..., filename: _Optional[str] = ...) -> None: ...

class RenderDelegationCardResponse(_message.Message):
    __slots__ = ("pdf", "filename")
    PDF_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    pdf: bytes
    filename: str
    def __init__(self, pdf: _Optional[bytes] = ..., filename: _Optional[str] = ...) -> None: ...

class RecordVisitRequest(_message.Message):
    __slots__ = ("household_id", "at", "needs", "note")
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    NEEDS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    household_id: str
    at: _timestamp_pb2.Timestamp
    needs: _containers.RepeatedScalarFieldContainer[str]
    note: str
    def __init__(self, household_id: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., needs: _Optional[_Iterable[str]] = ..., note: _Optional[str] = ...) -> None: ...

class RecordVisitResponse(_message.Message):
    __slots__ = ("visit",)
    VISIT_FIELD_NUMBER: _ClassVar[int]
    visit: _household_pb2.Visit
    def __init__(self, visit: _Optional[_Union[_household_pb2.Visit, _Mapping]] = ...) -> None: ...

class ListDueVisitsRequest(_message.Message):
    __slots__ = ("date",)
    DATE_FIELD_NUMBER: _ClassVar[int]
    date: str
    def __init__(self, date: _Optional[str] = ...) -> None: ...

class ListDueVisitsResponse(_message.Message):
    __slots__ = ("date", "round_days", "agents")
    DATE_FIELD_NUMBER: _ClassVar[int]
    ROUND_DAYS_FIELD_NUMBER: _ClassVar[int]
    AGENTS_FIELD_NUMBER: _ClassVar[int]
    date: str
    round_days: int
    agents: _containers.RepeatedCompositeFieldContainer[_household_pb2.AgentDueVisits]
    def __init__(self, date: _Optional[str] = ..., round_days: _Optional[int] = ..., agents: _Optional[_Iterable[_Union[_household_pb2.AgentDueVisits, _Mapping]]] = ...) -> None: ...

class ListQuotasRequest(_message.Message):
    __slots__ = ("month",)
    MONTH_FIELD_NUMBER: _ClassVar[int]
    month: str
    def __init__(self, month: _Optional[str] = ...) -> None: ...

class ListQuotasResponse(_message.Message):
    __slots__ = ("quotas", "month", "closed")
    QUOTAS_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    quotas: _containers.RepeatedCompositeFieldContainer[_performance_pb2.Quota]
    month: str
    closed: bool
    def __init__(self, quotas: _Optional[_Iterable[_Union[_performance_pb2.Quota, _Mapping]]] = ..., month: _Optional[str] = ..., closed: _Optional[bool] = ...) -> None: ...

class ListStarsRequest(_message.Message):
    __slots__ = ("quarter",)
    QUARTER_FIELD_NUMBER: _ClassVar[int]
    quarter: str
    def __init__(self, quarter: _Optional[str] = ...) -> None: ...

class ListStarsResponse(_message.Message):
    __slots__ = ("stars", "quarter", "awarded")
    STARS_FIELD_NUMBER: _ClassVar[int]
    QUARTER_FIELD_NUMBER: _ClassVar[int]
    AWARDED_FIELD_NUMBER: _ClassVar[int]
    stars: _containers.RepeatedCompositeFieldContainer[_performance_pb2.VillageStars]
    quarter: str
    awarded: bool
    def __init__(self, stars: _Optional[_Iterable[_Union[_performance_pb2.VillageStars, _Mapping]]] = ..., quarter: _Optional[str] = ..., awarded: _Optional[bool] = ...) -> None: ...
