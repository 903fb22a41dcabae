"""The `bianmin` command as users run it: the all-in-one platform with nothing running (its own
embedded PostgreSQL), the client commands, and the operator commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from libs.common.ports import free_port
from tests.e2e.conftest import ADMIN, ROOT, Processes, login, wait_http

pytestmark = pytest.mark.e2e


def bianmin(*args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "libs.cli.main", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
    )


def postgres_processes(data_dir: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "postgres" in cmdline and str(data_dir) in cmdline:
            found.append(proc)
    return found


def test_run_with_nothing_running_uses_embedded_postgres(tmp_path: Path) -> None:
    """What `make run` does on a bare machine: no database URL, no broker."""
    port, data = free_port(), tmp_path / "var"
    env = {"BIANMIN_DATA_DIR": str(data), "BIANMIN_HTTP_PORT": str(port), "BIANMIN_LOG_JSON": "false"}
    procs = Processes(
        env, tmp_path, unset=("BIANMIN_DATABASE_URL", "BIANMIN_AMQP_URL", "BIANMIN_BOOTSTRAP_ADMIN")
    )
    try:
        proc = procs.start("run")
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", procs)
        output = (tmp_path / "run-0.log").read_text()
        assert f"Bianmin is running at http://127.0.0.1:{port}" in output
        password = output.split("with the password: ", 1)[1].split()[0]  # the random one, shown once
        headers = login(base, "admin", password)
        assert httpx.get(f"{base}/v1/me", headers=headers).json()["roles"] == ["county_admin"]
        assert postgres_processes(data), "the embedded PostgreSQL runs from the data directory"
        assert procs.stop(proc) == 0, procs.log_tail()
        assert "Bianmin stopped." in (tmp_path / "run-0.log").read_text()
    finally:
        procs.stop_all()
    psutil.wait_procs(postgres_processes(data), timeout=20)
    assert postgres_processes(data) == [], "the embedded PostgreSQL stops with the platform"


def test_client_and_admin_commands(processes: Processes, tmp_path: Path) -> None:
    port = free_port()
    processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    env = {**processes.env, "BIANMIN_CLIENT_CONFIG": str(tmp_path / "client.json"), "BIANMIN_URL": base}

    created = bianmin(
        "admin",
        "create-user",
        "wangfang",
        "--roles",
        "county_supervisor",
        "--password",
        "supervisor-pass",
        "--name",
        "王芳",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    refused = bianmin(
        "admin", "create-user", "bad", "--roles", "emperor", "--password", "whatever-pass", env=env
    )
    assert refused.returncode != 0 and "roles must be among" in refused.stderr

    wrong = bianmin("client", "login", "--username", "wangfang", "--password", "nope-nope", env=env)
    assert wrong.returncode == 1 and "unauthenticated" in wrong.stderr
    ok = bianmin("client", "login", "--username", "wangfang", "--password", "supervisor-pass", env=env)
    assert ok.returncode == 0, ok.stderr
    assert oct((tmp_path / "client.json").stat().st_mode & 0o777) == "0o600"
    me = bianmin("client", "me", env=env)
    assert me.returncode == 0 and json.loads(me.stdout)["roles"] == ["county_supervisor"]

    imported = bianmin("admin", "calendar-import", "--year", "2026", env=env)
    assert imported.returncode == 0 and "2026:" in imported.stdout and "published" in imported.stdout
    provisional = bianmin("admin", "calendar-import", "--year", "2027", env=env)
    assert "PROVISIONAL" in provisional.stdout

    assert bianmin("admin", "dead-letters", "list", env=env).returncode == 0
    assert bianmin("jobs", "retry-failed", env=env).stdout.startswith("retry-failed: 0 event")
    unknown = bianmin("jobs", "no-such-job", env=env)
    assert unknown.returncode != 0 and "retry-failed" in unknown.stderr
    assert httpx.get(f"{base}/v1/me", headers=login(base, *ADMIN)).status_code == 200
