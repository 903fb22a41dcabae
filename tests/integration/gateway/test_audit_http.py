"""County-wide access is audited: a county role reaching into a township through its county
scope leaves an entry the township can read; members of the township leave none."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.integration.gateway.support import assert_problem, login, unique_code


def test_county_reads_of_a_township_are_audited(
    client: TestClient, admin: dict[str, str], make_user: Callable[..., str]
) -> None:
    code = unique_code()
    created = client.post("/v1/townships", json={"code": code, "name": "那坡镇"}, headers=admin)
    tenant = created.json()["id"]
    supervisor = make_user(["county_supervisor"])
    township_admin = login(client, make_user(["township_admin"], [tenant]))

    assert client.get(f"/v1/townships/{tenant}/staff", headers=login(client, supervisor)).status_code == 200
    assert client.get(f"/v1/townships/{tenant}/settings", headers=township_admin).status_code == 200

    trail = client.get(f"/v1/townships/{tenant}/audit", headers=township_admin).json()["items"]
    supervisor_entries = [e for e in trail if e["username"] == supervisor]
    assert [(e["method"], e["path"]) for e in supervisor_entries] == [
        ("GET", f"/v1/townships/{tenant}/staff")
    ]
    assert supervisor_entries[0]["roles"] == ["county_supervisor"]
    # the township's own administrator reading its own data is not a cross-township access
    assert all(e["path"] != f"/v1/townships/{tenant}/settings" for e in trail)


def test_the_audit_trail_is_not_for_everyone(
    client: TestClient, admin: dict[str, str], make_user: Callable[..., str]
) -> None:
    tenant = client.post(
        "/v1/townships", json={"code": unique_code(), "name": "坡州镇"}, headers=admin
    ).json()["id"]
    staff = login(client, make_user(["window_staff"], [tenant]))
    assert_problem(client.get(f"/v1/townships/{tenant}/audit", headers=staff), 403, "forbidden")
    other = client.post("/v1/townships", json={"code": unique_code(), "name": "邻镇"}, headers=admin).json()[
        "id"
    ]
    neighbour_admin = login(client, make_user(["township_admin"], [other]))
    assert_problem(client.get(f"/v1/townships/{tenant}/audit", headers=neighbour_admin), 404, "not_found")


def test_audit_times_are_in_the_county_time_zone(
    client: TestClient, admin: dict[str, str], make_user: Callable[..., str]
) -> None:
    tenant = client.post(
        "/v1/townships", json={"code": unique_code(), "name": "时区镇"}, headers=admin
    ).json()["id"]
    client.get(f"/v1/townships/{tenant}/settings", headers=login(client, make_user(["county_supervisor"])))
    [entry] = client.get(f"/v1/townships/{tenant}/audit", headers=admin).json()["items"][-1:]
    assert entry["at"].endswith("+08:00")
