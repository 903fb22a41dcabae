"""The engine's pool pings a connection only after it sat idle (libs/common/db.py `_ping_when_idle`):
a connection the server dropped while idle is replaced before use; a busy one is not pinged."""

from __future__ import annotations

import psycopg
import sqlalchemy as sa

from libs.common import db


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(database_url: str, pid: int) -> None:
    with psycopg.connect(db.sqlalchemy_url(database_url).replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _statements(engine: sa.Engine) -> list[str]:
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_a_connection_dropped_while_idle_is_replaced_before_use(database_url: str) -> None:
    engine = db.make_engine(database_url, pool_size=1)
    try:
        first = _backend_pid(engine)
        _terminate(database_url, first)  # as a server restart or an idle timeout would
        for record in engine.pool._pool.queue:  # type: ignore[attr-defined]
            record.info["checked_in"] -= db.PING_AFTER_IDLE_SECONDS  # idle long enough
        assert _backend_pid(engine) != first  # no error: the ping failed, a new connection served
    finally:
        engine.dispose()


def test_a_connection_just_used_is_not_pinged(database_url: str) -> None:
    engine = db.make_engine(database_url, pool_size=1)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda conn: pings.append(conn) or real_ping(conn)  # type: ignore[method-assign]
    try:
        _backend_pid(engine)
        _backend_pid(engine)
        assert pings == []
        for record in engine.pool._pool.queue:  # type: ignore[attr-defined]
            record.info["checked_in"] -= db.PING_AFTER_IDLE_SECONDS
        _backend_pid(engine)
        assert len(pings) == 1
    finally:
        engine.dispose()


def test_a_connection_dropped_while_in_use_fails_once_then_the_pool_recovers(database_url: str) -> None:
    engine = db.make_engine(database_url, pool_size=1)
    try:
        first = _backend_pid(engine)
        _terminate(database_url, first)  # just used: not pinged, so this statement sees it
        try:
            _backend_pid(engine)
            raise AssertionError("a statement on a dropped connection should fail")
        except sa.exc.OperationalError as exc:
            assert exc.connection_invalidated
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
