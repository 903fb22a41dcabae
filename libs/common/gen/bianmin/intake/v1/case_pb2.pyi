import datetime

from bianmin.common.v1 import applicant_pb2 as _applicant_pb2
from bianmin.common.v1 import satisfaction_pb2 as _satisfaction_pb2
from bianmin.intake.v1 import catalogue_pb2 as _catalogue_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CaseState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_STATE_UNSPECIFIED: _ClassVar[CaseState]
    CASE_STATE_RECEIVED: _ClassVar[CaseState]
    CASE_STATE_SUPPLEMENT_REQUESTED: _ClassVar[CaseState]
    CASE_STATE_NOT_ACCEPTED: _ClassVar[CaseState]
    CASE_STATE_ACCEPTED: _ClassVar[CaseState]
    CASE_STATE_IN_PROGRESS: _ClassVar[CaseState]
    CASE_STATE_ESCALATED: _ClassVar[CaseState]
    CASE_STATE_EXTENDED: _ClassVar[CaseState]
    CASE_STATE_COMPLETED: _ClassVar[CaseState]
    CASE_STATE_RETURNED: _ClassVar[CaseState]
    CASE_STATE_REPLIED: _ClassVar[CaseState]
    CASE_STATE_ARCHIVED: _ClassVar[CaseState]
    CASE_STATE_WITHDRAWN: _ClassVar[CaseState]

class CaseKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_KIND_UNSPECIFIED: _ClassVar[CaseKind]
    CASE_KIND_IMMEDIATE: _ClassVar[CaseKind]
    CASE_KIND_PROMISED: _ClassVar[CaseKind]
    CASE_KIND_JOINT: _ClassVar[CaseKind]
    CASE_KIND_ESCALATED: _ClassVar[CaseKind]
    CASE_KIND_SPECIAL: _ClassVar[CaseKind]
    CASE_KIND_RETURNED: _ClassVar[CaseKind]

class IntakeLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTAKE_LEVEL_UNSPECIFIED: _ClassVar[IntakeLevel]
    INTAKE_LEVEL_HALL: _ClassVar[IntakeLevel]
    INTAKE_LEVEL_TOWNSHIP: _ClassVar[IntakeLevel]
    INTAKE_LEVEL_VILLAGE: _ClassVar[IntakeLevel]

class CaseChannel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_CHANNEL_UNSPECIFIED: _ClassVar[CaseChannel]
    CASE_CHANNEL_WALK_IN: _ClassVar[CaseChannel]
    CASE_CHANNEL_PHONE: _ClassVar[CaseChannel]
    CASE_CHANNEL_PROXY: _ClassVar[CaseChannel]
    CASE_CHANNEL_ONLINE: _ClassVar[CaseChannel]

class ClockState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLOCK_STATE_UNSPECIFIED: _ClassVar[ClockState]
    CLOCK_STATE_NOT_STARTED: _ClassVar[ClockState]
    CLOCK_STATE_RUNNING: _ClassVar[ClockState]
    CLOCK_STATE_PAUSED: _ClassVar[ClockState]
    CLOCK_STATE_STOPPED: _ClassVar[ClockState]

