"""The routers' shared JSON ↔ gRPC translation: If-Match, enum words, local times."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from bianmin.notify.v1 import notification_pb2 as npb

from libs.common.errors import ValidationFailed
from libs.common.grpc.enums import enum_number
from services.gateway.entrypoints.http.translate import if_match_version, json_word, local_time


@pytest.mark.parametrize(
    ("header", "version"),
    [(None, 0), ("", 0), ('"7"', 7), ('W/"12"', 12), ("3", 3), ('"9223372036854775807"', 2**63 - 1)],
)
def test_if_match_gives_the_expected_version(header: str | None, version: int) -> None:
    assert if_match_version(header) == version


@pytest.mark.parametrize(
    "header",
    [
        '"0"',
        '"-1"',
        '"seven"',
        '"1.5"',
        '"9223372036854775808"',
        '"99999999999999999999999"',
        '"²"',
        '"' + "9" * 5000 + '"',
    ],
)
def test_a_malformed_if_match_is_a_validation_error(header: str) -> None:
    with pytest.raises(ValidationFailed):
        if_match_version(header)


def test_enum_words_round_trip_and_unspecified_is_none() -> None:
    number = enum_number(npb.DeliveryStatus, "DELIVERY_STATUS_", "dead_lettered")
    assert number == npb.DELIVERY_STATUS_DEAD_LETTERED
    assert json_word(npb.DeliveryStatus, "DELIVERY_STATUS_", number) == "dead_lettered"
    assert enum_number(npb.DeliveryStatus, "DELIVERY_STATUS_", None) == 0
    assert json_word(npb.DeliveryStatus, "DELIVERY_STATUS_", 0) is None


def test_times_are_shown_in_the_county_zone_with_its_offset() -> None:
    item = npb.InboxItem()
    assert local_time(item, "read_at", ZoneInfo("Asia/Shanghai")) is None
    item.created_at.FromDatetime(datetime(2026, 2, 5, 9, 30, tzinfo=UTC))
    assert local_time(item, "created_at", ZoneInfo("Asia/Shanghai")) == "2026-02-05T17:30:00+08:00"
