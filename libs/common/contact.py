"""Checks of what identifies and reaches a person: one check for every phone number the platform
takes in (staff at onboarding, applicants when a case is received), so that an SMS is never
queued for a number no one could answer, and one for resident ID numbers."""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from libs.common.errors import ValidationFailed

# as people write it: digits with an optional leading '+', spaces, dashes and brackets —
# 13812345678, 138 1234 5678, +86 138-1234-5678, 0776-5551234, (0776) 5551234
_PHONE = re.compile(r"\+?[\d\s\-()]{7,20}")
MIN_DIGITS = 7  # a local landline number without its area code


def check_phone(value: object, what: str = "phone") -> str:
    """`value` trimmed when it is a phone number as people write it (7-20 characters of digits,
    '+', spaces, dashes and brackets, at least 7 of them digits); ValidationFailed otherwise."""
    text = value.strip() if isinstance(value, str) else ""
    if not _PHONE.fullmatch(text) or sum(map(str.isdigit, text)) < MIN_DIGITS:
        raise ValidationFailed(f"{what} must be a phone number (7-20 digits, '+', '-', spaces)")
    return text


def check_resident_id(value: object, what: str = "id_number") -> str:
    """`value` as an 18-character resident ID number (居民身份证号码, GB 11643: region, birth
    date, sequence and check digit, 'X' upper-case) when it is one; ValidationFailed otherwise."""
    text = value if isinstance(value, str) else ""
    try:
        return str(ric.validate(text))
    except stdnum_errors.ValidationError as exc:
        raise ValidationFailed(f"{what} must be an 18-character resident ID number: {exc}") from exc
