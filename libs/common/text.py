"""Checks and normalising of the text a request carries, as every domain module does them:
surrounding white space trimmed, lengths bounded, NUL refused, words from a closed list. Pure."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from libs.common.errors import ValidationFailed


def trimmed(value: Any) -> Any:
    """A string without surrounding white space; anything else as it is (for its check to refuse)."""
    return value.strip() if isinstance(value, str) else value


def check_text(value: object, what: str, limit: int, *, required: bool = True) -> None:
    """ValidationFailed unless `value` is a string of at most `limit` characters, not blank when
    `required`, with no NUL character (PostgreSQL cannot store one in text)."""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise ValidationFailed(f"{what} must be {'1' if required else '0'}-{limit} characters")
    if "\x00" in value:
        raise ValidationFailed(f"{what} may not contain NUL characters")


def check_one_of(value: object, allowed: Iterable[str], what: str) -> None:
    """ValidationFailed unless `value` is one of the words `allowed`."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValidationFailed(f"{what} must be one of {', '.join(allowed)}; got {value!r}")


def clean_name(value: object, what: str, limit: int = 100) -> str:
    """A name as it is kept (a person's, a township's, an item's): NFC-normalised, so one spelling
    is one string however it was typed; trimmed; 1-`limit` characters; nothing unprintable —
    control characters and direction overrides (U+202E shows 'abc' as 'cba') are refused."""
    if not isinstance(value, str):
        raise ValidationFailed(f"{what} must be 1-{limit} characters")
    name = unicodedata.normalize("NFC", value).strip()
    if not name or len(name) > limit:
        raise ValidationFailed(f"{what} must be 1-{limit} characters")
    if not name.isprintable():  # Cc, Cf (bidi controls, zero-width), separators other than space
        raise ValidationFailed(f"{what} must not contain control or text-direction characters")
    return name
