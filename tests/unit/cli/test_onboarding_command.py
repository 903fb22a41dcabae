"""The sending side of `bianmin client townships onboard` against a fake gateway (httpx mock
transport): what exists is skipped, a failure is reported and gives exit 1, 429 is waited out, and
each township carries a stable Idempotency-Key."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import typer

from cli.client import onboarding
from libs.common import onboarding_file

CREDS = {"url": "http://gateway.test", "token": "t0ken"}
YAML = """
townships:
  - {code: napo, name: 那坡镇, villages: [{code: baiyun, name: 百云村}]}
  - {code: tianzhou, name: 田州镇}
  - {code: longguang, name: 龙光乡}
"""


class FakeGateway:
    def __init__(self, existing: set[str] = frozenset(), roles: tuple[str, ...] = ("county_admin",)) -> None:
        self.townships = set(existing)
        self.roles = list(roles)
        self.posts: list[tuple[dict, str | None]] = []
        self.fail: dict[str, httpx.Response] = {}
        self.throttle = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer t0ken"
        if self.throttle:
            self.throttle -= 1
            return httpx.Response(429, headers={"Retry-After": "0"}, json={"code": "rate_limited"})
        path = request.url.path
        if path == "/v1/me":
            tenants = ["tianyang.*"] if "county_admin" in self.roles else ["tianyang.napo"]
            return httpx.Response(200, json={"username": "u", "roles": self.roles, "tenants": tenants})
        if request.method == "GET" and path.startswith("/v1/townships/"):
            found = path.rsplit("/", 1)[1] in self.townships
            return httpx.Response(200 if found else 404, json={"code": "ok" if found else "not_found"})
        if request.method == "POST" and path == "/v1/townships":
            body = json.loads(request.content)
            self.posts.append((body, request.headers.get("Idempotency-Key")))
            if body["code"] in self.fail:
                return self.fail[body["code"]]
            self.townships.add(f"tianyang.{body['code']}")
            return httpx.Response(201, json={"id": f"tianyang.{body['code']}"})
        return httpx.Response(500)


def run(tmp_path: Path, gateway: FakeGateway, dry_run: bool = False, creds: dict = CREDS) -> int:
    path = tmp_path / "county.yaml"
    path.write_text(YAML, encoding="utf-8")
    try:
        onboarding.onboard(path, dry_run, creds, transport=httpx.MockTransport(gateway))
    except typer.Exit as exc:
        return exc.exit_code
    return 0


def test_creates_what_is_missing_with_stable_keys(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    gateway = FakeGateway(existing={"tianyang.tianzhou"})
    assert run(tmp_path, gateway) == 0
    assert [body["code"] for body, _ in gateway.posts] == ["napo", "longguang"]
    assert gateway.posts[0][0]["villages"] == [{"code": "baiyun", "name": "百云村", "groups": []}]
    content = (tmp_path / "county.yaml").read_bytes()
    assert [key for _, key in gateway.posts] == [
        onboarding_file.idempotency_key(content, "napo"),
        onboarding_file.idempotency_key(content, "longguang"),
    ]
    assert "created 2, existed 1, failed 0" in capsys.readouterr().out

    assert run(tmp_path, gateway) == 0  # again: nothing sent
    assert len(gateway.posts) == 2
    assert "created 0, existed 3, failed 0" in capsys.readouterr().out


def test_a_failure_is_reported_and_the_rest_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    gateway = FakeGateway()
    gateway.fail["tianzhou"] = httpx.Response(
        503, json={"code": "unavailable", "detail": "the directory is down"}
    )
    assert run(tmp_path, gateway) == onboarding.EXIT_FAILED
    out = capsys.readouterr().out
    assert "created 2, existed 0, failed 1" in out
    assert "unavailable" in out and "directory is down" in out.replace("\n", " ").replace("│", "")


def test_rate_limits_are_waited_out(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    gateway = FakeGateway()
    gateway.throttle = 2
    assert run(tmp_path, gateway) == 0
    assert "created 3" in capsys.readouterr().out


def test_only_a_county_admin_onboards(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    gateway = FakeGateway(roles=("township_admin",))
    assert run(tmp_path, gateway) == onboarding.EXIT_FAILED
    assert "needs a county_admin" in capsys.readouterr().err
    assert gateway.posts == []


def test_dry_run_sends_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    gateway = FakeGateway(existing={"tianyang.napo"})
    assert run(tmp_path, gateway, dry_run=True) == 0
    assert gateway.posts == []
    assert "would create 2, existing 1" in capsys.readouterr().out
    assert run(tmp_path, gateway, dry_run=True, creds={}) == 0  # not logged in: the file is checked
    assert "would create 3" in capsys.readouterr().out
