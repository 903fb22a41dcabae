"""Sealed personal data on the bus: the applicant's contact travels between services only as an
authenticated, encrypted token (Fernet: AES-128-CBC + HMAC-SHA256), never in clear.

The keys are `BIANMIN_SEAL_KEYS` (comma-separated Fernet keys: the first seals, every one opens,
so a key is rotated by putting the new one first and dropping the old one once nothing sealed with
it is still waiting), or, when that is empty, the file `<data_dir>/seal.keys` written on first start
(like the JWT keys): every process of one deployment must see the same keys.

Shapes: a case event's `applicant_sealed` is {"name","phone","email"}; a notification's
`address_sealed` is {"address"} (`seal_address`/`open_address`).

`Sealer` is built by a composition root and handed to what needs it; nothing here runs at import."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.orm import Session, sessionmaker

from libs.common.settings import Settings

KEY_FILE = "seal.keys"
SESSION_INFO_KEY = "sealer"


class SealError(ValueError):
    """A sealed value that no key opens (tampered, or sealed with a key no longer configured)."""


class Sealer:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("a sealer needs at least one key")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except (ValueError, TypeError) as exc:
            raise ValueError(f"not a Fernet key (32 url-safe base64-encoded bytes): {exc}") from None

    @classmethod
    def deferred(cls, settings: Settings) -> Sealer:
        """A sealer that reads its keys on first use (`Runtime.connect` gives every process one;
        only those that seal or open touch the key file)."""
        return _DeferredSealer(settings)

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        """The keys of `BIANMIN_SEAL_KEYS`, else of `<data_dir>/seal.keys` (created when absent)."""
        keys = _split(settings.seal_keys)
        if keys:
            return cls(keys)
        return cls(_split(read_or_create_key_file(settings.data_dir / KEY_FILE)))

    def seal(self, value: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            value = json.loads(self._fernet.decrypt(token.encode()))
        except (InvalidToken, ValueError, TypeError):
            raise SealError("the sealed value cannot be opened with the configured keys") from None
        if not isinstance(value, dict):
            raise SealError("the sealed value is not an object")
        return value


class _DeferredSealer(Sealer):
    def __init__(self, settings: Settings) -> None:  # no super().__init__: the keys come later
        self._settings = settings
        self._loaded: Sealer | None = None

    def _real(self) -> Sealer:
        if self._loaded is None:
            self._loaded = Sealer.from_settings(self._settings)
        return self._loaded

    def seal(self, value: dict[str, Any]) -> str:
        return self._real().seal(value)

    def open(self, token: str) -> dict[str, Any]:
        return self._real().open(token)


def attach(sessions: sessionmaker[Session], sealer: Sealer) -> None:
    """Give every session of `sessions` the sealer (`of(session)`): how the composition root hands
    it to code that only sees a session (intake's event building, notify's handlers)."""
    sessions.configure(info={**sessions.kw.get("info", {}), SESSION_INFO_KEY: sealer})


def of(session: Session) -> Sealer | None:
    """The sealer the session's factory was given (None: not composed by a Runtime)."""
    sealer = session.info.get(SESSION_INFO_KEY)
    return sealer if isinstance(sealer, Sealer) else None


# a notification's address (notify.notification.address_sealed): {"address": phone or e-mail}
def seal_address(sealer: Sealer, address: str) -> str:
    return sealer.seal({"address": address})


def open_address(sealer: Sealer, token: str) -> str:
    address = sealer.open(token).get("address")
    if not isinstance(address, str) or not address:
        raise SealError("the sealed value holds no address")
    return address


def _split(keys: str) -> list[str]:
    return [k.strip() for k in keys.replace("\n", ",").split(",") if k.strip()]


def read_or_create_key_file(path: Path) -> str:
    """The key file's content; a new one with one key if absent (0600, complete before it appears,
    so two processes starting at once agree on the key)."""
    try:
        return path.read_text()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # 0600, unique to this call
    tmp = Path(name)
    with os.fdopen(fd, "w") as f:
        f.write(Sealer.generate_key() + "\n")
    try:
        os.link(tmp, path)  # atomic, and refuses if another process got there first: use its key
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text()
