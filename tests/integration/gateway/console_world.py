"""A county of its own for the staff console's tests (HTTP and browser): a catalogue item with two
required materials and an optional one, two townships (each with a window and its window staff),
an intake desk, a township admin, a county supervisor and a county admin — all made through the
API, and the townships handed to intake (`deliver_to_intake`), as the relay would."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi.testclient import TestClient

from libs.common.runtime import Runtime
from services.gateway.service_layer import identity
from tests.integration.gateway.inprocess import deliver_to_intake
from tests.integration.gateway.support import PASSWORD, login, unique_code

ID_CARD, HOUSEHOLD, PHOTO = "id_card", "hukou", "photo"


@dataclass
class ConsoleWorld:
    runtime: Runtime
    county: str
    item: str
    item_name: str
    own: str
    other: str
    users: dict[str, str] = field(default_factory=dict)  # role → username (own township)
    other_staff: str = ""
    proxy_item: str = ""  # a township item a village agent may take in (proxyable)
    household: str = ""  # a priority household in the agent's zone, never visited


def build(runtime: Runtime, client: TestClient) -> ConsoleWorld:
    county = unique_code("console")
    identity.ensure_county(runtime.sessions, county, "控制台县", runtime.settings.timezone)
    admin_name = unique_code("u")
    identity.create_user(
        runtime.sessions, username=admin_name, password=PASSWORD, county=county, roles=["county_admin"]
    )
    admin = login(client, admin_name)
    item_name = "户口迁入登记"
    item = {
        "code": unique_code("i"),
        "name": item_name,
        "category": "household_registration",
        "level": "township",
        "kind": "approval",
        "statutory_days": 10,
        "promised_days": 5,
        "materials": [
            {"code": ID_CARD, "name": "申请人身份证明", "required": True},
            {"code": HOUSEHOLD, "name": "户口簿", "required": True},
            {"code": PHOTO, "name": "近期免冠照片", "required": False},
        ],
    }
    r = client.post("/v1/catalog/items", json=item, headers=admin)
    assert r.status_code == 201, r.text
    proxied = item | {
        "code": unique_code("p"),
        "name": "低保申请",
        "proxyable": True,
        "materials": item["materials"][:1],
    }
    r = client.post("/v1/catalog/items", json=proxied, headers=admin)
    assert r.status_code == 201, r.text
    townships = []
    for name in ("那坡镇", "百都乡"):
        body = {
            "code": unique_code(),
            "name": name,
            "villages": [{"code": "baiyun", "name": "百云村", "groups": []}],
        }
        r = client.post("/v1/townships", json=body, headers=admin)
        assert r.status_code == 201, r.text
        townships.append(r.json()["id"])
    own, other = townships
    w = ConsoleWorld(runtime, county, item["code"], item_name, own, other, proxy_item=proxied["code"])
    w.users["county_admin"] = admin_name
    for tenant in townships:
        base = f"/v1/townships/{tenant}"
        r = client.post(f"{base}/departments", json={"code": "d_civil", "name": "民政"}, headers=admin)
        assert r.status_code == 201, r.text
        # the window serves both items: its clerk acts only on its own items' cases (A/B posts)
        items = [item["code"], proxied["code"]]
        window = {"code": "w1", "name": "一号窗口", "department": "d_civil", "item_codes": items}
        r = client.post(f"{base}/windows", json=window, headers=admin)
        assert r.status_code == 201, r.text
        for role, extra in (
            ("window_staff", {"window": "w1"}),
            ("intake_desk", {}),
            ("township_admin", {}),
            ("proxy_agent", {}),
        ):
            username = unique_code("u")
            staff = {"username": username, "password": PASSWORD, "name": "张晓", "phone": "13800138000"}
            r = client.post(f"{base}/staff", json=staff | {"roles": [role]} | extra, headers=admin)
            assert r.status_code == 201, r.text
            if tenant == own:
                w.users[role] = username
            elif role == "window_staff":
                w.other_staff = username
    supervisor = unique_code("u")
    identity.create_user(
        runtime.sessions,
        username=supervisor,
        password=PASSWORD,
        county=county,
        roles=["county_supervisor"],
        name="县督查",
    )
    w.users["county_supervisor"] = supervisor
    deliver_to_intake(runtime, townships)
    # the own township's village agent of 百云村, with a priority household in its zone
    base = f"/v1/townships/{own}/proxy"
    body = {"username": w.users["proxy_agent"], "level": "village", "village": "baiyun"}
    r = client.post(f"{base}/agents", json=body, headers=admin)
    assert r.status_code == 201, r.text
    household = {"village": "baiyun", "head_name": "黄大爷", "phone": "13700002222", "flags": ["wubao"]}
    r = client.post(f"{base}/households", json=household | {"agent": w.users["proxy_agent"]}, headers=admin)
    assert r.status_code == 201, r.text
    w.household = r.json()["id"]
    return w
