from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class Satisfaction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SATISFACTION_UNSPECIFIED: _ClassVar[Satisfaction]
    SATISFACTION_SATISFIED: _ClassVar[Satisfaction]
    SATISFACTION_BASICALLY_SATISFIED: _ClassVar[Satisfaction]
    SATISFACTION_DISSATISFIED: _ClassVar[Satisfaction]
SATISFACTION_UNSPECIFIED: Satisfaction
SATISFACTION_SATISFIED: Satisfaction
SATISFACTION_BASICALLY_SATISFIED: Satisfaction
SATISFACTION_DISSATISFIED: Satisfaction
