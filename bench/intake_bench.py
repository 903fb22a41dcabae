"""Intake under load (issue 4): full case lifecycles through the HTTP API on a township that
already holds N cases, next to PostgreSQL's own commit rate on the same server in the same run;
and the re-derivation of every open deadline after a calendar change, next to a plain UPDATE of
the same rows.

How it runs:

1. The real platform as a process — `bianmin run` (all-in-one: gateway, services, in-process bus)
   on a throw-away database (the PostgreSQL at `BIANMIN_BENCH_PG_URL`, else 127.0.0.1:5432 when
   it answers, else the embedded server) with the edge rate limits lifted (one client machine
   plays every user). The national calendars of last year and this year are imported; a township
   is onboarded with one item (20 promised working days); a window_staff user is created.
2. N cases (`BIANMIN_BENCH_CASES`, default 1,000,000) are seeded straight into intake's tables
   with COPY: a mix of states (open-heavy: ≈ 83 % with a clock running or paused, so the
   re-derivation has work), each with its hash-chained history (the canonical entry spelled out
   for speed, checked against intake's own `entry_hash` for the first cases and with
   `verify_chain` on a sample after the load, so `bianmin admin verify-history` accepts them),
   its stored clock and clock segments (its `case_clock` row, derived with the township's
   compiled calendar, vectorised) and its case number. Seeded cases have no outbox events.
3. Lifecycles: `clients` threads, each with its own HTTP connection, loop create → accept →
   assign → complete → get for `seconds`; lifecycles/s and the p95 of every call.
   Baselines: single-row INSERT + COMMIT on the same server, the same number of connections;
   and the bare stack (bench/bare_stack.py): the same clients through FastAPI → gRPC → one
   INSERT + COMMIT, five calls a lifecycle, with nothing of Bianmin's in them. The CPU each
   process spent, for both, says how far the platform's own work is above the frameworks' floor.
4. A township day off is set through the API and timed until intake has committed it (its
   handler re-derives every open deadline in that transaction); the relay's drain rate of the
   resulting events is sampled; the platform is stopped and `deadlines.rederive` is timed on its
   own after a second day off written straight into intake's calendar projection; last the
   baseline, a no-op `UPDATE case_clock SET due_at = due_at` over the open clocks. The tables are
   vacuumed after the load and before each of the last two, as autovacuum keeps them.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil
import psycopg
import sqlalchemy as sa

from libs.common.ports import free_port
from services.intake.domain.case import HistoryEntry

ROOT = Path(__file__).resolve().parent.parent
BENCH = "intake"
TENANT = "tianyang.napo"
COUNTY = "tianyang:田阳县"
ADMIN = ("admin", "bench-county-password")
STAFF = ("bench_window", "bench-window-password")
PROMISED_DAYS = 20
ITEM = {
    "code": "db_apply",
    "name": "低保申请",
    "category": "civil_affairs",
    "level": "township",
    "kind": "approval",
    "statutory_days": 30,
    "promised_days": PROMISED_DAYS,
    "materials": [
        {"code": "id_card", "name": "身份证", "required": True},
        {"code": "hukou", "name": "户口簿", "required": True},
    ],
}
CASE_BODY = {
    "item_code": "db_apply",
    "level": "hall",
    "channel": "walk_in",
    "applicant": {"name": "压测申请人", "phone": "13800000000"},
    "materials": ["id_card", "hukou"],
}
LIFECYCLE_TARGET = 150.0  # lifecycles/s
P95_TARGET = 0.050  # seconds per call
REDERIVE_TARGET = 100_000.0  # open cases/s: 1 M in 10 s
CLOCKED = ("accepted", "in_progress", "escalated")

# the seeded mix (share of N) and each state's path through the state machine
MIX = {
    "received": 0.02,
    "supplement_requested": 0.02,
    "accepted": 0.16,
    "in_progress": 0.62,
    "escalated": 0.05,
    "completed": 0.02,
    "replied": 0.02,
    "archived": 0.06,
    "returned": 0.01,
    "not_accepted": 0.01,
    "withdrawn": 0.01,
}
_PATH = {  # state → [(action, to_state, reason)] after `receive`
    "received": [],
    "supplement_requested": [("request_supplement", "supplement_requested", "")],
    "not_accepted": [
        ("request_supplement", "supplement_requested", ""),
        ("refuse", "not_accepted", "不符合条件"),
    ],
    "withdrawn": [("withdraw", "withdrawn", "申请人撤回")],
    "accepted": [("accept", "accepted", "")],
    "returned": [("accept", "accepted", ""), ("return", "returned", "材料不实")],
    "in_progress": [("accept", "accepted", ""), ("assign", "in_progress", "")],
    "escalated": [
        ("accept", "accepted", ""),
        ("assign", "in_progress", ""),
        ("escalate", "escalated", "需县级审批"),
    ],
    "completed": [("accept", "accepted", ""), ("assign", "in_progress", ""), ("complete", "completed", "")],
}
_PATH["replied"] = [*_PATH["completed"], ("reply", "replied", "")]
_PATH["archived"] = [*_PATH["replied"], ("archive", "archived", "")]


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


def _stop_cleanly(*_: Any) -> None:
    raise SystemExit(143)  # SIGTERM: unwind, so the platform stops and its database is dropped


def run(
    cases: int | None = None,
    seconds: float | None = None,
    clients: int | None = None,
    lifecycles: int | None = None,
    server_url: str | None = None,
) -> list[dict]:
    """The benchmark's rows (see bench/__main__.py). Scale with `BIANMIN_BENCH_CASES`,
    `BIANMIN_BENCH_SECONDS` (lifecycle phase) and `BIANMIN_BENCH_CLIENTS`; `lifecycles` caps the
    lifecycles (the smoke test's few)."""
    n = cases if cases is not None else _int_env("BIANMIN_BENCH_CASES", 1_000_000)
    duration = seconds if seconds is not None else float(_int_env("BIANMIN_BENCH_SECONDS", 60))
    pool = clients if clients is not None else _int_env("BIANMIN_BENCH_CLIENTS", 8)
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop_cleanly) if main else None
    try:
        with Platform.started(server_url) as p:
            p.onboard()
            rows = _said(seed(p, n))
            rows += _said(lifecycles_rows(p, duration, pool, lifecycles))
            rows += _said(rederive_rows(p, drain_window=min(30.0, max(2.0, duration / 2))))
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    return rows


