"""The catalogue end to end through real gRPC (all-in-one process): the county admin builds the
template, onboarding copies it into the township, the township shortens a promised limit (never
past the statutory one), the public reads guides without a token, and another township's admin
cannot see this township's catalogue."""

from __future__ import annotations

import httpx
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import Processes, login, wait_http, wait_projections

pytestmark = pytest.mark.e2e

TENANT = "tianyang.napo"
PASSWORD = "e2e-township-password"
ITEMS = [
    {
        "code": "hk_move",
        "name": "户口迁移",
        "category": "household_registration",
        "level": "township",
        "kind": "approval",
        "statutory_days": 10,
        "promised_days": 5,
        "materials": [
            {"code": "id_card", "name": "居民身份证", "required": True},
            {"code": "hukou_book", "name": "户口簿", "required": True},
        ],
        "proxyable": True,
        "in_person": False,
        "privacy_sensitive": False,
        "departments": ["police"],
        "fee": 0,
        "procedure": "受理、审核、办结",
    },
    {
        "code": "db_apply",
        "name": "低保申请",
        "category": "civil_affairs",
        "level": "county",
        "kind": "approval",
        "statutory_days": 30,
        "promised_days": 20,
        "materials": [{"code": "id_card", "name": "居民身份证", "required": True}],
        "proxyable": False,
        "in_person": True,
        "privacy_sensitive": True,
        "departments": ["civil", "finance"],
        "fee": 12.5,
    },
]


