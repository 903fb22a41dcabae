"""Integration fixtures: the session database migrated to head, as every process sees it."""

from __future__ import annotations

import pytest

from libs.common.runtime import Runtime
from libs.common.settings import Settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(county="tianyang:田阳县")


@pytest.fixture(scope="session")
def migrated_url(database_url: str, settings: Settings) -> str:
    from libs.cli import compose

    compose.migrate(settings, database_url)
    return database_url


@pytest.fixture(scope="session")
def runtime(migrated_url: str, settings: Settings) -> Runtime:
    return Runtime.connect(settings, migrated_url)