def _said(rows: list[dict]) -> list[dict]:
    """Progress on stderr (a full run takes a while; the table comes at the end)."""
    for row in rows:
        print(
            f"intake bench: {row['operation']}: {row['cases']:,} in {row['seconds']:.3f} s", file=sys.stderr
        )
    return rows


def _row(operation: str, cases: int, seconds: float, *, rate: bool = True, **extra: Any) -> dict:
    """One row; `rate=False` for a latency row (its seconds column is the latency)."""
    per_second = cases / seconds if rate and seconds > 0 else None
    return {
        "bench": BENCH,
        "operation": operation,
        "cases": cases,
        "seconds": seconds,
        "per_second": per_second,
        **extra,
    }


# --- the platform --------------------------------------------------------------------------------


def _server_url() -> str:
    """A PostgreSQL server we may create a database on (superuser URL); the embedded one keeps
    its data where the tests keep theirs (ignored by git, reused while it runs)."""
    url = os.environ.get("BIANMIN_BENCH_PG_URL")
    if url:
        return url
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    with contextlib.suppress(psycopg.Error):
        psycopg.connect(local, connect_timeout=3).close()
        return local
    from libs.common import embedded_pg

    return embedded_pg.start(ROOT / ".test-data")


def _plain(url: str) -> str:
    """A SQLAlchemy URL → the libpq URL psycopg wants."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@dataclass
class Platform:
    """`bianmin run` on a throw-away database and data directory; stopped and dropped after."""

    server_url: str
    database_url: str  # SQLAlchemy form
    workdir: Path
    base: str = ""
    procs: list[subprocess.Popen] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    admin: dict[str, str] = field(default_factory=dict)
    materials: Any = None  # the item's materials as intake stores them on a case

    @classmethod
    @contextlib.contextmanager
    def started(cls, server_url: str | None = None) -> Iterator[Platform]:
        from libs.common import embedded_pg

        workdir = Path(tempfile.mkdtemp(prefix="bianmin-bench-"))
        server = server_url or _server_url()
        name = f"bianmin_bench_{uuid.uuid4().hex[:10]}"
        p = cls(server, embedded_pg.ensure_database(server, name), workdir)
        try:
            p.start()
            yield p
        finally:
            p.stop()
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(workdir, ignore_errors=True)

    def start(self) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "BIANMIN_AMQP_URL"},  # the in-process bus
            "BIANMIN_DATABASE_URL": self.database_url,
            "BIANMIN_DATA_DIR": str(self.workdir / "data"),
            "BIANMIN_COUNTY": COUNTY,
            "BIANMIN_BOOTSTRAP_ADMIN": ":".join(ADMIN),
            "BIANMIN_LOG_JSON": "false",
            "BIANMIN_LOG_LEVEL": "WARNING",
            # one machine plays every client: the per-IP/per-user edge limits would measure themselves
            "BIANMIN_HTTP_RATE_PER_SECOND": "1000000",
            "BIANMIN_HTTP_BURST": "1000000",
        }
        self.procs.append(self._spawn("run", "--port", str(port)))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code < 500:
                    return
            if self.procs[0].poll() is not None:
                raise RuntimeError(f"bianmin run exited early:\n{self.log_tail()}")
            time.sleep(0.3)
        raise RuntimeError(f"bianmin run did not answer in 120 s:\n{self.log_tail()}")

    def _spawn(self, *args: str) -> subprocess.Popen:
        with open(self.workdir / f"{'-'.join(args[:2])}.log", "a") as log:  # the child keeps its copy
            return subprocess.Popen(
                [sys.executable, "-m", "cli.main", *args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def cli(self, *args: str) -> None:
        proc = self._spawn(*args)
        if proc.wait(180) != 0:
            raise RuntimeError(f"bianmin {' '.join(args[:2])} failed:\n{self.log_tail()}")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()

    def log_tail(self) -> str:
        return "\n".join(f"--- {f.name}\n{f.read_text()[-3000:]}" for f in sorted(self.workdir.glob("*.log")))

    def login(self, username: str, password: str) -> dict[str, str]:
        reply = httpx.post(
            f"{self.base}/v1/auth/token", json={"username": username, "password": password}, timeout=10
        )
        _check(reply, 200)
        return {"Authorization": f"Bearer {reply.json()['access_token']}"}

    def onboard(self) -> None:
        """Calendars, the item, the township, its window_staff; one lifecycle once it all works."""
        this_year = datetime.now(UTC).year
        for year in (this_year - 1, this_year):
            self.cli("admin", "calendar-import", "--year", str(year))
        self.admin = self.login(*ADMIN)
        _check(httpx.post(f"{self.base}/v1/catalog/items", json=ITEM, headers=self.admin, timeout=30), 201)
        township = {"code": TENANT.split(".")[1], "name": "那坡镇", "villages": []}
        _check(httpx.post(f"{self.base}/v1/townships", json=township, headers=self.admin, timeout=30), 201)
        self.cli(
            "admin",
            "create-user",
            STAFF[0],
            "--roles",
            "window_staff",
            "--tenants",
            TENANT,
            "--password",
            STAFF[1],
        )
        # the projections (township, catalogue copy, staff) arrive over the bus: retry until a
        # whole lifecycle goes through
        deadline = time.monotonic() + 90
        client = _KeptAlive(self.base, self.login(*STAFF))
        try:
            while True:
                try:
                    case_id = _lifecycle(client, [])
                    break
                except _CallFailed:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
        finally:
            client.close()
        with self.connect() as conn:
            self.materials = _one(conn, 'SELECT materials FROM intake."case" WHERE id = %s', (case_id,))

    def connect(self, **kwargs: Any) -> psycopg.Connection:
        """A connection as the database owner, scoped to the township (row-level security)."""
        conn = psycopg.connect(_plain(self.database_url), **kwargs)
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (TENANT,))
        return conn


def _one(conn: psycopg.Connection, sql: str, params: tuple = ()) -> Any:
    """The first column of the query's one row."""
    row = conn.execute(sql, params).fetchone()
    if row is None:
        raise RuntimeError(f"no row from {sql[:60]}")
    return row[0]


