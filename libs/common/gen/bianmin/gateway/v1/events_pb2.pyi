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

class TownshipOnboarded(_message.Message):
    __slots__ = ("tenant_id", "county", "code", "name", "villages", "onboarded_at")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTY_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VILLAGES_FIELD_NUMBER: _ClassVar[int]
    ONBOARDED_AT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    county: str
    code: str
    name: str
    villages: _containers.RepeatedCompositeFieldContainer[_township_pb2.Village]
    onboarded_at: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., county: _Optional[str] = ..., code: _Optional[str] = ..., name: _Optional[str] = ..., villages: _Optional[_Iterable[_Union[_township_pb2.Village, _Mapping]]] = ..., onboarded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TownshipSuspended(_message.Message):
    __slots__ = ("tenant_id", "reason", "suspended_at")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_AT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    reason: str
    suspended_at: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., reason: _Optional[str] = ..., suspended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TownshipReactivated(_message.Message):
    __slots__ = ("tenant_id", "reactivated_at")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    REACTIVATED_AT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    reactivated_at: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., reactivated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VillageSaved(_message.Message):
    __slots__ = ("tenant_id", "village")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    village: _township_pb2.Village
    def __init__(self, tenant_id: _Optional[str] = ..., village: _Optional[_Union[_township_pb2.Village, _Mapping]] = ...) -> None: ...

class DepartmentCreated(_message.Message):
    __slots__ = ("department",)
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    department: _organisation_pb2.Department
    def __init__(self, department: _Optional[_Union[_organisation_pb2.Department, _Mapping]] = ...) -> None: ...

class WindowSaved(_message.Message):
    __slots__ = ("window",)
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    window: _organisation_pb2.Window
    def __init__(self, window: _Optional[_Union[_organisation_pb2.Window, _Mapping]] = ...) -> None: ...

class WindowPostsAssigned(_message.Message):
    __slots__ = ("window", "posts", "previous")
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    POSTS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_FIELD_NUMBER: _ClassVar[int]
    window: str
    posts: _organisation_pb2.WindowPosts
    previous: _organisation_pb2.WindowPosts
    def __init__(self, window: _Optional[str] = ..., posts: _Optional[_Union[_organisation_pb2.WindowPosts, _Mapping]] = ..., previous: _Optional[_Union[_organisation_pb2.WindowPosts, _Mapping]] = ...) -> None: ...

class StaffSaved(_message.Message):
    __slots__ = ("username", "name", "roles", "window", "village", "department", "active", "phone")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    username: str
    name: str
    roles: _containers.RepeatedScalarFieldContainer[_staff_pb2.Role]
    window: str
    village: str
    department: str
    active: bool
    phone: str
    def __init__(self, username: _Optional[str] = ..., name: _Optional[str] = ..., roles: _Optional[_Iterable[_Union[_staff_pb2.Role, str]]] = ..., window: _Optional[str] = ..., village: _Optional[str] = ..., department: _Optional[str] = ..., active: _Optional[bool] = ..., phone: _Optional[str] = ...) -> None: ...

class SettingsChanged(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: _settings_pb2.TenantSettings
    def __init__(self, settings: _Optional[_Union[_settings_pb2.TenantSettings, _Mapping]] = ...) -> None: ...

class CalendarDayChanged(_message.Message):
    __slots__ = ("county", "day", "removed", "version")
    COUNTY_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    county: str
    day: _calendar_pb2.CalendarOverride
    removed: bool
    version: int
    def __init__(self, county: _Optional[str] = ..., day: _Optional[_Union[_calendar_pb2.CalendarOverride, _Mapping]] = ..., removed: _Optional[bool] = ..., version: _Optional[int] = ...) -> None: ...

class NationalCalendarImported(_message.Message):
    __slots__ = ("year", "published", "days", "county", "version")
    YEAR_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    COUNTY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    year: int
    published: bool
    days: _containers.RepeatedCompositeFieldContainer[_calendar_pb2.CalendarDay]
    county: str
    version: int
    def __init__(self, year: _Optional[int] = ..., published: _Optional[bool] = ..., days: _Optional[_Iterable[_Union[_calendar_pb2.CalendarDay, _Mapping]]] = ..., county: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...
