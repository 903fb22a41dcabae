"""The first-ask register's rules (services/intake/domain/inquiry.py, DOMAIN.md §4, §11): what a
valid entry is, "never not my business", who sees the citizen's data in full, and the date range
of a register query. Pure: no database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from libs.common.errors import ValidationFailed
from services.intake.domain.inquiry import (
    CHANNELS,
    RESULTS,
    Inquiry,
    RegisteredInquiry,
    as_data,
    day_range,
    inquiry,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def data(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "channel": "walk_in",
        "citizen_name": " 张三丰 ",
        "contact": "13812345678",
        "matter": " 咨询低保申请需要哪些材料 ",
        "result": "answered",
    }
    return {**base, **overrides}


def registered(entry: Inquiry, first_ask: str = "desk_li") -> RegisteredInquiry:
    return RegisteredInquiry("i-1", entry, first_ask, datetime(2026, 3, 2, 1, 30, tzinfo=UTC))


def test_a_valid_entry_is_trimmed_and_round_trips() -> None:
    entry = inquiry(data(item_code="db_apply", organisation=" 那坡村委 "))
    assert (entry.citizen_name, entry.matter, entry.organisation) == (
        "张三丰",
        "咨询低保申请需要哪些材料",
        "那坡村委",
    )
    assert (entry.item_code, entry.routed_to) == ("db_apply", "")
    assert inquiry(as_data(entry)) == entry


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("result", [r for r in RESULTS if r != "routed"])
def test_every_channel_and_unrouted_result_is_accepted(channel: str, result: str) -> None:
    assert inquiry(data(channel=channel, result=result)).channel == channel


def test_a_routed_matter_must_say_where_the_citizen_was_sent() -> None:
    """首问负责制: never "not my business" — a routed citizen is told which window or office."""
    with pytest.raises(ValidationFailed, match="routed_to"):
        inquiry(data(result="routed"))
    with pytest.raises(ValidationFailed, match="routed_to"):
        inquiry(data(result="routed", routed_to="   "))
    routed = inquiry(data(result="routed", routed_to=" 县社保局三楼 "))
    assert routed.routed_to == "县社保局三楼"


def test_routed_to_belongs_to_routed_matters_only() -> None:
    with pytest.raises(ValidationFailed, match="only for a routed inquiry"):
        inquiry(data(result="handled", routed_to="民政窗口"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "online"),
        ("channel", ""),
        ("result", "not_my_business"),
        ("result", ""),
        ("citizen_name", ""),
        ("citizen_name", "   "),
        ("citizen_name", "张" * 101),
        ("contact", ""),
        ("contact", 13812345678),
        ("matter", ""),
        ("matter", "事" * 2001),
        ("item_code", "Not A Code"),
        ("organisation", "单" * 201),
        ("citizen_name", "张\x00三"),
    ],
)
def test_invalid_fields_are_refused(field: str, value: Any) -> None:
    with pytest.raises(ValidationFailed):
        inquiry(data(**{field: value}))


@pytest.mark.parametrize("missing", ["channel", "citizen_name", "contact", "matter", "result"])
def test_required_fields(missing: str) -> None:
    body = data()
    del body[missing]
    with pytest.raises(ValidationFailed, match=missing):
        inquiry(body)


def test_the_registrar_sees_the_entry_in_full_everyone_else_masked() -> None:
    entry = registered(inquiry(data(matter="来电 13912345678 咨询户口迁移", organisation="那坡村委")))
    assert entry.seen_by("desk_li") == entry
    masked = entry.seen_by("window_wang").inquiry
    assert masked.citizen_name == "张**"
    assert masked.contact == "138****5678"
    assert masked.matter == "来电 139****5678 咨询户口迁移"
    # not personal data: what the register is for stays readable
    assert (masked.organisation, masked.result, masked.channel) == ("那坡村委", "answered", "walk_in")
    assert entry.seen_by("window_wang").first_ask == "desk_li"
    assert entry.masked().masked() == entry.masked()  # idempotent


def test_a_contact_that_is_not_a_phone_is_masked_too() -> None:
    entry = registered(inquiry(data(contact="张三丰家 村东头")))
    assert "三丰" not in entry.masked().inquiry.contact


def test_day_range_is_whole_days_in_the_county_time_zone() -> None:
    start, end = day_range("2026-03-02", "2026-03-03", SHANGHAI)
    assert start == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # to is inclusive
    assert day_range("", "", SHANGHAI) == (None, None)
    assert day_range("2026-03-02", "", SHANGHAI)[1] is None
    assert day_range("", "2026-03-02", SHANGHAI)[0] is None
    assert day_range("2026-03-02", "2026-03-02", SHANGHAI)[0] is not None


@pytest.mark.parametrize(
    ("from_date", "to_date"),
    [("2026-03-03", "2026-03-02"), ("2026-3-2", ""), ("", "yesterday"), ("2026-02-30", ""), ("20260302", "")],
)
def test_invalid_day_ranges_are_refused(from_date: str, to_date: str) -> None:
    with pytest.raises(ValidationFailed):
        day_range(from_date, to_date, SHANGHAI)
