import datetime

from bianmin.appraisal.v1 import appeal_pb2 as _appeal_pb2
from bianmin.appraisal.v1 import attendance_pb2 as _attendance_pb2
from bianmin.appraisal.v1 import score_pb2 as _score_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScoreEventRecorded(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _score_pb2.ScoreEvent
    def __init__(self, event: _Optional[_Union[_score_pb2.ScoreEvent, _Mapping]] = ...) -> None: ...

class ScoreEventCorrected(_message.Message):
    __slots__ = ("event_id", "previous_points", "points", "voided", "appeal_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_POINTS_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    VOIDED_FIELD_NUMBER: _ClassVar[int]
    APPEAL_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    previous_points: float
    points: float
    voided: bool
    appeal_id: str
    def __init__(self, event_id: _Optional[str] = ..., previous_points: _Optional[float] = ..., points: _Optional[float] = ..., voided: _Optional[bool] = ..., appeal_id: _Optional[str] = ...) -> None: ...

class AppealFiled(_message.Message):
    __slots__ = ("appeal",)
    APPEAL_FIELD_NUMBER: _ClassVar[int]
    appeal: _appeal_pb2.Appeal
    def __init__(self, appeal: _Optional[_Union[_appeal_pb2.Appeal, _Mapping]] = ...) -> None: ...

class AppealDecided(_message.Message):
    __slots__ = ("appeal",)
    APPEAL_FIELD_NUMBER: _ClassVar[int]
    appeal: _appeal_pb2.Appeal
    def __init__(self, appeal: _Optional[_Union[_appeal_pb2.Appeal, _Mapping]] = ...) -> None: ...

class PeriodClosed(_message.Message):
    __slots__ = ("period", "scores", "closed_at")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    period: str
    scores: _containers.RepeatedCompositeFieldContainer[_score_pb2.Score]
    closed_at: _timestamp_pb2.Timestamp
    def __init__(self, period: _Optional[str] = ..., scores: _Optional[_Iterable[_Union[_score_pb2.Score, _Mapping]]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AttendanceThresholdReached(_message.Message):
    __slots__ = ("username", "period", "deducted_points")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    DEDUCTED_POINTS_FIELD_NUMBER: _ClassVar[int]
    username: str
    period: str
    deducted_points: float
    def __init__(self, username: _Optional[str] = ..., period: _Optional[str] = ..., deducted_points: _Optional[float] = ...) -> None: ...

class LeaveApproved(_message.Message):
    __slots__ = ("leave_id", "username", "from_date", "to_date", "substitute")
    LEAVE_ID_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTE_FIELD_NUMBER: _ClassVar[int]
    leave_id: str
    username: str
    from_date: str
    to_date: str
    substitute: str
    def __init__(self, leave_id: _Optional[str] = ..., username: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., substitute: _Optional[str] = ...) -> None: ...

class LeaveCancelled(_message.Message):
    __slots__ = ("leave_id", "username")
    LEAVE_ID_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    leave_id: str
    username: str
    def __init__(self, leave_id: _Optional[str] = ..., username: _Optional[str] = ...) -> None: ...

class AttendanceJudged(_message.Message):
    __slots__ = ("ref", "username", "window", "date", "half", "status", "late_minutes", "early_minutes")
    REF_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    HALF_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LATE_MINUTES_FIELD_NUMBER: _ClassVar[int]
    EARLY_MINUTES_FIELD_NUMBER: _ClassVar[int]
    ref: str
    username: str
    window: str
    date: str
    half: str
    status: str
    late_minutes: int
    early_minutes: int
    def __init__(self, ref: _Optional[str] = ..., username: _Optional[str] = ..., window: _Optional[str] = ..., date: _Optional[str] = ..., half: _Optional[str] = ..., status: _Optional[str] = ..., late_minutes: _Optional[int] = ..., early_minutes: _Optional[int] = ...) -> None: ...

class WindowUnstaffed(_message.Message):
    __slots__ = ("ref", "window", "date", "half", "minutes")
    REF_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    HALF_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    ref: str
    window: str
    date: str
    half: str
    minutes: int
    def __init__(self, ref: _Optional[str] = ..., window: _Optional[str] = ..., date: _Optional[str] = ..., half: _Optional[str] = ..., minutes: _Optional[int] = ...) -> None: ...

class LeaveRuleBroken(_message.Message):
    __slots__ = ("ref", "username", "window", "rule", "leave_id", "department_approved")
    REF_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    LEAVE_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_APPROVED_FIELD_NUMBER: _ClassVar[int]
    ref: str
    username: str
    window: str
    rule: str
    leave_id: str
    department_approved: bool
    def __init__(self, ref: _Optional[str] = ..., username: _Optional[str] = ..., window: _Optional[str] = ..., rule: _Optional[str] = ..., leave_id: _Optional[str] = ..., department_approved: _Optional[bool] = ...) -> None: ...

class RulebookUpdated(_message.Message):
    __slots__ = ("rulebook_id", "county", "version")
    RULEBOOK_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    rulebook_id: str
    county: str
    version: int
    def __init__(self, rulebook_id: _Optional[str] = ..., county: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class DutyRotaPublished(_message.Message):
    __slots__ = ("month", "days")
    MONTH_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    month: str
    days: _containers.RepeatedCompositeFieldContainer[_attendance_pb2.DutyDay]
    def __init__(self, month: _Optional[str] = ..., days: _Optional[_Iterable[_Union[_attendance_pb2.DutyDay, _Mapping]]] = ...) -> None: ...

class DutyRotaMissed(_message.Message):
    __slots__ = ("month", "last_working_day")
    MONTH_FIELD_NUMBER: _ClassVar[int]
    LAST_WORKING_DAY_FIELD_NUMBER: _ClassVar[int]
    month: str
    last_working_day: str
    def __init__(self, month: _Optional[str] = ..., last_working_day: _Optional[str] = ...) -> None: ...
