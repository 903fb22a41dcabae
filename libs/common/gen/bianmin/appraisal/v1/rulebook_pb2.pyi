import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubjectType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBJECT_TYPE_UNSPECIFIED: _ClassVar[SubjectType]
    SUBJECT_TYPE_WINDOW: _ClassVar[SubjectType]
    SUBJECT_TYPE_STAFF: _ClassVar[SubjectType]
    SUBJECT_TYPE_PROXY: _ClassVar[SubjectType]
    SUBJECT_TYPE_VILLAGE: _ClassVar[SubjectType]
    SUBJECT_TYPE_TOWNSHIP: _ClassVar[SubjectType]

class RuleUnit(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_UNIT_UNSPECIFIED: _ClassVar[RuleUnit]
    RULE_UNIT_CASE: _ClassVar[RuleUnit]
    RULE_UNIT_TIME: _ClassVar[RuleUnit]
    RULE_UNIT_DAY: _ClassVar[RuleUnit]
    RULE_UNIT_ITEM: _ClassVar[RuleUnit]
    RULE_UNIT_PERSON_TIME: _ClassVar[RuleUnit]

class RuleSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_SOURCE_UNSPECIFIED: _ClassVar[RuleSource]
    RULE_SOURCE_AUTO: _ClassVar[RuleSource]
    RULE_SOURCE_MANUAL: _ClassVar[RuleSource]
SUBJECT_TYPE_UNSPECIFIED: SubjectType
SUBJECT_TYPE_WINDOW: SubjectType
SUBJECT_TYPE_STAFF: SubjectType
SUBJECT_TYPE_PROXY: SubjectType
SUBJECT_TYPE_VILLAGE: SubjectType
SUBJECT_TYPE_TOWNSHIP: SubjectType
RULE_UNIT_UNSPECIFIED: RuleUnit
RULE_UNIT_CASE: RuleUnit
RULE_UNIT_TIME: RuleUnit
RULE_UNIT_DAY: RuleUnit
RULE_UNIT_ITEM: RuleUnit
RULE_UNIT_PERSON_TIME: RuleUnit
RULE_SOURCE_UNSPECIFIED: RuleSource
RULE_SOURCE_AUTO: RuleSource
RULE_SOURCE_MANUAL: RuleSource

class Rule(_message.Message):
    __slots__ = ("code", "subject_type", "description", "points", "unit", "source", "cap", "trigger", "condition", "variants")
    class VariantsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    CODE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CAP_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    code: str
    subject_type: SubjectType
    description: str
    points: float
    unit: RuleUnit
    source: RuleSource
    cap: float
    trigger: str
    condition: str
    variants: _containers.ScalarMap[str, float]
    def __init__(self, code: _Optional[str] = ..., subject_type: _Optional[_Union[SubjectType, str]] = ..., description: _Optional[str] = ..., points: _Optional[float] = ..., unit: _Optional[_Union[RuleUnit, str]] = ..., source: _Optional[_Union[RuleSource, str]] = ..., cap: _Optional[float] = ..., trigger: _Optional[str] = ..., condition: _Optional[str] = ..., variants: _Optional[_Mapping[str, float]] = ...) -> None: ...

class VetoRule(_message.Message):
    __slots__ = ("code", "subject_type", "description", "condition", "consequence")
    CODE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    CONSEQUENCE_FIELD_NUMBER: _ClassVar[int]
    code: str
    subject_type: SubjectType
    description: str
    condition: str
    consequence: str
    def __init__(self, code: _Optional[str] = ..., subject_type: _Optional[_Union[SubjectType, str]] = ..., description: _Optional[str] = ..., condition: _Optional[str] = ..., consequence: _Optional[str] = ...) -> None: ...

class GradeScale(_message.Message):
    __slots__ = ("subject_type", "excellent_min", "excellent_top", "excellent_max_share", "qualified_min", "basically_competent_min")
    SUBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXCELLENT_MIN_FIELD_NUMBER: _ClassVar[int]
    EXCELLENT_TOP_FIELD_NUMBER: _ClassVar[int]
    EXCELLENT_MAX_SHARE_FIELD_NUMBER: _ClassVar[int]
    QUALIFIED_MIN_FIELD_NUMBER: _ClassVar[int]
    BASICALLY_COMPETENT_MIN_FIELD_NUMBER: _ClassVar[int]
    subject_type: SubjectType
    excellent_min: float
    excellent_top: int
    excellent_max_share: float
    qualified_min: float
    basically_competent_min: float
    def __init__(self, subject_type: _Optional[_Union[SubjectType, str]] = ..., excellent_min: _Optional[float] = ..., excellent_top: _Optional[int] = ..., excellent_max_share: _Optional[float] = ..., qualified_min: _Optional[float] = ..., basically_competent_min: _Optional[float] = ...) -> None: ...

class Rulebook(_message.Message):
    __slots__ = ("id", "county", "name", "rules", "vetoes", "grades", "base_points", "version", "updated_at", "document_json", "effective_from", "read_only")
    ID_FIELD_NUMBER: _ClassVar[int]
    COUNTY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    VETOES_FIELD_NUMBER: _ClassVar[int]
    GRADES_FIELD_NUMBER: _ClassVar[int]
    BASE_POINTS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_JSON_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    id: str
    county: str
    name: str
    rules: _containers.RepeatedCompositeFieldContainer[Rule]
    vetoes: _containers.RepeatedCompositeFieldContainer[VetoRule]
    grades: _containers.RepeatedCompositeFieldContainer[GradeScale]
    base_points: float
    version: int
    updated_at: _timestamp_pb2.Timestamp
    document_json: str
    effective_from: str
    read_only: bool
    def __init__(self, id: _Optional[str] = ..., county: _Optional[str] = ..., name: _Optional[str] = ..., rules: _Optional[_Iterable[_Union[Rule, _Mapping]]] = ..., vetoes: _Optional[_Iterable[_Union[VetoRule, _Mapping]]] = ..., grades: _Optional[_Iterable[_Union[GradeScale, _Mapping]]] = ..., base_points: _Optional[float] = ..., version: _Optional[int] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., document_json: _Optional[str] = ..., effective_from: _Optional[str] = ..., read_only: _Optional[bool] = ...) -> None: ...
