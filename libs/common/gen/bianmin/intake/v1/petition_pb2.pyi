import datetime

from bianmin.common.v1 import applicant_pb2 as _applicant_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PetitionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PETITION_KIND_UNSPECIFIED: _ClassVar[PetitionKind]
    PETITION_KIND_PETITION: _ClassVar[PetitionKind]
    PETITION_KIND_COMPLAINT: _ClassVar[PetitionKind]

class PetitionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PETITION_STATE_UNSPECIFIED: _ClassVar[PetitionState]
    PETITION_STATE_REGISTERED: _ClassVar[PetitionState]
    PETITION_STATE_FORWARDED: _ClassVar[PetitionState]
    PETITION_STATE_ANSWERED: _ClassVar[PetitionState]
    PETITION_STATE_DECIDED: _ClassVar[PetitionState]
    PETITION_STATE_CLOSED: _ClassVar[PetitionState]

class ComplaintSubjectType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPLAINT_SUBJECT_TYPE_UNSPECIFIED: _ClassVar[ComplaintSubjectType]
    COMPLAINT_SUBJECT_TYPE_WINDOW: _ClassVar[ComplaintSubjectType]
    COMPLAINT_SUBJECT_TYPE_STAFF: _ClassVar[ComplaintSubjectType]

class ComplaintGround(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPLAINT_GROUND_UNSPECIFIED: _ClassVar[ComplaintGround]
    COMPLAINT_GROUND_ATTITUDE: _ClassVar[ComplaintGround]
    COMPLAINT_GROUND_QUALITY: _ClassVar[ComplaintGround]
    COMPLAINT_GROUND_EFFICIENCY: _ClassVar[ComplaintGround]
    COMPLAINT_GROUND_DISCIPLINE: _ClassVar[ComplaintGround]
    COMPLAINT_GROUND_OTHER: _ClassVar[ComplaintGround]
PETITION_KIND_UNSPECIFIED: PetitionKind
PETITION_KIND_PETITION: PetitionKind
PETITION_KIND_COMPLAINT: PetitionKind
PETITION_STATE_UNSPECIFIED: PetitionState
PETITION_STATE_REGISTERED: PetitionState
PETITION_STATE_FORWARDED: PetitionState
PETITION_STATE_ANSWERED: PetitionState
PETITION_STATE_DECIDED: PetitionState
PETITION_STATE_CLOSED: PetitionState
COMPLAINT_SUBJECT_TYPE_UNSPECIFIED: ComplaintSubjectType
COMPLAINT_SUBJECT_TYPE_WINDOW: ComplaintSubjectType
COMPLAINT_SUBJECT_TYPE_STAFF: ComplaintSubjectType
COMPLAINT_GROUND_UNSPECIFIED: ComplaintGround
COMPLAINT_GROUND_ATTITUDE: ComplaintGround
COMPLAINT_GROUND_QUALITY: ComplaintGround
COMPLAINT_GROUND_EFFICIENCY: ComplaintGround
COMPLAINT_GROUND_DISCIPLINE: ComplaintGround
COMPLAINT_GROUND_OTHER: ComplaintGround

class ComplaintSubject(_message.Message):
    __slots__ = ("type", "id")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    type: ComplaintSubjectType
    id: str
    def __init__(self, type: _Optional[_Union[ComplaintSubjectType, str]] = ..., id: _Optional[str] = ...) -> None: ...

class Petition(_message.Message):
    __slots__ = ("id", "number", "kind", "state", "petitioner", "matter", "collective", "leader_received", "subject", "ground", "forwarded_to", "answer_due_at", "answer", "answered_at", "verified", "decision_reason", "registered_at", "registered_by", "case_id", "version", "on_time", "days_late", "answered_by", "decided_by", "decided_at", "channel")
    ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PETITIONER_FIELD_NUMBER: _ClassVar[int]
    MATTER_FIELD_NUMBER: _ClassVar[int]
    COLLECTIVE_FIELD_NUMBER: _ClassVar[int]
    LEADER_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    GROUND_FIELD_NUMBER: _ClassVar[int]
    FORWARDED_TO_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    DECISION_REASON_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_BY_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    DAYS_LATE_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    id: str
    number: str
    kind: PetitionKind
    state: PetitionState
    petitioner: _applicant_pb2.Applicant
    matter: str
    collective: bool
    leader_received: bool
    subject: ComplaintSubject
    ground: ComplaintGround
    forwarded_to: str
    answer_due_at: _timestamp_pb2.Timestamp
    answer: str
    answered_at: _timestamp_pb2.Timestamp
    verified: bool
    decision_reason: str
    registered_at: _timestamp_pb2.Timestamp
    registered_by: str
    case_id: str
    version: int
    on_time: bool
    days_late: int
    answered_by: str
    decided_by: str
    decided_at: _timestamp_pb2.Timestamp
    channel: str
    def __init__(self, id: _Optional[str] = ..., number: _Optional[str] = ..., kind: _Optional[_Union[PetitionKind, str]] = ..., state: _Optional[_Union[PetitionState, str]] = ..., petitioner: _Optional[_Union[_applicant_pb2.Applicant, _Mapping]] = ..., matter: _Optional[str] = ..., collective: _Optional[bool] = ..., leader_received: _Optional[bool] = ..., subject: _Optional[_Union[ComplaintSubject, _Mapping]] = ..., ground: _Optional[_Union[ComplaintGround, str]] = ..., forwarded_to: _Optional[str] = ..., answer_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answer: _Optional[str] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., verified: _Optional[bool] = ..., decision_reason: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., registered_by: _Optional[str] = ..., case_id: _Optional[str] = ..., version: _Optional[int] = ..., on_time: _Optional[bool] = ..., days_late: _Optional[int] = ..., answered_by: _Optional[str] = ..., decided_by: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., channel: _Optional[str] = ...) -> None: ...
