"""Tokens: the gateway issues them, every service verifies them.

Tokens are JWTs signed with Ed25519 (`EdDSA`), the only algorithm accepted. Keys live in one
folder: `<kid>.pem` is a private key (PKCS#8 PEM, mode 0600; only the gateway has these) and
`<kid>.pub.pem` a public key (services need only these). A private key implies its public key.

Rotation without logging anyone out: `KeyRing.generate(folder)` adds a key pair with a newer
date-based kid, which becomes the active (signing) key unless `BIANMIN_JWT_ACTIVE_KID` pins
one; tokens signed with an older key keep verifying for as long as its public key stays in the
folder. Remove an old key once its last token has expired (`token_ttl_seconds` after the
switch). A verifier that meets an unknown kid re-reads its folder (at most every few seconds),
so services pick up a new public key without a restart.

The caller's raw token travels with a request: the gateway sets `current_token` (through
`acting_as`) and the gRPC client interceptor forwards it to the next service.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from libs.common.errors import Unauthenticated
from libs.common.tenancy import Principal

if TYPE_CHECKING:
    from libs.common.settings import Settings

log = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
KID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
_DATE_KID_RE = re.compile(r"^k\d{8}T\d{4}")
PRIVATE_SUFFIX = ".pem"
PUBLIC_SUFFIX = ".pub.pem"
MAX_TOKEN_BYTES = 8192

# ---------------------------------------------------------------------------------------------
# the caller's token, ambient for the duration of a request


current_token: ContextVar[str | None] = ContextVar("bianmin_token", default=None)


@contextmanager
def acting_as(token: str | None) -> Iterator[None]:
    """Make `token` the caller's token (forwarded on outgoing gRPC calls) inside the block."""
    reset = current_token.set(token)
    try:
        yield
    finally:
        current_token.reset(reset)


# ---------------------------------------------------------------------------------------------
# keys


def _new_kid(folder: Path) -> str:
    """A date-based kid that sorts after every kid made earlier (`k20261122T0501`, then
    `k20261122T050133` within the same minute, then `k20261122T050133_01`, …)."""
    now = datetime.now(UTC)
    candidates = [now.strftime("k%Y%m%dT%H%M"), now.strftime("k%Y%m%dT%H%M%S")]
    candidates += [f"{candidates[1]}_{n:02d}" for n in range(1, 100)]
    existing = {p.name.split(".", 1)[0] for p in folder.iterdir()} if folder.exists() else set()
    newest = max((k for k in existing if _DATE_KID_RE.match(k)), default="")
    for kid in candidates:
        if kid not in existing and kid > newest:
            return kid
    raise RuntimeError(f"cannot find a fresh key id in {folder}")


@dataclass(frozen=True)
class _Keys:
    private: dict[str, Ed25519PrivateKey]
    public: dict[str, Ed25519PublicKey]
    active: str | None


