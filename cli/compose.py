"""The composition roots: how processes are assembled from the services' definitions.

`all_in_one` hosts everything in one process (what `make run` starts); `serve_api`,
`serve_worker` and `serve_relay` are the processes of the distributed deployment, where the
periodic jobs are `bianmin jobs <name>` CronJobs. Both wire the same servicers, handler functions,
outbox relays, periodic jobs and loops: a service's are those its `ServiceDef` declares."""

from __future__ import annotations

import gc
import importlib
import logging
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from libs.common.runtime import Job, JobReport, Runtime, ServiceDef
from libs.common.settings import SERVICES, Settings

log = logging.getLogger("bianmin")
DOMAIN_SERVICES = ("intake", "proxy", "appraisal", "notify")


def service_def(name: str) -> ServiceDef:
    if name not in SERVICES:
        raise SystemExit(f"unknown service {name!r}; one of: {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{name}.entrypoints.service").SERVICE


def service_defs() -> list[ServiceDef]:
    return [service_def(name) for name in SERVICES]


def all_subscriptions() -> list:
    return [sub for definition in service_defs() for sub in definition.subscriptions()]


def connect(settings: Settings) -> Runtime:
    """The runtime of an operator command: this deployment's database, default pools."""
    return Runtime.connect(settings, database_url(settings))


def observe(settings: Settings, process: str) -> None:
    """Logs, traces (OTLP/HTTP when configured) and the /metrics port of one process."""
    from libs.common.observability import configure_logging, configure_tracing, start_metrics_server

    configure_logging(settings.log_level, json=settings.log_json, service=process)
    configure_tracing(process, settings.otlp_endpoint)
    start_metrics_server(settings.metrics_port, settings.metrics_host or settings.http_host)


# --- database --------------------------------------------------------------------------------


def database_url(settings: Settings) -> str:
    """`BIANMIN_DATABASE_URL`, or the embedded PostgreSQL in the data directory."""
    if settings.database_url:
        return settings.database_url
    from libs.common import embedded_pg

    server = embedded_pg.start(settings.data_dir.resolve())
    return embedded_pg.ensure_database(server, "bianmin")


def migrate(settings: Settings, url: str) -> None:
    from libs.common import db, migrations

    engine = db.make_engine(url)  # as the URL's user: the owner of the schemas
    try:
        for name in SERVICES:
            migrations.upgrade(
                engine, name, runtime_role=settings.db_runtime_role, relay_role=settings.db_relay_role
            )
    finally:
        engine.dispose()


def bootstrap(settings: Settings, runtime: Runtime) -> str | None:
    """The county row, every published national calendar year not loaded yet, and the first
    county_admin (all idempotent). Returns a generated password."""
    from services.gateway.service_layer import calendars, identity

    identity.ensure_county(runtime.sessions, settings.county_code, settings.county_name, settings.timezone)
    for year in calendars.import_published_years(runtime.sessions, settings.county_code):
        log.info("national calendar %d imported: %d special days", year["year"], year["days"])
    if settings.bootstrap_admin:
        username, _, password = settings.bootstrap_admin.partition(":")
        generated = None
    else:
        username, password = "admin", secrets.token_urlsafe(12)
        generated = password
    created = identity.create_user(
        runtime.sessions,
        username=username,
        password=password,
        county=settings.county_code,
        roles=["county_admin"],
        name="County administrator",
        if_absent=True,
    )
    return generated if created else None


# --- gRPC ------------------------------------------------------------------------------------


def api_pool_size() -> int:
    """Database connections an API process keeps: one per call its gRPC server handles at once
    (fewer, and the pool's overflow connections were opened and closed under load)."""
    from libs.common.grpc.server import MAX_WORKERS

    return MAX_WORKERS


def grpc_server(runtime: Runtime, names: Iterable[str], host: str, port: int, verifier):  # type: ignore[no-untyped-def]
    from libs.common.grpc.server import build_server

    registrations: list = []
    service_names: list[str] = []
    for name in names:
        definition = service_def(name)
        registrations += definition.servicers(runtime)
        service_names += definition.grpc_service_names
    return build_server(registrations, service_names, verifier=verifier, host=host, port=port)


def keys(settings: Settings, *, sign: bool):  # type: ignore[no-untyped-def]
    from libs.common.auth import KeyRing, TokenIssuer, TokenVerifier

    ring = KeyRing.from_settings(settings, generate_if_empty=sign)
    verifier = TokenVerifier(ring, issuer=settings.jwt_issuer)
    issuer = (
        TokenIssuer(ring, issuer=settings.jwt_issuer, ttl_seconds=settings.token_ttl_seconds)
        if sign
        else None
    )
    return issuer, verifier


