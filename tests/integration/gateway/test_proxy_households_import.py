"""`bianmin client proxy households import` against the gateway with a real proxy served in process
(inprocess.py): the example roster lands in the agents' zones, a second run creates nothing, a
dry run sends nothing, and a bad file is refused whole, every problem with its row."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient

from cli.client import households
from libs.common.runtime import Runtime
from services.gateway.service_layer import identity
from tests.integration.gateway.inprocess import deliver, gateway_with_intake
from tests.integration.gateway.support import PASSWORD, login, unique_code

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "households"
GROUPS = [{"code": "nalao", "name": "那劳屯"}, {"code": "liuhe", "name": "六合屯"}]
VILLAGES = [
    {"code": "baiyun", "name": "百云村", "groups": GROUPS},
    {"code": "napo_sq", "name": "那坡社区", "groups": [{"code": "g01", "name": "第一居民小组"}]},
]


def run(client: TestClient, path: Path, tenant: str, headers: dict, dry_run: bool = False) -> int:
    creds = {"url": str(client.base_url), "token": headers["Authorization"].removeprefix("Bearer ")}
    try:
        households.import_(path, dry_run, creds, tenant, transport=client._transport)
    except typer.Exit as exc:
        return int(exc.exit_code)
    return 0


def test_the_example_roster_imports_once(runtime: Runtime, gateway_keys, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    county = unique_code("hh")
    identity.ensure_county(runtime.sessions, county, "示范县", runtime.settings.timezone)
    boss = unique_code("ca")
    identity.create_user(
        runtime.sessions, username=boss, password=PASSWORD, county=county, roles=["county_admin"]
    )
    with gateway_with_intake(runtime, gateway_keys) as app, TestClient(app) as client:
        admin = login(client, boss)
        r = client.post(
            "/v1/townships", json={"code": "napo", "name": "那坡镇", "villages": VILLAGES}, headers=admin
        )
        assert r.status_code == 201, r.text
        tenant = r.json()["id"]
        agents = {}
        for village, n in (("baiyun", 2), ("napo_sq", 1)):
            for _ in range(n):
                body = {
                    "username": unique_code("dai"),
                    "password": PASSWORD,
                    "name": "代办员",
                    "phone": "13800138000",
                }
                r = client.post(
                    f"/v1/townships/{tenant}/staff", json=body | {"roles": ["proxy_agent"]}, headers=admin
                )
                assert r.status_code == 201, r.text
                agents[body["username"]] = village
        deliver(runtime, "gateway", "proxy", [tenant])
        for username, village in agents.items():
            body = {"username": username, "level": "village", "village": village}
            r = client.post(f"/v1/townships/{tenant}/proxy/agents", json=body, headers=admin)
            assert r.status_code == 201, r.text

        assert run(client, EXAMPLE / "households.xlsx", tenant, admin, dry_run=True) == 0
        listed = client.get(f"/v1/townships/{tenant}/proxy/households", headers=admin).json()
        assert listed["items"] == []  # a dry run sends nothing
        assert run(client, EXAMPLE / "households.xlsx", tenant, admin) == 0
        assert "6 created" in capsys.readouterr().out
        assert run(client, EXAMPLE / "households.xlsx", tenant, admin) == 0  # the same file: replayed
        assert "6 exists" in capsys.readouterr().out
        assert run(client, EXAMPLE / "households.yaml", tenant, admin) == 0  # the same households
        assert "6 exists" in capsys.readouterr().out
        items = client.get(f"/v1/townships/{tenant}/proxy/households", headers=admin).json()["items"]
        assert len(items) == 6 and all(h["masked"] for h in items)  # the admin is nobody's agent
        by_agent: dict[str, int] = {}
        for h in items:
            assert agents[h["agent"]] == h["village"]
            by_agent[h["agent"]] = by_agent.get(h["agent"], 0) + 1
        assert sorted(by_agent.values()) == [2, 2, 2]  # the village agent with the fewest, each time

        bad = tmp_path / "bad.yaml"
        bad.write_text(
            "households:\n"
            "  - {village: baiyun, head_name: 甲, phone: '12'}\n"
            "  - {village: baiyun, head_name: 乙, phone: '13907761299', flags: [rich]}\n"
            "  - {village: baiyun, head_name: 乙, phone: '139 0776 1299'}\n",
            encoding="utf-8",
        )
        assert run(client, bad, tenant, admin) == 2
        problems = capsys.readouterr().err
        assert "households[0], phone" in problems and "households[1], flags: unknown flag 'rich'" in problems
        assert "2 problems, nothing was sent" in problems  # [2] is fine: [1], its duplicate, was refused
        assert len(client.get(f"/v1/townships/{tenant}/proxy/households", headers=admin).json()["items"]) == 6
