import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AttendanceIssue(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTENDANCE_ISSUE_UNSPECIFIED: _ClassVar[AttendanceIssue]
    ATTENDANCE_ISSUE_LATE: _ClassVar[AttendanceIssue]
    ATTENDANCE_ISSUE_EARLY: _ClassVar[AttendanceIssue]
    ATTENDANCE_ISSUE_OFF_POST: _ClassVar[AttendanceIssue]
    ATTENDANCE_ISSUE_HALF_DAY_ABSENCE: _ClassVar[AttendanceIssue]
    ATTENDANCE_ISSUE_WINDOW_UNSTAFFED: _ClassVar[AttendanceIssue]

class LeaveState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEAVE_STATE_UNSPECIFIED: _ClassVar[LeaveState]
    LEAVE_STATE_REQUESTED: _ClassVar[LeaveState]
    LEAVE_STATE_APPROVED: _ClassVar[LeaveState]
    LEAVE_STATE_REJECTED: _ClassVar[LeaveState]
    LEAVE_STATE_CANCELLED: _ClassVar[LeaveState]
ATTENDANCE_ISSUE_UNSPECIFIED: AttendanceIssue
ATTENDANCE_ISSUE_LATE: AttendanceIssue
ATTENDANCE_ISSUE_EARLY: AttendanceIssue
ATTENDANCE_ISSUE_OFF_POST: AttendanceIssue
ATTENDANCE_ISSUE_HALF_DAY_ABSENCE: AttendanceIssue
ATTENDANCE_ISSUE_WINDOW_UNSTAFFED: AttendanceIssue
LEAVE_STATE_UNSPECIFIED: LeaveState
LEAVE_STATE_REQUESTED: LeaveState
LEAVE_STATE_APPROVED: LeaveState
LEAVE_STATE_REJECTED: LeaveState
LEAVE_STATE_CANCELLED: LeaveState

class SignIn(_message.Message):
    __slots__ = ("username", "at", "id", "entered_by", "source")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ENTERED_BY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    username: str
    at: _timestamp_pb2.Timestamp
    id: str
    entered_by: str
    source: str
    def __init__(self, username: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., id: _Optional[str] = ..., entered_by: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...

class AttendanceDay(_message.Message):
    __slots__ = ("username", "date", "sign_ins", "status", "late_minutes", "early_minutes", "judged", "window")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    SIGN_INS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LATE_MINUTES_FIELD_NUMBER: _ClassVar[int]
    EARLY_MINUTES_FIELD_NUMBER: _ClassVar[int]
    JUDGED_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    username: str
    date: str
    sign_ins: _containers.RepeatedCompositeFieldContainer[SignIn]
    status: str
    late_minutes: int
    early_minutes: int
    judged: bool
    window: str
    def __init__(self, username: _Optional[str] = ..., date: _Optional[str] = ..., sign_ins: _Optional[_Iterable[_Union[SignIn, _Mapping]]] = ..., status: _Optional[str] = ..., late_minutes: _Optional[int] = ..., early_minutes: _Optional[int] = ..., judged: _Optional[bool] = ..., window: _Optional[str] = ...) -> None: ...

class AttendanceRecord(_message.Message):
    __slots__ = ("username", "window", "date", "issue", "minutes")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    ISSUE_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    username: str
    window: str
    date: str
    issue: AttendanceIssue
    minutes: int
    def __init__(self, username: _Optional[str] = ..., window: _Optional[str] = ..., date: _Optional[str] = ..., issue: _Optional[_Union[AttendanceIssue, str]] = ..., minutes: _Optional[int] = ...) -> None: ...

class Leave(_message.Message):
    __slots__ = ("id", "username", "from_date", "to_date", "reason", "state", "approved_by", "substitute", "requested_at", "decided_at", "working_days", "approver_role", "decision_reason", "substitute_letter", "requested_by", "cancelled_by", "cancelled_at", "version")
    ID_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    APPROVED_BY_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    APPROVER_ROLE_FIELD_NUMBER: _ClassVar[int]
    DECISION_REASON_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTE_LETTER_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_BY_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: str
    username: str
    from_date: str
    to_date: str
    reason: str
    state: LeaveState
    approved_by: str
    substitute: str
    requested_at: _timestamp_pb2.Timestamp
    decided_at: _timestamp_pb2.Timestamp
    working_days: int
    approver_role: str
    decision_reason: str
    substitute_letter: str
    requested_by: str
    cancelled_by: str
    cancelled_at: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, id: _Optional[str] = ..., username: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., reason: _Optional[str] = ..., state: _Optional[_Union[LeaveState, str]] = ..., approved_by: _Optional[str] = ..., substitute: _Optional[str] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., working_days: _Optional[int] = ..., approver_role: _Optional[str] = ..., decision_reason: _Optional[str] = ..., substitute_letter: _Optional[str] = ..., requested_by: _Optional[str] = ..., cancelled_by: _Optional[str] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...

class DutyDay(_message.Message):
    __slots__ = ("date", "username")
    DATE_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    date: str
    username: str
    def __init__(self, date: _Optional[str] = ..., username: _Optional[str] = ...) -> None: ...
