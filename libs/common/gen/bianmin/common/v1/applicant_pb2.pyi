from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class Applicant(_message.Message):
    __slots__ = ("name", "phone", "id_number", "address", "masked", "email")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    ID_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    MASKED_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    name: str
    phone: str
    id_number: str
    address: str
    masked: bool
    email: str
    def __init__(self, name: _Optional[str] = ..., phone: _Optional[str] = ..., id_number: _Optional[str] = ..., address: _Optional[str] = ..., masked: _Optional[bool] = ..., email: _Optional[str] = ...) -> None: ...
