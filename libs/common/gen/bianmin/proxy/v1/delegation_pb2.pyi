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
    DELEGATION_STATE_REGISTERED: _ClassVar[DelegationState]
    DELEGATION_STATE_DONE_ON_SPOT: _ClassVar[DelegationState]
    DELEGATION_STATE_AWAITING_TRIP: _ClassVar[DelegationState]
    DELEGATION_STATE_AT_TOWNSHIP: _ClassVar[DelegationState]
    DELEGATION_STATE_AT_COUNTY: _ClassVar[DelegationState]
    DELEGATION_STATE_RESULT_READY: _ClassVar[DelegationState]
    DELEGATION_STATE_REPLIED: _ClassVar[DelegationState]
    DELEGATION_STATE_ARCHIVED: _ClassVar[DelegationState]
    DELEGATION_STATE_CANCELLED: _ClassVar[DelegationState]
CONFIRMATION_METHOD_UNSPECIFIED: ConfirmationMethod
CONFIRMATION_METHOD_SIGNATURE: ConfirmationMethod
CONFIRMATION_METHOD_THUMBPRINT: ConfirmationMethod
DELEGATION_STATE_UNSPECIFIED: DelegationState
DELEGATION_STATE_REGISTERED: DelegationState
DELEGATION_STATE_DONE_ON_SPOT: DelegationState
DELEGATION_STATE_AWAITING_TRIP: DelegationState
DELEGATION_STATE_AT_TOWNSHIP: DelegationState
DELEGATION_STATE_AT_COUNTY: DelegationState
DELEGATION_STATE_RESULT_READY: DelegationState
DELEGATION_STATE_REPLIED: DelegationState
DELEGATION_STATE_ARCHIVED: DelegationState
DELEGATION_STATE_CANCELLED: DelegationState

class Consent(_message.Message):
    __slots__ = ("signed_at", "method")
    SIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    signed_at: _timestamp_pb2.Timestamp
    method: ConfirmationMethod
    def __init__(self, signed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., method: _Optional[_Union[ConfirmationMethod, str]] = ...) -> None: ...

class Confirmation(_message.Message):
    __slots__ = ("method", "at")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    method: ConfirmationMethod
    at: _timestamp_pb2.Timestamp
    def __init__(self, method: _Optional[_Union[ConfirmationMethod, str]] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Delegation(_message.Message):
    __slots__ = ("id", "number", "household_id", "applicant", "item_code", "consent", "materials", "agent", "accompany", "case_id", "case_number", "state", "trip_id", "confirmation", "satisfaction", "fee_fen", "village", "created_at", "updated_at", "version")
    ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    MATERIALS_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    ACCOMPANY_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TRIP_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    FEE_FEN_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    number: str
    household_id: str
    applicant: _applicant_pb2.Applicant
    item_code: str
    consent: Consent
    materials: _containers.RepeatedScalarFieldContainer[str]
    agent: str
    accompany: bool
    case_id: str
    case_number: str
    state: DelegationState
    trip_id: str
    confirmation: Confirmation
    satisfaction: _satisfaction_pb2.Satisfaction
    fee_fen: int
    village: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, id: _Optional[str] = ..., number: _Optional[str] = ..., household_id: _Optional[str] = ..., applicant: _Optional[_Union[_applicant_pb2.Applicant, _Mapping]] = ..., item_code: _Optional[str] = ..., consent: _Optional[_Union[Consent, _Mapping]] = ..., materials: _Optional[_Iterable[str]] = ..., agent: _Optional[str] = ..., accompany: _Optional[bool] = ..., case_id: _Optional[str] = ..., case_number: _Optional[str] = ..., state: _Optional[_Union[DelegationState, str]] = ..., trip_id: _Optional[str] = ..., confirmation: _Optional[_Union[Confirmation, _Mapping]] = ..., satisfaction: _Optional[_Union[_satisfaction_pb2.Satisfaction, str]] = ..., fee_fen: _Optional[int] = ..., village: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...
