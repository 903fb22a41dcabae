"""Tokens: issue, verify, expiry, tampering, algorithm confusion, key rotation, key files."""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from pathlib import Path

import jwt
import pytest

from libs.common.auth import KeyRing, TokenIssuer, TokenVerifier, acting_as, current_token
from libs.common.errors import Unauthenticated
from libs.common.settings import Settings
from libs.common.tenancy import Principal

ISSUER = "bianmin-test"
ALICE = Principal(
    username="alice",
    roles=frozenset({"window_staff", "first_ask"}),
    tenants=frozenset({"demo.napo"}),
    county="demo",
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def ring(folder: Path) -> KeyRing:
    KeyRing.generate(folder)
    return KeyRing.load(folder)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _reject(verifier: TokenVerifier, token: str, match: str) -> None:
    with pytest.raises(Unauthenticated, match=match) as info:
        verifier.verify(token)
    assert info.value.code == "unauthenticated"


def test_issue_and_verify_round_trip(ring: KeyRing) -> None:
    token, expires_in = TokenIssuer(ring, ISSUER, ttl_seconds=900).issue(ALICE)
    assert expires_in == 900
    assert TokenVerifier(ring, ISSUER).verify(token) == ALICE

    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["kid"] == ring.active_kid
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "alice" and claims["iss"] == ISSUER and claims["county"] == "demo"
    assert claims["roles"] == ["first_ask", "window_staff"] and claims["tenants"] == ["demo.napo"]
    assert claims["exp"] - claims["iat"] == 900 and claims["jti"]
    other, _ = TokenIssuer(ring, ISSUER, ttl_seconds=900).issue(ALICE)
    assert jwt.decode(other, options={"verify_signature": False})["jti"] != claims["jti"]


def test_expired_token_is_rejected(ring: KeyRing) -> None:
    token, _ = TokenIssuer(ring, ISSUER, ttl_seconds=1).issue(ALICE)
    verifier = TokenVerifier(ring, ISSUER, leeway=0)
    assert verifier.verify(token).username == "alice"
    time.sleep(2.1)
    _reject(verifier, token, "expired")
    # the leeway tolerates small clock skew between gateway and services
    assert TokenVerifier(ring, ISSUER, leeway=30).verify(token).username == "alice"


def test_wrong_issuer_is_rejected(ring: KeyRing) -> None:
    token, _ = TokenIssuer(ring, "someone-else", ttl_seconds=60).issue(ALICE)
    _reject(TokenVerifier(ring, ISSUER), token, "issuer")


def test_unknown_kid_is_rejected(ring: KeyRing, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    KeyRing.generate(elsewhere, kid="stranger")
    token, _ = TokenIssuer(KeyRing.load(elsewhere), ISSUER, ttl_seconds=60).issue(ALICE)
    _reject(TokenVerifier(ring, ISSUER), token, "unknown key")


def test_key_of_another_ring_under_a_known_kid_fails_the_signature(ring: KeyRing, tmp_path: Path) -> None:
    impostor = tmp_path / "impostor"
    KeyRing.generate(impostor, kid=ring.active_kid)  # same kid, different key
    token, _ = TokenIssuer(KeyRing.load(impostor), ISSUER, ttl_seconds=60).issue(ALICE)
    _reject(TokenVerifier(ring, ISSUER), token, "signature")


def test_tampered_token_is_rejected(ring: KeyRing) -> None:
    token, _ = TokenIssuer(ring, ISSUER, ttl_seconds=60).issue(ALICE)
    header, payload, signature = token.split(".")
    claims = json.loads(_unb64(payload))
    claims["roles"] = ["county_admin"]
    claims["tenants"] = ["demo.*"]
    forged = ".".join([header, _b64(json.dumps(claims).encode()), signature])
    verifier = TokenVerifier(ring, ISSUER)
    _reject(verifier, forged, "signature")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    _reject(verifier, f"{header}.{payload}.{flipped}", "signature")
    _reject(verifier, "not-a-token", "malformed")
    _reject(verifier, "", "missing")


def test_alg_none_is_rejected(ring: KeyRing) -> None:
    claims = {
        "sub": "mallory",
        "roles": ["system"],
        "tenants": [],
        "county": "demo",
        "iss": ISSUER,
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
        "jti": "x",
    }
    unsigned = jwt.encode(claims, key=None, algorithm="none", headers={"kid": ring.active_kid})
    _reject(TokenVerifier(ring, ISSUER), unsigned, "algorithm not allowed")


def test_hs256_with_the_public_key_as_secret_is_rejected(ring: KeyRing, folder: Path) -> None:
    """The classic key-confusion attack: HMAC 'signed' with the (public) verification key."""
    claims = {
        "sub": "mallory",
        "roles": ["system"],
        "tenants": [],
        "county": "demo",
        "iss": ISSUER,
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
        "jti": "x",
    }
    public_pem = (folder / f"{ring.active_kid}.pub.pem").read_bytes()
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": ring.active_kid}).encode())
    payload = _b64(json.dumps(claims).encode())
    import hashlib
    import hmac

    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    _reject(TokenVerifier(ring, ISSUER), f"{header}.{payload}.{_b64(mac)}", "algorithm not allowed")


def test_token_with_missing_or_malformed_claims_is_rejected(ring: KeyRing) -> None:
    kid, key = ring.signing_key()
    now = int(time.time())
    base = {"sub": "alice", "iss": ISSUER, "iat": now, "exp": now + 60, "jti": "j"}
    no_exp = {k: v for k, v in base.items() if k != "exp"}
    verifier = TokenVerifier(ring, ISSUER)
    _reject(verifier, jwt.encode(no_exp, key, algorithm="EdDSA", headers={"kid": kid}), "'exp'")
    bad_roles = {**base, "roles": "county_admin"}
    _reject(verifier, jwt.encode(bad_roles, key, algorithm="EdDSA", headers={"kid": kid}), "malformed")
    no_kid = jwt.encode(base, key, algorithm="EdDSA")
    _reject(verifier, no_kid, "key id")


def test_rotation_keeps_old_tokens_valid(folder: Path) -> None:
    first = KeyRing.generate(folder)
    ring = KeyRing.load(folder)
    assert ring.active_kid == first
    old_token, _ = TokenIssuer(ring, ISSUER, ttl_seconds=600).issue(ALICE)

    second = KeyRing.generate(folder)  # within the same minute: still sorts after the first
    assert second > first
    rotated = KeyRing.load(folder)
    assert rotated.active_kid == second
    assert rotated.kids == [first, second]
    new_token, _ = TokenIssuer(rotated, ISSUER, ttl_seconds=600).issue(ALICE)
    assert jwt.get_unverified_header(new_token)["kid"] == second

    verifier = TokenVerifier(rotated, ISSUER)
    assert verifier.verify(old_token) == ALICE  # nobody is logged out
    assert verifier.verify(new_token) == ALICE

    # once the old key is removed, its tokens stop verifying
    (folder / f"{first}.pem").unlink()
    (folder / f"{first}.pub.pem").unlink()
    pruned = KeyRing.load(folder)
    _reject(TokenVerifier(pruned, ISSUER), old_token, "unknown key")
    assert TokenVerifier(pruned, ISSUER).verify(new_token) == ALICE


def test_pinned_active_kid_signs(folder: Path) -> None:
    first = KeyRing.generate(folder)
    KeyRing.generate(folder)
    ring = KeyRing.load(folder, active_kid=first)
    assert ring.active_kid == first
    token, _ = TokenIssuer(ring, ISSUER, ttl_seconds=60).issue(ALICE)
    assert jwt.get_unverified_header(token)["kid"] == first
    with pytest.raises(ValueError, match="no private key"):
        KeyRing.load(folder, active_kid="k19990101T0000")


def test_verifier_picks_up_a_new_public_key_without_restart(folder: Path, tmp_path: Path) -> None:
    """Services hold only public keys; the gateway rotates; the service re-reads its folder."""
    gateway_keys = tmp_path / "gateway"
    first = KeyRing.generate(gateway_keys)
    folder.mkdir()
    (folder / f"{first}.pub.pem").write_bytes((gateway_keys / f"{first}.pub.pem").read_bytes())
    service_ring = KeyRing.load(folder)
    service_ring.reload_interval = 0.0
    verifier = TokenVerifier(service_ring, ISSUER)

    second = KeyRing.generate(gateway_keys)
    (folder / f"{second}.pub.pem").write_bytes((gateway_keys / f"{second}.pub.pem").read_bytes())
    token, _ = TokenIssuer(KeyRing.load(gateway_keys), ISSUER, ttl_seconds=60).issue(ALICE)
    assert jwt.get_unverified_header(token)["kid"] == second
    assert verifier.verify(token) == ALICE


def test_public_only_ring_verifies_but_cannot_issue(ring: KeyRing, folder: Path, tmp_path: Path) -> None:
    token, _ = TokenIssuer(ring, ISSUER, ttl_seconds=60).issue(ALICE)
    public_only = tmp_path / "public"
    public_only.mkdir()
    name = f"{ring.active_kid}.pub.pem"
    (public_only / name).write_bytes((folder / name).read_bytes())

    verify_ring = KeyRing.load(public_only)
    assert verify_ring.active_kid is None and not verify_ring.can_sign
    assert TokenVerifier(verify_ring, ISSUER).verify(token) == ALICE
    with pytest.raises(RuntimeError, match="cannot issue|not issue"):
        TokenIssuer(verify_ring, ISSUER, ttl_seconds=60).issue(ALICE)


def test_generated_key_files_and_kid(folder: Path) -> None:
    kid = KeyRing.generate(folder)
    assert kid.startswith("k") and "T" in kid and len(kid) >= len("k20261122T0501")
    private, public = folder / f"{kid}.pem", folder / f"{kid}.pub.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert b"PRIVATE KEY" in private.read_bytes() and b"PUBLIC KEY" in public.read_bytes()
    with pytest.raises(FileExistsError):
        KeyRing.generate(folder, kid=kid)
    with pytest.raises(ValueError):
        KeyRing.generate(folder, kid="../escape")


def test_mismatched_public_key_is_refused(folder: Path, tmp_path: Path) -> None:
    kid = KeyRing.generate(folder)
    other = tmp_path / "other"
    KeyRing.generate(other, kid=kid)
    os.replace(other / f"{kid}.pub.pem", folder / f"{kid}.pub.pem")
    with pytest.raises(ValueError, match="does not match"):
        KeyRing.load(folder)


def test_from_settings_generates_a_first_key_for_the_signer(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    ring = KeyRing.from_settings(settings, generate_if_empty=True)
    assert ring.can_sign and (settings.key_dir / f"{ring.active_kid}.pem").exists()
    again = KeyRing.from_settings(settings, generate_if_empty=True)  # no second key
    assert again.kids == ring.kids


def test_acting_as_sets_and_restores_the_current_token() -> None:
    assert current_token.get() is None
    with acting_as("outer"):
        assert current_token.get() == "outer"
        with acting_as("inner"):
            assert current_token.get() == "inner"
        assert current_token.get() == "outer"
    assert current_token.get() is None


def test_a_county_departments_department_travels_in_its_token(ring: KeyRing) -> None:
    officer = Principal(
        "civil_officer", frozenset({"county_department"}), frozenset({"demo.*"}), "demo", "civil"
    )
    token, _ = TokenIssuer(ring, ISSUER, ttl_seconds=900).issue(officer)
    assert jwt.decode(token, options={"verify_signature": False})["department"] == "civil"
    assert TokenVerifier(ring, ISSUER).verify(token) == officer
    # no department: no claim (the tokens of everyone else are as before)
    plain, _ = TokenIssuer(ring, ISSUER, ttl_seconds=900).issue(ALICE)
    assert "department" not in jwt.decode(plain, options={"verify_signature": False})
    kid, key = ring.signing_key()
    now = int(time.time())
    odd = {"sub": "x", "iss": ISSUER, "iat": now, "exp": now + 60, "jti": "j", "department": ["civil"]}
    _reject(
        TokenVerifier(ring, ISSUER),
        jwt.encode(odd, key, algorithm="EdDSA", headers={"kid": kid}),
        "malformed",
    )


def test_a_kept_verification_ends_with_its_key(folder: Path) -> None:
    """A verifier keeps what it verified (every request of a session brings the same token), but
    never past the key: once the key is removed and the ring re-read, the token is refused."""
    old = KeyRing.generate(folder)
    ring = KeyRing.load(folder)
    token, _ = TokenIssuer(ring, ISSUER, ttl_seconds=600).issue(ALICE)
    verifier = TokenVerifier(ring, ISSUER)
    assert verifier.verify(token) == ALICE and verifier.verify(token) == ALICE  # the second: kept
    KeyRing.generate(folder)
    (folder / f"{old}.pem").unlink()
    (folder / f"{old}.pub.pem").unlink()
    ring.reload()
    _reject(verifier, token, "unknown key")


def test_kept_verifications_are_bounded(ring: KeyRing, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TokenVerifier, "VERIFIED_KEPT", 3)
    issuer, verifier = TokenIssuer(ring, ISSUER, ttl_seconds=60), TokenVerifier(ring, ISSUER)
    tokens = [issuer.issue(ALICE)[0] for _ in range(5)]
    for token in tokens + tokens:
        assert verifier.verify(token) == ALICE
    assert len(verifier._verified) == 3
