"""Keyset pages of list calls (API.md *Lists*: `page_size`, `page_token` → items and
`next_page_token`, empty on the last page).

A list is ordered by a unique sort key; the service asks for `size + 1` rows after the key a
page token carries, and one row more than the page tells there is a next page. Page tokens are
opaque to clients; a token this module did not make is `validation_error`. Two shapes:

- `time_key_token(at, key)`: `<instant>|<key>`, for lists in time order (the instant is the
  first sort key, the row's id breaks ties);
- `key_token(key)`: base64url of `{"v":1,"k":<key>}`, for lists ordered by one JSON value.

Neither is signed: the caller's tenant scope bounds what any token can reach, and an altered
token only moves the start of the page within that scope."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from libs.common.errors import ValidationFailed

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 200

T = TypeVar("T")
K = TypeVar("K")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items and the token of the next page ("" on the last)."""

    items: list[T]
    next_page_token: str


def page_size(requested: int, *, clamp: bool = True) -> int:
    """The size of a page the caller asked for: 0 → DEFAULT_PAGE_SIZE; negative → ValidationFailed;
    above MAX_PAGE_SIZE → MAX_PAGE_SIZE, or ValidationFailed when not `clamp`."""
    if not clamp and not 0 <= requested <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"page_size must be 0..{MAX_PAGE_SIZE} (0: {DEFAULT_PAGE_SIZE})")
    if requested < 0:
        raise ValidationFailed("page_size must be ≥ 0")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


@dataclass(frozen=True)
class PageRequest:
    """A request for one page of a list in the order of one key: `size` items after the key
    `after` (None: from the start). Its page tokens are `key_token`s."""

    size: int
    after: Any

    @classmethod
    def of(cls, size: int, token: str) -> PageRequest:
        """From a request's `page_size` and `page_token`; a size above MAX_PAGE_SIZE is refused."""
        return cls(page_size(size, clamp=False), decode_key(token) if token else None)

    def split(self, rows: Sequence[Any], key: str) -> tuple[list[Any], str]:
        """The items of this page from up to `size + 1` rows (mappings), and the next page token."""
        return split(rows, self.size, lambda last: key_token(last[key]))


def split(rows: Sequence[T], size: int, token_of: Callable[[T], str]) -> tuple[list[T], str]:
    """The items of a page from up to `size + 1` rows in key order, and the next page's token
    (`token_of` the last item; "" when there is no row beyond the page)."""
    items = list(rows[:size])
    return items, token_of(items[-1]) if len(rows) > size and items else ""


# --- <instant>|<key> ---------------------------------------------------------------------------


def time_key_token(at: datetime, key: object) -> str:
    """The token of the page after the row (`at`, `key`)."""
    return f"{at.astimezone(UTC).isoformat()}|{key}"


def decode_time_key(
    token: str,
    parse_key: Callable[[str], K] = str,  # type: ignore[assignment]
    *,
    max_length: int = 200,
    invalid: str = "page_token is not valid",
) -> tuple[datetime, K]:
    """The (instant, key) a `time_key_token` carries. The instant must be aware and the key
    non-empty; `parse_key` turns the key's text into its value (a ValueError: not valid)."""
    error = ValidationFailed(invalid)
    at, sep, key = token.partition("|")
    if not sep or not key or len(token) > max_length:
        raise error
    try:
        after, parsed = datetime.fromisoformat(at), parse_key(key)
    except ValueError:
        raise error from None
    if after.tzinfo is None:
        raise error
    return after, parsed


def digits(text: str) -> int:
    """A `parse_key` for row numbers: only decimal digits (no sign, no spaces)."""
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


# --- base64url JSON ----------------------------------------------------------------------------


def key_token(key: Any) -> str:
    """The token of the page after the row whose sort key is `key` (any JSON value)."""
    raw = json.dumps({"v": 1, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_key(token: str, kind: type = str) -> Any:
    """The sort key a `key_token` carries, which must be a `kind`; else ValidationFailed."""
    invalid = ValidationFailed("page_token is not valid")
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error):
        raise invalid from None
    if not isinstance(data, dict) or data.get("v") != 1 or not isinstance(data.get("k"), kind):
        raise invalid
    return data["k"]