class KeyRing:
    """Ed25519 keys by kid: private keys sign (gateway), public keys verify (everyone).

    `active_kid` is the pinned kid, else the newest private key: the greatest kid, as generated
    kids sort by date (name your own kids so that they sort likewise, or pin one). It is None for
    a verify-only ring. Thread-safe; `reload()` re-reads the folder it came from."""

    #: an unknown kid triggers a folder re-read at most this often (seconds)
    reload_interval = 5.0

    def __init__(
        self,
        private_keys: Mapping[str, Ed25519PrivateKey] | None = None,
        public_keys: Mapping[str, Ed25519PublicKey] | None = None,
        *,
        active_kid: str | None = None,
        folder: Path | None = None,
    ) -> None:
        self.folder = folder
        self._pinned = active_kid
        self._lock = threading.Lock()
        self._last_reload = time.monotonic()
        self._set(dict(private_keys or {}), dict(public_keys or {}))

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: str | os.PathLike[str], active_kid: str | None = None) -> KeyRing:
        """Read `<kid>.pem` private and `<kid>.pub.pem` public keys from `folder`."""
        folder = Path(folder)
        private, public = _read_folder(folder)
        return cls(private, public, active_kid=active_kid, folder=folder)

    @classmethod
    def generate(cls, folder: str | os.PathLike[str], kid: str | None = None) -> str:
        """Create a new key pair in `folder` (created 0700 if absent) and return its kid.

        The private key is written 0600, the public key 0644. With a fresh date-based kid the
        new key is the newest, so it signs from the next `load()` on (unless a kid is pinned)."""
        folder = Path(folder)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        kid = kid or _new_kid(folder)
        if not KID_RE.match(kid):
            raise ValueError(f"invalid key id {kid!r}")
        private_path, public_path = folder / f"{kid}{PRIVATE_SUFFIX}", folder / f"{kid}{PUBLIC_SUFFIX}"
        if private_path.exists() or public_path.exists():
            raise FileExistsError(f"key {kid!r} exists already in {folder}")
        key = Ed25519PrivateKey.generate()
        private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _write_new(private_path, private_pem, 0o600)
        _write_new(public_path, public_pem, 0o644)
        log.info("generated signing key %s in %s", kid, folder)
        return kid

    @classmethod
    def from_settings(cls, settings: Settings, *, generate_if_empty: bool = False) -> KeyRing:
        """The ring in `settings.key_dir`; with `generate_if_empty` (the gateway, all-in-one) a
        first key pair is created when the folder holds no private key."""
        folder = settings.key_dir
        if generate_if_empty:
            has_private = folder.is_dir() and any(
                p.name.endswith(PRIVATE_SUFFIX) and not p.name.endswith(PUBLIC_SUFFIX)
                for p in folder.iterdir()
            )
            if not has_private:
                cls.generate(folder)
        return cls.load(folder, active_kid=settings.jwt_active_kid)

    # -- state ----------------------------------------------------------------------------------

    def _set(self, private: dict[str, Ed25519PrivateKey], public: dict[str, Ed25519PublicKey]) -> None:
        for kid, key in private.items():
            derived = key.public_key()
            if kid in public and _raw(public[kid]) != _raw(derived):
                raise ValueError(f"key {kid!r}: the public key does not match the private key")
            public[kid] = derived
        if self._pinned is not None and private and self._pinned not in private:
            raise ValueError(f"active key id {self._pinned!r} has no private key")
        active = (self._pinned if private else None) or max(private, default=None)
        self._keys = _Keys(private, public, active)  # one snapshot: readers never see a mix

    def reload(self) -> None:
        """Re-read the folder (a key added or removed by an operator or a secret update)."""
        if self.folder is None:
            return
        private, public = _read_folder(self.folder)
        with self._lock:
            self._set(private, public)
            self._last_reload = time.monotonic()

    def _maybe_reload(self) -> bool:
        if self.folder is None or time.monotonic() - self._last_reload < self.reload_interval:
            return False
        try:
            self.reload()
        except (OSError, ValueError):
            log.exception("cannot reload keys from %s", self.folder)
            self._last_reload = time.monotonic()
            return False
        return True

    @property
    def active_kid(self) -> str | None:
        return self._keys.active

    @property
    def can_sign(self) -> bool:
        return self._keys.active is not None

    @property
    def kids(self) -> list[str]:
        """Every kid that verifies, oldest first."""
        return sorted(self._keys.public)

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        keys = self._keys
        private, active = keys.private, keys.active
        if active is None:
            raise RuntimeError("this key ring has no private key: it can verify tokens but not issue them")
        return active, private[active]

    def public_key(self, kid: str) -> Ed25519PublicKey | None:
        key = self._keys.public.get(kid)
        if key is None and self._maybe_reload():
            key = self._keys.public.get(kid)
        return key


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, mode)  # the umask may have narrowed or widened nothing; be exact


def _read_folder(folder: Path) -> tuple[dict[str, Ed25519PrivateKey], dict[str, Ed25519PublicKey]]:
    private: dict[str, Ed25519PrivateKey] = {}
    public: dict[str, Ed25519PublicKey] = {}
    if not folder.is_dir():
        raise FileNotFoundError(f"key folder {folder} does not exist")
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith(".") or not path.is_file():
            continue  # Kubernetes secret mounts hold ..data symlinks and dot folders
        if name.endswith(PUBLIC_SUFFIX):
            kid = name[: -len(PUBLIC_SUFFIX)]
            if KID_RE.match(kid):
                key = serialization.load_pem_public_key(path.read_bytes())
                if not isinstance(key, Ed25519PublicKey):
                    raise ValueError(f"{path}: not an Ed25519 public key")
                public[kid] = key
        elif name.endswith(PRIVATE_SUFFIX):
            kid = name[: -len(PRIVATE_SUFFIX)]
            if KID_RE.match(kid):
                if path.stat().st_mode & 0o077:
                    log.warning("private key %s is readable by group or others (chmod 600 it)", path)
                secret = serialization.load_pem_private_key(path.read_bytes(), password=None)
                if not isinstance(secret, Ed25519PrivateKey):
                    raise ValueError(f"{path}: not an Ed25519 private key")
                private[kid] = secret
    return private, public


