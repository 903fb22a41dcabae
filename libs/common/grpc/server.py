"""Bootstrap of a service's gRPC API process: a threaded `grpc.server` (never under eventlet,
ARCHITECTURE.md §2) with the Bianmin interceptor, health, reflection and OTel tracing."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent import futures
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from libs.common.auth import TokenVerifier
from libs.common.grpc.interceptors import PUBLIC_SERVICES, BianminServerInterceptor

log = logging.getLogger(__name__)

AddFn = Callable[[Any, grpc.Server], None]

# calls a server handles at once; its process keeps as many database connections (`api_pool_size`)
MAX_WORKERS = 16

SERVER_OPTIONS: tuple[tuple[str, Any], ...] = (
    # accept the clients' 30 s keepalive pings (client.CHANNEL_OPTIONS), also between calls
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_recv_ping_interval_without_data_ms", 10_000),
    # and find dead clients ourselves
    ("grpc.keepalive_time_ms", 60_000),
    ("grpc.keepalive_timeout_ms", 20_000),
)

_instrument_lock = threading.Lock()
_health_of: weakref.WeakKeyDictionary[grpc.Server, health.HealthServicer] = weakref.WeakKeyDictionary()


def instrument_tracing() -> None:
    """Install OTel's server instrumentation once (it wraps `grpc.server`, so it must run before
    a server is created); the incoming `traceparent` then parents the handler's spans."""
    from opentelemetry.instrumentation.grpc import GrpcInstrumentorServer, filters

    with _instrument_lock:
        instrumentor = GrpcInstrumentorServer(filter_=filters.negate(filters.health_check()))
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()


def _address(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6
    return f"{host}:{port}"


def build_server(
    servicers: Iterable[tuple[AddFn, Any]],
    service_names: Sequence[str],
    *,
    verifier: TokenVerifier,
    host: str,
    port: int,
    max_workers: int = MAX_WORKERS,
    options: Sequence[tuple[str, Any]] = (),
    public_services: Iterable[str] = PUBLIC_SERVICES,
) -> tuple[grpc.Server, int]:
    """A ready-to-start server: each `(add_fn, servicer)` registered (`add_fn(servicer, server)`,
    as generated `add_XServicer_to_server`), health SERVING for each of `service_names` and "",
    reflection for them, the Bianmin interceptor. `port=0` binds a free port. Returns
    `(server, bound_port)`; start it with `server.start()` or `serve_forever(server)`."""
    instrument_tracing()
    merged = dict(SERVER_OPTIONS)
    merged.update(dict(options))
    server = grpc.server(  # looked up at call time: OTel's instrumentation replaces grpc.server
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc-server"),
        interceptors=[BianminServerInterceptor(verifier, public_services=public_services)],
        options=list(merged.items()),
    )
    for add_fn, servicer in servicers:
        add_fn(servicer, server)

    health_servicer = health.HealthServicer(
        experimental_non_blocking=True,
        experimental_thread_pool=futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="grpc-health"),
    )
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", *service_names):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        (*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )

    address = _address(host, port)
    try:
        bound = server.add_insecure_port(address)
    except RuntimeError as exc:
        raise OSError(f"cannot bind gRPC server to {address}: {exc}") from exc
    if not bound:
        raise OSError(f"cannot bind gRPC server to {address}")
    _health_of[server] = health_servicer
    log.info("gRPC server for %s bound to %s", ", ".join(service_names) or "-", _address(host, bound))
    return server, bound


def health_servicer(server: grpc.Server) -> health.HealthServicer | None:
    """The health servicer `build_server` installed (to flip a service NOT_SERVING)."""
    return _health_of.get(server)


def stop_server(server: grpc.Server, grace: float = 10) -> None:
    """Report NOT_SERVING (readiness drains), refuse new calls, let running ones finish within
    `grace` seconds, then cancel what remains. Blocks until stopped."""
    servicer = _health_of.get(server)
    if servicer is not None:
        servicer.enter_graceful_shutdown()
    server.stop(grace).wait()


def serve_forever(
    server: grpc.Server, grace: float = 10, *, stop_event: threading.Event | None = None
) -> None:
    """Start `server` (if not started) and block until SIGTERM/SIGINT (handlers are installed
    only in the main thread, and restored afterwards), until `stop_event` is set, or until the
    server is stopped elsewhere; then stop it gracefully (`stop_server`)."""
    with contextlib.suppress(ValueError):  # started already
        server.start()
    stop = stop_event or threading.Event()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def on_signal(signum: int, _frame: object) -> None:
            log.info("received %s: stopping the gRPC server (grace %ss)", signal.Signals(signum).name, grace)
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        while not stop.is_set():
            if not server.wait_for_termination(timeout=0.5):
                return  # stopped by someone else
        stop_server(server, grace)
    finally:
        for signum, handler in previous.items():
            if handler is not None:  # None: installed outside Python, cannot be restored
                signal.signal(signum, handler)
