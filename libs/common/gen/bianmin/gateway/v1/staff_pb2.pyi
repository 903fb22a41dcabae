from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_COUNTY_ADMIN: _ClassVar[Role]
    ROLE_COUNTY_SUPERVISOR: _ClassVar[Role]
    ROLE_COUNTY_DEPARTMENT: _ClassVar[Role]
    ROLE_TOWNSHIP_ADMIN: _ClassVar[Role]
    ROLE_WINDOW_STAFF: _ClassVar[Role]
    ROLE_INTAKE_DESK: _ClassVar[Role]
    ROLE_PROXY_AGENT: _ClassVar[Role]
    ROLE_PETITION_OFFICER: _ClassVar[Role]
    ROLE_OPS: _ClassVar[Role]
    ROLE_CENTRE_HEAD: _ClassVar[Role]
    ROLE_TOWNSHIP_LEADER: _ClassVar[Role]
ROLE_UNSPECIFIED: Role
ROLE_COUNTY_ADMIN: Role
ROLE_COUNTY_SUPERVISOR: Role
ROLE_COUNTY_DEPARTMENT: Role
ROLE_TOWNSHIP_ADMIN: Role
ROLE_WINDOW_STAFF: Role
ROLE_INTAKE_DESK: Role
ROLE_PROXY_AGENT: Role
ROLE_PETITION_OFFICER: Role
ROLE_OPS: Role
ROLE_CENTRE_HEAD: Role
ROLE_TOWNSHIP_LEADER: Role

class Staff(_message.Message):
    __slots__ = ("username", "name", "phone", "roles", "window", "village", "department", "tenant_id", "active")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    username: str
    name: str
    phone: str
    roles: _containers.RepeatedScalarFieldContainer[Role]
    window: str
    village: str
    department: str
    tenant_id: str
    active: bool
    def __init__(self, username: _Optional[str] = ..., name: _Optional[str] = ..., phone: _Optional[str] = ..., roles: _Optional[_Iterable[_Union[Role, str]]] = ..., window: _Optional[str] = ..., village: _Optional[str] = ..., department: _Optional[str] = ..., tenant_id: _Optional[str] = ..., active: _Optional[bool] = ...) -> None: ...