def gateway_app(settings: Settings, runtime: Runtime, issuer, verifier):  # type: ignore[no-untyped-def]
    from libs.common.grpc.client import ChannelFactory
    from services.gateway.adapters.service_clients import ServiceClients
    from services.gateway.entrypoints.http.app import Gateway, create_app
    from services.gateway.service_layer.calendars import report_provisional_years

    report_provisional_years(settings.county_code, datetime.now(ZoneInfo(settings.timezone)).date())
    channels = ChannelFactory(settings)
    return create_app(
        Gateway(runtime=runtime, issuer=issuer, verifier=verifier, services=ServiceClients(channels))
    )


def freeze_startup_heap() -> None:
    """Just before a process serves: take what starting it made (modules, the app, tables, built
    statements) out of the cyclic garbage collector's reach. It lives as long as the process, and
    every full collection walked all of it again (README: *Statements built once*). What is
    garbage already is collected first."""
    gc.collect()
    gc.freeze()


def run_http(app, host: str, port: int, trusted_proxies: str = "") -> None:  # type: ignore[no-untyped-def]
    """uvicorn in this thread; it handles SIGINT/SIGTERM and returns after a graceful stop."""
    import uvicorn

    from services.gateway.entrypoints.http.server import server_config

    # uvicorn re-raises the signal it caught once it has stopped; with these (no-op) handlers in
    # place that re-raise returns here instead of killing the process before our own clean-up
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    uvicorn.Server(server_config(app, host, port, trusted_proxies)).run()


# --- bus -------------------------------------------------------------------------------------


@dataclass
class Background:
    """Threads of the all-in-one process: relays, periodic jobs and loops, stopped together."""

    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, name: str, target, *args) -> None:  # type: ignore[no-untyped-def]
        thread = threading.Thread(target=target, args=(*args, self.stop), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def shutdown(self, timeout: float = 10) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)


def publisher_for(settings: Settings, runtime: Runtime, source: str):  # type: ignore[no-untyped-def]
    from libs.common.messaging import AmqpPublisher, InProcessBus

    if settings.amqp_url:
        expected = [s for s in all_subscriptions() if s.source == source]
        return AmqpPublisher(settings.amqp_url, declare_queues=expected)
    return InProcessBus(
        all_subscriptions(),
        lambda _service: runtime.sessions,
        max_attempts=settings.consumer_max_attempts,
        retry_base_seconds=settings.consumer_retry_base_seconds,
    )


def relay_loop(settings: Settings, runtime: Runtime, source: str, stop: threading.Event) -> None:
    from libs.common.messaging import OutboxRelay

    relay = OutboxRelay(
        source,
        runtime.ops_sessions,
        publisher_for(settings, runtime, source),
        batch_size=settings.relay_batch_size,
    )
    relay.run(stop, idle_seconds=settings.relay_idle_seconds)


# --- jobs and loops --------------------------------------------------------------------------


def retry_failed(runtime: Runtime) -> JobReport:
    """Re-deliver failed events whose back-off has passed, for every service."""
    from libs.common.messaging import retry_due

    settings, subs = runtime.settings, all_subscriptions()
    redelivered = sum(
        retry_due(
            runtime.ops_sessions,
            [s for s in subs if s.service == name],
            runtime_sessions=runtime.sessions,
            max_attempts=settings.consumer_max_attempts,
            retry_base_seconds=settings.consumer_retry_base_seconds,
        )
        for name in SERVICES
        if any(s.service == name for s in subs)
    )
    return JobReport(f"{redelivered} event(s) re-delivered")


# the bus's own job: it serves every service's consumers, so no one service declares it
RETRY_FAILED = Job(
    "retry-failed", "re-deliver failed events whose back-off has passed", retry_failed, every_seconds=30
)


def jobs() -> dict[str, Job]:
    """Every periodic job by name: the bus's and those the services declare."""
    declared = [RETRY_FAILED, *(job for definition in service_defs() for job in definition.jobs)]
    by_name = {job.name: job for job in declared}
    if len(by_name) < len(declared):
        raise RuntimeError(f"two jobs share a name: {sorted(job.name for job in declared)}")
    return by_name


