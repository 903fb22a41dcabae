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
from tests.e2e.conftest import ADMIN, ROOT, Processes, login, wait_http, wait_projections

pytestmark = pytest.mark.e2e


def bianmin(*args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
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
    # the access token runs out mid-morning: the next command renews it with the refresh token
    saved = json.loads((tmp_path / "client.json").read_text())
    assert saved["refresh_token"] and saved["client_token"]
    (tmp_path / "client.json").write_text(json.dumps({**saved, "expires_at": 0}))
    renewed = bianmin("client", "me", env=env)
    assert renewed.returncode == 0, renewed.stderr
    assert json.loads((tmp_path / "client.json").read_text())["refresh_token"] != saved["refresh_token"]
    # a session that has ended (here: its spent refresh token shown again) says to log in again
    (tmp_path / "client.json").write_text(json.dumps({**saved, "expires_at": 0}))
    ended = bianmin("client", "me", env=env)
    assert ended.returncode == 1 and "log in again" in ended.stderr, ended.stderr
    again = bianmin("client", "login", "--username", "wangfang", "--password", "supervisor-pass", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "client.json").read_text())["client_token"] == saved["client_token"]
    out = bianmin("client", "logout", env=env)
    assert out.returncode == 0 and "not logged in" in bianmin("client", "me", env=env).stderr

    imported = bianmin("admin", "calendar-import", "--year", "2026", env=env)
    assert imported.returncode == 0 and "2026:" in imported.stdout and "published" in imported.stdout
    provisional = bianmin("admin", "calendar-import", "--year", "2027", env=env)
    assert "PROVISIONAL" in provisional.stdout

    assert bianmin("admin", "dead-letters", "list", env=env).returncode == 0
    assert bianmin("jobs", "retry-failed", env=env).stdout.startswith("retry-failed: 0 event")
    unknown = bianmin("jobs", "no-such-job", env=env)
    assert unknown.returncode != 0 and "retry-failed" in unknown.stderr
    assert httpx.get(f"{base}/v1/me", headers=login(base, *ADMIN)).status_code == 200


def test_client_lists_and_shows_a_townships_cases(processes: Processes, tmp_path: Path) -> None:
    """`bianmin client cases list|show` as window staff use it: their own township by default,
    the API's filters, a bad filter explained field by field, and the case as the API answers."""
    port = free_port()
    processes.start("run", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", processes)
    env = {**processes.env, "BIANMIN_CLIENT_CONFIG": str(tmp_path / "client.json"), "BIANMIN_URL": base}
    assert bianmin("admin", "calendar-import", "--year", "2026", env=env).returncode == 0
    admin = login(base, *ADMIN)
    item = {"code": "db_apply", "name": "低保申请", "category": "civil_affairs", "level": "township",
            "kind": "approval", "statutory_days": 30, "promised_days": 20,
            "materials": [{"code": "id_card", "name": "身份证", "required": True}]}  # fmt: skip
    assert httpx.post(f"{base}/v1/catalog/items", json=item, headers=admin).status_code == 201
    township = {"code": "napo", "name": "那坡镇", "villages": []}
    assert httpx.post(f"{base}/v1/townships", json=township, headers=admin).status_code == 201
    wait_projections(base, admin, "tianyang.napo")
    created = bianmin("admin", "create-user", "li", "--roles", "window_staff", "--tenants", "tianyang.napo",
                      "--password", "window-pass-1", env=env)  # fmt: skip
    assert created.returncode == 0, created.stderr
    staff = login(base, "li", "window-pass-1")
    cases = f"{base}/v1/townships/tianyang.napo/cases"
    body = {"item_code": "db_apply", "level": "township", "channel": "walk_in",
            "applicant": {"name": "张三丰", "phone": "13812345678"}, "materials": ["id_card"]}  # fmt: skip
    accepted = httpx.post(cases, json={**body, "accept": True}, headers=staff).json()
    received = httpx.post(cases, json=body, headers=staff).json()
    logged_in = bianmin("client", "login", "--username", "li", "--password", "window-pass-1", env=env)
    assert logged_in.returncode == 0, logged_in.stderr

    listed = bianmin("client", "cases", "list", env=env)  # li's only township
    assert listed.returncode == 0, listed.stderr
    lines = [line.split("\t") for line in listed.stdout.splitlines()]
    assert {line[0] for line in lines} == {accepted["number"], received["number"]}
    assert all(len(line) == 7 and line[5] == "低保申请" for line in lines)
    assert "张三丰" not in listed.stdout and "13812345678" not in listed.stdout  # never the applicant
    only = bianmin("client", "cases", "list", "--state", "accepted", "--tenant", "tianyang.napo", env=env)
    [line] = only.stdout.splitlines()
    number, state, colour, due_at, _, _, case_id = line.split("\t")
    assert (number, state, colour, case_id) == (accepted["number"], "accepted", "green", accepted["id"])
    assert due_at == accepted["clock"]["due_at"]

    bad = bianmin("client", "cases", "list", "--colour", "purple", env=env)
    assert bad.returncode == 1 and "validation_error" in bad.stderr, bad.stderr
    assert "colour: Input should be 'green'" in bad.stderr  # which field, and why
    shown = bianmin("client", "cases", "show", received["id"], env=env)
    assert shown.returncode == 0 and json.loads(shown.stdout)["number"] == received["number"]
    by_number = bianmin("client", "cases", "show", accepted["number"], env=env)  # as the applicant tells it
    assert by_number.returncode == 0 and json.loads(by_number.stdout)["id"] == accepted["id"]
    missing = bianmin("client", "cases", "show", "2099-0001", env=env)
    assert missing.returncode == 2 and "no case numbered 2099-0001" in missing.stderr, missing.stderr
    gone = bianmin("client", "cases", "show", "00000000-0000-4000-8000-000000000000", env=env)
    assert gone.returncode == 1 and "not_found" in gone.stderr
    found = bianmin("client", "cases", "list", "--applicant", "13812345678", env=env)
    assert {line.split("\t")[0] for line in found.stdout.splitlines()} == {
        accepted["number"],
        received["number"],
    }

    # the county admin has no township of their own: they must name one
    assert bianmin("client", "login", "--username", ADMIN[0], "--password", ADMIN[1], env=env).returncode == 0
    unnamed = bianmin("client", "cases", "list", env=env)
    assert unnamed.returncode == 2 and "name the township with --tenant" in unnamed.stderr, unnamed.stderr
    assert "tianyang.*" in unnamed.stderr
