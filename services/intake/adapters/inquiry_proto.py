"""First-ask register entries between the domain and `bianmin.intake.v1` protos (both ways).

The channel travels as the API's lower-case word: INQUIRY_CHANNEL_WALK_IN ↔ "walk_in"."""

from __future__ import annotations

from bianmin.intake.v1 import events_pb2
from bianmin.intake.v1 import inquiry_pb2 as pb
from bianmin.intake.v1 import intake_service_pb2 as spb

from libs.common.grpc.enums import enum_number, enum_word
from services.intake.domain.inquiry import Inquiry, RegisteredInquiry, inquiry

_PREFIX = "INQUIRY_CHANNEL_"


def channel_word(value: int) -> str:
    """The API word of a channel ("" for UNSPECIFIED or an unknown number)."""
    return enum_word(pb.InquiryChannel, _PREFIX, value, unknown="")


def channel_number(word: str) -> int:
    return enum_number(pb.InquiryChannel, _PREFIX, word, unknown=0)


def inquiry_from_request(request: spb.RegisterInquiryRequest) -> Inquiry:
    """Validates (raises ValidationFailed); an UNSPECIFIED channel is refused by the domain."""
    return inquiry(
        {
            "channel": channel_word(request.channel),
            "citizen_name": request.citizen_name,
            "organisation": request.organisation,
            "contact": request.contact,
            "matter": request.matter,
            "item_code": request.item_code,
            "result": request.result,
            "routed_to": request.routed_to,
        }
    )


def inquiry_to_pb(entry: RegisteredInquiry) -> pb.Inquiry:
    i = entry.inquiry
    message = pb.Inquiry(
        id=entry.id,
        channel=channel_number(i.channel),  # type: ignore[arg-type]
        citizen_name=i.citizen_name,
        organisation=i.organisation,
        contact=i.contact,
        matter=i.matter,
        item_code=i.item_code,
        result=i.result,
        routed_to=i.routed_to,
        first_ask=entry.first_ask,
        case_id=entry.case_id,
    )
    message.registered_at.FromDatetime(entry.registered_at)
    return message


def registered_event(entry: RegisteredInquiry) -> events_pb2.InquiryRegistered:
    """The event of a new entry: no personal data (no name, no contact, no matter text)."""
    event = events_pb2.InquiryRegistered(
        inquiry_id=entry.id, first_ask=entry.first_ask, item_code=entry.inquiry.item_code
    )
    event.registered_at.FromDatetime(entry.registered_at)
    return event
