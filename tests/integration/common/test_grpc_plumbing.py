"""gRPC plumbing over real loopback connections: auth, tenant scope, error mapping, metrics,
health, the client interceptor (token, tenant, deadline, traceparent) and graceful stops.

The "business" service is a generic handler with raw-bytes (de)serializers: JSON in, JSON out."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client import REGISTRY

from libs.common.auth import KeyRing, TokenIssuer, TokenVerifier, acting_as, current_token
from libs.common.errors import (
    InvalidTransition,
    MaterialsIncomplete,
    NotFound,
    Unauthenticated,
    Unavailable,
)
from libs.common.grpc.client import (
    ChannelFactory,
    aio_serving,
    domain_errors,
    make_channel,
    status_to_error,
)
from libs.common.grpc.server import build_server, health_servicer, serve_forever, stop_server
from libs.common.tenancy import Principal, current_principal, current_tenant, tenant_scope

ROOT = Path(__file__).resolve().parents[3]
ISSUER = "bianmin-test"
SERVICE = "bianmin.test.v1.ProbeService"

ALICE = Principal("alice", frozenset({"window_staff"}), frozenset({"demo.napo"}), "demo")
COUNTY = Principal("carol", frozenset({"county_admin"}), frozenset({"demo.*"}), "demo")
ROBOT = Principal("relay", frozenset({"system"}), frozenset(), "")


# --- the test service -------------------------------------------------------------------------


def _who() -> dict[str, Any]:
    principal = current_principal()
    return {
        "tenant": current_tenant(),
        "user": principal.username if principal else None,
        "roles": sorted(principal.roles) if principal else None,
        "token": current_token.get(),
    }


def whoami(request: bytes, context: grpc.ServicerContext) -> bytes:
    from opentelemetry import trace

    ctx = trace.get_current_span().get_span_context()
    return json.dumps(
        {
            **_who(),
            "time_remaining": context.time_remaining(),
            "trace_id": format(ctx.trace_id, "032x") if ctx.is_valid else None,
        }
    ).encode()


class Secret(RuntimeError):
    pass


def fail(request: bytes, context: grpc.ServicerContext) -> bytes:
    kind = request.decode()
    if kind == "transition":
        raise InvalidTransition("案件已办结，不能退回")  # the case is closed; it cannot be returned
    if kind == "materials":
        raise MaterialsIncomplete("materials are missing", missing=["id_card", "hukou"])
    if kind == "not_found":
        raise NotFound("no such case")
    if kind == "abort":
        context.abort(grpc.StatusCode.PERMISSION_DENIED, "handler says no")
    raise Secret("password=hunter2 leaked from the database layer")


def stream(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
    for i in range(3):
        if request == b"fail" and i == 1:
            raise NotFound("gone mid-stream")
        yield json.dumps({"i": i, **_who()}).encode()


def slow(request: bytes, context: grpc.ServicerContext) -> bytes:
    time.sleep(float(request or b"0.5"))
    return b"done"


def relay(request: bytes, context: grpc.ServicerContext) -> bytes:
    """Calls onward (here: itself) without passing anything: the ambient scope travels."""
    channel = make_channel(request.decode())
    try:
        return channel.unary_unary(f"/{SERVICE}/Whoami")(b"")
    finally:
        channel.close()


FLAKY_CALLS: dict[str, int] = {}


def flaky(request: bytes, context: grpc.ServicerContext) -> bytes:
    """Unavailable for the first two attempts of each key, then fine."""
    key = request.decode()
    FLAKY_CALLS[key] = FLAKY_CALLS.get(key, 0) + 1
    if FLAKY_CALLS[key] <= 2:
        raise Unavailable("warming up")
    return str(FLAKY_CALLS[key]).encode()


HANDLERS = {
    "Flaky": grpc.unary_unary_rpc_method_handler(flaky),
    "Whoami": grpc.unary_unary_rpc_method_handler(whoami),
    "Fail": grpc.unary_unary_rpc_method_handler(fail),
    "Stream": grpc.unary_stream_rpc_method_handler(stream),
    "Slow": grpc.unary_unary_rpc_method_handler(slow),
    "Relay": grpc.unary_unary_rpc_method_handler(relay),
}


def add_probe(_servicer: object, server: grpc.Server) -> None:
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, HANDLERS),))


def start_probe_server(key_dir: Path, port: int = 0) -> tuple[grpc.Server, int]:
    verifier = TokenVerifier(KeyRing.load(key_dir), ISSUER)
    return build_server([(add_probe, None)], [SERVICE], verifier=verifier, host="127.0.0.1", port=port)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    KeyRing.generate(folder)
    return folder


@pytest.fixture(scope="module")
def issuer(key_dir: Path) -> TokenIssuer:
    return TokenIssuer(KeyRing.load(key_dir), ISSUER, ttl_seconds=600)


@pytest.fixture(scope="module")
def server(key_dir: Path) -> Iterator[tuple[grpc.Server, int]]:
    srv, port = start_probe_server(key_dir)
    srv.start()
    yield srv, port
    srv.stop(None)


@pytest.fixture
def target(server: tuple[grpc.Server, int]) -> str:
    return f"127.0.0.1:{server[1]}"


@pytest.fixture
def raw(target: str) -> Iterator[grpc.Channel]:
    """A plain channel: no interceptor, metadata exactly as the test gives it."""
    channel = grpc.insecure_channel(target)
    yield channel
    channel.close()


@pytest.fixture
def channel(target: str) -> Iterator[grpc.Channel]:
    """A Bianmin channel: token, tenant and deadline from the ambient context."""
    ch = make_channel(target)
    yield ch
    ch.close()


def token_for(issuer: TokenIssuer, principal: Principal) -> str:
    return issuer.issue(principal)[0]


def auth(token: str, tenant: str | None = None) -> list[tuple[str, str]]:
    metadata = [("authorization", f"Bearer {token}")]
    if tenant:
        metadata.append(("x-tenant-id", tenant))
    return metadata


def call(ch: grpc.Channel, method: str, request: bytes = b"", **kw: Any) -> Any:
    return ch.unary_unary(f"/{SERVICE}/{method}")(request, timeout=kw.pop("timeout", 5), **kw)


def rpc_error(ch: grpc.Channel, method: str, request: bytes = b"", **kw: Any) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call(ch, method, request, **kw)
    return info.value


def error_code(err: grpc.RpcError) -> str | None:
    return dict(err.trailing_metadata() or ()).get("x-error-code")


def handled(method: str, code: str) -> float:
    labels = {"grpc_service": SERVICE, "grpc_method": method, "grpc_code": code}
    return REGISTRY.get_sample_value("grpc_server_handled_total", labels) or 0.0


# --- auth -------------------------------------------------------------------------------------


def test_no_token_is_unauthenticated(raw: grpc.Channel) -> None:
    err = rpc_error(raw, "Whoami")
    assert err.code() is grpc.StatusCode.UNAUTHENTICATED
    assert error_code(err) == "unauthenticated"
    assert isinstance(status_to_error(err), Unauthenticated)


def test_bad_tokens_are_unauthenticated(raw: grpc.Channel, issuer: TokenIssuer, tmp_path: Path) -> None:
    good = token_for(issuer, ALICE)
    stranger_dir = tmp_path / "stranger"
    KeyRing.generate(stranger_dir, kid="stranger")
    stranger = token_for(TokenIssuer(KeyRing.load(stranger_dir), ISSUER, 60), ALICE)
    head, payload, sig = good.split(".")
    for metadata, why in [
        ([("authorization", "Bearer not.a.jwt")], "malformed"),
        ([("authorization", f"Basic {good}")], "Bearer"),
        ([("authorization", f"Bearer {stranger}")], "unknown key"),
        ([("authorization", f"Bearer {head}.{payload}.{sig[::-1]}")], ""),
        ([("authorization", f"Bearer {good}"), ("authorization", f"Bearer {stranger}")], "more than one"),
    ]:
        err = rpc_error(raw, "Whoami", metadata=metadata)
        assert err.code() is grpc.StatusCode.UNAUTHENTICATED, why
        assert why in err.details()


def test_health_needs_no_token(raw: grpc.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(raw)
    for name in ("", SERVICE):
        reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as info:
        stub.Check(health_pb2.HealthCheckRequest(service="bianmin.nope.v1.Nope"), timeout=5)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND


def test_reflection_lists_the_services(raw: grpc.Channel) -> None:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    stub = reflection_pb2_grpc.ServerReflectionStub(raw)
    replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert {SERVICE, "grpc.health.v1.Health"} <= names


# --- tenant scope -----------------------------------------------------------------------------


def test_own_tenant_is_ambient_in_the_handler(raw: grpc.Channel, issuer: TokenIssuer) -> None:
    token = token_for(issuer, ALICE)
    seen = json.loads(call(raw, "Whoami", metadata=auth(token, "demo.napo")))
    assert seen["tenant"] == "demo.napo"
    assert seen["user"] == "alice" and seen["roles"] == ["window_staff"]
    assert seen["token"] == token  # onward calls from the handler carry the caller's token
    no_tenant = json.loads(call(raw, "Whoami", metadata=auth(token)))
    assert no_tenant["tenant"] is None and no_tenant["user"] == "alice"


def test_other_tenant_is_not_found(raw: grpc.Channel, issuer: TokenIssuer) -> None:
    token = token_for(issuer, ALICE)
    for tenant in ("demo.other", "elsewhere.napo", "not a tenant", "DEMO.NAPO"):
        err = rpc_error(raw, "Whoami", metadata=auth(token, tenant))
        assert err.code() is grpc.StatusCode.NOT_FOUND, tenant
        assert error_code(err) == "not_found"
        assert isinstance(status_to_error(err), NotFound)
    two = [*auth(token, "demo.napo"), ("x-tenant-id", "demo.other")]
    assert rpc_error(raw, "Whoami", metadata=two).code() is grpc.StatusCode.NOT_FOUND


def test_county_and_system_principals(raw: grpc.Channel, issuer: TokenIssuer) -> None:
    county = token_for(issuer, COUNTY)
    assert json.loads(call(raw, "Whoami", metadata=auth(county, "demo.xinxu")))["tenant"] == "demo.xinxu"
    err = rpc_error(raw, "Whoami", metadata=auth(county, "other.xinxu"))
    assert err.code() is grpc.StatusCode.NOT_FOUND
    robot = token_for(issuer, ROBOT)
    assert json.loads(call(raw, "Whoami", metadata=auth(robot, "other.xinxu")))["tenant"] == "other.xinxu"


# --- errors -----------------------------------------------------------------------------------


def test_domain_error_maps_to_status_and_back(raw: grpc.Channel, issuer: TokenIssuer) -> None:
    metadata = auth(token_for(issuer, ALICE), "demo.napo")
    err = rpc_error(raw, "Fail", b"transition", metadata=metadata)
    assert err.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert err.details() == "案件已办结，不能退回"
    assert error_code(err) == "invalid_transition"
    domain = status_to_error(err)
    assert type(domain) is InvalidTransition and domain.detail == "案件已办结，不能退回"

    err = rpc_error(raw, "Fail", b"materials", metadata=metadata)
    assert err.code() is grpc.StatusCode.FAILED_PRECONDITION  # same status, told apart by the code
    domain = status_to_error(err)
    assert type(domain) is MaterialsIncomplete and domain.fields == {"missing": ["id_card", "hukou"]}

    with pytest.raises(NotFound, match="no such case"), domain_errors():
        call(raw, "Fail", b"not_found", metadata=metadata)


def test_handler_abort_keeps_its_status(raw: grpc.Channel, issuer: TokenIssuer) -> None:
    err = rpc_error(raw, "Fail", b"abort", metadata=auth(token_for(issuer, ALICE)))
    assert err.code() is grpc.StatusCode.PERMISSION_DENIED and err.details() == "handler says no"


def test_unexpected_exception_is_internal_without_its_text(
    raw: grpc.Channel, issuer: TokenIssuer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="libs.common.grpc.interceptors"):
        err = rpc_error(raw, "Fail", b"boom", metadata=auth(token_for(issuer, ALICE)))
    assert err.code() is grpc.StatusCode.INTERNAL
    assert err.details() == "internal error"
    everything_sent = err.details() + repr(err.trailing_metadata()) + repr(err.initial_metadata())
    assert "hunter2" not in everything_sent and "Secret" not in everything_sent
    assert error_code(err) == "internal"
    assert status_to_error(err).code == "internal"
    logged = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], Secret)]
    assert logged, "the traceback is logged on the server"


def test_server_stream_is_scoped_and_mapped(raw: grpc.Channel, issuer: TokenIssuer) -> None:
    metadata = auth(token_for(issuer, ALICE), "demo.napo")
    items = [json.loads(m) for m in raw.unary_stream(f"/{SERVICE}/Stream")(b"", metadata=metadata, timeout=5)]
    assert [i["i"] for i in items] == [0, 1, 2]
    assert {i["tenant"] for i in items} == {"demo.napo"} and {i["user"] for i in items} == {"alice"}

    before = handled("Stream", "NOT_FOUND")
    responses = raw.unary_stream(f"/{SERVICE}/Stream")(b"fail", metadata=metadata, timeout=5)
    assert json.loads(next(responses))["i"] == 0
    with pytest.raises(grpc.RpcError) as info:
        next(responses)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND and error_code(info.value) == "not_found"
    assert handled("Stream", "NOT_FOUND") == before + 1

    err = rpc_error(raw, "Whoami", metadata=auth(token_for(issuer, ALICE), "demo.other"))
    assert err.code() is grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as info:
        list(raw.unary_stream(f"/{SERVICE}/Stream")(b"", timeout=5))
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED


# --- metrics ----------------------------------------------------------------------------------


def test_metrics_count_the_final_code(raw: grpc.Channel, issuer: TokenIssuer) -> None:
    token = token_for(issuer, ALICE)
    ok, unauth = handled("Whoami", "OK"), handled("Whoami", "UNAUTHENTICATED")
    failed, internal = handled("Fail", "FAILED_PRECONDITION"), handled("Fail", "INTERNAL")
    latency_labels = {"grpc_service": SERVICE, "grpc_method": "Whoami"}
    observed = REGISTRY.get_sample_value("grpc_server_handling_seconds_count", latency_labels) or 0.0

    call(raw, "Whoami", metadata=auth(token))
    rpc_error(raw, "Whoami")
    rpc_error(raw, "Fail", b"transition", metadata=auth(token))
    rpc_error(raw, "Fail", b"boom", metadata=auth(token))

    assert handled("Whoami", "OK") == ok + 1
    assert handled("Whoami", "UNAUTHENTICATED") == unauth + 1
    assert handled("Fail", "FAILED_PRECONDITION") == failed + 1
    assert handled("Fail", "INTERNAL") == internal + 1
    assert REGISTRY.get_sample_value("grpc_server_handling_seconds_count", latency_labels) == observed + 2


# --- the client side --------------------------------------------------------------------------


def test_client_forwards_token_and_tenant(channel: grpc.Channel, issuer: TokenIssuer) -> None:
    token = token_for(issuer, ALICE)
    with acting_as(token), tenant_scope("demo.napo"):
        seen = json.loads(call(channel, "Whoami", timeout=None))
    assert seen["user"] == "alice" and seen["tenant"] == "demo.napo"
    # the default deadline (10 s) applied; the server measures it on its own clock, so allow a hair over
    assert 5 < seen["time_remaining"] <= 10.5

    with acting_as(token):
        assert json.loads(call(channel, "Whoami"))["tenant"] is None
        # explicit metadata wins over the ambient one
        seen = json.loads(call(channel, "Whoami", metadata=[("x-tenant-id", "demo.napo")]))
        assert seen["tenant"] == "demo.napo"
        with tenant_scope("demo.other"):
            err = rpc_error(channel, "Whoami")
        assert err.code() is grpc.StatusCode.NOT_FOUND

    assert rpc_error(channel, "Whoami").code() is grpc.StatusCode.UNAUTHENTICATED


def test_scope_travels_through_a_chain_of_calls(
    channel: grpc.Channel, issuer: TokenIssuer, target: str
) -> None:
    token = token_for(issuer, COUNTY)
    with acting_as(token), tenant_scope("demo.xinxu"):
        seen = json.loads(call(channel, "Relay", target.encode()))
    assert seen["user"] == "carol" and seen["tenant"] == "demo.xinxu" and seen["token"] == token


def test_default_deadline_expires(channel: grpc.Channel, issuer: TokenIssuer, target: str) -> None:
    short = make_channel(target, default_timeout=0.2)
    try:
        with acting_as(token_for(issuer, ALICE)):
            err = rpc_error(short, "Slow", b"1.0", timeout=None)
    finally:
        short.close()
    assert err.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert status_to_error(err).code == "unavailable"


def test_channel_retries_unavailable(channel: grpc.Channel, raw: grpc.Channel, issuer: TokenIssuer) -> None:
    token = token_for(issuer, ALICE)
    with acting_as(token):
        assert call(channel, "Flaky", b"retried") == b"3"  # two UNAVAILABLE answers, retried
    assert FLAKY_CALLS["retried"] == 3
    err = rpc_error(raw, "Flaky", b"plain", metadata=auth(token))  # a plain channel does not retry
    assert err.code() is grpc.StatusCode.UNAVAILABLE and FLAKY_CALLS["plain"] == 1
    assert type(status_to_error(err)) is Unavailable and status_to_error(err).detail == "warming up"


def test_unavailable_target_maps_to_unavailable(issuer: TokenIssuer) -> None:
    ch = make_channel("127.0.0.1:1", default_timeout=2)
    try:
        with acting_as(token_for(issuer, ALICE)):
            err = rpc_error(ch, "Whoami", timeout=None)
    finally:
        ch.close()
    assert err.code() is grpc.StatusCode.UNAVAILABLE
    assert status_to_error(err).code == "unavailable"


# --- the asyncio channel (the gateway's endpoints await their calls) ----------------------------


def test_aio_channel_carries_the_context_and_maps_errors(target: str, issuer: TokenIssuer) -> None:
    """`ChannelFactory.aio_channel`: the same token, tenant, default deadline, retries and errors
    as the thread-blocking channel, one channel per service and event loop, closed by `aclose`."""
    factory = ChannelFactory({"probe": target}, default_timeout=0.5)
    token = token_for(issuer, ALICE)

    async def calls(flaky_key: bytes) -> None:
        channel = factory.aio_channel("probe")
        assert factory.aio_channel("probe") is channel  # kept for this loop

        def method(name: str) -> Any:
            return channel.unary_unary(f"/{SERVICE}/{name}")

        with acting_as(token), tenant_scope("demo.napo"):
            seen = json.loads(await method("Whoami")(b""))
            assert seen["user"] == "alice" and seen["tenant"] == "demo.napo"
            assert 0 < seen["time_remaining"] <= 0.6  # the factory's default deadline
            explicit = await method("Whoami")(b"", metadata=(("x-tenant-id", "demo.napo"),), timeout=5)
            assert 1 < json.loads(explicit)["time_remaining"] <= 5.5  # the call's own deadline wins
            assert await method("Flaky")(flaky_key) == b"3"  # UNAVAILABLE twice, retried
            with pytest.raises(grpc.RpcError) as failed:
                await method("Fail")(b"not_found")
            assert isinstance(status_to_error(failed.value), NotFound)
            with pytest.raises(grpc.RpcError) as slow:
                await method("Slow")(b"2")
            assert slow.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
        with pytest.raises(grpc.RpcError) as anonymous:
            await method("Whoami")(b"")
        assert anonymous.value.code() is grpc.StatusCode.UNAUTHENTICATED
        assert await aio_serving(channel, SERVICE)
        await factory.aclose()
        assert factory.aio_channel("probe") is not channel  # closed and forgotten: a new one
        await factory.aclose()

    asyncio.run(calls(b"aio-1"))
    asyncio.run(calls(b"aio-2"))  # another event loop: channels of its own


def test_traceparent_continues_the_callers_trace(key_dir: Path) -> None:
    """Installs a global tracer provider, so it runs in a child process."""
    code = textwrap.dedent(f"""
        import json
        from pathlib import Path
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        trace.set_tracer_provider(TracerProvider())
        from libs.common.auth import KeyRing, TokenIssuer, acting_as
        from libs.common.grpc.client import make_channel
        from tests.integration.common import test_grpc_plumbing as t

        server, port = t.start_probe_server(Path({str(key_dir)!r}))
        server.start()
        token = TokenIssuer(KeyRing.load(Path({str(key_dir)!r})), t.ISSUER, 60).issue(t.ALICE)[0]
        channel = make_channel(f"127.0.0.1:{{port}}")
        with trace.get_tracer("test").start_as_current_span("gateway request") as span, acting_as(token):
            seen = json.loads(channel.unary_unary(f"/{{t.SERVICE}}/Whoami")(b""))
        expected = format(span.get_span_context().trace_id, "032x")
        assert seen["trace_id"] == expected, (seen, expected)
        channel.close()
        server.stop(None)
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr


# --- stopping ---------------------------------------------------------------------------------


def test_graceful_stop_finishes_running_calls(key_dir: Path, issuer: TokenIssuer) -> None:
    srv, port = start_probe_server(key_dir)
    stop = threading.Event()
    serving = threading.Thread(target=serve_forever, args=(srv,), kwargs={"grace": 5, "stop_event": stop})
    serving.start()
    ch = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        metadata = auth(token_for(issuer, ALICE))
        assert call(ch, "Whoami", metadata=metadata)
        running = ch.unary_unary(f"/{SERVICE}/Slow").future(b"1.0", metadata=metadata, timeout=10)
        time.sleep(0.3)
        stop.set()
        assert running.result() == b"done"  # the running call completed within the grace
        serving.join(timeout=10)
        assert not serving.is_alive()
        assert health_servicer(srv) is not None
        with pytest.raises(grpc.RpcError) as info:
            call(ch, "Whoami", metadata=metadata, timeout=2)
        assert info.value.code() is grpc.StatusCode.UNAVAILABLE  # stopped: no new calls
    finally:
        ch.close()


def test_stop_server_reports_not_serving_then_stops(key_dir: Path) -> None:
    srv, port = start_probe_server(key_dir)
    srv.start()
    ch = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        stub = health_pb2_grpc.HealthStub(ch)
        health = health_servicer(srv)
        assert health is not None
        health.enter_graceful_shutdown()  # what stop_server does first
        reply = stub.Check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING
        stop_server(srv, grace=1)
    finally:
        ch.close()


SIGNAL_SERVER = """
import sys
from pathlib import Path
from libs.common.grpc.server import serve_forever
from tests.integration.common import test_grpc_plumbing as t

server, port = t.start_probe_server(Path(sys.argv[1]))
server.start()
print(port, flush=True)
serve_forever(server, grace=5)
print("stopped", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_gracefully(key_dir: Path, issuer: TokenIssuer, signum: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SIGNAL_SERVER, str(key_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        ch = grpc.insecure_channel(f"127.0.0.1:{port}")
        metadata = auth(token_for(issuer, ALICE))
        assert call(ch, "Whoami", metadata=metadata, wait_for_ready=True)
        running = ch.unary_unary(f"/{SERVICE}/Slow").future(b"1.0", metadata=metadata, timeout=10)
        time.sleep(0.3)
        proc.send_signal(signum)
        assert running.result() == b"done"
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert "stopped" in out
        ch.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
