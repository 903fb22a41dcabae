"""The rows behind logins and sessions: failed logins per account and source, known clients and
refresh tokens (gateway schema, county-level rows: no tenant, no RLS)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from services.gateway.adapters import tables
from services.gateway.domain.credentials import LoginFailures, RefreshToken

_failure = tables.login_failure
_client = tables.known_client
_refresh = tables.refresh_token


def failures(s: Session, username: str, source: str) -> LoginFailures:
    row = (
        s.execute(
            sa.select(
                _failure.c.failures, _failure.c.holds, _failure.c.held_until, _failure.c.last_failure_at
            )
            .where(_failure.c.username == username, _failure.c.source == source)
            .with_for_update()
        )
        .mappings()
        .first()
    )
    return LoginFailures(**row) if row else LoginFailures()


def save_failures(s: Session, username: str, source: str, record: LoginFailures) -> None:
    values = {
        "failures": record.failures,
        "holds": record.holds,
        "held_until": record.held_until,
        "last_failure_at": record.last_failure_at,
    }
    stmt = insert(_failure).values(username=username, source=source, **values)
    s.execute(stmt.on_conflict_do_update(index_elements=["username", "source"], set_=values))


def forget_failures(s: Session, username: str, source: str) -> None:
    s.execute(sa.delete(_failure).where(_failure.c.username == username, _failure.c.source == source))


def known_client_id(s: Session, token_digest: str, username: str, now: datetime) -> str | None:
    """The id of the known client with this token, if it is this user's and still valid."""
    return s.execute(
        sa.select(_client.c.id).where(
            _client.c.token_digest == token_digest,
            _client.c.username == username,
            _client.c.expires_at > now,
        )
    ).scalar_one_or_none()


def add_known_client(
    s: Session, *, token_digest: str, client_id: str, username: str, now: datetime, expires_at: datetime
) -> None:
    s.execute(
        sa.insert(_client).values(
            token_digest=token_digest, id=client_id, username=username, created_at=now, expires_at=expires_at
        )
    )


def add_refresh_token(s: Session, token_digest: str, token: RefreshToken) -> None:
    s.execute(
        sa.insert(_refresh).values(
            token_digest=token_digest,
            family=token.family,
            username=token.username,
            issued_at=token.issued_at,
            expires_at=token.expires_at,
            session_started_at=token.session_started_at,
        )
    )


def refresh_token(s: Session, token_digest: str) -> RefreshToken | None:
    """The token with this digest, locked until the transaction ends (one refresh wins a race)."""
    row = (
        s.execute(
            sa.select(
                _refresh.c.family,
                _refresh.c.username,
                _refresh.c.issued_at,
                _refresh.c.expires_at,
                _refresh.c.session_started_at,
                _refresh.c.spent_at,
                _refresh.c.revoked_at,
            )
            .where(_refresh.c.token_digest == token_digest)
            .with_for_update()
        )
        .mappings()
        .first()
    )
    return RefreshToken(**row) if row else None


def spend_refresh_token(s: Session, token_digest: str, now: datetime) -> None:
    s.execute(sa.update(_refresh).where(_refresh.c.token_digest == token_digest).values(spent_at=now))


def revoke_family(s: Session, family: str, now: datetime) -> None:
    s.execute(
        sa.update(_refresh)
        .where(_refresh.c.family == family, _refresh.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def purge_expired(s: Session, username: str, now: datetime) -> None:
    """Drops a user's refresh tokens and known clients past their expiry (done at each login, so
    the rows stay about as many as the user's live sessions)."""
    s.execute(sa.delete(_refresh).where(_refresh.c.username == username, _refresh.c.expires_at < now))
    s.execute(sa.delete(_client).where(_client.c.username == username, _client.c.expires_at < now))
