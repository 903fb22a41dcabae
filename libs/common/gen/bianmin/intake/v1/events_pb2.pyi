import datetime

from bianmin.common.v1 import satisfaction_pb2 as _satisfaction_pb2
from bianmin.intake.v1 import case_pb2 as _case_pb2
from bianmin.intake.v1 import catalogue_pb2 as _catalogue_pb2
from bianmin.intake.v1 import petition_pb2 as _petition_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CatalogueItemSaved(_message.Message):
    __slots__ = ("item", "actor", "clamped_promised_days")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CLAMPED_PROMISED_DAYS_FIELD_NUMBER: _ClassVar[int]
    item: _catalogue_pb2.CatalogueItem
    actor: str
    clamped_promised_days: int
    def __init__(self, item: _Optional[_Union[_catalogue_pb2.CatalogueItem, _Mapping]] = ..., actor: _Optional[str] = ..., clamped_promised_days: _Optional[int] = ...) -> None: ...

class CatalogueTemplateItemDistributed(_message.Message):
    __slots__ = ("item", "actor")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    item: _catalogue_pb2.CatalogueItem
    actor: str
    def __init__(self, item: _Optional[_Union[_catalogue_pb2.CatalogueItem, _Mapping]] = ..., actor: _Optional[str] = ...) -> None: ...

