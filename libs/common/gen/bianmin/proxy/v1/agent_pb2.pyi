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

class AgentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGENT_STATUS_UNSPECIFIED: _ClassVar[AgentStatus]
    AGENT_STATUS_ACTIVE: _ClassVar[AgentStatus]
    AGENT_STATUS_ON_LEAVE: _ClassVar[AgentStatus]
    AGENT_STATUS_INACTIVE: _ClassVar[AgentStatus]
AGENT_LEVEL_UNSPECIFIED: AgentLevel
AGENT_LEVEL_VILLAGE: AgentLevel
AGENT_LEVEL_TOWNSHIP: AgentLevel
AGENT_LEVEL_GROUP: AgentLevel
AGENT_LEVEL_PETITION: AgentLevel
AGENT_STATUS_UNSPECIFIED: AgentStatus
AGENT_STATUS_ACTIVE: AgentStatus
AGENT_STATUS_ON_LEAVE: AgentStatus
AGENT_STATUS_INACTIVE: AgentStatus

class Agent(_message.Message):
    __slots__ = ("username", "name", "level", "village", "group", "backup", "status", "open_delegations", "created_at")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    BACKUP_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OPEN_DELEGATIONS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    username: str
    name: str
    level: AgentLevel
    village: str
    group: str
    backup: str
    status: AgentStatus
    open_delegations: int
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, username: _Optional[str] = ..., name: _Optional[str] = ..., level: _Optional[_Union[AgentLevel, str]] = ..., village: _Optional[str] = ..., group: _Optional[str] = ..., backup: _Optional[str] = ..., status: _Optional[_Union[AgentStatus, str]] = ..., open_delegations: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
