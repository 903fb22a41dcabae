from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Department(_message.Message):
    __slots__ = ("code", "name", "county")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTY_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    county: bool
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., county: _Optional[bool] = ...) -> None: ...

class Window(_message.Message):
    __slots__ = ("code", "name", "department", "item_codes", "posts")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODES_FIELD_NUMBER: _ClassVar[int]
    POSTS_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    department: str
    item_codes: _containers.RepeatedScalarFieldContainer[str]
    posts: WindowPosts
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., department: _Optional[str] = ..., item_codes: _Optional[_Iterable[str]] = ..., posts: _Optional[_Union[WindowPosts, _Mapping]] = ...) -> None: ...

class WindowPosts(_message.Message):
    __slots__ = ("a", "b")
    A_FIELD_NUMBER: _ClassVar[int]
    B_FIELD_NUMBER: _ClassVar[int]
    a: str
    b: str
    def __init__(self, a: _Optional[str] = ..., b: _Optional[str] = ...) -> None: ...
