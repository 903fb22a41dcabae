import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AgentLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGENT_LEVEL_UNSPECIFIED: _ClassVar[AgentLevel]
    AGENT_LEVEL_VILLAGE: _ClassVar[AgentLevel]
    AGENT_LEVEL_TOWNSHIP: _ClassVar[AgentLevel]
    AGENT_LEVEL_GROUP: _ClassVar[AgentLevel]
    AGENT_LEVEL_PETITION: _ClassVar[AgentLevel]
AGENT_LEVEL_UNSPECIFIED: AgentLevel
AGENT_LEVEL_VILLAGE: AgentLevel
AGENT_LEVEL_TOWNSHIP: AgentLevel
AGENT_LEVEL_GROUP: AgentLevel
AGENT_LEVEL_PETITION: AgentLevel

class Agent(_message.Message):
    __slots__ = ("username", "name", "level", "village", "group", "backup", "on_leave", "active", "created_at", "version")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    BACKUP_FIELD_NUMBER: _ClassVar[int]
    ON_LEAVE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    username: str
    name: str
    level: AgentLevel
    village: str
    group: str
    backup: str
    on_leave: bool
    active: bool
    created_at: _timestamp_pb2.Timestamp
    version: int
    def __init__(self, username: _Optional[str] = ..., name: _Optional[str] = ..., level: _Optional[_Union[AgentLevel, str]] = ..., village: _Optional[str] = ..., group: _Optional[str] = ..., backup: _Optional[str] = ..., on_leave: _Optional[bool] = ..., active: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., version: _Optional[int] = ...) -> None: ...
