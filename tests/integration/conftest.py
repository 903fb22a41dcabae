"""Integration fixtures: the session database migrated to head, as every process sees it; and a
fresh database for the tests that walk one service's migrations revision by revision."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection

from libs.common import db, embedded_pg, migrations
from libs.common.runtime import Runtime
from libs.common.settings import Settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    # the gateway's rate limits are tested with apps of their own (gateway/test_edge_http.py);
    # everywhere else they must not get in the way of many quick requests from one test client
    unlimited = 1_000_000
    return Settings(
        county="tianyang:田阳县",
        http_rate_per_second=unlimited,
        http_burst=unlimited,
        http_login_ip_per_minute=unlimited,
        http_login_user_per_minute=unlimited,
        # the gateway's HTTP tests stand in for the services (support.DictServices), which never
        # record a township by themselves: onboarding answers at once (the wait: test_directory_http)
        onboard_wait_seconds=0,
    )


@pytest.fixture(scope="session")
def migrated_url(database_url: str, settings: Settings) -> str:
    from cli import compose

    compose.migrate(settings, database_url)
    return database_url


@pytest.fixture(scope="session")
def runtime(migrated_url: str, settings: Settings) -> Runtime:
    return Runtime.connect(settings, migrated_url)


@pytest.fixture()
def fresh_owner(pg_server_url: str) -> Iterator[Connection]:
    """A connection as the owner (the server URL's user) to a fresh database with no schema."""
    name = f"bianmin_mig_{uuid.uuid4().hex[:10]}"
    engine = db.make_engine(embedded_pg.ensure_database(pg_server_url, name), pool_size=1)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()
        with psycopg.connect(pg_server_url, autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate_to(conn: Connection, service: str, revision: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) `service`'s schema on `conn` to `revision`."""
    (command.downgrade if down else command.upgrade)(migrations.alembic_config(service, conn), revision)
    conn.commit()


def with_schema(conn: Connection, schema: str) -> Connection:
    conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    conn.commit()
    return conn
