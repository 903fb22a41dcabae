import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ItemCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ITEM_CATEGORY_UNSPECIFIED: _ClassVar[ItemCategory]
    ITEM_CATEGORY_CIVIL_AFFAIRS: _ClassVar[ItemCategory]
    ITEM_CATEGORY_FAMILY_PLANNING: _ClassVar[ItemCategory]
    ITEM_CATEGORY_HOUSEHOLD_REGISTRATION: _ClassVar[ItemCategory]
    ITEM_CATEGORY_FORESTRY: _ClassVar[ItemCategory]
    ITEM_CATEGORY_LAND: _ClassVar[ItemCategory]
    ITEM_CATEGORY_SOCIAL_SECURITY: _ClassVar[ItemCategory]
    ITEM_CATEGORY_RURAL_ECONOMY: _ClassVar[ItemCategory]
    ITEM_CATEGORY_PARTY_AFFAIRS: _ClassVar[ItemCategory]
    ITEM_CATEGORY_PETITION: _ClassVar[ItemCategory]
    ITEM_CATEGORY_OTHER: _ClassVar[ItemCategory]

class HandlingLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HANDLING_LEVEL_UNSPECIFIED: _ClassVar[HandlingLevel]
    HANDLING_LEVEL_VILLAGE: _ClassVar[HandlingLevel]
    HANDLING_LEVEL_TOWNSHIP: _ClassVar[HandlingLevel]
    HANDLING_LEVEL_COUNTY: _ClassVar[HandlingLevel]

class ItemKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ITEM_KIND_UNSPECIFIED: _ClassVar[ItemKind]
    ITEM_KIND_REGISTRATION: _ClassVar[ItemKind]
    ITEM_KIND_FILING: _ClassVar[ItemKind]
    ITEM_KIND_APPROVAL: _ClassVar[ItemKind]
ITEM_CATEGORY_UNSPECIFIED: ItemCategory
ITEM_CATEGORY_CIVIL_AFFAIRS: ItemCategory
ITEM_CATEGORY_FAMILY_PLANNING: ItemCategory
ITEM_CATEGORY_HOUSEHOLD_REGISTRATION: ItemCategory
ITEM_CATEGORY_FORESTRY: ItemCategory
ITEM_CATEGORY_LAND: ItemCategory
ITEM_CATEGORY_SOCIAL_SECURITY: ItemCategory
ITEM_CATEGORY_RURAL_ECONOMY: ItemCategory
ITEM_CATEGORY_PARTY_AFFAIRS: ItemCategory
ITEM_CATEGORY_PETITION: ItemCategory
ITEM_CATEGORY_OTHER: ItemCategory
HANDLING_LEVEL_UNSPECIFIED: HandlingLevel
HANDLING_LEVEL_VILLAGE: HandlingLevel
HANDLING_LEVEL_TOWNSHIP: HandlingLevel
HANDLING_LEVEL_COUNTY: HandlingLevel
ITEM_KIND_UNSPECIFIED: ItemKind
ITEM_KIND_REGISTRATION: ItemKind
ITEM_KIND_FILING: ItemKind
ITEM_KIND_APPROVAL: ItemKind

class Material(_message.Message):
    __slots__ = ("code", "name", "required", "originals", "copies", "supply_later")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    ORIGINALS_FIELD_NUMBER: _ClassVar[int]
    COPIES_FIELD_NUMBER: _ClassVar[int]
    SUPPLY_LATER_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    required: bool
    originals: int
    copies: int
    supply_later: bool
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., required: _Optional[bool] = ..., originals: _Optional[int] = ..., copies: _Optional[int] = ..., supply_later: _Optional[bool] = ...) -> None: ...

class CatalogueItem(_message.Message):
    __slots__ = ("code", "name", "category", "level", "kind", "statutory_days", "promised_days", "materials", "proxyable", "in_person", "privacy_sensitive", "departments", "fee_fen", "guide", "overridden", "version", "updated_at")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUTORY_DAYS_FIELD_NUMBER: _ClassVar[int]
    PROMISED_DAYS_FIELD_NUMBER: _ClassVar[int]
    MATERIALS_FIELD_NUMBER: _ClassVar[int]
    PROXYABLE_FIELD_NUMBER: _ClassVar[int]
    IN_PERSON_FIELD_NUMBER: _ClassVar[int]
    PRIVACY_SENSITIVE_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENTS_FIELD_NUMBER: _ClassVar[int]
    FEE_FEN_FIELD_NUMBER: _ClassVar[int]
    GUIDE_FIELD_NUMBER: _ClassVar[int]
    OVERRIDDEN_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    category: ItemCategory
    level: HandlingLevel
    kind: ItemKind
    statutory_days: int
    promised_days: int
    materials: _containers.RepeatedCompositeFieldContainer[Material]
    proxyable: bool
    in_person: bool
    privacy_sensitive: bool
    departments: _containers.RepeatedScalarFieldContainer[str]
    fee_fen: int
    guide: ServiceGuide
    overridden: bool
    version: int
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., category: _Optional[_Union[ItemCategory, str]] = ..., level: _Optional[_Union[HandlingLevel, str]] = ..., kind: _Optional[_Union[ItemKind, str]] = ..., statutory_days: _Optional[int] = ..., promised_days: _Optional[int] = ..., materials: _Optional[_Iterable[_Union[Material, _Mapping]]] = ..., proxyable: _Optional[bool] = ..., in_person: _Optional[bool] = ..., privacy_sensitive: _Optional[bool] = ..., departments: _Optional[_Iterable[str]] = ..., fee_fen: _Optional[int] = ..., guide: _Optional[_Union[ServiceGuide, _Mapping]] = ..., overridden: _Optional[bool] = ..., version: _Optional[int] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ServiceGuide(_message.Message):
    __slots__ = ("item_code", "item_name", "procedure", "legal_basis", "windows", "materials", "promised_days", "fee_fen")
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    ITEM_NAME_FIELD_NUMBER: _ClassVar[int]
    PROCEDURE_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    WINDOWS_FIELD_NUMBER: _ClassVar[int]
    MATERIALS_FIELD_NUMBER: _ClassVar[int]
    PROMISED_DAYS_FIELD_NUMBER: _ClassVar[int]
    FEE_FEN_FIELD_NUMBER: _ClassVar[int]
    item_code: str
    item_name: str
    procedure: str
    legal_basis: str
    windows: _containers.RepeatedScalarFieldContainer[str]
    materials: _containers.RepeatedCompositeFieldContainer[Material]
    promised_days: int
    fee_fen: int
    def __init__(self, item_code: _Optional[str] = ..., item_name: _Optional[str] = ..., procedure: _Optional[str] = ..., legal_basis: _Optional[str] = ..., windows: _Optional[_Iterable[str]] = ..., materials: _Optional[_Iterable[_Union[Material, _Mapping]]] = ..., promised_days: _Optional[int] = ..., fee_fen: _Optional[int] = ...) -> None: ...