class _CallFailed(RuntimeError):
    pass


def _check(reply: httpx.Response, status: int) -> httpx.Response:
    if reply.status_code != status:
        what = f"{reply.request.method} {reply.request.url.path}"
        raise _CallFailed(f"{what}: {reply.status_code} {reply.text[:300]}")
    return reply


# --- seeding -------------------------------------------------------------------------------------

CASE_COLUMNS = (
    "tenant_id, id, number, item_code, kind, level, channel, applicant, materials, received, requested, "
    "first_notice, first_ask, received_at, state, handler, escalated_to, department, outcome, "
    "satisfaction, version, history_head, created_at, updated_at"
)
CLOCK_COLUMNS = (
    "tenant_id, case_id, version, clock_state, started_at, due_at, warn_at, provisional, stopped_at, "
    "clock_promised_days, clock_extension_days, clock_paused_from, clock_paused_until"
)
HISTORY_COLUMNS = "tenant_id, case_id, seq, at, actor, action, from_state, to_state, reason, prev_hash, hash"
CHUNK = 50_000
CHECKED = 2_000  # seeded cases whose every hash is also computed by intake's own `entry_hash`


def seed(p: Platform, n: int, seed_value: int = 4) -> list[dict]:
    """N cases with histories and clocks, COPYed in chunks; then ANALYZE and a chain check."""
    from services.intake.adapters import case_repository as repo
    from services.intake.domain import clock

    began = time.perf_counter()
    cal = _calendar(p)
    rng = np.random.default_rng(seed_value)
    states = np.array(list(MIX))
    state = states[rng.choice(len(states), n, p=np.array(list(MIX.values())) / sum(MIX.values()))]
    tz = cal.tz
    today = datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    day = 86_400
    is_open = np.isin(state, ["received", "supplement_requested", *CLOCKED])
    # open cases arrived in the last 40 days, closed ones over the last 18 months (before today:
    # today's case numbers belong to the lifecycles)
    hi = int(today.timestamp()) - 3 * 3600
    recent, older = rng.integers(hi - 40 * day, hi, n), rng.integers(hi - 540 * day, hi - 20 * day, n)
    received = np.where(is_open, recent, older)
    span = rng.integers(1, 15, n) * day + rng.integers(0, 8 * 3600, n)  # accept → complete
    accepted = received + 600
    started = np.isin(state, [*CLOCKED, "completed", "replied", "archived", "returned"])
    arrays = clock.CaseArrays(
        accepted, np.full(n, PROMISED_DAYS, np.int64), np.zeros(n, np.int64), *(np.zeros(0, np.int64),) * 3
    )
    due, warn = clock.rederive(cal, arrays)
    provisional = cal.is_provisional_epoch(accepted, due)
    # case numbers: `<code>-<yyyymmdd>-<seq>` by day of receipt
    order = np.argsort(received, kind="stable")
    local_days = np.array([datetime.fromtimestamp(int(t), tz).strftime("%Y%m%d") for t in received[order]])
    seq_sorted = np.zeros(n, np.int64)
    if n:
        first = np.r_[True, local_days[1:] != local_days[:-1]]
        starts = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        seq_sorted = np.arange(n) - starts + 1
    seq = np.empty(n, np.int64)
    seq[order] = seq_sorted
    day_of = np.empty(n, object)
    day_of[order] = local_days
    prepared = time.perf_counter() - began

    import json

    materials = json.dumps(p.materials, ensure_ascii=False, separators=(",", ":"))
    code = TENANT.split(".")[1]
    began = time.perf_counter()
    with p.connect() as conn:
        conn.execute("SET synchronous_commit = off")
        conn.commit()
        # no per-row foreign-key checks while loading (superuser only; the rows are consistent
        # by construction: each chunk's history follows its cases in the same transaction)
        try:
            conn.execute("SET session_replication_role = replica")
            conn.commit()
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
        for lo in range(0, n, CHUNK):
            case_lines: list[str] = []
            clock_lines: list[str] = []
            history_lines: list[str] = []
            for i in range(lo, min(n, lo + CHUNK)):
                s = str(state[i])
                r = int(received[i])
                at = {
                    "request_supplement": r + 600,
                    "withdraw": r + 600,
                    "accept": r + 600,
                    "assign": r + 3600,
                    "escalate": r + 7200,
                    "return": r + 7200,
                    "refuse": r + 3 * day,
                    "complete": r + 600 + int(span[i]),
                }
                at["reply"] = at["complete"] + day
                at["archive"] = at["complete"] + 2 * day
                case_lines.append(
                    _case_line(
                        i,
                        s,
                        r,
                        at,
                        code,
                        str(day_of[i]),
                        int(seq[i]),
                        materials,
                        bool(started[i]),
                        int(due[i]),
                        int(warn[i]),
                        bool(provisional[i]),
                        clock_lines,
                        history_lines,
                        repo,
                    )
                )
            with conn.cursor().copy(f'COPY intake."case" ({CASE_COLUMNS}) FROM STDIN') as copy:
                copy.write("".join(case_lines))
            with conn.cursor().copy(f"COPY intake.case_clock ({CLOCK_COLUMNS}) FROM STDIN") as copy:
                copy.write("".join(clock_lines))
            with conn.cursor().copy(f"COPY intake.case_history ({HISTORY_COLUMNS}) FROM STDIN") as copy:
                copy.write("".join(history_lines))
            conn.commit()
            print(f"intake bench: seeded {min(n, lo + CHUNK):,} of {n:,}", file=sys.stderr, flush=True)
        days, counts = np.unique(local_days, return_counts=True)
        with conn.cursor().copy("COPY intake.case_number (tenant_id, day, last) FROM STDIN") as copy:
            for d, count in zip(days, counts, strict=True):
                copy.write_row((TENANT, str(d), int(count)))
        conn.commit()
        _swept_already(p)
        copied = time.perf_counter() - began
        conn.autocommit = True
        # as autovacuum would have left them (hint bits set, visibility map, statistics), so that
        # no measurement below pays for the load or races an autovacuum of it
        conn.execute('VACUUM (ANALYZE) intake."case", intake.case_clock, intake.case_history')
        sizes = " + ".join(
            f"pg_total_relation_size('intake.{table}')" for table in ('"case"', "case_clock", "case_history")
        )
        size = _one(conn, f"SELECT {sizes}")
        entries = _one(conn, "SELECT count(*) FROM intake.case_history")
    checked, problems, verify_seconds = _verify_sample(p, repo, 2_000)
    if problems:
        raise RuntimeError(f"seeded history chains do not verify: {problems[:3]}")
    open_clocked = int(np.isin(state, CLOCKED).sum())
    return [
        _row("seed: states, numbers, clocks (vectorised)", n, prepared),
        _row(
            f"seed: COPY cases + {entries:,} history rows ({size / 2**30:.2f} GiB with indexes); "
            f"{open_clocked:,} with an open clock",
            n,
            copied,
        ),
        _row("seed: history chains verified (sample, verify_chain)", checked, verify_seconds),
    ]


