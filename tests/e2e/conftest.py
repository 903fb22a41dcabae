"""Processes for end-to-end tests: real `bianmin` processes over HTTP, gRPC and AMQP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from libs.common import embedded_pg

ROOT = Path(__file__).resolve().parents[2]
ADMIN = ("admin", "e2e-county-password")


def proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state, ppid, …); None when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def gone(pid: int) -> bool:
    """The process has exited: a zombie (not yet reaped by its new parent) or no more."""
    stat = proc_stat(pid)
    return stat is None or stat[0] == "Z"


def children(pid: int, *argv: str) -> list[int]:
    """The child processes of `pid` whose command line holds `argv` in a row (from /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        stat = proc_stat(int(entry.name))
        try:
            words = [w.decode() for w in (entry / "cmdline").read_bytes().split(b"\0")]
        except OSError:
            continue  # gone meanwhile
        holds = any(words[i : i + len(argv)] == list(argv) for i in range(len(words)))
        if stat and int(stat[1]) == pid and holds:
            found.append(int(entry.name))
    return found


class Processes:
    """Starts `bianmin` subprocesses with a shared environment; stops them all at the end."""

    def __init__(
        self, env: dict[str, str], logs: Path, unset: tuple[str, ...] = ("BIANMIN_AMQP_URL",)
    ) -> None:
        self.env, self.logs, self.procs = env, logs, []
        self.base_env = {k: v for k, v in os.environ.items() if k not in unset}

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        name = "-".join(args)
        log = open(self.logs / f"{name}-{len(self.procs)}.log", "w")  # noqa: SIM115 - closed by the process
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", *args],
            cwd=ROOT,
            env={**os.environ, **self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def run(self, *args: str, timeout: float = 120, **env: str) -> int:
        """Run a command to completion (e.g. `migrate`); its log is kept with the others."""
        proc = self.start(*args, **env)
        self.procs.remove(proc)
        return proc.wait(timeout)

    def stop(self, proc: subprocess.Popen, timeout: float = 20) -> int:
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()

    def log_tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.logs.glob("*.log")))


@pytest.fixture
def fresh_db(pg_server_url: str) -> Iterator[str]:
    name = f"bianmin_e2e_{uuid.uuid4().hex[:10]}"
    yield embedded_pg.ensure_database(pg_server_url, name)
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def processes(tmp_path: Path, fresh_db: str) -> Iterator[Processes]:
    env = {
        "BIANMIN_DATABASE_URL": fresh_db,
        "BIANMIN_DATA_DIR": str(tmp_path / "data"),
        "BIANMIN_COUNTY": "tianyang:田阳县",
        "BIANMIN_BOOTSTRAP_ADMIN": ":".join(ADMIN),
        "BIANMIN_LOG_JSON": "false",
        "BIANMIN_RELAY_IDLE_SECONDS": "0.1",
        "BIANMIN_METRICS_PORT": "0",  # many platforms at once: a test that reads /metrics picks a port
    }
    procs = Processes(env, tmp_path)
    yield procs
    procs.stop_all()


def wait_http(url: str, procs: Processes, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        for p in procs.procs:
            if p.poll() is not None:
                pytest.fail(f"a process exited early ({p.args}):\n{procs.log_tail()}")
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer in {timeout}s:\n{procs.log_tail()}")


def eventually(fetch: Callable[[], Any], ok: Callable[[Any], bool], what: str, timeout: float = 60) -> Any:
    """`fetch()` again until `ok` says yes (what comes over the bus arrives a little later)."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = fetch()
        if ok(value):
            return value
        time.sleep(0.3)
    pytest.fail(f"{what} did not happen in {timeout}s: {value}")


def login(base: str, username: str = ADMIN[0], password: str = ADMIN[1]) -> dict[str, str]:
    reply = httpx.post(f"{base}/v1/auth/token", json={"username": username, "password": password}, timeout=10)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def wait_projections(base: str, headers: dict[str, str], tenant: str, timeout: float = 60) -> dict:
    """Poll until every service reports the township's projection recorded."""
    deadline = time.monotonic() + timeout
    view: dict = {}
    while time.monotonic() < deadline:
        view = httpx.get(f"{base}/v1/townships/{tenant}", headers=headers, timeout=10).json()
        if set(view.get("services", {}).values()) == {"ready"}:
            return view
        time.sleep(0.3)
    pytest.fail(f"projections not recorded in {timeout}s: {view}")
