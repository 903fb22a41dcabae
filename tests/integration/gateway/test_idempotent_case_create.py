"""An `Idempotency-Key` through a gateway crash (issue 22): the case committed in intake, the
gateway died before it stored its answer, so the key was left in flight. Once its lease has
passed, the retry runs the create again and intake, which keeps the key with the case, answers
the case it made the first time — one case, never two, and the client hears of it."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from libs.common import db
from libs.common.runtime import Runtime
from services.gateway.entrypoints.http import idempotency
from services.gateway.service_layer import identity
from tests.integration.gateway.inprocess import deliver_to_intake, gateway_with_intake
from tests.integration.gateway.support import PASSWORD, login, unique_code

pytestmark = pytest.mark.integration

ITEM = {
    "code": "hukou",
    "name": "户口迁移",
    "category": "household_registration",
    "level": "township",
    "kind": "approval",
    "materials": [{"code": "id_card", "name": "身份证", "required": True}],
}
CASE = {
    "item_code": "hukou",
    "level": "township",
    "channel": "walk_in",
    "applicant": {"name": "张三", "phone": "13812345678"},
    "materials": ["id_card"],
    "accept": True,
}


def test_a_retry_after_the_gateway_died_gets_the_committed_case(runtime: Runtime, gateway_keys) -> None:  # type: ignore[no-untyped-def]
    county = unique_code("ik")
    identity.ensure_county(runtime.sessions, county, "幂等县", runtime.settings.timezone)
    boss = unique_code("ca")
    identity.create_user(
        runtime.sessions, username=boss, password=PASSWORD, county=county, roles=["county_admin"]
    )
    with gateway_with_intake(runtime, gateway_keys) as app, TestClient(app) as client:
        admin = login(client, boss)
        assert client.post("/v1/catalog/items", json=ITEM, headers=admin).status_code == 201
        r = client.post("/v1/townships", json={"code": "napo", "name": "那坡镇"}, headers=admin)
        tenant = r.json()["id"]
        clerk = unique_code("s")
        staff = {
            "username": clerk,
            "password": PASSWORD,
            "name": "王五",
            "phone": "13800138000",
            "roles": ["intake_desk"],
        }
        assert client.post(f"/v1/townships/{tenant}/staff", json=staff, headers=admin).status_code == 201
        deliver_to_intake(runtime, [tenant])
        headers = {**login(client, clerk), "Idempotency-Key": str(uuid.uuid4())}

        first = client.post(f"/v1/townships/{tenant}/cases", json=CASE, headers=headers)
        assert first.status_code == 201, first.text
        # the gateway dies between intake's commit and storing its answer: the key stays in flight
        with db.transaction(runtime.ops_sessions, None) as s:
            s.execute(
                sa.text(
                    "UPDATE gateway.idempotency_key SET status = NULL, response_body = NULL,"
                    " response_headers = NULL, created_at = now() - :age WHERE key = :k"
                ),
                {"k": headers["Idempotency-Key"], "age": idempotency.LEASE * 2},
            )
        retried = client.post(f"/v1/townships/{tenant}/cases", json=CASE, headers=headers)
        assert retried.status_code == 201, retried.text
        assert retried.json()["id"] == first.json()["id"]  # the committed case, not a second one
        listed = client.get(f"/v1/townships/{tenant}/cases", headers=headers).json()["items"]
        assert [c["id"] for c in listed] == [first.json()["id"]]