def _swept_already(p: Platform) -> None:
    """The seeded clocks as the deadline sweep would have left them: their colour steps marked
    (by the sweep itself), their events not kept — the seeded cases have no outbox events, and a
    county's cases were swept all along. Else the platform's first sweep in office hours would
    tell tens of thousands of colour steps at once, on the same two cores as the measurements."""
    from libs.common import db
    from services.intake.service_layer import deadline_sweep

    engine = db.make_engine(p.database_url, pool_size=1)  # the owner: its own statements below
    try:
        with db.transaction(db.make_sessions(engine), TENANT) as s:
            last = s.execute(sa.text("SELECT coalesce(max(id), 0) FROM intake.outbox")).scalar()
            deadline_sweep.sweep_in(s, TENANT, datetime.now(UTC))
            s.execute(sa.text("DELETE FROM intake.outbox WHERE id > :last"), {"last": last})
    finally:
        engine.dispose()


def _case_line(
    i: int,
    s: str,
    r: int,
    at: dict[str, int],
    code: str,
    day: str,
    seq: int,
    materials: str,
    started: bool,
    due: int,
    warn: int,
    provisional: bool,
    clock_lines: list[str],
    history_lines: list[str],
    repo: Any,
) -> str:
    """One COPY line of `case` (its `case_clock` line appended to `clock_lines`, its history lines
    to `history_lines`)."""
    case_id = str(uuid.UUID(int=(0xB1A5 << 112) | i))  # stable, distinct from uuid4
    actor = STAFF[0]
    steps = [("receive", "received", "", r)] + [(a, to, why, at[a]) for a, to, why in _PATH[s]]
    prev, last_state = repo.genesis_hash(TENANT, case_id), None
    for n_, (action, to, why, t) in enumerate(steps, start=1):
        when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
        # the repository's canonical entry, spelled out (a tenth of the cost of building it
        # through json.dumps for millions of rows); checked against `entry_hash` for the first
        # cases and by `verify_chain` on a sample after the load
        from_state = "null" if last_state is None else f'"{last_state}"'
        canonical = (
            f'{{"action":"{action}","actor":"{actor}","at":"{when}.000000+00:00","case_id":"{case_id}",'
            f'"from_state":{from_state},"reason":"{why}",'
            f'"seq":{n_},"tenant_id":"{TENANT}","to_state":"{to}"}}'
        )
        digest = hashlib.sha256((prev + canonical).encode()).hexdigest()
        if i < CHECKED:
            entry = HistoryEntry(datetime.fromtimestamp(t, UTC), actor, action, last_state, to, why)
            if digest != repo.entry_hash(prev, TENANT, case_id, n_, entry):
                raise RuntimeError(f"the seed's canonical entry differs from intake's: {canonical}")
        history_lines.append(
            "\t".join(
                (
                    TENANT,
                    case_id,
                    str(n_),
                    f"{when}+00:00",
                    actor,
                    action,
                    last_state or r"\N",
                    to,
                    why,
                    prev,
                    digest,
                )
            )
            + "\n"
        )
        prev, last_state = digest, to
    iso = datetime.fromtimestamp(r, UTC).isoformat()
    supplement = s in ("supplement_requested", "not_accepted")
    received = f'{{"id_card":"{iso}"}}' if supplement else f'{{"id_card":"{iso}","hukou":"{iso}"}}'
    handler = actor if s in ("in_progress", "escalated", "completed", "replied", "archived") else None
    outcome = "approved" if s in ("completed", "replied", "archived") else None
    clock_state = None
    if started:
        states = {"accepted": "running", "in_progress": "running", "escalated": "paused"}
        clock_state = states.get(s, "stopped")
    paused = clock_state == "paused"
    updated = datetime.fromtimestamp(steps[-1][3], UTC).isoformat()
    applicant = f'{{"name":"申请人{i}","phone":"138{i % 10**8:08d}","id_number":null,"address":null}}'
    stop = at["complete"] if outcome else at["return"] if s == "returned" else None
    stopped_at = None if stop is None else datetime.fromtimestamp(stop, UTC).isoformat()
    pause_from = f'{{"{datetime.fromtimestamp(at["escalate"], UTC).isoformat()}"}}' if paused else "{}"
    pause_until = "{NULL}" if paused else "{}"
    values = (
        TENANT,
        case_id,
        f"{code}-{day}-{seq:04d}",
        ITEM["code"],
        "promised",
        "hall",
        "walk_in",
        applicant,
        materials,
        received,
        "[]",
        '["hukou"]' if supplement else None,
        actor,
        iso,
        s,
        handler,
        "county" if s == "escalated" else None,
        None,
        outcome,
        "satisfied" if s in ("replied", "archived") else None,
        str(len(steps)),
        prev,
        iso,
        updated,
    )
    clock_values = (
        TENANT,
        case_id,
        str(len(steps)),
        clock_state,
        datetime.fromtimestamp(at["accept"], UTC).isoformat() if started else None,
        None if not started or paused else datetime.fromtimestamp(due, UTC).isoformat(),
        None if not started or paused else datetime.fromtimestamp(warn, UTC).isoformat(),
        None if not started else ("t" if provisional else "f"),
        stopped_at,
        # the clock's stored segments (migration 0012): an escalated case's pause is still open
        *((str(PROMISED_DAYS), "0", pause_from, pause_until) if started else (None,) * 4),
    )
    clock_lines.append(_copy_line(clock_values))
    return _copy_line(values)


