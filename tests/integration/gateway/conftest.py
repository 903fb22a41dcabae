"""The gateway's HTTP API in process (FastAPI TestClient) on the migrated session database.

The app is built as `compose.gateway_app` builds it (same keys, same runtime, same `create_app`),
except for `Gateway.services`: the gRPC services are not the subject of these tests (their own
tests and the e2e tests cover them), so a small real object answers `healthy()` and
`knows_tenant()` from dicts. The database is shared by the whole test session: every test makes
its own users and township codes (`unique_code`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from libs.common.runtime import Runtime
from libs.common.settings import Settings
from services.gateway.entrypoints.http.app import Gateway, create_app
from services.gateway.service_layer import identity
from tests.integration.gateway.support import PASSWORD, DictServices, login, unique_code


@pytest.fixture(scope="session")
def gateway_keys(settings: Settings, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from cli import compose

    keyed = settings.model_copy(update={"jwt_key_dir": tmp_path_factory.mktemp("gateway-keys")})
    return compose.keys(keyed, sign=True)  # (issuer, verifier), a fresh signing key


@pytest.fixture(scope="session")
def county(runtime: Runtime, settings: Settings) -> str:
    identity.ensure_county(runtime.sessions, settings.county_code, settings.county_name, settings.timezone)
    return settings.county_code


@pytest.fixture
def services() -> DictServices:
    return DictServices()


@pytest.fixture
def client(runtime: Runtime, gateway_keys, services: DictServices, county: str) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    issuer, verifier = gateway_keys
    app = create_app(Gateway(runtime=runtime, issuer=issuer, verifier=verifier, services=services))
    # server exceptions are raised, not turned into a 500: an unexpected error fails the test loudly
    with TestClient(app) as c:
        yield c


@pytest.fixture
def make_user(runtime: Runtime, county: str) -> Callable[..., str]:
    """Create a user with a unique name; returns the username (password: PASSWORD)."""

    def make(roles: list[str], tenants: list[str] = (), name: str = "测试用户") -> str:  # type: ignore[assignment]
        username = unique_code("u")
        identity.create_user(
            runtime.sessions,
            username=username,
            password=PASSWORD,
            county=county,
            roles=roles,
            tenants=list(tenants),
            name=name,
        )
        return username

    return make


@pytest.fixture
def admin(client: TestClient, make_user: Callable[..., str]) -> dict[str, str]:
    """Headers of a fresh county_admin."""
    return login(client, make_user(["county_admin"]))