# ---------------------------------------------------------------------------------------------
# issue and verify


class TokenIssuer:
    """Signs tokens for principals with the ring's active key (the gateway)."""

    def __init__(self, keyring: KeyRing, issuer: str, ttl_seconds: int) -> None:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self.keyring, self.issuer, self.ttl_seconds = keyring, issuer, int(ttl_seconds)

    def issue(self, principal: Principal) -> tuple[str, int]:
        """Return `(token, expires_in_seconds)`."""
        kid, key = self.keyring.signing_key()
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": principal.username,
            "roles": sorted(principal.roles),
            "tenants": sorted(principal.tenants),
            "county": principal.county,
            **({"department": principal.department} if principal.department else {}),
            "iat": now,
            "exp": now + self.ttl_seconds,
            "iss": self.issuer,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})
        return token, self.ttl_seconds


class TokenVerifier:
    """Checks a token (signature by kid, EdDSA only, expiry, issuer) and returns its Principal.

    Every problem raises `Unauthenticated` with a detail that says which check failed."""

    VERIFIED_KEPT = 4096  # tokens whose verification is kept (a token is good for hours)

    def __init__(self, keyring: KeyRing, issuer: str, leeway: int = 30) -> None:
        self.keyring, self.issuer, self.leeway = keyring, issuer, leeway
        # token → (principal, exp, the key that verified it): every request of a session brings
        # the same token, and checking it (signature, base64, claims) cost more than routing
        self._verified: dict[str, _Verified] = {}
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        if not isinstance(token, str) or not token:
            raise Unauthenticated("missing token")
        if len(token) > MAX_TOKEN_BYTES:
            raise Unauthenticated("token too long")
        kept = self._verified.get(token)
        if kept is not None:
            if time.time() > kept.exp + self.leeway:
                raise Unauthenticated("token expired")
            if self.keyring.public_key(kept.kid) is kept.key:  # its key still verifies
                return kept.principal
        verified = self._verify(token)
        with self._lock:
            if len(self._verified) >= self.VERIFIED_KEPT:
                self._verified.pop(next(iter(self._verified)))  # the oldest
            self._verified[token] = verified
        return verified.principal

    def _verify(self, token: str) -> _Verified:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise Unauthenticated("malformed token") from None
        alg = header.get("alg")
        if alg != ALGORITHM:
            raise Unauthenticated(f"token algorithm not allowed: {alg!r} (only {ALGORITHM})")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("token has no key id")
        key = self.keyring.public_key(kid)
        if key is None:
            raise Unauthenticated(f"token signed with an unknown key: {kid!r}")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "sub", "jti"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token expired") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated("token signature is invalid") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("token from another issuer") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"token lacks the {exc.claim!r} claim") from None
        except jwt.ImmatureSignatureError:
            raise Unauthenticated("token not valid yet (issued in the future)") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from None
        return _Verified(_principal(claims), int(claims["exp"]), kid, key)


@dataclass(frozen=True)
class _Verified:
    """A token's verification, kept: whom it names, until when, and the key that verified it."""

    principal: Principal
    exp: int
    kid: str
    key: Ed25519PublicKey


def _principal(claims: dict[str, Any]) -> Principal:
    sub, roles = claims.get("sub"), claims.get("roles", [])
    tenants, county = claims.get("tenants", []), claims.get("county", "")
    department = claims.get("department", "")
    if (
        not isinstance(sub, str)
        or not sub
        or not _str_list(roles)
        or not _str_list(tenants)
        or not isinstance(county, str)
        or not isinstance(department, str)
    ):
        raise Unauthenticated("token claims are malformed")
    return Principal(
        username=sub, roles=frozenset(roles), tenants=frozenset(tenants), county=county, department=department
    )


def _str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
