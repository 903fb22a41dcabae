"""End to end through real HTTP, gRPC and the bus:

- a county template item created after two townships were onboarded reaches both (the
  county-wide `catalogue_item_saved` fans out one `catalogue_template_item_distributed` per active
  township, each applied in that township's own transaction) — not a suspended one — and a
  township's shortened promised limit of another item is left alone; all-in-one (in-process bus)
  and distributed (RabbitMQ, intake's nameko worker consuming intake's own events);
- the personal data access log (DOMAIN.md §11): the petition officer reading a petitioner in full
  leaves an entry; `GET /v1/townships/{tenant}/personal-data-access` shows who/when/whose/which
  fields — never the data — to the township admin and the county supervisor, paged and filtered,
  and refuses the petition officer, window staff and the county admin."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import psycopg
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import Processes, login, wait_http, wait_projections
from tests.e2e.test_catalogue import ITEMS

pytestmark = pytest.mark.e2e

COUNTY = "tianyang"
PASSWORD = "e2e-township-password"
LATER = {**ITEMS[0], "code": "sb_card", "name": "社保卡申领", "category": "social_security"}


def create_user(procs: Processes, username: str, role: str, tenant: str) -> None:
    assert procs.run("admin", "create-user", username, "--roles", role,
                     "--tenants", tenant, "--password", PASSWORD) == 0, procs.log_tail()  # fmt: skip


def eventually(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    pytest.fail(f"{what}: not within {timeout}s")


def codes(base: str, headers: dict[str, str], tenant: str) -> dict[str, dict]:
    reply = httpx.get(f"{base}/v1/townships/{tenant}/catalog/items", headers=headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return {i["code"]: i for i in reply.json()["items"]}


def exercise_distribution(base: str, procs: Processes) -> None:
    admin = login(base)
    created = httpx.post(f"{base}/v1/catalog/items", json=ITEMS[0], headers=admin)
    assert created.status_code == 201, created.text
    tenants = [f"{COUNTY}.napo", f"{COUNTY}.bama", f"{COUNTY}.tiandong"]
    for tenant in tenants:
        body = {"code": tenant.split(".")[1], "name": tenant, "villages": []}
        assert httpx.post(f"{base}/v1/townships", json=body, headers=admin).status_code == 201
        wait_projections(base, admin, tenant)
    napo, bama, dormant = tenants
    suspended = httpx.post(f"{base}/v1/townships/{dormant}/suspend", headers=admin)
    assert suspended.status_code == 200, suspended.text
    create_user(procs, "napo_admin", "township_admin", napo)
    township_admin = login(base, "napo_admin", PASSWORD)
    url = f"{base}/v1/townships/{napo}/catalog/items/hk_move"
    assert httpx.patch(url, json={"promised_days": 2}, headers=township_admin).status_code == 200
    # the suspension must have reached intake before the new item is saved (only active townships)
    eventually(lambda: intake_status(procs, dormant) == "suspended", f"{dormant} suspended in intake")

    later = httpx.post(f"{base}/v1/catalog/items", json=LATER, headers=admin)
    assert later.status_code == 201, later.text
    for tenant in (napo, bama):
        eventually(lambda t=tenant: "sb_card" in codes(base, admin, t), f"sb_card in {tenant}")  # type: ignore[misc]
        copy = codes(base, admin, tenant)["sb_card"]
        assert (copy["name"], copy["promised_days"], copy["overridden"]) == ("社保卡申领", 5, False)
    assert codes(base, admin, napo)["hk_move"]["promised_days"] == 2  # the township's own limit stays
    assert "sb_card" not in codes(base, admin, dormant)

    # a changed template item: the copies follow; napo's shorter limit stays within the new statute
    changed = {**ITEMS[0], "name": "户口迁移（新）", "statutory_days": 15, "promised_days": 10}
    put = httpx.put(f"{base}/v1/catalog/items/hk_move", json=changed, headers=admin)
    assert put.status_code == 200, put.text
    assert (put.json()["name"], put.headers["etag"]) == ("户口迁移（新）", f'"{put.json()["version"]}"')
    for tenant in (napo, bama):
        eventually(
            lambda t=tenant: codes(base, admin, t)["hk_move"]["name"] == "户口迁移（新）",
            f"change in {tenant}",
        )  # type: ignore[misc]
    assert codes(base, admin, napo)["hk_move"]["promised_days"] == 2
    assert codes(base, admin, bama)["hk_move"]["promised_days"] == 10
    mismatch = httpx.put(f"{base}/v1/catalog/items/other", json=changed, headers=admin)
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "validation_error", mismatch.text


def intake_status(procs: Processes, tenant: str) -> str | None:
    url = procs.env["BIANMIN_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT status FROM intake.tenant WHERE tenant_id = %s", (tenant,)).fetchone()
    return row[0] if row else None


def exercise_pii_audit(base: str, procs: Processes) -> None:
    """After `exercise_distribution`: napo and its admin exist."""
    admin = login(base)
    tenant = f"{COUNTY}.napo"
    create_user(procs, "napo_petition", "petition_officer", tenant)
    create_user(procs, "napo_window", "window_staff", tenant)
    create_user(procs, "county_sup", "county_supervisor", f"{COUNTY}.*")
    officer = login(base, "napo_petition", PASSWORD)
    office = login(base, "napo_admin", PASSWORD)
    petitioner = {"name": "张三丰", "phone": "13812345678"}
    body = {"kind": "petition", "channel": "desk", "petitioner": petitioner, "matter": "反映村道损坏"}
    petitions = f"{base}/v1/townships/{tenant}/petitions"
    first = httpx.post(petitions, json=body, headers=officer).json()
    second = httpx.post(petitions, json=body, headers=officer).json()
    log = f"{base}/v1/townships/{tenant}/personal-data-access"
    assert httpx.get(log, headers=office).json() == {"items": [], "next_page_token": ""}

    assert httpx.get(f"{petitions}/{first['id']}", headers=officer).json()["petitioner"]["name"] == "张三丰"
    assert httpx.get(f"{petitions}/{first['id']}", headers=office).json()["petitioner"] is None  # not logged
    assert len(httpx.get(petitions, headers=officer).json()["items"]) == 2

    entries = httpx.get(log, headers=office)
    assert entries.status_code == 200, entries.text
    items = entries.json()["items"]
    assert [(e["actor"], e["subject"], e["fields"]) for e in items] == [
        ("napo_petition", "petitioner", ["name", "phone"])
    ] * 3
    assert {e["subject_id"] for e in items} == {first["id"], second["id"]}
    assert items[0]["at"].endswith("+08:00")
    assert "张三丰" not in entries.text and "13812345678" not in entries.text

    supervisor = login(base, "county_sup", PASSWORD)
    one = httpx.get(log, params={"subject_id": first["id"], "page_size": 1}, headers=supervisor)
    assert one.status_code == 200, one.text
    assert [e["subject_id"] for e in one.json()["items"]] == [first["id"]]
    token = one.json()["next_page_token"]
    rest = httpx.get(
        log, params={"subject_id": first["id"], "page_size": 1, "page_token": token}, headers=supervisor
    )
    assert [e["subject_id"] for e in rest.json()["items"]] == [first["id"]] and rest.json()[
        "next_page_token"
    ] == ""
    bad = httpx.get(log, params={"from": "2026-02-30"}, headers=office)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error", bad.text
    for who in (officer, login(base, "napo_window", PASSWORD), admin):
        refused = httpx.get(log, headers=who)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", refused.text


def test_distribution_and_pii_audit_all_in_one(processes: Processes) -> None:
    port = free_port()
    proc = processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    exercise_distribution(base, processes)
    exercise_pii_audit(base, processes)
    assert processes.stop(proc) == 0, processes.log_tail()


def test_distribution_distributed(processes: Processes, amqp_url: str) -> None:
    """Through separate processes: intake's nameko worker consumes intake's own events."""
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
    exercise_distribution(base, processes)
