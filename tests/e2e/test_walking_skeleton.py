"""The walking skeleton, end to end, in every mode: a county admin logs in, onboards a township,
and the `township_onboarded` event reaches intake, proxy, appraisal and notify, each of which
records its projection (checked through the gateway, which asks each service over gRPC)."""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import (
    ADMIN,
    Processes,
    children,
    eventually,
    gone,
    login,
    wait_http,
    wait_projections,
)

pytestmark = pytest.mark.e2e

TOWNSHIP = {
    "code": "napo",
    "name": "那坡镇",
    "villages": [{"code": "nongjing", "name": "弄井村", "groups": [{"code": "g1", "name": "一组"}]}],
}


def exercise_skeleton(base: str) -> None:
    headers = login(base)
    me = httpx.get(f"{base}/v1/me", headers=headers).json()
    assert me["username"] == ADMIN[0] and me["roles"] == ["county_admin"] and me["tenants"] == ["tianyang.*"]

    created = httpx.post(f"{base}/v1/townships", json=TOWNSHIP, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["id"] == "tianyang.napo" and created.json()["status"] == "active"
    assert created.json()["villages"][0]["groups"] == [{"code": "g1", "name": "一组"}]

    view = wait_projections(base, headers, "tianyang.napo")
    assert view["services"] == {s: "ready" for s in ("intake", "proxy", "appraisal", "notify")}

    again = httpx.post(f"{base}/v1/townships", json=TOWNSHIP, headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "already_exists"
    listed = httpx.get(f"{base}/v1/townships", headers=headers).json()
    assert [t["id"] for t in listed["items"]] == ["tianyang.napo"]
    assert httpx.get(f"{base}/readyz").json()["status"] == "ready"


def test_all_in_one(processes: Processes) -> None:
    """In ONE process (every other all-in-one test serves intake's API from a child process)."""
    port = free_port()
    proc = processes.start("run", "--port", str(port), BIANMIN_RUN_INTAKE_PROCESS="false")
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    assert children(proc.pid, "serve") == []
    exercise_skeleton(base)
    assert processes.stop(proc) == 0, processes.log_tail()


def test_all_in_one_on_rabbitmq(processes: Processes, amqp_url: str) -> None:
    """`bianmin run` with BIANMIN_AMQP_URL: the events go through RabbitMQ to a nameko worker
    process per service. A worker that dies is started again (the onboarding reaches notify through
    the new one); every child has its /metrics on the ports after the platform's; killed, the
    platform leaves none of its children behind."""
    port, metrics = free_port(), free_port()
    proc = processes.start(
        "run", "--port", str(port), BIANMIN_AMQP_URL=amqp_url, BIANMIN_METRICS_PORT=str(metrics)
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    services = ("intake", "proxy", "appraisal", "notify")
    workers = {s: children(proc.pid, "serve", s, "worker") for s in services}
    assert all(len(pids) == 1 for pids in workers.values()), workers

    os.kill(workers["notify"][0], signal.SIGKILL)
    eventually(
        lambda: children(proc.pid, "serve", "notify", "worker"),
        lambda found: len(found) == 1 and found != workers["notify"],
        "a new notify worker",
    )
    exercise_skeleton(base)

    def scraped(offset: int) -> str:
        return httpx.get(f"http://127.0.0.1:{metrics + offset}/metrics", timeout=5).text

    assert 'bianmin_http_requests_total{method="POST",route="/v1/townships",status="201"}' in scraped(0)
    asked = 'grpc_code="OK",grpc_method="GetTenant",grpc_service="bianmin.intake.v1.IntakeService"'
    assert f"grpc_server_handled_total{{{asked}}}" in scraped(1)  # the gateway asked intake's API child
    for k, service in enumerate(services, start=2):  # each worker consumed the onboarding
        consumed = f'consumer="{service}.handle_township_onboarded",outcome="processed"'
        eventually(  # counted a moment after the commit that the projection check saw
            lambda: scraped(k),  # noqa: B023
            lambda text: f"bianmin_events_consumed_total{{{consumed}}}" in text,  # noqa: B023
            f"{service}'s worker counting the onboarding",
            timeout=10,
        )

    kids = children(proc.pid, "serve")
    assert len(kids) == 5, kids  # the four workers and intake's API
    proc.kill()
    proc.wait(10)
    try:
        for pid in kids:
            eventually(lambda: gone(pid), bool, f"the orphaned child {pid} gone", timeout=30)  # noqa: B023
    finally:  # none left running for the tests after this one
        for pid in kids:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


def test_distributed(processes: Processes, amqp_url: str) -> None:
    """Separate processes: gRPC APIs, nameko workers on RabbitMQ, an outbox relay, the gateway."""
    amqp = {"BIANMIN_AMQP_URL": amqp_url}
    assert processes.run("migrate") == 0, processes.log_tail()
    ports = {s: free_port() for s in ("gateway", "intake", "proxy", "appraisal", "notify")}
    targets = ",".join(f"{s}=127.0.0.1:{p}" for s, p in ports.items())
    for service in ("intake", "proxy", "appraisal", "notify"):
        processes.start("serve", service, "api", BIANMIN_GRPC_PORT=str(ports[service]))
        processes.start("serve", service, "worker", **amqp)
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
    exercise_skeleton(base)
