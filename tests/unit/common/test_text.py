"""The one text-normalising helper: trimming, bounded text, closed lists of words."""

from __future__ import annotations

import pytest

from libs.common.errors import ValidationFailed
from libs.common.text import check_one_of, check_text, clean_name, trimmed


def test_trimmed_strips_strings_and_leaves_the_rest_for_their_check() -> None:
    assert trimmed("  办证 \n") == "办证"
    assert trimmed(None) is None and trimmed(3) == 3


def test_check_text_bounds_length_and_refuses_blank_when_required() -> None:
    check_text("x" * 10, "matter", 10)
    check_text("", "note", 10, required=False)
    with pytest.raises(ValidationFailed, match="matter must be 1-10 characters"):
        check_text("x" * 11, "matter", 10)
    with pytest.raises(ValidationFailed, match="1-10"):
        check_text("   ", "matter", 10)
    with pytest.raises(ValidationFailed, match="0-10"):
        check_text(None, "note", 10, required=False)


def test_check_text_refuses_nul() -> None:
    with pytest.raises(ValidationFailed, match="NUL"):
        check_text("a\x00b", "matter", 10)


def test_check_one_of_names_the_allowed_words() -> None:
    check_one_of("phone", ("walk_in", "phone"), "channel")
    check_one_of("b", iter(["a", "b"]), "letter")
    with pytest.raises(ValidationFailed, match="channel must be one of walk_in, phone; got 'fax'"):
        check_one_of("fax", ("walk_in", "phone"), "channel")


def test_a_name_is_kept_nfc_and_trimmed() -> None:
    decomposed = "Ame\u0301lie"  # é typed as e + combining acute
    assert clean_name(f"  {decomposed} ", "name") == "Amélie" and len(clean_name(decomposed, "name")) == 6
    assert clean_name(" 𠮷田 ", "name") == "𠮷田"  # a character beyond the BMP is a name's own


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "张\u202e三",
        "\u202d李四",
        "王\u2066五",
        "赵\x07六",
        "孙\u200b七",
        "周\n八",
        "x" * 101,
        None,
        3,
    ],
)
def test_a_name_refuses_control_and_direction_characters(bad: object) -> None:
    with pytest.raises(ValidationFailed, match="applicant name must"):
        clean_name(bad, "applicant name")
