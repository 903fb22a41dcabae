"""The one paging helper: page sizes, splitting a page off its rows, and the page tokens."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from libs.common import paging
from libs.common.errors import ValidationFailed

AT = datetime(2024, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_page_size_defaults_and_clamps_or_refuses_above_the_maximum() -> None:
    assert paging.page_size(0) == paging.DEFAULT_PAGE_SIZE == 50
    assert paging.page_size(7) == 7
    assert paging.page_size(10_000) == paging.MAX_PAGE_SIZE == 200
    assert paging.page_size(200, clamp=False) == 200
    with pytest.raises(ValidationFailed, match="0..200"):
        paging.page_size(201, clamp=False)
    with pytest.raises(ValidationFailed):
        paging.page_size(-1)
    with pytest.raises(ValidationFailed):
        paging.page_size(-1, clamp=False)


def test_split_tells_a_next_page_by_the_one_row_more() -> None:
    assert paging.split([1, 2, 3], 2, str) == ([1, 2], "2")
    assert paging.split([1, 2], 2, str) == ([1, 2], "")
    assert paging.split([], 2, str) == ([], "")


def test_a_time_key_token_round_trips_in_utc() -> None:
    token = paging.time_key_token(AT, "case-1")
    assert token == "2024-03-01T01:30:00+00:00|case-1"
    assert paging.decode_time_key(token) == (AT, "case-1")
    row_id = uuid.uuid4()
    assert paging.decode_time_key(paging.time_key_token(AT, row_id), uuid.UUID) == (AT, row_id)
    assert paging.decode_time_key(paging.time_key_token(AT, 42), paging.digits) == (AT, 42)


@pytest.mark.parametrize(
    "token",
    ["", "no-bar", "2024-03-01T01:30:00+00:00|", "yesterday|x", "2024-03-01T01:30:00|naive", "x" * 201],
)
def test_a_time_key_token_it_did_not_make_is_refused(token: str) -> None:
    with pytest.raises(ValidationFailed, match="page_token is not valid"):
        paging.decode_time_key(token)


def test_a_time_key_is_parsed_by_its_kind_and_bounded_in_length() -> None:
    with pytest.raises(ValidationFailed, match="gave out"):
        paging.decode_time_key(f"{AT.isoformat()}|not-a-uuid", uuid.UUID, invalid="not one we gave out")
    for key in ("-5", " 5", "5x"):
        with pytest.raises(ValidationFailed):
            paging.decode_time_key(f"{AT.isoformat()}|{key}", paging.digits)
    with pytest.raises(ValidationFailed):
        paging.decode_time_key(f"{AT.isoformat()}|{'1' * 80}", paging.digits, max_length=100)


def test_a_key_token_round_trips_and_refuses_what_it_did_not_make() -> None:
    token = paging.key_token("napo.baise")
    assert "=" not in token
    assert paging.decode_key(token) == "napo.baise"
    assert paging.decode_key(paging.key_token(3), int) == 3
    for bad in ("%%%", "bm90IGpzb24", paging.key_token(3), token[:-2]):
        with pytest.raises(ValidationFailed, match="page_token is not valid"):
            paging.decode_key(bad)


def test_a_page_request_reads_the_fields_and_splits_its_rows() -> None:
    first = paging.PageRequest.of(0, "")
    assert (first.size, first.after) == (50, None)
    page = paging.PageRequest.of(2, paging.key_token("a"))
    assert page.after == "a"
    items, token = page.split([{"id": "b"}, {"id": "c"}, {"id": "d"}], "id")
    assert [i["id"] for i in items] == ["b", "c"]
    assert paging.PageRequest.of(2, token).after == "c"
    with pytest.raises(ValidationFailed):
        paging.PageRequest.of(201, "")


def test_page_holds_the_items_and_the_next_token() -> None:
    page = paging.Page(["x"], "")
    assert (page.items, page.next_page_token) == (["x"], "")
