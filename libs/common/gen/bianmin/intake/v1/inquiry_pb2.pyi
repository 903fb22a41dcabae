import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InquiryChannel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INQUIRY_CHANNEL_UNSPECIFIED: _ClassVar[InquiryChannel]
    INQUIRY_CHANNEL_WALK_IN: _ClassVar[InquiryChannel]
    INQUIRY_CHANNEL_PHONE: _ClassVar[InquiryChannel]
INQUIRY_CHANNEL_UNSPECIFIED: InquiryChannel
INQUIRY_CHANNEL_WALK_IN: InquiryChannel
INQUIRY_CHANNEL_PHONE: InquiryChannel

class Inquiry(_message.Message):
    __slots__ = ("id", "channel", "citizen_name", "organisation", "contact", "matter", "item_code", "result", "routed_to", "first_ask", "registered_at", "case_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CITIZEN_NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    MATTER_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ROUTED_TO_FIELD_NUMBER: _ClassVar[int]
    FIRST_ASK_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    channel: InquiryChannel
    citizen_name: str
    organisation: str
    contact: str
    matter: str
    item_code: str
    result: str
    routed_to: str
    first_ask: str
    registered_at: _timestamp_pb2.Timestamp
    case_id: str
    def __init__(self, id: _Optional[str] = ..., channel: _Optional[_Union[InquiryChannel, str]] = ..., citizen_name: _Optional[str] = ..., organisation: _Optional[str] = ..., contact: _Optional[str] = ..., matter: _Optional[str] = ..., item_code: _Optional[str] = ..., result: _Optional[str] = ..., routed_to: _Optional[str] = ..., first_ask: _Optional[str] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., case_id: _Optional[str] = ...) -> None: ...
