from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OfficeHours(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: str
    end: str
    def __init__(self, start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class TenantSettings(_message.Message):
    __slots__ = ("office_hours", "time_zone", "trip_days", "warn_ratio", "escalation_notice_days", "appeal_days", "visit_round_days", "callback_ratio", "locale", "sign_in_times", "extra")
    class ExtraEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    OFFICE_HOURS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    TRIP_DAYS_FIELD_NUMBER: _ClassVar[int]
    WARN_RATIO_FIELD_NUMBER: _ClassVar[int]
    ESCALATION_NOTICE_DAYS_FIELD_NUMBER: _ClassVar[int]
    APPEAL_DAYS_FIELD_NUMBER: _ClassVar[int]
    VISIT_ROUND_DAYS_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_RATIO_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    SIGN_IN_TIMES_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    office_hours: _containers.RepeatedCompositeFieldContainer[OfficeHours]
    time_zone: str
    trip_days: _containers.RepeatedScalarFieldContainer[str]
    warn_ratio: float
    escalation_notice_days: int
    appeal_days: int
    visit_round_days: int
    callback_ratio: float
    locale: str
    sign_in_times: _containers.RepeatedScalarFieldContainer[str]
    extra: _containers.ScalarMap[str, str]
    def __init__(self, office_hours: _Optional[_Iterable[_Union[OfficeHours, _Mapping]]] = ..., time_zone: _Optional[str] = ..., trip_days: _Optional[_Iterable[str]] = ..., warn_ratio: _Optional[float] = ..., escalation_notice_days: _Optional[int] = ..., appeal_days: _Optional[int] = ..., visit_round_days: _Optional[int] = ..., callback_ratio: _Optional[float] = ..., locale: _Optional[str] = ..., sign_in_times: _Optional[_Iterable[str]] = ..., extra: _Optional[_Mapping[str, str]] = ...) -> None: ...
