"""PostgreSQL access shared by every service.

Each service owns one schema (its name). Tenant tables carry `tenant_id` and have row-level
security FORCEd with the policy `tenant_id = current_setting('app.tenant_id', true)`; the setting
is made per transaction with `set_config(..., true)` (never `SET`: it would leak through the
pool, stack.md §5). Runtime connections `SET ROLE` to a role without BYPASSRLS, so even a
superuser URL cannot read across tenants by accident; the relay and ops tooling use a role with
BYPASSRLS because they work across tenants by design."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

TENANT_SETTING = "app.tenant_id"
USER_SETTING = "app.username"  # a policy of a table of personal rows (notify's inbox) reads it


def sqlalchemy_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


PING_AFTER_IDLE_SECONDS = 5.0


def make_engine(url: str, *, role: str | None = None, pool_size: int = 5, **kwargs: object) -> Engine:
    """An engine whose connections act as `role` (None: as the URL's user, e.g. for migrations)."""
    engine = sa.create_engine(sqlalchemy_url(url), pool_size=pool_size, max_overflow=10, **kwargs)
    _ping_when_idle(engine)
    if role:

        @event.listens_for(engine, "connect")
        def _act_as_role(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            with dbapi_connection.cursor() as cur:
                cur.execute(f'SET ROLE "{role}"')
            dbapi_connection.commit()

    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """`pool_pre_ping`, but only for a connection idle in the pool for `idle_seconds` or more: a
    server restart or an idle timeout is caught before use as before, while a busy process does
    not pay a round trip per transaction (a case lifecycle opens dozens). A connection broken while
    in use fails its statement; SQLAlchemy then invalidates it and every older pooled one."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
        since = record.info.pop("checked_in", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # new, or just used
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - any failure: the pool replaces the connection
            raise sa.exc.DisconnectionError(str(exc)) from exc
        if not alive:
            raise sa.exc.DisconnectionError("ping failed")


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(
    sessions: sessionmaker[Session], tenant: str | None, *, user: str | None = None
) -> Iterator[Session]:
    """One transaction, scoped to `tenant` for row-level security (None: sees no tenant rows);
    with `user`, also to that user for the policies of personal rows (`USER_SETTING`)."""
    with sessions() as session, session.begin():
        if tenant is not None:
            set_local(session, TENANT_SETTING, tenant)
        if user is not None:
            set_local(session, USER_SETTING, user)
        yield session


def read_alone(sessions: sessionmaker[Session], statement: sa.Executable, params: dict[str, Any]) -> Any:
    """The first column of the first row of one read that needs no transaction around it: run
    in autocommit, one round trip where a transaction takes three (BEGIN, the read, COMMIT). It
    sees what `transaction(sessions, None)` sees: no tenant scope is set (every scope is
    transaction-local), so no township's rows."""
    engine = sessions.kw["bind"]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return conn.execute(statement, params).scalar()


_SET_LOCAL = text("SELECT set_config(:k, :v, true)")  # built once: every transaction runs it


def set_local(session: Session, key: str, value: str) -> None:
    """A setting for the rest of the transaction only (`set_config(…, true)`, never `SET`)."""
    session.execute(_SET_LOCAL, {"k": key, "v": value})


T = TypeVar("T")


def once_per_transaction(session: Session, key: Hashable, read: Callable[[], T]) -> T:
    """`read()` once in the session's current transaction, kept under `key` until it ends (a
    session may outlive one): for what a transaction reads several times and does not change
    itself. Put what the read depends on, such as the tenant, in `key`."""
    transaction = session.get_transaction()
    held = session.info.get(_ONCE)
    if held is None or held[0] is not transaction:
        held = session.info[_ONCE] = (transaction, {})
    values: dict[Hashable, Any] = held[1]
    if key not in values:
        values[key] = read()
    return values[key]  # type: ignore[no-any-return]


_ONCE = "bianmin.once_per_transaction"


def set_scope(session: Session, tenant: str) -> None:
    """Move the transaction's row-level scope to `tenant` (a township, or a county scope
    `<county>.*`): a county-wide handler works through its townships in one transaction."""
    set_local(session, TENANT_SETTING, tenant)


def tenant_table(name: str, metadata: sa.MetaData, *columns: Any, **kwargs: Any) -> sa.Table:
    """A table of tenant rows: `tenant_id` first; migrations must call `enable_rls` for it."""
    table = sa.Table(name, metadata, sa.Column("tenant_id", sa.Text, nullable=False), *columns, **kwargs)
    table.info["tenant"] = True
    return table


# --- DDL helpers for migrations --------------------------------------------------------------


def enable_rls(conn: Connection, schema: str, table: str) -> None:
    """Row-level security, FORCEd so the table owner is held to it too."""
    qualified = f'"{schema}"."{table}"'
    conn.execute(text(f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY"))
    conn.execute(text(f"ALTER TABLE {qualified} FORCE ROW LEVEL SECURITY"))
    conn.execute(text(f"DROP POLICY IF EXISTS tenant_isolation ON {qualified}"))
    conn.execute(
        text(
            f"CREATE POLICY tenant_isolation ON {qualified} "
            f"USING (tenant_id = current_setting('{TENANT_SETTING}', true)) "
            f"WITH CHECK (tenant_id = current_setting('{TENANT_SETTING}', true))"
        )
    )


def enable_county_reads(conn: Connection, schema: str, table: str) -> None:
    """A second, permissive policy, for reading only: a township's transaction also reads its
    county's rows (tenant `<county>.*`: what the county decides for all its townships, such as
    its calendar and office hours); every write is still held to `tenant_isolation`."""
    qualified = f'"{schema}"."{table}"'
    county = f"split_part(current_setting('{TENANT_SETTING}', true), '.', 1) || '.*'"
    conn.execute(text(f"DROP POLICY IF EXISTS county_rows ON {qualified}"))
    conn.execute(text(f"CREATE POLICY county_rows ON {qualified} FOR SELECT USING (tenant_id = {county})"))


def disable_county_reads(conn: Connection, schema: str, table: str) -> None:
    conn.execute(text(f'DROP POLICY IF EXISTS county_rows ON "{schema}"."{table}"'))


def enable_own_rows(conn: Connection, schema: str, table: str, column: str = "username") -> None:
    """A second, permissive policy on a tenant table of personal rows: the user named by
    `USER_SETTING` reads and updates their own rows in every tenant (an inbox spans the
    townships a user works for), with no BYPASSRLS; `tenant_isolation` still holds for writes
    of other rows."""
    qualified = f'"{schema}"."{table}"'
    own = f"{column} = current_setting('{USER_SETTING}', true)"
    for action in ("SELECT", "UPDATE"):
        name = f"own_rows_{action.lower()}"
        conn.execute(text(f"DROP POLICY IF EXISTS {name} ON {qualified}"))
        check = f" WITH CHECK ({own})" if action == "UPDATE" else ""
        conn.execute(text(f"CREATE POLICY {name} ON {qualified} FOR {action} USING ({own}){check}"))


def ensure_roles(conn: Connection, runtime_role: str, relay_role: str) -> None:
    """Create the runtime role (no BYPASSRLS) and the relay/ops role (BYPASSRLS) if absent."""
    for role, bypass in ((runtime_role, "NOBYPASSRLS"), (relay_role, "BYPASSRLS")):
        conn.execute(
            text(
                "DO $$ BEGIN "
                f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
                f'CREATE ROLE "{role}" NOLOGIN {bypass}; END IF; END $$'
            )
        )
    # the connecting user must be allowed to SET ROLE to both
    conn.execute(text(f'GRANT "{runtime_role}", "{relay_role}" TO CURRENT_USER'))


def grant_schema(conn: Connection, schema: str, *roles: str) -> None:
    """Let the runtime roles use a service schema's tables and sequences (now and later)."""
    for role in roles:
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(
            text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
        )
        conn.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"'))