def exercise_catalogue(base: str, procs: Processes) -> None:
    admin = login(base)

    # the county template
    for item in ITEMS:
        created = httpx.post(f"{base}/v1/catalog/items", json=item, headers=admin)
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["code"], body["promised_days"], body["version"]) == (
            item["code"],
            item["promised_days"],
            1,
        )
    assert created.json()["fee"] == 12.5 and created.json()["departments"] == ["civil", "finance"]
    again = httpx.post(f"{base}/v1/catalog/items", json=ITEMS[0], headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "already_exists", again.text
    too_long = {**ITEMS[0], "code": "bad_item", "promised_days": 11}
    refused = httpx.post(f"{base}/v1/catalog/items", json=too_long, headers=admin)
    assert refused.status_code == 422 and refused.json()["code"] == "validation_error", refused.text
    template = httpx.get(f"{base}/v1/catalog/items", headers=admin).json()
    assert [i["code"] for i in template["items"]] == ["db_apply", "hk_move"]

    # onboarding copies the template into the township
    township = {"code": "napo", "name": "那坡镇", "villages": []}
    assert httpx.post(f"{base}/v1/townships", json=township, headers=admin).status_code == 201
    wait_projections(base, admin, TENANT)
    listed = httpx.get(f"{base}/v1/townships/{TENANT}/catalog/items", headers=admin)
    assert listed.status_code == 200, listed.text
    items = {i["code"]: i for i in listed.json()["items"]}
    assert sorted(items) == ["db_apply", "hk_move"]
    copied = items["hk_move"]
    assert copied["materials"][0] == {
        "code": "id_card",
        "name": "居民身份证",
        "required": True,
        "originals": 1,
        "copies": 0,
        "supply_later": False,
    }
    assert (copied["statutory_days"], copied["promised_days"], copied["overridden"]) == (10, 5, False)
    filtered = httpx.get(f"{base}/v1/townships/{TENANT}/catalog/items?level=county", headers=admin).json()
    assert [i["code"] for i in filtered["items"]] == ["db_apply"]

    # the township's admin shortens a promised limit, and cannot lengthen it past the statutory one
    assert procs.run("admin", "create-user", "napo_admin", "--roles", "township_admin",
                     "--tenants", TENANT, "--password", PASSWORD) == 0, procs.log_tail()  # fmt: skip
    township_admin = login(base, "napo_admin", PASSWORD)
    url = f"{base}/v1/townships/{TENANT}/catalog/items/hk_move"
    shortened = httpx.patch(url, json={"promised_days": 2}, headers=township_admin)
    assert shortened.status_code == 200, shortened.text
    assert (shortened.json()["promised_days"], shortened.json()["overridden"]) == (2, True)
    assert shortened.json()["version"] == 2 and shortened.headers["ETag"] == '"2"'
    lengthened = httpx.patch(url, json={"promised_days": 11}, headers=township_admin)
    assert lengthened.status_code == 422 and lengthened.json()["code"] == "validation_error", lengthened.text
    stale = httpx.patch(url, json={"promised_days": 1}, headers={**township_admin, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["code"] == "version_conflict", stale.text
    current = httpx.get(url, headers=township_admin).json()
    assert (current["promised_days"], current["version"]) == (2, 2)
    # the template is untouched by the township's override
    template = {i["code"]: i for i in httpx.get(f"{base}/v1/catalog/items", headers=admin).json()["items"]}
    assert template["hk_move"]["promised_days"] == 5

    # the public guide: no token, no personal data, the township's promised limit
    guide = httpx.get(f"{base}/v1/public/townships/{TENANT}/guides/hk_move")
    assert guide.status_code == 200, guide.text
    assert guide.json()["promised_days"] == 2 and guide.json()["item_name"] == "户口迁移"
    assert set(guide.json()) == {
        "item_code", "item_name", "procedure", "legal_basis", "windows", "materials", "promised_days", "fee",
    }  # fmt: skip
    guides = httpx.get(f"{base}/v1/public/townships/{TENANT}/guides").json()
    assert [g["item_code"] for g in guides["items"]] == ["db_apply", "hk_move"]
    assert guides["items"][0]["fee"] == 12.5
    missing = httpx.get(f"{base}/v1/public/townships/{TENANT}/guides/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    unknown = httpx.get(f"{base}/v1/public/townships/tianyang.nowhere/guides")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"

    # another township's admin: this township's catalogue does not exist for them
    assert procs.run("admin", "create-user", "bama_admin", "--roles", "township_admin",
                     "--tenants", "tianyang.bama", "--password", PASSWORD) == 0, procs.log_tail()  # fmt: skip
    other = login(base, "bama_admin", PASSWORD)
    for path in ("catalog/items", "catalog/items/hk_move"):
        seen = httpx.get(f"{base}/v1/townships/{TENANT}/{path}", headers=other)
        assert seen.status_code == 404 and seen.json()["code"] == "not_found", seen.text
    patched = httpx.patch(url, json={"promised_days": 1}, headers=other)
    assert patched.status_code == 404, patched.text
    # and a township admin may not touch the county template
    forbidden = httpx.post(
        f"{base}/v1/catalog/items", json={**ITEMS[0], "code": "x_item"}, headers=township_admin
    )
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden", forbidden.text


def test_catalogue_all_in_one(processes: Processes) -> None:
    port = free_port()
    proc = processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    exercise_catalogue(base, processes)
    assert processes.stop(proc) == 0, processes.log_tail()


def test_catalogue_distributed(processes: Processes, amqp_url: str) -> None:
    """The same through separate processes: the copy at onboarding runs in intake's nameko worker."""
    amqp = {"BIANMIN_AMQP_URL": amqp_url}
    assert processes.run("migrate") == 0, processes.log_tail()
    ports = {s: free_port() for s in ("gateway", "intake", "proxy", "appraisal", "notify")}
    targets = ",".join(f"{s}=127.0.0.1:{p}" for s, p in ports.items())
    for service in ("intake", "proxy", "appraisal", "notify"):
        processes.start("serve", service, "api", BIANMIN_GRPC_PORT=str(ports[service]))
        processes.start("serve", service, "worker", **amqp)
        processes.start("serve", service, "relay", **amqp)
    http_port = free_port()
    processes.start("serve", "gateway", "relay", **amqp)
    processes.start(
        "serve",
        "gateway",
        "api",
        BIANMIN_GRPC_PORT=str(ports["gateway"]),
        BIANMIN_HTTP_PORT=str(http_port),
        BIANMIN_GRPC_TARGETS=targets,
    )
    base = f"http://127.0.0.1:{http_port}"
    wait_http(f"{base}/healthz", processes)
    exercise_catalogue(base, processes)
