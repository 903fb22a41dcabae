"""The one enum codec: proto enum numbers ↔ the API's lower-case words."""

from __future__ import annotations

import pytest
from bianmin.intake.v1 import inquiry_pb2
from bianmin.notify.v1 import notification_pb2 as npb

from libs.common.grpc.enums import enum_number, enum_word

CHANNEL = (inquiry_pb2.InquiryChannel, "INQUIRY_CHANNEL_")


def test_words_and_numbers_round_trip() -> None:
    number = enum_number(*CHANNEL, "walk_in")
    assert number == inquiry_pb2.INQUIRY_CHANNEL_WALK_IN
    assert enum_word(*CHANNEL, number) == "walk_in"
    assert (
        enum_word(npb.DeliveryStatus, "DELIVERY_STATUS_", npb.DELIVERY_STATUS_DEAD_LETTERED)
        == "dead_lettered"
    )


def test_none_is_unspecified_both_ways() -> None:
    assert enum_number(*CHANNEL, "") == enum_number(*CHANNEL, None) == 0
    assert enum_word(*CHANNEL, 0) == ""


def test_what_the_enum_lacks_raises_unless_the_caller_says_what_stands_for_it() -> None:
    with pytest.raises(ValueError):
        enum_number(*CHANNEL, "carrier_pigeon")
    with pytest.raises(ValueError):
        enum_word(*CHANNEL, 999)
    assert enum_number(*CHANNEL, "carrier_pigeon", unknown=0) == 0
    assert enum_word(*CHANNEL, 999, unknown="") == ""
