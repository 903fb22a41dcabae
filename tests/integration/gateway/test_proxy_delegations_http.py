"""Delegations through the gateway's HTTP API with real intake and proxy served in process
(inprocess.py), on the migrated database: a village-level item decided on the spot and filed; a
township item carried, followed by proxy's worker through intake's events (accepted, escalated to
the county, resumed, completed) and replied and filed, the case replied and archived in intake;
refusals that create no case; an idempotent retry; the applicant masked for all but the agent."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from fastapi.testclient import TestClient

from libs.common.runtime import Runtime
from services.gateway.service_layer import identity
from tests.integration.gateway.inprocess import deliver, deliver_to_intake, gateway_with_intake
from tests.integration.gateway.support import PASSWORD, assert_problem, login, unique_code

pytestmark = pytest.mark.integration

MATERIAL = {"code": "id_card", "name": "身份证", "required": True}


def _item(code: str, level: str, **flags: object) -> dict:
    return {
        "code": code,
        "name": f"代办{code}",
        "category": "civil_affairs",
        "level": level,
        "kind": "registration",
        "statutory_days": 5,
        "promised_days": 3,
        "materials": [MATERIAL],
        "proxyable": True,
    } | flags


def _staff(client: TestClient, tenant: str, admin: dict, roles: list[str], **extra: str) -> str:
    body = {"username": unique_code("s"), "password": PASSWORD, "name": "王五", "phone": "13800138000"}
    r = client.post(f"/v1/townships/{tenant}/staff", json=body | {"roles": roles} | extra, headers=admin)
    assert r.status_code == 201, r.text
    return str(body["username"])


def _consent() -> dict:
    return {"signed_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(), "method": "thumbprint"}


def _card() -> dict:
    return {
        "confirmation": {"method": "signature", "at": datetime.now(UTC).isoformat()},
        "satisfaction": "satisfied",
    }


def test_delegations_over_http(runtime: Runtime, gateway_keys) -> None:  # type: ignore[no-untyped-def]
    county = unique_code("dg")
    identity.ensure_county(runtime.sessions, county, "代办县", runtime.settings.timezone)
    boss = unique_code("ca")
    identity.create_user(
        runtime.sessions, username=boss, password=PASSWORD, county=county, roles=["county_admin"]
    )
    with gateway_with_intake(runtime, gateway_keys) as app, TestClient(app) as client:
        admin = login(client, boss)
        items = {
            "cert": _item("cert", "village"),
            "dibao": _item("dibao", "township"),
            "health": _item("health", "township", proxyable=False, privacy_sensitive=True),
        }
        for body in items.values():
            r = client.post("/v1/catalog/items", json=body, headers=admin)
            assert r.status_code == 201, r.text
        villages = [{"code": "baiyun", "name": "百云村"}]
        r = client.post(
            "/v1/townships", json={"code": "napo", "name": "那坡镇", "villages": villages}, headers=admin
        )
        assert r.status_code == 201, r.text
        tenant = r.json()["id"]
        base = f"/v1/townships/{tenant}"
        r = client.post(f"{base}/departments", json={"code": "minzheng", "name": "民政"}, headers=admin)
        assert r.status_code == 201, r.text
        r = client.post(
            f"{base}/windows",
            json={"code": "w1", "name": "一号窗口", "department": "minzheng", "item_codes": ["dibao"]},
            headers=admin,
        )
        assert r.status_code == 201, r.text
        agent_name = _staff(client, tenant, admin, ["proxy_agent"])
        clerk_name = _staff(client, tenant, admin, ["window_staff"], window="w1")
        deliver_to_intake(runtime, [tenant])
        r = client.post(
            f"{base}/proxy/agents",
            json={"username": agent_name, "level": "village", "village": "baiyun"},
            headers=admin,
        )
        assert r.status_code == 201, r.text
        agent, clerk = login(client, agent_name), login(client, clerk_name)
        applicant = {"name": "张三", "phone": "13812345678"}
        body = {"applicant": applicant, "consent": _consent(), "materials": ["id_card"]}

        # refusals: nothing created, in proxy or in intake
        r = client.post(f"{base}/proxy/delegations", json=body | {"item_code": "health"}, headers=agent)
        assert_problem(r, 422, "validation_error")
        assert "privacy" in r.json()["detail"]
        future = {"signed_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(), "method": "signature"}
        r = client.post(
            f"{base}/proxy/delegations", json=body | {"item_code": "dibao", "consent": future}, headers=agent
        )
        assert_problem(r, 422, "validation_error")
        r = client.post(f"{base}/proxy/delegations", json=body | {"item_code": "dibao"}, headers=clerk)
        assert_problem(r, 403, "forbidden")
        assert client.get(f"{base}/proxy/delegations", headers=admin).json()["items"] == []
        assert client.get(f"{base}/cases", headers=clerk).json()["items"] == []

        # a village-level item: decided on the spot, replied and filed; the case follows in intake
        r = client.post(f"{base}/proxy/delegations", json=body | {"item_code": "cert"}, headers=agent)
        assert r.status_code == 201, r.text
        decided = r.json()
        assert (decided["state"], decided["outcome"], decided["village"]) == ("decided", "approved", "baiyun")
        assert decided["consent"]["method"] == "thumbprint" and not decided["applicant"]["masked"]
        case = client.get(f"{base}/cases/{decided['case_id']}", headers=clerk).json()
        assert (case["state"], case["channel"], case["level"], case["first_ask"]) == (
            "completed",
            "proxy",
            "village",
            agent_name,
        )
        # the implementation card to sign: a PDF, the item named by intake's catalogue
        r = client.get(f"{base}/proxy/delegations/{decided['id']}/card", headers=agent)
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", r.text
        assert f"card-{decided['case_number']}.pdf" in r.headers["content-disposition"]
        text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.content)).pages)
        assert "代办事项落实卡" in text.replace("\n", "") and "张三" in text and "百云村" in text
        r = client.get(f"{base}/proxy/delegations/{decided['id']}/card", headers=admin)
        assert (
            r.status_code == 200
            and "张三" not in pypdf.PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
        )
        assert_problem(
            client.get(f"{base}/proxy/delegations/{uuid.uuid4()}/card", headers=agent), 404, "not_found"
        )
        r = client.post(f"{base}/proxy/delegations/{decided['id']}/reply", json=_card(), headers=agent)
        assert r.status_code == 200, r.text
        r = client.post(f"{base}/proxy/delegations/{decided['id']}/file", headers=agent)
        assert r.status_code == 200 and r.json()["state"] == "filed", r.text
        case = client.get(f"{base}/cases/{decided['case_id']}", headers=clerk).json()
        assert (case["state"], case["satisfaction"]) == ("archived", "satisfied")

        # a township item: waits for its trip; idempotent; followed through intake's events
        headers = agent | {"Idempotency-Key": "deleg-1"}
        r = client.post(f"{base}/proxy/delegations", json=body | {"item_code": "dibao"}, headers=headers)
        assert r.status_code == 201, r.text
        carried = r.json()
        assert carried["state"] == "awaiting_trip" and carried["trip_date"]
        again = client.post(f"{base}/proxy/delegations", json=body | {"item_code": "dibao"}, headers=headers)
        assert again.status_code == 201 and again.json()["id"] == carried["id"]
        seen = client.get(f"{base}/proxy/delegations/{carried['id']}", headers=admin).json()
        assert seen["applicant"]["masked"] and seen["applicant"]["name"] != "张三"
        reply = f"{base}/proxy/delegations/{carried['id']}/reply"
        assert_problem(client.post(reply, json=_card(), headers=agent), 409, "invalid_transition")
        manifest = client.get(
            f"{base}/proxy/trips", params={"date": carried["trip_date"]}, headers=agent
        ).json()
        (trip,) = manifest["items"]
        assert (trip["agent"], trip["status"], [e["id"] for e in trip["delegations"]]) == (
            agent_name,
            "planned",
            [carried["id"]],
        )
        assert trip["delegations"][0]["applicant"] == "张*" or trip["delegations"][0]["applicant"] != "张三"
        r = client.get(
            f"{base}/proxy/trips",
            params={"date": carried["trip_date"]},
            headers=agent | {"Accept": "application/pdf"},
        )
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", r.text
        (page,) = pypdf.PdfReader(io.BytesIO(r.content)).pages
        assert carried["case_number"] in page.extract_text() and "张三" not in page.extract_text()
        assert_problem(
            client.get(
                f"{base}/proxy/trips", params={"date": "12-09"}, headers=agent | {"Accept": "application/pdf"}
            ),
            422,
            "validation_error",
        )
        r = client.post(f"{base}/proxy/trips/{trip['id']}/deliver", json={}, headers=agent)
        assert r.status_code == 200 and r.json()["status"] == "delivered", r.text
        case_url = f"{base}/cases/{carried['case_id']}"
        version = client.get(case_url, headers=clerk).json()["version"]
        for action, extra in (
            ("accept", {}),
            ("assign", {"handler": clerk_name}),
            ("escalate", {"to_level": "county", "department": "minzheng", "reason": "县审批"}),
            ("resume", {}),
            ("complete", {"outcome": "approved"}),
        ):
            r = client.post(f"{case_url}/{action}", json=extra, headers=clerk | {"If-Match": f'"{version}"'})
            assert r.status_code == 200, (action, r.text)
            version = r.json()["version"]
            deliver(runtime, "intake", "proxy", [tenant])
        followed = client.get(f"{base}/proxy/delegations/{carried['id']}", headers=agent).json()
        assert [h["state"] for h in followed["history"]] == [
            "accepted",
            "awaiting_trip",
            "at_township",
            "at_county",
            "at_township",
            "returned",
        ]
        deliver(runtime, "intake", "proxy", [tenant])  # again: duplicates change nothing
        assert client.get(f"{base}/proxy/delegations/{carried['id']}", headers=agent).json() == followed
        r = client.post(reply, json=_card(), headers=agent | {"If-Match": f'"{followed["version"]}"'})
        assert r.status_code == 200 and r.json()["state"] == "replied", r.text
        r = client.post(f"{base}/proxy/delegations/{carried['id']}/file", headers=agent)
        assert r.status_code == 200 and r.json()["state"] == "filed", r.text
        deliver(runtime, "intake", "proxy", [tenant])
        assert client.get(case_url, headers=clerk).json()["state"] == "archived"
        listed = client.get(f"{base}/proxy/delegations", params={"state": "filed"}, headers=admin).json()
        assert {d["id"] for d in listed["items"]} == {decided["id"], carried["id"]}

        # quotas and stars as of now (both delegations completed this month and quarter)
        r = client.get(f"{base}/proxy/quotas", headers=admin)
        assert r.status_code == 200 and r.json()["closed"] is False, r.text
        [quota] = r.json()["items"]
        assert (quota["agent"], quota["level"], quota["required"], quota["done"]) == (
            agent_name,
            "village",
            2,
            2,
        )
        assert (quota["shortfall"], quota["penalty"]) == (0, 0)
        assert [q["agent"] for q in client.get(f"{base}/proxy/quotas", headers=agent).json()["items"]] == [
            agent_name
        ]
        assert_problem(client.get(f"{base}/proxy/quotas", params={"month": "2026-13"}, headers=admin), 422,
                       "validation_error")  # fmt: skip
        assert_problem(client.get(f"{base}/proxy/quotas", headers=clerk), 403, "forbidden")
        r = client.get(f"{base}/proxy/stars", headers=clerk)
        assert r.status_code == 200, r.text
        [village] = r.json()["items"]
        assert (village["village"], village["delegations"], village["completion_rate"]) == ("baiyun", 2, 1.0)
        assert village["satisfaction_rate"] == 1.0 and village["stars"] == 3