def _copy_line(values: tuple[str | None, ...]) -> str:
    return "\t".join(r"\N" if v is None else v for v in values) + "\n"


def _calendar(p: Platform) -> Any:
    """The township's compiled calendar, as intake's service layer builds it."""
    from libs.common import db
    from services.intake.service_layer.calendar import tenant_calendar

    engine = db.make_engine(p.database_url, pool_size=1)
    try:
        with db.transaction(db.make_sessions(engine), TENANT) as s:
            return tenant_calendar(s, TENANT)
    finally:
        engine.dispose()


def _verify_sample(p: Platform, repo: Any, k: int) -> tuple[int, list, float]:
    """`verify_chain` over up to k seeded cases (all when fewer)."""
    began = time.perf_counter()
    with p.connect(row_factory=psycopg.rows.dict_row) as conn:
        cases: list[Any] = conn.execute(
            'SELECT * FROM intake."case" WHERE id::text LIKE %s ORDER BY random() LIMIT %s',
            ("b1a50000-0000-0000-%", k),
        ).fetchall()
        history: list[Any] = conn.execute(
            "SELECT * FROM intake.case_history WHERE case_id = ANY(%s) ORDER BY case_id, seq",
            ([c["id"] for c in cases],),
        ).fetchall()
    by_case: dict[Any, list] = {}
    for h in history:
        by_case.setdefault(h["case_id"], []).append(h)
    problems = [x for c in cases for x in repo.verify_chain(c, by_case.get(c["id"], []))]
    return len(cases), problems, time.perf_counter() - began


# --- lifecycles ----------------------------------------------------------------------------------


class _KeptAlive:
    """One client's HTTP/1.1 connection, kept alive, on the standard library's `http.client`: the
    clients share the platform's two cores, and httpx spent about 1.2 ms of CPU a call there (a
    fifth of a lifecycle's CPU in all) where this spends a tenth of that."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
        self.headers = {**headers, "Content-Type": "application/json"}

    def call(
        self, method: str, path: str, status: int, body: Any = None, headers: dict | None = None
    ) -> dict:
        data = None if body is None else json.dumps(body).encode()
        try:
            self.conn.request(method, path, body=data, headers={**self.headers, **(headers or {})})
            reply = self.conn.getresponse()
            text = reply.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # the next request connects again
            raise
        if reply.status != status:
            raise _CallFailed(f"{method} {path}: {reply.status} {text[:300].decode(errors='replace')}")
        return json.loads(text)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.conn.close()


def _lifecycle(client: _KeptAlive, latencies: list[tuple[str, float]]) -> str:
    """create → accept → assign → complete → get; each call's latency appended. The case id."""

    def call(
        name: str, method: str, url: str, status: int, body: Any = None, headers: dict | None = None
    ) -> dict:
        began = time.perf_counter()
        answer = client.call(method, url, status, body, headers)
        latencies.append((name, time.perf_counter() - began))
        return answer

    cases = f"/v1/townships/{TENANT}/cases"
    case = call("create", "POST", cases, 201, CASE_BODY)
    url = f"{cases}/{case['id']}"
    steps = (("accept", None), ("assign", {"handler": STAFF[0]}), ("complete", {"outcome": "approved"}))
    for name, body in steps:
        if_match = {"If-Match": f'"{case["version"]}"'}
        case = call(name, "POST", f"{url}/{name}", 200, body, if_match)
    got = call("get", "GET", url, 200)
    if got["state"] != "completed":
        raise _CallFailed(f"case {case['id']} is {got['state']} after complete")
    return str(case["id"])


