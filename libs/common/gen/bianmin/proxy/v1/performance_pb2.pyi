from bianmin.proxy.v1 import agent_pb2 as _agent_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Quota(_message.Message):
    __slots__ = ("agent", "level", "month", "required", "done", "shortfall", "penalty_fen")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    SHORTFALL_FIELD_NUMBER: _ClassVar[int]
    PENALTY_FEN_FIELD_NUMBER: _ClassVar[int]
    agent: str
    level: _agent_pb2.AgentLevel
    month: str
    required: int
    done: int
    shortfall: int
    penalty_fen: int
    def __init__(self, agent: _Optional[str] = ..., level: _Optional[_Union[_agent_pb2.AgentLevel, str]] = ..., month: _Optional[str] = ..., required: _Optional[int] = ..., done: _Optional[int] = ..., shortfall: _Optional[int] = ..., penalty_fen: _Optional[int] = ...) -> None: ...

class VillageStars(_message.Message):
    __slots__ = ("village", "quarter", "satisfaction_rate", "completion_rate", "stars", "delegations")
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    QUARTER_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_RATE_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    STARS_FIELD_NUMBER: _ClassVar[int]
    DELEGATIONS_FIELD_NUMBER: _ClassVar[int]
    village: str
    quarter: str
    satisfaction_rate: float
    completion_rate: float
    stars: int
    delegations: int
    def __init__(self, village: _Optional[str] = ..., quarter: _Optional[str] = ..., satisfaction_rate: _Optional[float] = ..., completion_rate: _Optional[float] = ..., stars: _Optional[int] = ..., delegations: _Optional[int] = ...) -> None: ...
