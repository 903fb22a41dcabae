"""The one phone check (libs/common/contact.py): numbers as people write them pass, trimmed;
anything no SMS could reach is a validation error."""

from __future__ import annotations

import pytest

from libs.common.contact import check_phone, check_resident_id
from libs.common.errors import ValidationFailed


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "138 1234 5678"),
        ("+86 138-1234-5678", "+86 138-1234-5678"),
        ("0776-5551234", "0776-5551234"),
        ("(0776) 5551234", "(0776) 5551234"),
        ("5551234", "5551234"),  # a local number without its area code
    ],
)
def test_phone_numbers_as_people_write_them(written: str, kept: str) -> None:
    assert check_phone(written) == kept


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "123", "555-12", "call me", "138****5678", "+86+13812345678", "1" * 21, None, 13812345678],
)
def test_what_no_sms_could_reach_is_refused(bad: object) -> None:
    with pytest.raises(ValidationFailed, match="applicant phone must be a phone number"):
        check_phone(bad, "applicant phone")


def test_a_resident_id_number_is_checked_to_its_check_digit() -> None:
    assert check_resident_id("11010519491231002X") == "11010519491231002X"
    assert check_resident_id("11010519491231002x") == "11010519491231002X"  # the X as printed
    for bad in ("12345", "110105194912310021", "11010519491331002X", "", None, "1101**********002X"):
        with pytest.raises(ValidationFailed, match="applicant id_number must be an 18-character"):
            check_resident_id(bad, "applicant id_number")