class ClockColour(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CLOCK_COLOUR_UNSPECIFIED: _ClassVar[ClockColour]
    CLOCK_COLOUR_GREEN: _ClassVar[ClockColour]
    CLOCK_COLOUR_YELLOW: _ClassVar[ClockColour]
    CLOCK_COLOUR_RED: _ClassVar[ClockColour]
    CLOCK_COLOUR_OVERDUE: _ClassVar[ClockColour]

class CaseOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_OUTCOME_UNSPECIFIED: _ClassVar[CaseOutcome]
    CASE_OUTCOME_APPROVED: _ClassVar[CaseOutcome]
    CASE_OUTCOME_DENIED: _ClassVar[CaseOutcome]
CASE_STATE_UNSPECIFIED: CaseState
CASE_STATE_RECEIVED: CaseState
CASE_STATE_SUPPLEMENT_REQUESTED: CaseState
CASE_STATE_NOT_ACCEPTED: CaseState
CASE_STATE_ACCEPTED: CaseState
CASE_STATE_IN_PROGRESS: CaseState
CASE_STATE_ESCALATED: CaseState
CASE_STATE_EXTENDED: CaseState
CASE_STATE_COMPLETED: CaseState
CASE_STATE_RETURNED: CaseState
CASE_STATE_REPLIED: CaseState
CASE_STATE_ARCHIVED: CaseState
CASE_STATE_WITHDRAWN: CaseState
CASE_KIND_UNSPECIFIED: CaseKind
CASE_KIND_IMMEDIATE: CaseKind
CASE_KIND_PROMISED: CaseKind
CASE_KIND_JOINT: CaseKind
CASE_KIND_ESCALATED: CaseKind
CASE_KIND_SPECIAL: CaseKind
CASE_KIND_RETURNED: CaseKind
INTAKE_LEVEL_UNSPECIFIED: IntakeLevel
INTAKE_LEVEL_HALL: IntakeLevel
INTAKE_LEVEL_TOWNSHIP: IntakeLevel
INTAKE_LEVEL_VILLAGE: IntakeLevel
CASE_CHANNEL_UNSPECIFIED: CaseChannel
CASE_CHANNEL_WALK_IN: CaseChannel
CASE_CHANNEL_PHONE: CaseChannel
CASE_CHANNEL_PROXY: CaseChannel
CASE_CHANNEL_ONLINE: CaseChannel
CLOCK_STATE_UNSPECIFIED: ClockState
CLOCK_STATE_NOT_STARTED: ClockState
CLOCK_STATE_RUNNING: ClockState
CLOCK_STATE_PAUSED: ClockState
CLOCK_STATE_STOPPED: ClockState
CLOCK_COLOUR_UNSPECIFIED: ClockColour
CLOCK_COLOUR_GREEN: ClockColour
CLOCK_COLOUR_YELLOW: ClockColour
CLOCK_COLOUR_RED: ClockColour
CLOCK_COLOUR_OVERDUE: ClockColour
CASE_OUTCOME_UNSPECIFIED: CaseOutcome
CASE_OUTCOME_APPROVED: CaseOutcome
CASE_OUTCOME_DENIED: CaseOutcome

class ClockPause(_message.Message):
    __slots__ = ("start_at", "end_at", "reason")
    START_AT_FIELD_NUMBER: _ClassVar[int]
    END_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    start_at: _timestamp_pb2.Timestamp
    end_at: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, start_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class Clock(_message.Message):
    __slots__ = ("state", "started_at", "due_at", "warn_at", "colour", "provisional", "extensions", "original_due_at", "pauses", "working_days", "stopped_at")
    STATE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    WARN_AT_FIELD_NUMBER: _ClassVar[int]
    COLOUR_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    PAUSES_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_FIELD_NUMBER: _ClassVar[int]
    state: ClockState
    started_at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    warn_at: _timestamp_pb2.Timestamp
    colour: ClockColour
    provisional: bool
    extensions: int
    original_due_at: _timestamp_pb2.Timestamp
    pauses: _containers.RepeatedCompositeFieldContainer[ClockPause]
    working_days: int
    stopped_at: _timestamp_pb2.Timestamp
    def __init__(self, state: _Optional[_Union[ClockState, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., warn_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., colour: _Optional[_Union[ClockColour, str]] = ..., provisional: _Optional[bool] = ..., extensions: _Optional[int] = ..., original_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., pauses: _Optional[_Iterable[_Union[ClockPause, _Mapping]]] = ..., working_days: _Optional[int] = ..., stopped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReceivedMaterial(_message.Message):
    __slots__ = ("code", "name", "received_at")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    received_at: _timestamp_pb2.Timestamp
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseTransition(_message.Message):
    __slots__ = ("at", "actor", "action", "from_state", "to_state", "reason", "level", "window")
    AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    FROM_STATE_FIELD_NUMBER: _ClassVar[int]
    TO_STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    actor: str
    action: str
    from_state: CaseState
    to_state: CaseState
    reason: str
    level: IntakeLevel
    window: str
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., action: _Optional[str] = ..., from_state: _Optional[_Union[CaseState, str]] = ..., to_state: _Optional[_Union[CaseState, str]] = ..., reason: _Optional[str] = ..., level: _Optional[_Union[IntakeLevel, str]] = ..., window: _Optional[str] = ...) -> None: ...

class Escalation(_message.Message):
    __slots__ = ("to_level", "department", "reason", "escalated_at", "notified_at")
    TO_LEVEL_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_AT_FIELD_NUMBER: _ClassVar[int]
    NOTIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    to_level: _catalogue_pb2.HandlingLevel
    department: str
    reason: str
    escalated_at: _timestamp_pb2.Timestamp
    notified_at: _timestamp_pb2.Timestamp
    def __init__(self, to_level: _Optional[_Union[_catalogue_pb2.HandlingLevel, str]] = ..., department: _Optional[str] = ..., reason: _Optional[str] = ..., escalated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., notified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Case(_message.Message):
    __slots__ = ("id", "number", "tenant_id", "item_code", "item_name", "kind", "state", "level", "channel", "applicant", "materials", "missing_materials", "first_ask", "handler", "window", "department", "village", "delegation_id", "clock", "outcome", "outcome_reason", "satisfaction", "confirmation", "escalation", "presses", "version", "created_at", "updated_at", "history")
    ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    ITEM_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_FIELD_NUMBER: _ClassVar[int]
    MATERIALS_FIELD_NUMBER: _ClassVar[int]
    MISSING_MATERIALS_FIELD_NUMBER: _ClassVar[int]
    FIRST_ASK_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_REASON_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_FIELD_NUMBER: _ClassVar[int]
    PRESSES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    id: str
    number: str
    tenant_id: str
    item_code: str
    item_name: str
    kind: CaseKind
    state: CaseState
    level: IntakeLevel
    channel: CaseChannel
    applicant: _applicant_pb2.Applicant
    materials: _containers.RepeatedCompositeFieldContainer[ReceivedMaterial]
    missing_materials: _containers.RepeatedScalarFieldContainer[str]
    first_ask: str
    handler: str
    window: str
    department: str
    village: str
    delegation_id: str
    clock: Clock
    outcome: CaseOutcome
    outcome_reason: str
    satisfaction: _satisfaction_pb2.Satisfaction
    confirmation: str
    escalation: Escalation
    presses: int
    version: int
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    history: _containers.RepeatedCompositeFieldContainer[CaseTransition]
    def __init__(self, id: _Optional[str] = ..., number: _Optional[str] = ..., tenant_id: _Optional[str] = ..., item_code: _Optional[str] = ..., item_name: _Optional[str] = ..., kind: _Optional[_Union[CaseKind, str]] = ..., state: _Optional[_Union[CaseState, str]] = ..., level: _Optional[_Union[IntakeLevel, str]] = ..., channel: _Optional[_Union[CaseChannel, str]] = ..., applicant: _Optional[_Union[_applicant_pb2.Applicant, _Mapping]] = ..., materials: _Optional[_Iterable[_Union[ReceivedMaterial, _Mapping]]] = ..., missing_materials: _Optional[_Iterable[str]] = ..., first_ask: _Optional[str] = ..., handler: _Optional[str] = ..., window: _Optional[str] = ..., department: _Optional[str] = ..., village: _Optional[str] = ..., delegation_id: _Optional[str] = ..., clock: _Optional[_Union[Clock, _Mapping]] = ..., outcome: _Optional[_Union[CaseOutcome, str]] = ..., outcome_reason: _Optional[str] = ..., satisfaction: _Optional[_Union[_satisfaction_pb2.Satisfaction, str]] = ..., confirmation: _Optional[str] = ..., escalation: _Optional[_Union[Escalation, _Mapping]] = ..., presses: _Optional[int] = ..., version: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., history: _Optional[_Iterable[_Union[CaseTransition, _Mapping]]] = ...) -> None: ...

class CaseSummary(_message.Message):
    __slots__ = ("case_id", "number", "item_code", "item_name", "kind", "state", "level", "channel", "applicant", "first_ask", "handler", "window", "department", "village", "delegation_id", "due_at", "version", "applicant_sealed")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    ITEM_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_FIELD_NUMBER: _ClassVar[int]
    FIRST_ASK_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_SEALED_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    number: str
    item_code: str
    item_name: str
    kind: CaseKind
    state: CaseState
    level: IntakeLevel
    channel: CaseChannel
    applicant: _applicant_pb2.Applicant
    first_ask: str
    handler: str
    window: str
    department: str
    village: str
    delegation_id: str
    due_at: _timestamp_pb2.Timestamp
    version: int
    applicant_sealed: str
    def __init__(self, case_id: _Optional[str] = ..., number: _Optional[str] = ..., item_code: _Optional[str] = ..., item_name: _Optional[str] = ..., kind: _Optional[_Union[CaseKind, str]] = ..., state: _Optional[_Union[CaseState, str]] = ..., level: _Optional[_Union[IntakeLevel, str]] = ..., channel: _Optional[_Union[CaseChannel, str]] = ..., applicant: _Optional[_Union[_applicant_pb2.Applicant, _Mapping]] = ..., first_ask: _Optional[str] = ..., handler: _Optional[str] = ..., window: _Optional[str] = ..., department: _Optional[str] = ..., village: _Optional[str] = ..., delegation_id: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ..., applicant_sealed: _Optional[str] = ...) -> None: ...