def _in_threads(worker: Callable[[int], None], n: int) -> None:
    """`worker(0)` … `worker(n - 1)`, each in a thread of its own, until all have returned."""
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else float("nan")


def lifecycles_rows(p: Platform, seconds: float, clients: int, cap: int | None) -> list[dict]:
    headers = p.login(*STAFF)
    done: list[int] = [0] * clients
    failures: list[str] = []
    latencies: list[list[tuple[str, float]]] = [[] for _ in range(clients)]
    started = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(k: int) -> None:
        client = _KeptAlive(p.base, headers)
        try:
            while time.monotonic() < stop_at:
                with lock:
                    if cap is not None and started[0] >= cap:
                        return
                    started[0] += 1
                try:
                    _lifecycle(client, latencies[k])
                    done[k] += 1
                except (_CallFailed, OSError, http.client.HTTPException) as exc:
                    failures.append(str(exc))
        finally:
            client.close()

    load = os.getloadavg()[0]
    xacts = _transactions(p)
    meter = _CpuMeter.of(p)
    began = time.perf_counter()
    _in_threads(worker, clients)
    elapsed = time.perf_counter() - began
    cpu = meter.spent()
    time.sleep(1)  # the statistics collector's delay
    xacts = _transactions(p) - xacts
    if failures:  # reported as a failed row, the first cause on stderr
        print(f"intake bench: {len(failures)} lifecycle(s) failed, e.g. {failures[0]}", file=sys.stderr)
    calls = [x for per in latencies for x in per]
    total = sum(done)
    commits = _commit_rate(p, clients, min(10.0, max(1.0, seconds / 6)))
    bare = _bare_stack(p, clients, min(10.0, max(1.0, seconds / 6)))
    rate = total / elapsed
    p95 = _p95([d for _, d in calls])
    rows = [
        _row(f"PostgreSQL single-row INSERT + COMMIT ({clients} connections)", commits[0], commits[1]),
        _row(
            f"bare stack: 5 × (HTTP POST through FastAPI → gRPC → one single-row INSERT + COMMIT "
            f"through SQLAlchemy), nothing of Bianmin's ({clients} clients; "
            f"{_ms(bare.cpu, bare.lifecycles)} of CPU per lifecycle)",
            bare.lifecycles,
            bare.seconds,
            cpu_per_lifecycle=sum(bare.cpu.values()) / max(bare.lifecycles, 1),
        ),
        _row(
            f"lifecycles create→accept→assign→complete→get ({clients} clients; machine load "
            f"{load:.1f} at start; {xacts / max(total, 1):.0f} PostgreSQL transactions per lifecycle)",
            total,
            elapsed,
            ratio=rate / (commits[0] / commits[1]),
            target=LIFECYCLE_TARGET,
            ok=rate >= LIFECYCLE_TARGET,
        ),
        _row(
            "p95 per call (all calls; seconds column)",
            len(calls),
            p95,
            rate=False,
            target_text=f"≤ {P95_TARGET * 1000:.0f} ms",
            ok=p95 <= P95_TARGET,
        ),
    ]
    if failures:
        rows.append(_row("failed lifecycles", len(failures), elapsed, rate=False, ok=False))
    for name in ("create", "accept", "assign", "complete", "get"):
        own = [d for op, d in calls if op == name]
        rows.append(_row(f"  p95 {name} (seconds column)", len(own), _p95(own), rate=False))
    return rows + _cpu_rows(cpu, total, bare)


@dataclass
class _Measured:
    lifecycles: int
    seconds: float
    cpu: dict[str, float]  # CPU seconds by part


def _bare_stack(p: Platform, clients: int, seconds: float) -> _Measured:
    """The frameworks of a case call with nothing of ours (bench/bare_stack.py), on the same
    database server, with as many kept-alive clients as the lifecycles had: five calls a
    lifecycle, and the CPU each part spent."""
    from bench import bare_stack

    with bare_stack.started(p.database_url) as (base, (front, back)):
        parts = {"FastAPI process": [psutil.Process(front.pid)], "gRPC process": [psutil.Process(back.pid)]}
        _bare_lifecycles(base, clients, 1.0)  # warmed up, as the platform is by the time it is measured
        meter = _CpuMeter.started(parts, p.database_url)
        began = time.perf_counter()
        done = _bare_lifecycles(base, clients, seconds)
        return _Measured(done, time.perf_counter() - began, meter.spent())


def _bare_lifecycles(base: str, clients: int, seconds: float) -> int:
    done = [0] * clients
    stop_at = time.monotonic() + seconds

    def worker(k: int) -> None:
        client = _KeptAlive(base, {})
        try:
            while time.monotonic() < stop_at:
                for action in ("create", "accept", "assign", "complete", "get"):
                    client.call("POST", f"/v1/things/{TENANT}/{k}/{action}", 200, {"note": "bench"})
                done[k] += 1
        finally:
            client.close()

    _in_threads(worker, clients)
    return sum(done)


def _ms(cpu: dict[str, float], lifecycles: int) -> str:
    return f"{sum(cpu.values()) / max(lifecycles, 1) * 1000:.1f} ms"


