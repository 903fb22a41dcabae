from bianmin.intake.v1 import case_pb2 as _case_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CaseStats(_message.Message):
    __slots__ = ("received", "accepted", "completed", "completion_rate", "on_time_rate", "immediate_share", "early_completion_rate", "satisfaction_rate", "overdue_open")
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_RATE_FIELD_NUMBER: _ClassVar[int]
    IMMEDIATE_SHARE_FIELD_NUMBER: _ClassVar[int]
    EARLY_COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_RATE_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_OPEN_FIELD_NUMBER: _ClassVar[int]
    received: int
    accepted: int
    completed: int
    completion_rate: float
    on_time_rate: float
    immediate_share: float
    early_completion_rate: float
    satisfaction_rate: float
    overdue_open: int
    def __init__(self, received: _Optional[int] = ..., accepted: _Optional[int] = ..., completed: _Optional[int] = ..., completion_rate: _Optional[float] = ..., on_time_rate: _Optional[float] = ..., immediate_share: _Optional[float] = ..., early_completion_rate: _Optional[float] = ..., satisfaction_rate: _Optional[float] = ..., overdue_open: _Optional[int] = ...) -> None: ...

class BoardEntry(_message.Message):
    __slots__ = ("number", "item_name", "applicant_name", "completed_date", "on_time", "item_code", "outcome")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    ITEM_NAME_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_NAME_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_DATE_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    number: str
    item_name: str
    applicant_name: str
    completed_date: str
    on_time: bool
    item_code: str
    outcome: _case_pb2.CaseOutcome
    def __init__(self, number: _Optional[str] = ..., item_name: _Optional[str] = ..., applicant_name: _Optional[str] = ..., completed_date: _Optional[str] = ..., on_time: _Optional[bool] = ..., item_code: _Optional[str] = ..., outcome: _Optional[_Union[_case_pb2.CaseOutcome, str]] = ...) -> None: ...
