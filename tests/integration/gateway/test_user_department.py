"""A county department user's department (migration 0006): required for the role, refused for
any other, and carried in the token (so intake can show them only their department's cases)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from libs.common.errors import ValidationFailed
from libs.common.runtime import Runtime
from services.gateway.service_layer import identity
from tests.integration.gateway.support import PASSWORD, login, unique_code


def test_a_county_department_user_has_a_department_in_the_token(
    runtime: Runtime, county: str, client: TestClient
) -> None:
    def create(roles: list[str], department: str | None) -> str:
        username = unique_code("u")
        identity.create_user(
            runtime.sessions, username=username, password=PASSWORD, county=county, roles=roles,
            department=department,
        )  # fmt: skip
        return username

    officer = create(["county_department"], "civil")
    me = client.get("/v1/me", headers=login(client, officer))
    assert me.status_code == 200 and me.json()["department"] == "civil", me.text
    assert (
        identity.log_in(runtime.sessions, officer, PASSWORD, address="test").principal.department == "civil"
    )
    for roles, department in ((["county_department"], None), (["county_department"], "Not A Code"),
                              (["county_admin"], "civil")):  # fmt: skip
        with pytest.raises(ValidationFailed):
            create(roles, department)
    plain = create(["county_admin"], None)
    assert "department" not in client.get("/v1/me", headers=login(client, plain)).json()