def _cpu_rows(cpu: dict[str, float], lifecycles: int, bare: _Measured | None = None) -> list[dict]:
    """The CPU a lifecycle cost each part of the platform, and the rate this machine's cores
    could give at that cost with no wait at all (CPU seconds per lifecycle in the seconds column):
    where the time goes, and whether the target fits on these cores at all."""
    if not lifecycles:
        return []
    rows = [
        _row(f"  CPU per lifecycle: {part} (seconds column)", lifecycles, spent / lifecycles, rate=False)
        for part, spent in cpu.items()
    ]
    per_lifecycle = sum(cpu.values()) / lifecycles
    cores = len(os.sched_getaffinity(0))
    rows.append(
        _row(
            f"  CPU ceiling: {cores} cores / {per_lifecycle * 1000:.1f} ms of CPU per lifecycle "
            f"(the target needs ≤ {cores / LIFECYCLE_TARGET * 1000:.1f} ms"
            + ("" if bare is None else f"; the bare stack spent {_ms(bare.cpu, bare.lifecycles)}")
            + ")",
            lifecycles,
            per_lifecycle / cores,  # the seconds column: one lifecycle's share of the machine
            target=LIFECYCLE_TARGET,
            ok=cores / per_lifecycle >= LIFECYCLE_TARGET,
        )
        | {"per_second": cores / per_lifecycle}
    )
    return rows


@dataclass
class _CpuMeter:
    """CPU seconds (user + system) spent since `of` by each part of the platform: `bianmin run`
    (the gateway, relays, in-process consumers and jobs), each of its children by its command
    (intake's API process), the PostgreSQL server when it runs on this machine (the postmaster
    and all its processes, backends gone since included: their time is the postmaster's
    `children_*`), and this process (the clients)."""

    parts: dict[str, list[psutil.Process]]
    clients: psutil.Process
    server: psutil.Process | None
    start: dict[str, float]

    @classmethod
    def of(cls, p: Platform) -> _CpuMeter:
        root = psutil.Process(p.procs[0].pid)
        parts = {"bianmin run (gateway, relays, consumers)": [root]}
        for child in root.children(recursive=True):  # "intake api process"
            parts.setdefault(" ".join(child.cmdline()[-2:]) + " process", []).append(child)
        return cls.started(parts, p.database_url)

    @classmethod
    def started(cls, parts: dict[str, list[psutil.Process]], database_url: str) -> _CpuMeter:
        meter = cls(parts, psutil.Process(), _postgres_server(database_url), {})
        meter.start = meter._now()
        return meter

    def spent(self) -> dict[str, float]:
        now = self._now()
        return {part: now[part] - self.start[part] for part in now}

    def _now(self) -> dict[str, float]:
        now = {part: sum(_cpu(proc) for proc in procs) for part, procs in self.parts.items()}
        if self.server is not None:
            times = self.server.cpu_times()
            now["PostgreSQL server (all its processes)"] = (
                _cpu(self.server)
                + times.children_user
                + times.children_system
                + sum(_cpu(proc) for proc in self.server.children())
            )
        now["the bench's clients"] = _cpu(self.clients)
        return now


def _cpu(proc: psutil.Process) -> float:
    """A process's own CPU seconds; 0 once it is gone."""
    with contextlib.suppress(psutil.Error):
        times = proc.cpu_times()
        return float(times.user + times.system)
    return 0.0


def _postgres_server(database_url: str) -> psutil.Process | None:
    """The postmaster of the bench's server: the parent of one of its backends, when that backend
    is a process of this machine (a server elsewhere is not measured)."""
    with psycopg.connect(_plain(database_url), autocommit=True) as conn:
        address = conn.info.hostaddr or conn.info.host
        if address not in ("127.0.0.1", "::1", "localhost") and not address.startswith("/"):
            return None
        with contextlib.suppress(psutil.Error):  # asked while connected: the backend ends with it
            server = psutil.Process(int(_one(conn, "SELECT pg_backend_pid()"))).parent()
            # a server in a container answers with a process id of its own namespace
            return server if server is not None and "postgres" in server.name() else None
    return None


