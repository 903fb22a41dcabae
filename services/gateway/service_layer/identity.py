"""Users, logins and sessions. Passwords are hashed with argon2; repeated failures hold off their
source (services/gateway/domain/credentials.py); a session is a chain of refresh tokens."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import Unauthenticated, ValidationFailed
from libs.common.tenancy import Principal, validate_code, validate_tenant_code, validate_username
from services.gateway.adapters import session_repository as sessions_repo
from services.gateway.adapters import tables
from services.gateway.domain import credentials
from services.gateway.domain.directory import ROLES, principal_for

_hasher = PasswordHasher()
# one answer for an unknown user, a wrong password and a held-off source: none reveals the others
BAD_LOGIN = "wrong username or password, or too many failed logins from here; retry later"
# hashed once so an unknown user costs as much as a wrong password (no user enumeration by timing)
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def ensure_county(sessions: sessionmaker[Session], code: str, name: str, timezone: str) -> None:
    with db.transaction(sessions, None) as s:
        stmt = insert(tables.county).values(
            code=validate_tenant_code(code, "county"), name=name, timezone=timezone
        )
        s.execute(stmt.on_conflict_do_update(index_elements=["code"], set_={"name": name}))


def create_user(
    sessions: sessionmaker[Session],
    *,
    username: str,
    password: str,
    county: str,
    roles: list[str],
    tenants: list[str] = (),  # type: ignore[assignment]
    name: str = "",
    phone: str = "",
    department: str | None = None,
    if_absent: bool = False,
    session: Session | None = None,
) -> bool:
    """Create a user; returns False when `if_absent` and the user exists already.

    With `session`, the user is written in the caller's transaction (e.g. with the event that
    reports it); otherwise in a transaction of its own."""
    validate_username(username)
    unknown = set(roles) - ROLES
    if not roles or unknown:
        raise ValidationFailed(f"roles must be among {sorted(ROLES)}; got {sorted(unknown) or 'none'}")
    credentials.check_new_password(password, username, name=name)
    # a county department user sees the cases escalated to their department: they need one
    if "county_department" in roles:
        validate_code(department or "", "department")
    elif department:
        raise ValidationFailed("only a county_department user has a department")
    with _in(sessions, session) as s:
        stmt = insert(tables.user_account).values(
            username=username,
            password_hash=_hasher.hash(password),
            name=name,
            phone=phone,
            county=county,
            roles=list(roles),
            tenants=list(tenants),
            department=department or None,
        )
        if if_absent:
            fresh = stmt.on_conflict_do_nothing().returning(tables.user_account.c.username)
            return s.execute(fresh).first() is not None
        try:
            s.execute(stmt)
        except sa.exc.IntegrityError as exc:
            raise ValidationFailed(f"user {username} exists already") from exc
    return True


@contextmanager
def _in(sessions: sessionmaker[Session], session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
    else:
        with db.transaction(sessions, None) as s:
            yield s


@dataclass(frozen=True)
class Login:
    """A session's credentials: who it is, the secret that refreshes it, and the known client."""

    principal: Principal
    refresh_token: str
    client_token: str


def log_in(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    *,
    address: str,
    client_token: str | None = None,
    idle: timedelta = timedelta(hours=12),
) -> Login:
    """Checks the password and opens a session. Failures are held against their source — the
    known client the caller shows, else its address — never against the account as a whole."""
    now = datetime.now(UTC)
    with db.transaction(sessions, None) as s:
        client_id = None
        if client_token:
            client_id = sessions_repo.known_client_id(s, credentials.digest(client_token), username, now)
        source = credentials.client_source(client_id) if client_id else credentials.ip_source(address)
        record = sessions_repo.failures(s, username, source)
        user = _user(s, username)
        if record.holds_at(now):
            raise Unauthenticated(BAD_LOGIN)
        if user is None:
            _verify(_DUMMY_HASH, password)  # as slow as a wrong password; nothing to record
            raise Unauthenticated(BAD_LOGIN)
        if _verify(user["password_hash"], password):
            sessions_repo.forget_failures(s, username, source)
            sessions_repo.purge_expired(s, username, now)
            if client_id is None:
                client_token = _new_known_client(s, username, now)
            refresh = _new_refresh_token(
                s, username, family=uuid.uuid4().hex, started=now, now=now, idle=idle
            )
            return Login(_principal(user), refresh, client_token or "")
        sessions_repo.save_failures(s, username, source, record.after_failure(now))
    raise Unauthenticated(BAD_LOGIN)  # after the commit: the failure is counted


def refresh(sessions: sessionmaker[Session], token: str, *, idle: timedelta = timedelta(hours=12)) -> Login:
    """Spends a refresh token for a new access token and the next refresh token. A token used
    twice means it was copied: the whole session ends, for the thief and the owner alike."""
    now = datetime.now(UTC)
    with db.transaction(sessions, None) as s:
        current = sessions_repo.refresh_token(s, credentials.digest(token))
        if current is None:
            raise Unauthenticated("not a refresh token of this platform; log in again")
        refusal = current.refusal(now)
        user = _user(s, current.username) if refusal is None else None
        if refusal is None and user is None:
            refusal = "the user of this session no longer exists"
        if refusal is None and user is not None:
            sessions_repo.spend_refresh_token(s, credentials.digest(token), now)
            started = current.session_started_at
            fresh = _new_refresh_token(
                s, user["username"], family=current.family, started=started, now=now, idle=idle
            )
            return Login(_principal(user), fresh, "")
        if current.revoked_at is None:
            sessions_repo.revoke_family(s, current.family, now)
    raise Unauthenticated(refusal or "log in again")  # after the commit: the session stays ended


def log_out(sessions: sessionmaker[Session], token: str) -> None:
    """Ends the session the refresh token belongs to (nothing to do for an unknown token)."""
    now = datetime.now(UTC)
    with db.transaction(sessions, None) as s:
        current = sessions_repo.refresh_token(s, credentials.digest(token))
        if current is not None and current.revoked_at is None:
            sessions_repo.revoke_family(s, current.family, now)


def _user(s: Session, username: str) -> sa.RowMapping | None:
    return (
        s.execute(sa.select(tables.user_account).where(tables.user_account.c.username == username))
        .mappings()
        .first()
    )


def _principal(user: sa.RowMapping) -> Principal:
    return principal_for(user["username"], user["roles"], user["tenants"], user["county"], user["department"])


def _new_known_client(s: Session, username: str, now: datetime) -> str:
    token, token_digest = credentials.new_secret()
    sessions_repo.add_known_client(
        s,
        token_digest=token_digest,
        client_id=uuid.uuid4().hex,
        username=username,
        now=now,
        expires_at=now + credentials.CLIENT_TOKEN_LIFETIME,
    )
    return token


def _new_refresh_token(
    s: Session, username: str, *, family: str, started: datetime, now: datetime, idle: timedelta
) -> str:
    token, token_digest = credentials.new_secret()
    link = credentials.RefreshToken(
        family=family,
        username=username,
        issued_at=now,
        expires_at=credentials.session_expiry(started, now, idle),
        session_started_at=started,
    )
    sessions_repo.add_refresh_token(s, token_digest, link)
    return token


def get_user(sessions: sessionmaker[Session], username: str) -> dict:
    with db.transaction(sessions, None) as s:
        user = _user(s, username)
    if user is None:
        raise Unauthenticated("the user of this token no longer exists")
    return dict(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
