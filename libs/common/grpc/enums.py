"""Proto enums ↔ the API's words, one way for every service: CHANNEL_SMS ↔ "sms".

A proto enum value is named `<PREFIX><WORD>` in upper case, and the API (HTTP, the domain,
events) speaks the lower-case word; 0 is `<PREFIX>UNSPECIFIED`, which means "none" and is the
word "". A name or number the enum does not know raises ValueError, unless the caller says what
stands for it (`unknown=`): adapters pass 0 or "" so that the domain refuses it with its own
message, and a newer peer's value reads as none. Pure: `enum` is any generated enum wrapper."""

from __future__ import annotations

from typing import Any

_RAISE: Any = object()


def enum_number(enum: Any, prefix: str, word: str | None, *, unknown: int = _RAISE) -> int:
    """The API's word → the enum's number ("walk_in" → INQUIRY_CHANNEL_WALK_IN); none → 0."""
    if not word:
        return 0
    try:
        return int(enum.Value(prefix + word.upper()))
    except ValueError:
        if unknown is _RAISE:
            raise
        return unknown


def enum_word(enum: Any, prefix: str, number: int, *, unknown: str = _RAISE) -> str:
    """The enum's number → the API's word (INQUIRY_CHANNEL_WALK_IN → "walk_in"); UNSPECIFIED → ""."""
    try:
        name = str(enum.Name(number))
    except ValueError:
        if unknown is _RAISE:
            raise
        return unknown
    return "" if name.endswith("_UNSPECIFIED") else name.removeprefix(prefix).lower()