class InquiryRegistered(_message.Message):
    __slots__ = ("inquiry_id", "first_ask", "item_code", "registered_at")
    INQUIRY_ID_FIELD_NUMBER: _ClassVar[int]
    FIRST_ASK_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    inquiry_id: str
    first_ask: str
    item_code: str
    registered_at: _timestamp_pb2.Timestamp
    def __init__(self, inquiry_id: _Optional[str] = ..., first_ask: _Optional[str] = ..., item_code: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseReceived(_message.Message):
    __slots__ = ("case", "actor", "missing_materials", "received_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    MISSING_MATERIALS_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    missing_materials: _containers.RepeatedScalarFieldContainer[str]
    received_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., missing_materials: _Optional[_Iterable[str]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseSupplementRequested(_message.Message):
    __slots__ = ("case", "actor", "missing_materials", "missing_material_names", "note", "second_request", "requested_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    MISSING_MATERIALS_FIELD_NUMBER: _ClassVar[int]
    MISSING_MATERIAL_NAMES_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    SECOND_REQUEST_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    missing_materials: _containers.RepeatedScalarFieldContainer[str]
    missing_material_names: _containers.RepeatedScalarFieldContainer[str]
    note: str
    second_request: bool
    requested_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., missing_materials: _Optional[_Iterable[str]] = ..., missing_material_names: _Optional[_Iterable[str]] = ..., note: _Optional[str] = ..., second_request: _Optional[bool] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseMaterialsSubmitted(_message.Message):
    __slots__ = ("case", "actor", "materials", "missing_materials", "submitted_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    MATERIALS_FIELD_NUMBER: _ClassVar[int]
    MISSING_MATERIALS_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    materials: _containers.RepeatedScalarFieldContainer[str]
    missing_materials: _containers.RepeatedScalarFieldContainer[str]
    submitted_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., materials: _Optional[_Iterable[str]] = ..., missing_materials: _Optional[_Iterable[str]] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseRefused(_message.Message):
    __slots__ = ("case", "actor", "reason", "refer_to", "refused_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFER_TO_FIELD_NUMBER: _ClassVar[int]
    REFUSED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    reason: str
    refer_to: str
    refused_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., refer_to: _Optional[str] = ..., refused_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseAccepted(_message.Message):
    __slots__ = ("case", "actor", "clock", "accepted_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    clock: _case_pb2.Clock
    accepted_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., clock: _Optional[_Union[_case_pb2.Clock, _Mapping]] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseAssigned(_message.Message):
    __slots__ = ("case", "actor", "handler", "previous_handler", "assigned_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_HANDLER_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    handler: str
    previous_handler: str
    assigned_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., handler: _Optional[str] = ..., previous_handler: _Optional[str] = ..., assigned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseEscalated(_message.Message):
    __slots__ = ("case", "actor", "to_level", "department", "reason", "escalated_at", "notify_by")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    TO_LEVEL_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ESCALATED_AT_FIELD_NUMBER: _ClassVar[int]
    NOTIFY_BY_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    to_level: _catalogue_pb2.HandlingLevel
    department: str
    reason: str
    escalated_at: _timestamp_pb2.Timestamp
    notify_by: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., to_level: _Optional[_Union[_catalogue_pb2.HandlingLevel, str]] = ..., department: _Optional[str] = ..., reason: _Optional[str] = ..., escalated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., notify_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseResumed(_message.Message):
    __slots__ = ("case", "actor", "note", "clock", "resumed_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    RESUMED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    note: str
    clock: _case_pb2.Clock
    resumed_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., note: _Optional[str] = ..., clock: _Optional[_Union[_case_pb2.Clock, _Mapping]] = ..., resumed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseExtended(_message.Message):
    __slots__ = ("case", "actor", "working_days", "reason", "previous_due_at", "due_at", "extensions", "extended_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    EXTENDED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    working_days: int
    reason: str
    previous_due_at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    extensions: int
    extended_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., working_days: _Optional[int] = ..., reason: _Optional[str] = ..., previous_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., extensions: _Optional[int] = ..., extended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseCompleted(_message.Message):
    __slots__ = ("case", "actor", "outcome", "reason", "completed_at", "overdue", "working_days_late", "early")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_LATE_FIELD_NUMBER: _ClassVar[int]
    EARLY_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    outcome: _case_pb2.CaseOutcome
    reason: str
    completed_at: _timestamp_pb2.Timestamp
    overdue: bool
    working_days_late: int
    early: bool
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., outcome: _Optional[_Union[_case_pb2.CaseOutcome, str]] = ..., reason: _Optional[str] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., overdue: _Optional[bool] = ..., working_days_late: _Optional[int] = ..., early: _Optional[bool] = ...) -> None: ...

class CaseReplied(_message.Message):
    __slots__ = ("case", "actor", "satisfaction", "confirmation", "replied_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    REPLIED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    satisfaction: _satisfaction_pb2.Satisfaction
    confirmation: str
    replied_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., satisfaction: _Optional[_Union[_satisfaction_pb2.Satisfaction, str]] = ..., confirmation: _Optional[str] = ..., replied_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseArchived(_message.Message):
    __slots__ = ("case", "actor", "archived_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    archived_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., archived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseReturned(_message.Message):
    __slots__ = ("case", "actor", "reason", "reason_detailed", "returned_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAILED_FIELD_NUMBER: _ClassVar[int]
    RETURNED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    reason: str
    reason_detailed: bool
    returned_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., reason_detailed: _Optional[bool] = ..., returned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseWithdrawn(_message.Message):
    __slots__ = ("case", "actor", "reason", "withdrawn_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    reason: str
    withdrawn_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., reason: _Optional[str] = ..., withdrawn_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CasePressed(_message.Message):
    __slots__ = ("case", "actor", "note", "presses", "pressed_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    PRESSES_FIELD_NUMBER: _ClassVar[int]
    PRESSED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    actor: str
    note: str
    presses: int
    pressed_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., actor: _Optional[str] = ..., note: _Optional[str] = ..., presses: _Optional[int] = ..., pressed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseClockColourChanged(_message.Message):
    __slots__ = ("case", "colour", "previous_colour", "due_at", "changed_at")
    CASE_FIELD_NUMBER: _ClassVar[int]
    COLOUR_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_COLOUR_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    colour: _case_pb2.ClockColour
    previous_colour: _case_pb2.ClockColour
    due_at: _timestamp_pb2.Timestamp
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., colour: _Optional[_Union[_case_pb2.ClockColour, str]] = ..., previous_colour: _Optional[_Union[_case_pb2.ClockColour, str]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CaseDeadlineRecomputed(_message.Message):
    __slots__ = ("case", "previous_due_at", "due_at", "warn_at", "provisional")
    CASE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    WARN_AT_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.CaseSummary
    previous_due_at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    warn_at: _timestamp_pb2.Timestamp
    provisional: bool
    def __init__(self, case: _Optional[_Union[_case_pb2.CaseSummary, _Mapping]] = ..., previous_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., warn_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., provisional: _Optional[bool] = ...) -> None: ...

class CaseDeadlinesRecomputed(_message.Message):
    __slots__ = ("cases",)
    CASES_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[CaseDeadlineRecomputed]
    def __init__(self, cases: _Optional[_Iterable[_Union[CaseDeadlineRecomputed, _Mapping]]] = ...) -> None: ...

class PetitionRegistered(_message.Message):
    __slots__ = ("petition_id", "number", "kind", "collective", "leader_received", "subject", "ground", "answer_due_at", "registered_at", "actor")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    COLLECTIVE_FIELD_NUMBER: _ClassVar[int]
    LEADER_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    GROUND_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    number: str
    kind: _petition_pb2.PetitionKind
    collective: bool
    leader_received: bool
    subject: _petition_pb2.ComplaintSubject
    ground: _petition_pb2.ComplaintGround
    answer_due_at: _timestamp_pb2.Timestamp
    registered_at: _timestamp_pb2.Timestamp
    actor: str
    def __init__(self, petition_id: _Optional[str] = ..., number: _Optional[str] = ..., kind: _Optional[_Union[_petition_pb2.PetitionKind, str]] = ..., collective: _Optional[bool] = ..., leader_received: _Optional[bool] = ..., subject: _Optional[_Union[_petition_pb2.ComplaintSubject, _Mapping]] = ..., ground: _Optional[_Union[_petition_pb2.ComplaintGround, str]] = ..., answer_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ...) -> None: ...

class PetitionAnswered(_message.Message):
    __slots__ = ("petition_id", "kind", "department", "on_time", "days_late", "subject", "answered_at", "actor", "answer_due_at")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    DAYS_LATE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    kind: _petition_pb2.PetitionKind
    department: str
    on_time: bool
    days_late: int
    subject: _petition_pb2.ComplaintSubject
    answered_at: _timestamp_pb2.Timestamp
    actor: str
    answer_due_at: _timestamp_pb2.Timestamp
    def __init__(self, petition_id: _Optional[str] = ..., kind: _Optional[_Union[_petition_pb2.PetitionKind, str]] = ..., department: _Optional[str] = ..., on_time: _Optional[bool] = ..., days_late: _Optional[int] = ..., subject: _Optional[_Union[_petition_pb2.ComplaintSubject, _Mapping]] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., answer_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ComplaintForwarded(_message.Message):
    __slots__ = ("petition_id", "department", "subject", "answer_due_at", "actor")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    department: str
    subject: _petition_pb2.ComplaintSubject
    answer_due_at: _timestamp_pb2.Timestamp
    actor: str
    def __init__(self, petition_id: _Optional[str] = ..., department: _Optional[str] = ..., subject: _Optional[_Union[_petition_pb2.ComplaintSubject, _Mapping]] = ..., answer_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ...) -> None: ...

class ComplaintDecided(_message.Message):
    __slots__ = ("petition_id", "verified", "subject", "ground", "reason", "actor", "decided_at")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    GROUND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    verified: bool
    subject: _petition_pb2.ComplaintSubject
    ground: _petition_pb2.ComplaintGround
    reason: str
    actor: str
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, petition_id: _Optional[str] = ..., verified: _Optional[bool] = ..., subject: _Optional[_Union[_petition_pb2.ComplaintSubject, _Mapping]] = ..., ground: _Optional[_Union[_petition_pb2.ComplaintGround, str]] = ..., reason: _Optional[str] = ..., actor: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
