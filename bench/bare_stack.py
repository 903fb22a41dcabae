"""The bare stack: a baseline for the intake bench's lifecycles, measured in the same run.

A case call goes through these frameworks: an HTTP request through FastAPI (uvicorn with
httptools, a JSON body), an awaited gRPC unary call (a `grpc.aio` client, a grpcio server with a
thread pool) and a PostgreSQL transaction (SQLAlchemy Core on psycopg). Here they carry nothing
of Bianmin's — no token, no middleware, no domain, no events: the handler makes one single-row
INSERT and commits. Five such calls are one "lifecycle", as create → accept → assign → complete →
get are five. So the rate it gives is what these frameworks allow on this machine, and the CPU
each part spends is the floor under the platform's own CPU per lifecycle.

The service is gRPC's standard health service (`grpc_health`), so that no proto of ours is
needed; the table is the commit baseline's `bench_commit`.

    python -m bench.bare_stack grpc PORT DATABASE_URL   # the gRPC server
    python -m bench.bare_stack http PORT GRPC_PORT      # the FastAPI front
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import httpx

from libs.common.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 8  # the gRPC server's threads and the database pool, as intake's API process has


def serve_grpc(port: int, database_url: str) -> None:
    import grpc
    import sqlalchemy as sa
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    engine = sa.create_engine(database_url, pool_size=WORKERS, max_overflow=0)
    insert = sa.text("INSERT INTO bench_commit (note) VALUES (:note)")

    class Servicer(health_pb2_grpc.HealthServicer):
        def Check(  # noqa: N802 (gRPC's method name)
            self, request: health_pb2.HealthCheckRequest, context: object
        ) -> health_pb2.HealthCheckResponse:
            with engine.begin() as conn:
                conn.execute(insert, {"note": request.service})
            return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

    server = grpc.server(futures.ThreadPoolExecutor(WORKERS))
    health_pb2_grpc.add_HealthServicer_to_server(Servicer(), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    server.wait_for_termination()


def serve_http(port: int, grpc_port: int) -> None:
    import grpc
    import uvicorn
    from fastapi import FastAPI
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    app = FastAPI()
    stubs: list[health_pb2_grpc.HealthStub] = []  # made on uvicorn's event loop, at the first call

    @app.post("/v1/things/{tenant}/{thing}/{action}")
    async def act(tenant: str, thing: str, action: str, body: dict) -> dict:
        if not stubs:
            stubs.append(health_pb2_grpc.HealthStub(grpc.aio.insecure_channel(f"127.0.0.1:{grpc_port}")))
        answer = await stubs[0].Check(health_pb2.HealthCheckRequest(service=action))
        return {"tenant": tenant, "id": thing, "action": action, "status": answer.status, **body}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", http="httptools", access_log=False)


@contextlib.contextmanager
def started(database_url: str) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """Both servers as processes on `database_url` (SQLAlchemy form): (the HTTP base, the
    processes: the FastAPI front first)."""
    grpc_port, http_port = free_port(), free_port()
    back = _spawn("grpc", str(grpc_port), database_url)
    procs = [_spawn("http", str(http_port), str(grpc_port)), back]  # the front first
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 60
        _wait_for_grpc(grpc_port, deadline)  # else the front's first calls fail, noisily
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.post(f"{base}/v1/things/t/x/ping", json={}, timeout=5).status_code == 200:
                    break
            if any(proc.poll() is not None for proc in procs) or time.monotonic() > deadline:
                raise RuntimeError("the bare stack did not answer (see the output above)")
            time.sleep(0.2)
        yield base, procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_for_grpc(port: int, deadline: float) -> None:
    import grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        grpc.channel_ready_future(channel).result(timeout=max(0.0, deadline - time.monotonic()))


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bench.bare_stack", *args], cwd=ROOT)


if __name__ == "__main__":
    role, port, other = sys.argv[1:4]
    if role == "grpc":
        serve_grpc(int(port), other)
    else:
        serve_http(int(port), int(other))
