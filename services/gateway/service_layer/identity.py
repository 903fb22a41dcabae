"""Users and logins. Passwords are hashed with argon2; repeated failures lock the account."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import Unauthenticated, ValidationFailed
from libs.common.tenancy import Principal, validate_code
from services.gateway.adapters import tables
from services.gateway.domain.directory import ROLES, principal_for

_hasher = PasswordHasher()
MAX_FAILED_LOGINS = 5
LOCK_FOR = timedelta(minutes=15)
# one answer for an unknown user, a wrong password and a locked account: none reveals the others
BAD_LOGIN = "wrong username or password, or the account is locked after repeated failures"
# hashed once so an unknown user costs as much as a wrong password (no user enumeration by timing)
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def ensure_county(sessions: sessionmaker[Session], code: str, name: str, timezone: str) -> None:
    with db.transaction(sessions, None) as s:
        stmt = insert(tables.county).values(code=validate_code(code, "county"), name=name, timezone=timezone)
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
    validate_code(username, "username")
    unknown = set(roles) - ROLES
    if not roles or unknown:
        raise ValidationFailed(f"roles must be among {sorted(ROLES)}; got {sorted(unknown) or 'none'}")
    if len(password) < 8:
        raise ValidationFailed("password must have at least 8 characters")
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


def authenticate(sessions: sessionmaker[Session], username: str, password: str) -> Principal:
    now = datetime.now(UTC)
    with db.transaction(sessions, None) as s:
        user = (
            s.execute(
                sa.select(tables.user_account)
                .where(tables.user_account.c.username == username)
                .with_for_update()
            )
            .mappings()
            .first()
        )
        if user is None:
            _verify(_DUMMY_HASH, password)
            raise Unauthenticated(BAD_LOGIN)
        if user["locked_until"] and user["locked_until"] > now:
            raise Unauthenticated(BAD_LOGIN)
        if not _verify(user["password_hash"], password):
            failed = user["failed_logins"] + 1
            s.execute(
                sa.update(tables.user_account)
                .where(tables.user_account.c.username == username)
                .values(
                    failed_logins=0 if failed >= MAX_FAILED_LOGINS else failed,
                    locked_until=now + LOCK_FOR if failed >= MAX_FAILED_LOGINS else None,
                )
            )
            failure = Unauthenticated(BAD_LOGIN)
        else:
            if user["failed_logins"]:
                s.execute(
                    sa.update(tables.user_account)
                    .where(tables.user_account.c.username == username)
                    .values(failed_logins=0, locked_until=None)
                )
            return principal_for(
                user["username"], user["roles"], user["tenants"], user["county"], user["department"]
            )
    raise failure


def get_user(sessions: sessionmaker[Session], username: str) -> dict:
    with db.transaction(sessions, None) as s:
        user = (
            s.execute(sa.select(tables.user_account).where(tables.user_account.c.username == username))
            .mappings()
            .first()
        )
    if user is None:
        raise Unauthenticated("the user of this token no longer exists")
    return dict(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
