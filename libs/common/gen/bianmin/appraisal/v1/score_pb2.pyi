import datetime

from bianmin.appraisal.v1 import rulebook_pb2 as _rulebook_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Grade(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GRADE_UNSPECIFIED: _ClassVar[Grade]
    GRADE_EXCELLENT: _ClassVar[Grade]
    GRADE_QUALIFIED: _ClassVar[Grade]
    GRADE_UNQUALIFIED: _ClassVar[Grade]
    GRADE_COMPETENT: _ClassVar[Grade]
    GRADE_BASICALLY_COMPETENT: _ClassVar[Grade]
    GRADE_INCOMPETENT: _ClassVar[Grade]
GRADE_UNSPECIFIED: Grade
GRADE_EXCELLENT: Grade
GRADE_QUALIFIED: Grade
GRADE_UNQUALIFIED: Grade
GRADE_COMPETENT: Grade
GRADE_BASICALLY_COMPETENT: Grade
GRADE_INCOMPETENT: Grade

class Subject(_message.Message):
    __slots__ = ("type", "id")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    type: _rulebook_pb2.SubjectType
    id: str
    def __init__(self, type: _Optional[_Union[_rulebook_pb2.SubjectType, str]] = ..., id: _Optional[str] = ...) -> None: ...

class ScoreEvent(_message.Message):
    __slots__ = ("id", "subject", "rule_code", "points", "count", "source", "evidence", "ref", "occurred_at", "period", "recorded_by", "voided", "recorded_at", "variant", "facts_json", "withdrawn_by", "rulebook_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    RULE_CODE_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    VOIDED_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    FACTS_JSON_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_BY_FIELD_NUMBER: _ClassVar[int]
    RULEBOOK_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    subject: Subject
    rule_code: str
    points: float
    count: int
    source: _rulebook_pb2.RuleSource
    evidence: str
    ref: str
    occurred_at: _timestamp_pb2.Timestamp
    period: str
    recorded_by: str
    voided: bool
    recorded_at: _timestamp_pb2.Timestamp
    variant: str
    facts_json: str
    withdrawn_by: str
    rulebook_id: str
    def __init__(self, id: _Optional[str] = ..., subject: _Optional[_Union[Subject, _Mapping]] = ..., rule_code: _Optional[str] = ..., points: _Optional[float] = ..., count: _Optional[int] = ..., source: _Optional[_Union[_rulebook_pb2.RuleSource, str]] = ..., evidence: _Optional[str] = ..., ref: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period: _Optional[str] = ..., recorded_by: _Optional[str] = ..., voided: _Optional[bool] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., variant: _Optional[str] = ..., facts_json: _Optional[str] = ..., withdrawn_by: _Optional[str] = ..., rulebook_id: _Optional[str] = ...) -> None: ...

class Veto(_message.Message):
    __slots__ = ("code", "description", "consequence")
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CONSEQUENCE_FIELD_NUMBER: _ClassVar[int]
    code: str
    description: str
    consequence: str
    def __init__(self, code: _Optional[str] = ..., description: _Optional[str] = ..., consequence: _Optional[str] = ...) -> None: ...

class Score(_message.Message):
    __slots__ = ("subject", "period", "score", "grade", "vetoes", "events", "rank", "final", "name", "title", "consequences", "run")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    VETOES_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CONSEQUENCES_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    subject: Subject
    period: str
    score: float
    grade: Grade
    vetoes: _containers.RepeatedCompositeFieldContainer[Veto]
    events: _containers.RepeatedCompositeFieldContainer[ScoreEvent]
    rank: int
    final: bool
    name: str
    title: str
    consequences: _containers.RepeatedScalarFieldContainer[str]
    run: int
    def __init__(self, subject: _Optional[_Union[Subject, _Mapping]] = ..., period: _Optional[str] = ..., score: _Optional[float] = ..., grade: _Optional[_Union[Grade, str]] = ..., vetoes: _Optional[_Iterable[_Union[Veto, _Mapping]]] = ..., events: _Optional[_Iterable[_Union[ScoreEvent, _Mapping]]] = ..., rank: _Optional[int] = ..., final: _Optional[bool] = ..., name: _Optional[str] = ..., title: _Optional[str] = ..., consequences: _Optional[_Iterable[str]] = ..., run: _Optional[int] = ...) -> None: ...
