"""A delegation end to end in the all-in-one process (real gRPC from proxy to intake, the bus
between them): a village agent registers a villager's township matter with consent (its intake
case is created: level village, channel proxy), it is on the agent's trip manifest and delivered,
the township window accepts, handles and completes the case, proxy follows it to `returned`,
the agent records the implementation card (the case is replied with the satisfaction) and files
it (the case is archived). Along the way: `bianmin jobs plan-trips` tells the agent its manifest
(notify's inbox), the manifest and the card print as PDFs, and the month's quota and the quarter's
stars count the filed delegation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import Processes, eventually, login, wait_http, wait_projections

pytestmark = pytest.mark.e2e

TENANT = "tianyang.napo"
PASSWORD = "e2e-township-password"
ITEM = {
    "code": "dibao_apply",
    "name": "低保申请",
    "category": "civil_affairs",
    "level": "township",
    "kind": "approval",
    "statutory_days": 30,
    "promised_days": 20,
    "proxyable": True,
    "materials": [{"code": "id_card", "name": "身份证", "required": True}],
}


def test_a_delegation_from_the_village_to_the_township_and_filed(processes: Processes) -> None:
    port = free_port()
    proc = processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    admin = login(base)
    assert httpx.post(f"{base}/v1/catalog/items", json=ITEM, headers=admin).status_code == 201
    township = {"code": "napo", "name": "那坡镇", "villages": [{"code": "baiyun", "name": "百云村"}]}
    assert httpx.post(f"{base}/v1/townships", json=township, headers=admin).status_code == 201
    wait_projections(base, admin, TENANT)
    t = f"{base}/v1/townships/{TENANT}"
    for username, roles in (("lan_daiban", ["proxy_agent"]), ("napo_window", ["window_staff"])):
        body = {
            "username": username,
            "password": PASSWORD,
            "name": "员工",
            "phone": "13800138000",
            "roles": roles,
        }
        r = httpx.post(f"{t}/staff", json=body, headers=admin)
        assert r.status_code == 201, r.text
    agent_body = {"username": "lan_daiban", "level": "village", "village": "baiyun"}
    eventually(  # once proxy's directory has the staff member
        lambda: httpx.post(f"{t}/proxy/agents", json=agent_body, headers=admin),
        lambda r: r.status_code in (201, 409),
        "the agent registered",
    )
    agent, window = login(base, "lan_daiban", PASSWORD), login(base, "napo_window", PASSWORD)

    consent = {"signed_at": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(), "method": "thumbprint"}
    body = {
        "applicant": {"name": "黄大", "phone": "13907760012"},
        "item_code": "dibao_apply",
        "consent": consent,
        "materials": ["id_card"],
    }
    r = httpx.post(f"{t}/proxy/delegations", json=body, headers=agent | {"Idempotency-Key": "e2e-1"})
    assert r.status_code == 201, r.text
    delegation = r.json()
    assert delegation["state"] == "awaiting_trip" and delegation["carrier"] == "lan_daiban"
    case = httpx.get(f"{t}/cases/{delegation['case_id']}", headers=window).json()
    assert (case["level"], case["channel"], case["first_ask"], case["state"]) == (
        "village",
        "proxy",
        "lan_daiban",
        "received",
    )
    trips = httpx.get(f"{t}/proxy/trips", params={"date": delegation["trip_date"]}, headers=agent).json()
    (trip,) = trips["items"]
    # the trip-day job tells the agent its manifest (proxy's trip_planned → notify's inbox)
    assert processes.run("jobs", "plan-trips") == 0, processes.log_tail()
    told = eventually(
        lambda: httpx.get(f"{base}/v1/me/inbox", headers=agent).json(),
        lambda inbox: any(i["topic"] == "trip_list" for i in inbox["items"]),
        "the agent told its manifest",
    )
    assert any(delegation["case_number"] in i["text"] for i in told["items"] if i["topic"] == "trip_list")
    printed = httpx.get(
        f"{t}/proxy/trips",
        params={"date": delegation["trip_date"]},
        headers=agent | {"Accept": "application/pdf"},
    )
    assert printed.headers["content-type"] == "application/pdf" and printed.content.startswith(b"%PDF")
    r = httpx.post(f"{t}/proxy/trips/{trip['id']}/deliver", json={}, headers=agent)
    assert r.status_code == 200 and r.json()["status"] == "delivered", r.text

    url = f"{t}/cases/{delegation['case_id']}"
    for action, extra in (
        ("accept", {}),
        ("assign", {"handler": "napo_window"}),
        ("complete", {"outcome": "approved"}),
    ):
        r = httpx.post(f"{url}/{action}", json=extra, headers=window)
        assert r.status_code == 200, (action, r.text)
    mine = f"{t}/proxy/delegations/{delegation['id']}"
    back = eventually(
        lambda: httpx.get(mine, headers=agent).json(),
        lambda d: d["state"] == "returned",
        "the delegation followed its case",
    )
    assert [h["state"] for h in back["history"]] == ["accepted", "awaiting_trip", "at_township", "returned"]

    printed = httpx.get(f"{mine}/card", headers=agent)
    assert printed.headers["content-type"] == "application/pdf" and printed.content.startswith(b"%PDF")
    card = {
        "confirmation": {"method": "signature", "at": datetime.now(UTC).isoformat()},
        "satisfaction": "satisfied",
    }
    r = httpx.post(f"{mine}/reply", json=card, headers=agent)
    assert r.status_code == 200 and r.json()["state"] == "replied", r.text
    r = httpx.post(f"{mine}/file", headers=agent)
    assert r.status_code == 200 and r.json()["state"] == "filed", r.text
    case = httpx.get(url, headers=window).json()
    assert (case["state"], case["satisfaction"]) == ("archived", "satisfied")
    quotas = httpx.get(f"{t}/proxy/quotas", headers=admin).json()["items"]
    assert [(q["agent"], q["required"], q["done"], q["shortfall"]) for q in quotas] == [
        ("lan_daiban", 2, 1, 1)
    ]
    stars = httpx.get(f"{t}/proxy/stars", headers=admin).json()["items"]
    assert [(v["village"], v["delegations"], v["stars"]) for v in stars] == [("baiyun", 1, 3)]
    assert processes.stop(proc) == 0, processes.log_tail()
