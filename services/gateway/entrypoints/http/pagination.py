"""Pages of list endpoints (API.md *Lists*): `?page_size=&page_token=` →
`{"items": [...], "next_page_token": "..."}` (empty on the last page).

Keyset pagination: a list is ordered by a unique sort key, and a page token carries the key of
the last item served, so pages stay consistent while rows are added. The token is opaque to
clients — base64url of `{"v":1,"p":<path>,"k":<last key>}` and an HMAC-SHA256 of it — so a token
that was altered, truncated or minted for another list is refused with `422 validation_error`.
The HMAC key is derived from the gateway's active token-signing key, which every gateway replica
shares, so any replica accepts any replica's tokens (after a key rotation, old page tokens are
refused: the client starts the list again).

A route takes `page: PageParams`, asks its query for `page.size + 1` rows after `page.after`,
and returns `page.of(rows, key=...)`:

    def things(page: PageParams, ...) -> dict:
        rows = list_things(..., after=page.after, limit=page.size + 1)
        return page.of(rows, key=lambda item: item["id"])
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from cryptography.hazmat.primitives import serialization
from fastapi import Depends, Query, Request

from libs.common.errors import ValidationFailed
from libs.common.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, split

VERSION = 1


def _mac_key(request: Request) -> bytes:
    _, private = request.app.state.gateway.issuer.keyring.signing_key()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return hashlib.sha256(b"bianmin page token v1\x00" + raw).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Page:
    """One page request: `size` items after the sort key `after` (None: from the start)."""

    size: int
    after: Any
    path: str
    mac_key: bytes

    def token(self, last_key: Any) -> str:
        payload = json.dumps({"v": VERSION, "p": self.path, "k": last_key}, separators=(",", ":")).encode()
        mac = hmac.new(self.mac_key, payload, hashlib.sha256).digest()
        return f"{_b64(payload)}.{_b64(mac)}"

    def of(self, rows: Sequence[Any], key: Callable[[Any], Any]) -> dict:
        """The page body from up to `size + 1` rows in key order (one more tells there is a next)."""
        items, token = split(rows, self.size, lambda last: self.token(key(last)))
        return {"items": items, "next_page_token": token}


def decode_token(token: str, path: str, mac_key: bytes) -> Any:
    """The last key a token carries, if the token is ours and for this list; else ValidationFailed."""
    invalid = ValidationFailed("page_token is not valid (altered, or from another list or an old key)")
    try:
        payload_b64, mac_b64 = token.split(".")
        payload, mac = _unb64(payload_b64), _unb64(mac_b64)
    except (ValueError, binascii.Error):
        raise invalid from None
    if not hmac.compare_digest(mac, hmac.new(mac_key, payload, hashlib.sha256).digest()):
        raise invalid
    try:
        data = json.loads(payload)
    except ValueError:
        raise invalid from None
    if not isinstance(data, dict) or data.get("v") != VERSION or data.get("p") != path or "k" not in data:
        raise invalid
    return data["k"]


async def page_params(  # async: CPU only, no thread-pool hand-over (see deps.py)
    request: Request,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="items per page, 1-200")
    ] = DEFAULT_PAGE_SIZE,
    page_token: Annotated[
        str, Query(max_length=2000, description="next_page_token of the previous page; empty = first")
    ] = "",
) -> Page:
    path = request.url.path
    key = _mac_key(request)
    after = decode_token(page_token, path, key) if page_token else None
    return Page(size=page_size, after=after, path=path, mac_key=key)


PageParams = Annotated[Page, Depends(page_params)]
