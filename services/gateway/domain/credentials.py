"""Passwords, the back-off of failed logins and the life of a refresh token — the rules, no I/O.

Failed logins are counted per account *and source* (the client's address, or a known client: one
that logged in to this account before and shows the client token it was given then). A source
that keeps guessing is held off longer and longer; the owner at another desk — or at their own
desk behind the same address, with their known client — is never locked out by it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from zxcvbn import zxcvbn

from libs.common.errors import ValidationFailed

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256  # the same bound at creation and at login: no account nobody can log in to
# zxcvbn's scale: 3 is "safely unguessable" (≈ 10^10 guesses), ample behind argon2 and the back-off
MIN_PASSWORD_SCORE = 3
_SCORED_PREFIX = 72  # zxcvbn's own bound; a longer password is no weaker than its first 72 characters

FAILURES_BEFORE_BACKOFF = 5
FIRST_HOLD = timedelta(minutes=15)
LONGEST_HOLD = timedelta(hours=24)
FORGET_AFTER = timedelta(hours=24)  # quiet this long after its last failure or hold: a fresh start

CLIENT_TOKEN_LIFETIME = timedelta(days=180)
SESSION_LIFETIME = timedelta(days=7)  # refreshing never keeps a session beyond a week from its login


def check_new_password(password: str, username: str, *, name: str = "") -> None:
    """Refuse a password that is short, too long to log in with, or easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(f"password must have at most {MAX_PASSWORD_LENGTH} characters")
    if username and username.casefold() in password.casefold():
        raise ValidationFailed("password must not contain the username")
    verdict = zxcvbn(password[:_SCORED_PREFIX], user_inputs=[username, name])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        hint = verdict["feedback"]["warning"] or "add another word or two; uncommon words are better"
        raise ValidationFailed(f"password is too easy to guess: {hint.rstrip('.').lower()}")


@dataclass(frozen=True)
class LoginFailures:
    """What one source has done wrong against one account lately."""

    failures: int = 0  # since the last hold
    holds: int = 0  # holds so far; each doubles the next
    held_until: datetime | None = None
    last_failure_at: datetime | None = None

    def holds_at(self, now: datetime) -> bool:
        return self.held_until is not None and self.held_until > now

    def after_failure(self, now: datetime) -> LoginFailures:
        current = self
        quiet_since = max(filter(None, (self.last_failure_at, self.held_until)), default=None)
        if quiet_since is not None and now - quiet_since > FORGET_AFTER:
            current = LoginFailures()
        failures = current.failures + 1
        if failures < FAILURES_BEFORE_BACKOFF:
            return LoginFailures(failures, current.holds, current.held_until, now)
        hold = min(FIRST_HOLD * (2**current.holds), LONGEST_HOLD)
        return LoginFailures(0, current.holds + 1, now + hold, now)


def ip_source(address: str) -> str:
    return f"ip:{address}"


def client_source(client_id: str) -> str:
    return f"client:{client_id}"


def new_secret() -> tuple[str, str]:
    """A secret to hand out and the digest to keep (the secret itself is never stored)."""
    secret = secrets.token_urlsafe(32)
    return secret, digest(secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class RefreshToken:
    """One link of a session's chain: spent when refreshed, the session revoked when reused."""

    family: str
    username: str
    issued_at: datetime
    expires_at: datetime
    session_started_at: datetime
    spent_at: datetime | None = None
    revoked_at: datetime | None = None

    def refusal(self, now: datetime) -> str | None:
        """Why this token cannot be refreshed now (None: it can)."""
        if self.revoked_at is not None:
            return "the session was ended; log in again"
        if self.spent_at is not None:
            return "the refresh token was used already; the session is ended, log in again"
        if self.expires_at <= now:
            return "the session expired; log in again"
        return None


def session_expiry(started: datetime, now: datetime, idle: timedelta) -> datetime:
    """When a refresh token issued now lapses: unused for `idle`, or a week after the login."""
    return min(now + idle, started + SESSION_LIFETIME)
