import datetime

from bianmin.common.v1 import applicant_pb2 as _applicant_pb2
from bianmin.common.v1 import satisfaction_pb2 as _satisfaction_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConfirmationMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONFIRMATION_METHOD_UNSPECIFIED: _ClassVar[ConfirmationMethod]
    CONFIRMATION_METHOD_SIGNATURE: _ClassVar[ConfirmationMethod]
    CONFIRMATION_METHOD_THUMBPRINT: _ClassVar[ConfirmationMethod]

class DelegationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DELEGATION_STATE_UNSPECIFIED: _ClassVar[DelegationState]
    DELEGATION_STATE_ACCEPTED: _ClassVar[DelegationState]
    DELEGATION_STATE_DECIDED: _ClassVar[DelegationState]
    DELEGATION_STATE_AWAITING_TRIP: _ClassVar[DelegationState]
    DELEGATION_STATE_AT_TOWNSHIP: _ClassVar[DelegationState]
    DELEGATION_STATE_AT_COUNTY: _ClassVar[DelegationState]
    DELEGATION_STATE_RETURNED: _ClassVar[DelegationState]
    DELEGATION_STATE_REPLIED: _ClassVar[DelegationState]
    DELEGATION_STATE_FILED: _ClassVar[DelegationState]
    DELEGATION_STATE_WITHDRAWN: _ClassVar[DelegationState]
CONFIRMATION_METHOD_UNSPECIFIED: ConfirmationMethod
CONFIRMATION_METHOD_SIGNATURE: ConfirmationMethod
CONFIRMATION_METHOD_THUMBPRINT: ConfirmationMethod
DELEGATION_STATE_UNSPECIFIED: DelegationState
DELEGATION_STATE_ACCEPTED: DelegationState
DELEGATION_STATE_DECIDED: DelegationState
DELEGATION_STATE_AWAITING_TRIP: DelegationState
DELEGATION_STATE_AT_TOWNSHIP: DelegationState
DELEGATION_STATE_AT_COUNTY: DelegationState
DELEGATION_STATE_RETURNED: DelegationState
DELEGATION_STATE_REPLIED: DelegationState
DELEGATION_STATE_FILED: DelegationState
DELEGATION_STATE_WITHDRAWN: DelegationState

class Consent(_message.Message):
    __slots__ = ("signed_at", "method", "signed_by")
    SIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    SIGNED_BY_FIELD_NUMBER: _ClassVar[int]
    signed_at: _timestamp_pb2.Timestamp
    method: ConfirmationMethod
    signed_by: str
    def __init__(self, signed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., method: _Optional[_Union[ConfirmationMethod, str]] = ..., signed_by: _Optional[str] = ...) -> None: ...

class Confirmation(_message.Message):
    __slots__ = ("method", "at", "witnessed_by")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    WITNESSED_BY_FIELD_NUMBER: _ClassVar[int]
    method: ConfirmationMethod
    at: _timestamp_pb2.Timestamp
    witnessed_by: str
    def __init__(self, method: _Optional[_Union[ConfirmationMethod, str]] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., witnessed_by: _Optional[str] = ...) -> None: ...

class Fee(_message.Message):
    __slots__ = ("amount_fen", "receipt")
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    amount_fen: int
    receipt: str
    def __init__(self, amount_fen: _Optional[int] = ..., receipt: _Optional[str] = ...) -> None: ...

class DelegationStep(_message.Message):
    __slots__ = ("at", "actor", "action", "state", "reason")
    AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    actor: str
    action: str
    state: DelegationState
    reason: str
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., action: _Optional[str] = ..., state: _Optional[_Union[DelegationState, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class Delegation(_message.Message):
    __slots__ = ("id", "case_id", "case_number", "agent", "village", "household_id", "applicant", "item_code", "item_level", "state", "consent", "materials", "fee", "trip_date", "outcome", "outcome_reason", "confirmation", "satisfaction", "history", "created_at", "version", "carrier", "trip_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    ITEM_LEVEL_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    MATERIALS_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    TRIP_DATE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_REASON_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    TRIP_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    case_id: str
    case_number: str
    agent: str
    village: str
    household_id: str
    applicant: _applicant_pb2.Applicant
    item_code: str
    item_level: str
    state: DelegationState
    consent: Consent
    materials: _containers.RepeatedScalarFieldContainer[str]
    fee: Fee
    trip_date: str
    outcome: str
    outcome_reason: str
    confirmation: Confirmation
    satisfaction: _satisfaction_pb2.Satisfaction
    history: _containers.RepeatedCompositeFieldContainer[DelegationStep]
    created_at: _timestamp_pb2.Timestamp
    version: int
    carrier: str
    trip_id: str
    def __init__(self, id: _Optional[str] = ..., case_id: _Optional[str] = ..., case_number: _Optional[str] = ..., agent: _Optional[str] = ..., village: _Optional[str] = ..., household_id: _Optional[str] = ..., applicant: _Optional[_Union[_applicant_pb2.Applicant, _Mapping]] = ..., item_code: _Optional[str] = ..., item_level: _Optional[str] = ..., state: _Optional[_Union[DelegationState, str]] = ..., consent: _Optional[_Union[Consent, _Mapping]] = ..., materials: _Optional[_Iterable[str]] = ..., fee: _Optional[_Union[Fee, _Mapping]] = ..., trip_date: _Optional[str] = ..., outcome: _Optional[str] = ..., outcome_reason: _Optional[str] = ..., confirmation: _Optional[_Union[Confirmation, _Mapping]] = ..., satisfaction: _Optional[_Union[_satisfaction_pb2.Satisfaction, str]] = ..., history: _Optional[_Iterable[_Union[DelegationStep, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ..., carrier: _Optional[str] = ..., trip_id: _Optional[str] = ...) -> None: ...
