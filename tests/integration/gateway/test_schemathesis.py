"""Property-based tests of the whole gateway API from its own OpenAPI document (schemathesis 4),
in process over ASGI, on the real migrated database.

Every operation that takes a token is exercised twice, as a county admin and as a township admin
(of a township made for the run); the operations that take none (health, token, public guides)
once, anonymously. Checks: no server error, and every answer is one the document declares:
its status code, its content type (problems are application/problem+json) and its schema.
Bounded and deterministic: `MAX_EXAMPLES` generated cases per operation in the fuzzing phase
(plus the examples and coverage phases), derandomized, no shrinking.

The `{tenant}` path parameter: three cases in four get the run's real township, so that bodies
and queries reach the handlers; the fourth keeps the generated value (malformed or unknown
tenants). No operation is excluded: the catalogue routes reach a real intake served in process
(`inprocess.gateway_with_intake`); the other services are stood in for by `DictServices`, as in
the other gateway tests. Left out: only the coverage phase's requests with unexpected HTTP methods.

The schema is loaded at collection from a document-only app (schemathesis then makes one test
per operation; its lazy `from_fixture` loader fails on this pytest: `Function` has no `_nodeid`),
and every call goes to the module's real app (`app=`), through one ASGI client (`session=`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.python import asgi

from libs.common.runtime import Runtime
from services.gateway.service_layer import identity
from tests.integration.gateway.inprocess import deliver_to_intake, document_app, gateway_with_intake
from tests.integration.gateway.support import PASSWORD, login, unique_code

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[p for p in Phase if p is not Phase.shrink],  # a failure is reported as found: bounded time
)

schema = schemathesis.openapi.from_asgi("/openapi.json", document_app())
# the coverage phase's requests with other HTTP methods: ~8 per operation, each answered by the
# router alone (405 → not_found); left out to stay within the time budget
schema.config.phases.coverage.unexpected_methods = set()
# operations that take no token: fuzzed once, anonymously (a token changes nothing there)
PUBLIC = r"^/(healthz|readyz|v1/auth/token|v1/public/.*)$"
authenticated = schema.exclude(path_regex=PUBLIC)
public = schema.include(path_regex=PUBLIC)


@dataclass
class Run:
    app: Any
    tenant: str  # the township of this run
    headers: dict[str, str]
    session: Any  # one schemathesis ASGI client for all the calls (not one per call)


@pytest.fixture(scope="module")
def runs(runtime: Runtime, gateway_keys) -> Iterator[dict[str, Run]]:  # type: ignore[no-untyped-def]
    # a county of its own: what the fuzzing writes at county scope (calendar days, the catalogue
    # template) never reaches the other tests on the session database
    county = unique_code("fuzz")
    identity.ensure_county(runtime.sessions, county, "模糊测试县", runtime.settings.timezone)

    def user(roles: list[str], tenants: list[str]) -> str:
        username = unique_code("u")
        identity.create_user(
            runtime.sessions,
            username=username,
            password=PASSWORD,
            county=county,
            roles=roles,
            tenants=tenants,
        )
        return username

    with (
        gateway_with_intake(runtime, gateway_keys) as app,
        TestClient(app) as client,
        asgi.get_client(app) as session,
    ):
        admin = login(client, user(["county_admin"], []))

        def township() -> str:
            r = client.post("/v1/townships", json={"code": unique_code(), "name": "那坡镇"}, headers=admin)
            assert r.status_code == 201, r.text
            return r.json()["id"]

        county_run, township_run = township(), township()
        deliver_to_intake(runtime, [county_run, township_run])
        township_admin = login(client, user(["township_admin"], [township_run]))
        yield {
            "county_admin": Run(app, county_run, admin, session),
            "township_admin": Run(app, township_run, township_admin, session),
            "anonymous": Run(app, county_run, {}, session),
        }


_turn = itertools.count()


def _call(case: Any, run: Run) -> None:
    if "tenant" in (case.path_parameters or {}) and next(_turn) % 4:
        case.path_parameters["tenant"] = run.tenant
    # a generous read timeout: the suite runs beside others on a loaded CI machine (10 s was seen to lapse)
    case.call_and_validate(headers=run.headers, checks=CHECKS, app=run.app, session=run.session, timeout=60)


@authenticated.parametrize()
@BOUNDED
def test_api_as_a_county_admin(case: Any, runs: dict[str, Run]) -> None:
    _call(case, runs["county_admin"])


@authenticated.parametrize()
@BOUNDED
def test_api_as_a_township_admin(case: Any, runs: dict[str, Run]) -> None:
    _call(case, runs["township_admin"])


@public.parametrize()
@settings(BOUNDED, max_examples=25)  # few operations: more examples each
def test_public_api_anonymously(case: Any, runs: dict[str, Run]) -> None:
    _call(case, runs["anonymous"])