def repeat(job: Job, runtime: Runtime, stop: threading.Event) -> None:
    """A round of `job` every `job.every_seconds` until `stop`; a failed round is logged and the
    next one runs as planned."""
    while not stop.wait(job.every_seconds):
        try:
            report = job.run(runtime)
        except Exception:  # noqa: BLE001 - logged, tried again next round
            log.exception("job %s failed", job.name)
            continue
        if report.failed:
            log.warning("job %s: %s", job.name, report.line)


def start_jobs_and_loops(background: Background, runtime: Runtime) -> None:
    """Every periodic job and every service's loops, each in a thread of `background`."""
    for job in jobs().values():
        background.start(f"job-{job.name}", repeat, job, runtime)
    for definition in service_defs():
        for loop in definition.loops:
            background.start(f"{definition.name}-{loop.name}", loop.run, runtime)


# --- processes -------------------------------------------------------------------------------


def all_in_one(settings: Settings, host: str, port: int) -> None:
    observe(settings, "bianmin")
    url = database_url(settings)
    migrate(settings, url)
    issuer, verifier = keys(settings, sign=True)
    runtime = Runtime.connect(settings, url, pool_size=api_pool_size())
    password = bootstrap(settings, runtime)

    server, grpc_port = grpc_server(runtime, SERVICES, "127.0.0.1", 0, verifier)
    server.start()
    # every service answers on the in-process gRPC server: the gateway's calls are real gRPC
    targets = {name: f"127.0.0.1:{grpc_port}" for name in SERVICES}
    background = Background()
    env = {"BIANMIN_DATABASE_URL": url, "BIANMIN_DATA_DIR": str(settings.data_dir)}
    metrics = settings.metrics_port  # the children's /metrics on the ports after the parent's, if on
    kids: list[Child] = []
    if settings.run_intake_process:  # the calls go to the child; the servicer here keeps the case gauges
        api = ApiChild("intake", "api", env, metrics_port=metrics and metrics + 1)
        api.start()
        targets["intake"] = api.target
        kids.append(api)
    settings.grpc_targets = ",".join(f"{name}={target}" for name, target in targets.items())

    for name in SERVICES:
        background.start(f"relay-{name}", relay_loop, settings, runtime, name)
    if settings.amqp_url:  # consumers are nameko workers: they need their own (eventlet) processes
        for k, name in enumerate(DOMAIN_SERVICES, start=2):
            worker = Child(name, "worker", env, metrics_port=metrics and metrics + k)
            worker.start()
            kids.append(worker)
    for kid in kids:
        background.start(f"{kid.service}-{kid.role}", kid.supervise)
    start_jobs_and_loops(background, runtime)

    print(f"Bianmin is running at http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True)
    print(f"Staff console (web): http://{host}:{port}/console/", flush=True)
    admin = (settings.bootstrap_admin or "admin:").split(":")[0]
    if password:
        print(f"Log in as '{admin}' with the password: {password}  (shown once)", flush=True)
    else:
        print(f"Log in as '{admin}' (the console, or bianmin client login --username {admin})", flush=True)
    app = gateway_app(settings, runtime, issuer, verifier)
    freeze_startup_heap()
    try:
        run_http(app, host, port, settings.trusted_proxies)
    finally:
        background.shutdown()  # no child is started again from here on
        stop_all(kids)
        server.stop(grace=5).wait()
        print("Bianmin stopped.", flush=True)


@dataclass
class Child:
    """A child process of `bianmin run` (`bianmin serve <service> <role>`): started again when it
    fails, stopped with the parent, and stopping by itself when the parent is killed
    (`BIANMIN_PARENT_PID`, libs.common.orphan). Its /metrics on `metrics_port` (0: off)."""

    service: str
    role: str
    env: dict[str, str]
    metrics_port: int = 0
    proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = self._spawn()

    def _spawn(self, **env: str) -> subprocess.Popen:
        import os

        return spawn(
            self.service,
            self.role,
            **self.env,
            **env,
            BIANMIN_METRICS_PORT=str(self.metrics_port),
            BIANMIN_PARENT_PID=str(os.getpid()),
        )

    def supervise(self, stop: threading.Event) -> None:
        """Start it again whenever it fails until `stop`. A clean exit is a stop asked for
        (Ctrl-C reaches the whole process group): not restarted."""
        while not stop.wait(1.0):
            code = self.proc.poll() if self.proc is not None else None
            if code not in (None, 0):
                log.error("%s's %s process exited with %s; starting it again", self.service, self.role, code)
                try:
                    self.start()
                except SystemExit as exc:
                    log.error("%s", exc)

    def terminate(self) -> None:
        """Ask it to stop (a graceful stop: work in flight finishes)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def wait(self, timeout: float = 15) -> None:
        """Until it has stopped; killed after `timeout` seconds."""
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def stop_all(kids: Iterable[Child]) -> None:
    """Stop every child, all asked at once."""
    kids = list(kids)
    for kid in kids:
        kid.terminate()
    for kid in kids:
        kid.wait()


@dataclass
class ApiChild(Child):
    """A service's gRPC API as a child process (intake's, unless `BIANMIN_RUN_INTAKE_PROCESS` is
    false): the case path gets an interpreter lock of its own instead of sharing the gateway's (in
    one process their threads spent a third of the CPU handing the lock to each other). Started
    before the gateway serves, on a free local port kept across restarts (`target`); calls meanwhile
    answer unavailable."""

    port: int = 0

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        """Spawn it and wait until its health check says SERVING."""
        from libs.common.ports import free_port

        self.port = self.port or free_port()
        self.proc = self._spawn(BIANMIN_GRPC_HOST="127.0.0.1", BIANMIN_GRPC_PORT=str(self.port))
        deadline = time.monotonic() + timeout
        while not self._serving():
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.service}'s API process exited with {self.proc.returncode}")
            if time.monotonic() > deadline:
                stop_all([self])
                raise SystemExit(f"{self.service}'s API process did not answer in {timeout:.0f} s")
            time.sleep(0.2)

    def _serving(self) -> bool:
        import grpc

        from libs.common.grpc.client import serving

        with grpc.insecure_channel(self.target) as channel:
            return serving(channel, service_def(self.service).grpc_service_names[0], timeout=1)


def spawn(service: str, role: str, **env: str) -> subprocess.Popen:
    """A child process of the distributed kind (`bianmin serve service role`)."""
    import os

    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", service, role], env={**os.environ, **env}
    )


def serve_api(settings: Settings, service: str) -> None:
    from libs.common.grpc.server import serve_forever

    observe(settings, service)
    url = database_url(settings)
    issuer, verifier = keys(settings, sign=service == "gateway")
    runtime = Runtime.connect(settings, url, pool_size=api_pool_size())
    server, port = grpc_server(runtime, [service], settings.grpc_host, settings.grpc_port, verifier)
    log.info("%s gRPC API on %s:%s", service, settings.grpc_host, port)
    if service != "gateway":
        stop = threading.Event()
        if settings.parent_pid:  # a child of `bianmin run`
            from libs.common.orphan import stop_when_orphaned

            threading.Thread(
                target=stop_when_orphaned, args=(settings.parent_pid, stop), name="parent", daemon=True
            ).start()
        freeze_startup_heap()
        serve_forever(server, stop_event=stop)
        return
    server.start()
    app = gateway_app(settings, runtime, issuer, verifier)
    freeze_startup_heap()
    try:
        run_http(app, settings.http_host, settings.http_port, settings.trusted_proxies)
    finally:
        server.stop(grace=5).wait()


def serve_relay(settings: Settings, service: str) -> None:
    if not settings.amqp_url:
        raise SystemExit("the relay publishes to RabbitMQ: set BIANMIN_AMQP_URL")
    observe(settings, f"{service}-relay")
    runtime = connect(settings)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # a relay process also runs its service's loops: like the relay, once per deployment
    loops = [
        threading.Thread(target=loop.run, args=(runtime, stop), name=f"{service}-{loop.name}")
        for loop in service_def(service).loops
    ]
    for thread in loops:
        thread.start()
    freeze_startup_heap()
    try:
        relay_loop(settings, runtime, service, stop)
    finally:
        stop.set()
        for thread in loops:
            thread.join(30)


def serve_worker(settings: Settings, service: str) -> None:
    """nameko consumers under eventlet (the CLI set PSYCOPG_WAIT_FUNC before psycopg loaded)."""
    from libs.common.messaging.nameko_adapter import run_worker

    if not settings.amqp_url:
        raise SystemExit("workers consume from RabbitMQ: set BIANMIN_AMQP_URL")
    observe(settings, f"{service}-worker")
    url = database_url(settings)
    run_worker(
        service,
        service_def(service).subscriptions(),
        lambda: Runtime.connect(settings, url, pool_size=settings.worker_max_workers),
        settings.amqp_url,
        settings=settings,
    )
