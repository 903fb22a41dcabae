import datetime

from bianmin.appraisal.v1 import attendance_pb2 as _attendance_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecordSignInRequest(_message.Message):
    __slots__ = ("username", "at")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    username: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, username: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordSignInResponse(_message.Message):
    __slots__ = ("sign_in",)
    SIGN_IN_FIELD_NUMBER: _ClassVar[int]
    sign_in: _attendance_pb2.SignIn
    def __init__(self, sign_in: _Optional[_Union[_attendance_pb2.SignIn, _Mapping]] = ...) -> None: ...

class ListAttendanceRecordsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "username", "from_date", "to_date")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    username: str
    from_date: str
    to_date: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., username: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class ListAttendanceRecordsResponse(_message.Message):
    __slots__ = ("records", "next_page_token")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[_attendance_pb2.AttendanceRecord]
    next_page_token: str
    def __init__(self, records: _Optional[_Iterable[_Union[_attendance_pb2.AttendanceRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RequestLeaveRequest(_message.Message):
    __slots__ = ("username", "from_date", "to_date", "reason", "substitute", "idempotency_key", "substitute_letter")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTE_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTE_LETTER_FIELD_NUMBER: _ClassVar[int]
    username: str
    from_date: str
    to_date: str
    reason: str
    substitute: str
    idempotency_key: str
    substitute_letter: str
    def __init__(self, username: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., reason: _Optional[str] = ..., substitute: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., substitute_letter: _Optional[str] = ...) -> None: ...

class RequestLeaveResponse(_message.Message):
    __slots__ = ("leave",)
    LEAVE_FIELD_NUMBER: _ClassVar[int]
    leave: _attendance_pb2.Leave
    def __init__(self, leave: _Optional[_Union[_attendance_pb2.Leave, _Mapping]] = ...) -> None: ...

class ApproveLeaveRequest(_message.Message):
    __slots__ = ("leave_id", "approved", "reason", "expected_version")
    LEAVE_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    leave_id: str
    approved: bool
    reason: str
    expected_version: int
    def __init__(self, leave_id: _Optional[str] = ..., approved: _Optional[bool] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ApproveLeaveResponse(_message.Message):
    __slots__ = ("leave",)
    LEAVE_FIELD_NUMBER: _ClassVar[int]
    leave: _attendance_pb2.Leave
    def __init__(self, leave: _Optional[_Union[_attendance_pb2.Leave, _Mapping]] = ...) -> None: ...

class ListLeavesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "username", "state", "from_date", "to_date")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    username: str
    state: _attendance_pb2.LeaveState
    from_date: str
    to_date: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., username: _Optional[str] = ..., state: _Optional[_Union[_attendance_pb2.LeaveState, str]] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class ListLeavesResponse(_message.Message):
    __slots__ = ("leaves", "next_page_token")
    LEAVES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    leaves: _containers.RepeatedCompositeFieldContainer[_attendance_pb2.Leave]
    next_page_token: str
    def __init__(self, leaves: _Optional[_Iterable[_Union[_attendance_pb2.Leave, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PutDutyRotaRequest(_message.Message):
    __slots__ = ("month", "days")
    MONTH_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    month: str
    days: _containers.RepeatedCompositeFieldContainer[_attendance_pb2.DutyDay]
    def __init__(self, month: _Optional[str] = ..., days: _Optional[_Iterable[_Union[_attendance_pb2.DutyDay, _Mapping]]] = ...) -> None: ...

class PutDutyRotaResponse(_message.Message):
    __slots__ = ("days", "gaps")
    DAYS_FIELD_NUMBER: _ClassVar[int]
    GAPS_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[_attendance_pb2.DutyDay]
    gaps: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, days: _Optional[_Iterable[_Union[_attendance_pb2.DutyDay, _Mapping]]] = ..., gaps: _Optional[_Iterable[str]] = ...) -> None: ...

class ListDutyDaysRequest(_message.Message):
    __slots__ = ("from_date", "to_date")
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    from_date: str
    to_date: str
    def __init__(self, from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class ListDutyDaysResponse(_message.Message):
    __slots__ = ("days",)
    DAYS_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[_attendance_pb2.DutyDay]
    def __init__(self, days: _Optional[_Iterable[_Union[_attendance_pb2.DutyDay, _Mapping]]] = ...) -> None: ...

class CancelLeaveRequest(_message.Message):
    __slots__ = ("leave_id", "reason", "expected_version")
    LEAVE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    leave_id: str
    reason: str
    expected_version: int
    def __init__(self, leave_id: _Optional[str] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class CancelLeaveResponse(_message.Message):
    __slots__ = ("leave",)
    LEAVE_FIELD_NUMBER: _ClassVar[int]
    leave: _attendance_pb2.Leave
    def __init__(self, leave: _Optional[_Union[_attendance_pb2.Leave, _Mapping]] = ...) -> None: ...

class ImportSignInsRequest(_message.Message):
    __slots__ = ("rows", "dry_run")
    class Row(_message.Message):
        __slots__ = ("at", "username", "at_time")
        AT_FIELD_NUMBER: _ClassVar[int]
        USERNAME_FIELD_NUMBER: _ClassVar[int]
        AT_TIME_FIELD_NUMBER: _ClassVar[int]
        at: str
        username: str
        at_time: _timestamp_pb2.Timestamp
        def __init__(self, at: _Optional[str] = ..., username: _Optional[str] = ..., at_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
    ROWS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[ImportSignInsRequest.Row]
    dry_run: bool
    def __init__(self, rows: _Optional[_Iterable[_Union[ImportSignInsRequest.Row, _Mapping]]] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class ImportSignInsResponse(_message.Message):
    __slots__ = ("stored", "duplicates", "problems")
    STORED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    stored: int
    duplicates: int
    problems: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, stored: _Optional[int] = ..., duplicates: _Optional[int] = ..., problems: _Optional[_Iterable[str]] = ...) -> None: ...

class ListAttendanceDaysRequest(_message.Message):
    __slots__ = ("date", "username")
    DATE_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    date: str
    username: str
    def __init__(self, date: _Optional[str] = ..., username: _Optional[str] = ...) -> None: ...

class ListAttendanceDaysResponse(_message.Message):
    __slots__ = ("days",)
    DAYS_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[_attendance_pb2.AttendanceDay]
    def __init__(self, days: _Optional[_Iterable[_Union[_attendance_pb2.AttendanceDay, _Mapping]]] = ...) -> None: ...

class RecordSpotCheckRequest(_message.Message):
    __slots__ = ("username", "at", "finding")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    FINDING_FIELD_NUMBER: _ClassVar[int]
    username: str
    at: _timestamp_pb2.Timestamp
    finding: str
    def __init__(self, username: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finding: _Optional[str] = ...) -> None: ...

class RecordSpotCheckResponse(_message.Message):
    __slots__ = ("id", "username", "at", "finding", "half", "recorded_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    FINDING_FIELD_NUMBER: _ClassVar[int]
    HALF_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    username: str
    at: _timestamp_pb2.Timestamp
    finding: str
    half: str
    recorded_by: str
    def __init__(self, id: _Optional[str] = ..., username: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finding: _Optional[str] = ..., half: _Optional[str] = ..., recorded_by: _Optional[str] = ...) -> None: ...