def _transactions(p: Platform) -> int:
    """Transactions committed in the bench's database so far (every connection: the platform's
    requests, relays and consumers)."""
    with psycopg.connect(_plain(p.database_url), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return int(_one(conn, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"))


def _commit_rate(p: Platform, connections: int, seconds: float) -> tuple[int, float]:
    """Single-row INSERT + COMMIT, autocommit, `connections` threads: (commits, elapsed)."""
    with psycopg.connect(_plain(p.database_url), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_commit (id bigserial PRIMARY KEY, note text)")
    counts = [0] * connections
    stop_at = time.monotonic() + seconds

    def worker(k: int) -> None:
        with psycopg.connect(_plain(p.database_url), autocommit=True) as conn:
            while time.monotonic() < stop_at:
                conn.execute("INSERT INTO bench_commit (note) VALUES (%s)", ("commit",))
                counts[k] += 1

    began = time.perf_counter()
    _in_threads(worker, connections)
    return sum(counts), time.perf_counter() - began


# --- re-derivation -------------------------------------------------------------------------------

OPEN_CLOCK = "clock_state IN ('running', 'paused')"


def rederive_rows(p: Platform, drain_window: float = 30) -> list[dict]:
    """Baseline UPDATE; the calendar change through the API until intake has committed it with
    every re-derived deadline (its handler re-derives in the same transaction); then
    `deadlines.rederive` called directly after a change written straight into intake's projection
    (no handler), so the function alone is timed, writes included."""
    from libs.common import db
    from services.intake.service_layer import deadline_rederivation

    engine = db.make_engine(p.database_url, role="bianmin_app", pool_size=1)
    sessions = db.make_sessions(engine)
    try:
        with p.connect() as conn:
            open_count = _one(conn, f"SELECT count(*) FROM intake.case_clock WHERE {OPEN_CLOCK}")
        first, second = _working_days_ahead(p, 10, 2)
        with p.connect() as conn:  # what the deadlines were, to count the moved ones after
            conn.execute(
                f"CREATE TABLE bench_due AS SELECT case_id, due_at FROM intake.case_clock WHERE {OPEN_CLOCK}"
            )
            conn.commit()
        _settle(p)
        end_to_end = _calendar_change(p, first)
        with p.connect() as conn:
            moved = _one(
                conn,
                "SELECT count(*) FROM intake.case_clock c JOIN bench_due b USING (case_id) "
                "WHERE c.due_at IS DISTINCT FROM b.due_at",
            )

        waiting, published, drain = _drain_outbox(p, drain_window)
        p.stop()  # the direct call needs no platform; its relay would share the machine
        _project_day_off(p, second)
        _vacuum(p)  # each measurement starts from a vacuumed table, not the last one's dead rows
        began = time.perf_counter()
        with db.transaction(sessions, TENANT) as s:
            changed = deadline_rederivation.rederive(s, TENANT, datetime.now(UTC))
        direct = time.perf_counter() - began
        _vacuum(p)
        began = time.perf_counter()
        with db.transaction(sessions, TENANT) as s:
            s.execute(sa.text(f"UPDATE intake.case_clock SET due_at = due_at WHERE {OPEN_CLOCK}"))
        baseline = time.perf_counter() - began
    finally:
        engine.dispose()
    same_rate = open_count / baseline if baseline > 0 else 0.0

    def versus(seconds: float, operation: str, **extra: Any) -> dict:
        rate = open_count / seconds if seconds > 0 else 0.0
        return _row(
            operation,
            open_count,
            seconds,
            ratio=rate / same_rate if same_rate else None,
            target=REDERIVE_TARGET,
            ok=rate >= REDERIVE_TARGET,
            per_1m=seconds * 1_000_000 / max(open_count, 1),
            **extra,
        )

    return [
        _row("baseline: UPDATE case_clock SET due_at = due_at (every open clock)", open_count, baseline),
        versus(
            end_to_end,
            f"calendar change via API → all open deadlines re-derived, committed "
            f"({first} off; {moved:,} moved)",
            moved=moved,
        ),
        _row(
            f"then: the relay publishes and consumes those events ({waiting:,} waiting; all in "
            f"≈ {waiting / max(published / drain, 1e-9):,.0f} s at this rate)",
            published,
            drain,
        ),
        versus(
            direct, f"deadlines.rederive called directly ({second} off; {changed:,} changed)", moved=changed
        ),
    ]


def _settle(p: Platform, window: float = 60) -> None:
    """Let the platform finish what the lifecycles set off (every outbox published, hence every
    event consumed in process) and vacuum, so the calendar change is measured on its own."""
    pending = " + ".join(
        f"(SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL)"
        for schema in ("gateway", "intake", "proxy", "appraisal", "notify")
    )
    deadline = time.monotonic() + window
    with p.connect(autocommit=True) as conn:
        while int(_one(conn, f"SELECT {pending}")) and time.monotonic() < deadline:
            time.sleep(0.2)
    _vacuum(p)


def _vacuum(p: Platform) -> None:
    with p.connect(autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) intake.case_clock, intake.outbox")


def _working_days_ahead(p: Platform, days: int, k: int) -> list[str]:
    """The first k working days at least `days` days ahead, per the township's calendar."""
    cal = _calendar(p)
    day = datetime.now(cal.tz).date() + timedelta(days=days)
    found: list[str] = []
    while len(found) < k:
        if cal.day_info(day).working:
            found.append(day.isoformat())
        day += timedelta(days=1)
    return found


def _calendar_change(p: Platform, day: str) -> float:
    """Seconds from the API call making `day` a township day off until intake has committed it
    (the projection's version moves in the handler's transaction, with the re-derivation)."""
    with p.connect() as conn:
        before = _township_version(conn)
    url = f"{p.base}/v1/townships/{TENANT}/calendar/days/{day}"
    began = time.perf_counter()
    _check(httpx.put(url, json={"kind": "off", "reason": "压测：临时调休"}, headers=p.admin, timeout=30), 200)
    deadline = time.monotonic() + 1800
    with p.connect(autocommit=True) as conn:
        while _township_version(conn) <= before:
            if time.monotonic() > deadline:
                raise RuntimeError(f"intake did not commit the calendar change in 30 min:\n{p.log_tail()}")
            time.sleep(0.05)
    return time.perf_counter() - began


def _drain_outbox(p: Platform, window: float = 30) -> tuple[int, int, float]:
    """Watch intake's relay process make the moved deadlines their events and publish them (the
    in-process bus consumes as it publishes) for at most `window` seconds: (events waiting at
    first, published, seconds). A `moved_deadline` row is one event still to be made. Only these
    events are counted: the deadline sweep may add its colour events meanwhile."""
    pending = (
        "SELECT (SELECT count(*) FROM intake.outbox WHERE published_at IS NULL"
        " AND event_type = 'case_deadlines_recomputed')"
        " + (SELECT count(*) FROM intake.moved_deadline)"
    )
    began = time.perf_counter()
    with p.connect(autocommit=True) as conn:
        waiting = left = int(_one(conn, pending))
        while left and time.perf_counter() - began < window:
            time.sleep(0.2)
            left = int(_one(conn, pending))
    return waiting, waiting - left, time.perf_counter() - began


def _project_day_off(p: Platform, day: str) -> None:
    """`day` off in intake's calendar projection directly (as its handler would write it)."""
    with p.connect() as conn:
        version = _township_version(conn) + 1
        conn.execute(
            "INSERT INTO intake.calendar_day (tenant_id, level, day, working, reason, version) "
            "VALUES (%s, 'township', %s, false, 'bench', %s)",
            (TENANT, day, version),
        )
        conn.execute(
            "UPDATE intake.calendar_version SET version = %s WHERE tenant_id = %s AND level = 'township'",
            (version, TENANT),
        )
        conn.commit()


def _township_version(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT version FROM intake.calendar_version WHERE tenant_id = %s AND level = 'township'", (TENANT,)
    ).fetchone()
    return int(row[0]) if row else 0
