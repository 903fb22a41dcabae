"""Shared fixtures: a real PostgreSQL (embedded unless BIANMIN_TEST_DATABASE_URL) and RabbitMQ.

Each test session gets its own fresh database, so runs never see each other's rows."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest

from libs.common import embedded_pg

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """A URL of a PostgreSQL server we may create databases on (as a superuser)."""
    url = os.environ.get("BIANMIN_TEST_DATABASE_URL")
    if url:
        return url
    return embedded_pg.start(ROOT / ".test-data")


@pytest.fixture(scope="session")
def database_url(pg_server_url: str) -> str:
    """A fresh, empty database for this test session (SQLAlchemy URL, psycopg 3)."""
    name = f"bianmin_test_{uuid.uuid4().hex[:10]}"
    url = embedded_pg.ensure_database(pg_server_url, name)
    yield url
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def amqp_url() -> str:
    """RabbitMQ for tests (`make test` starts or installs it when missing)."""
    url = os.environ.get("BIANMIN_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    import kombu

    try:
        with kombu.Connection(url, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - report any connection failure the same way
        pytest.fail(f"RabbitMQ is not reachable at {url}: {exc} (run `make test`, which starts it)")
    return url
