import datetime

from bianmin.appraisal.v1 import rulebook_pb2 as _rulebook_pb2
from bianmin.common.v1 import satisfaction_pb2 as _satisfaction_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TownshipIndicator(_message.Message):
    __slots__ = ("code", "name", "max_points", "points", "source", "basis", "evidence")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MAX_POINTS_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    BASIS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    max_points: float
    points: float
    source: _rulebook_pb2.RuleSource
    basis: str
    evidence: str
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., max_points: _Optional[float] = ..., points: _Optional[float] = ..., source: _Optional[_Union[_rulebook_pb2.RuleSource, str]] = ..., basis: _Optional[str] = ..., evidence: _Optional[str] = ...) -> None: ...

class TownshipAssessment(_message.Message):
    __slots__ = ("tenant_id", "township_name", "quarter", "indicators", "total")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TOWNSHIP_NAME_FIELD_NUMBER: _ClassVar[int]
    QUARTER_FIELD_NUMBER: _ClassVar[int]
    INDICATORS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    township_name: str
    quarter: str
    indicators: _containers.RepeatedCompositeFieldContainer[TownshipIndicator]
    total: float
    def __init__(self, tenant_id: _Optional[str] = ..., township_name: _Optional[str] = ..., quarter: _Optional[str] = ..., indicators: _Optional[_Iterable[_Union[TownshipIndicator, _Mapping]]] = ..., total: _Optional[float] = ...) -> None: ...

class Callback(_message.Message):
    __slots__ = ("case_id", "result", "note", "called_by", "called_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CALLED_BY_FIELD_NUMBER: _ClassVar[int]
    CALLED_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    result: _satisfaction_pb2.Satisfaction
    note: str
    called_by: str
    called_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., result: _Optional[_Union[_satisfaction_pb2.Satisfaction, str]] = ..., note: _Optional[str] = ..., called_by: _Optional[str] = ..., called_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
