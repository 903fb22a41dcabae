import datetime

from bianmin.gateway.v1 import calendar_pb2 as _calendar_pb2
from bianmin.gateway.v1 import organisation_pb2 as _organisation_pb2
from bianmin.gateway.v1 import settings_pb2 as _settings_pb2
from bianmin.gateway.v1 import staff_pb2 as _staff_pb2
from bianmin.gateway.v1 import township_pb2 as _township_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetTownshipRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class GetTownshipResponse(_message.Message):
    __slots__ = ("township",)
    TOWNSHIP_FIELD_NUMBER: _ClassVar[int]
    township: _township_pb2.Township
    def __init__(self, township: _Optional[_Union[_township_pb2.Township, _Mapping]] = ...) -> None: ...

class ListTownshipsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "status")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    status: _township_pb2.TownshipStatus
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., status: _Optional[_Union[_township_pb2.TownshipStatus, str]] = ...) -> None: ...

class ListTownshipsResponse(_message.Message):
    __slots__ = ("townships", "next_page_token")
    TOWNSHIPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    townships: _containers.RepeatedCompositeFieldContainer[_township_pb2.Township]
    next_page_token: str
    def __init__(self, townships: _Optional[_Iterable[_Union[_township_pb2.Township, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListDepartmentsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListDepartmentsResponse(_message.Message):
    __slots__ = ("departments",)
    DEPARTMENTS_FIELD_NUMBER: _ClassVar[int]
    departments: _containers.RepeatedCompositeFieldContainer[_organisation_pb2.Department]
    def __init__(self, departments: _Optional[_Iterable[_Union[_organisation_pb2.Department, _Mapping]]] = ...) -> None: ...

class GetWindowRequest(_message.Message):
    __slots__ = ("code",)
    CODE_FIELD_NUMBER: _ClassVar[int]
    code: str
    def __init__(self, code: _Optional[str] = ...) -> None: ...

class GetWindowResponse(_message.Message):
    __slots__ = ("window",)
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    window: _organisation_pb2.Window
    def __init__(self, window: _Optional[_Union[_organisation_pb2.Window, _Mapping]] = ...) -> None: ...

class ListWindowsRequest(_message.Message):
    __slots__ = ("department", "item_code")
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    department: str
    item_code: str
    def __init__(self, department: _Optional[str] = ..., item_code: _Optional[str] = ...) -> None: ...

class ListWindowsResponse(_message.Message):
    __slots__ = ("windows",)
    WINDOWS_FIELD_NUMBER: _ClassVar[int]
    windows: _containers.RepeatedCompositeFieldContainer[_organisation_pb2.Window]
    def __init__(self, windows: _Optional[_Iterable[_Union[_organisation_pb2.Window, _Mapping]]] = ...) -> None: ...

class GetStaffRequest(_message.Message):
    __slots__ = ("username",)
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    username: str
    def __init__(self, username: _Optional[str] = ...) -> None: ...

class GetStaffResponse(_message.Message):
    __slots__ = ("staff",)
    STAFF_FIELD_NUMBER: _ClassVar[int]
    staff: _staff_pb2.Staff
    def __init__(self, staff: _Optional[_Union[_staff_pb2.Staff, _Mapping]] = ...) -> None: ...

class ListStaffRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "role", "window", "village")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    role: _staff_pb2.Role
    window: str
    village: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., role: _Optional[_Union[_staff_pb2.Role, str]] = ..., window: _Optional[str] = ..., village: _Optional[str] = ...) -> None: ...

class ListStaffResponse(_message.Message):
    __slots__ = ("staff", "next_page_token")
    STAFF_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    staff: _containers.RepeatedCompositeFieldContainer[_staff_pb2.Staff]
    next_page_token: str
    def __init__(self, staff: _Optional[_Iterable[_Union[_staff_pb2.Staff, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSettingsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSettingsResponse(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: _settings_pb2.TenantSettings
    def __init__(self, settings: _Optional[_Union[_settings_pb2.TenantSettings, _Mapping]] = ...) -> None: ...

class ListCalendarDaysRequest(_message.Message):
    __slots__ = ("from_date", "to_date")
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    from_date: str
    to_date: str
    def __init__(self, from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class ListCalendarDaysResponse(_message.Message):
    __slots__ = ("days",)
    DAYS_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[_calendar_pb2.CalendarDay]
    def __init__(self, days: _Optional[_Iterable[_Union[_calendar_pb2.CalendarDay, _Mapping]]] = ...) -> None: ...

class PreviewDeadlineRequest(_message.Message):
    __slots__ = ("start_at", "working_days")
    START_AT_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    start_at: _timestamp_pb2.Timestamp
    working_days: int
    def __init__(self, start_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., working_days: _Optional[int] = ...) -> None: ...

class PreviewDeadlineResponse(_message.Message):
    __slots__ = ("due_at", "provisional")
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    PROVISIONAL_FIELD_NUMBER: _ClassVar[int]
    due_at: _timestamp_pb2.Timestamp
    provisional: bool
    def __init__(self, due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., provisional: _Optional[bool] = ...) -> None: ...
