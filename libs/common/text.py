"""Checks and normalising of the text a request carries, as every domain module does them:
surrounding white space trimmed, lengths bounded, NUL refused, words from a closed list. Pure."""

from __future__ import annotations

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
