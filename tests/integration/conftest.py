"""Integration fixtures: the session database migrated to head, as every process sees it."""

from __future__ import annotations

import pytest

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
    )


@pytest.fixture(scope="session")
def migrated_url(database_url: str, settings: Settings) -> str:
    from libs.cli import compose

    compose.migrate(settings, database_url)
    return database_url


@pytest.fixture(scope="session")
def runtime(migrated_url: str, settings: Settings) -> Runtime:
    return Runtime.connect(settings, migrated_url)
