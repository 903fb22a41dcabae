"""`bianmin client attendance import`: a sign-in device's CSV export (the file's rules are in
cli/client/attendance_file.py). All or nothing, like `bianmin client proxy households import`:
the whole file is checked first here (its form), then every part of it is checked by the server
(`dry_run`: an unknown user, a non-working day, a time in the future) — any problem: exit 2, every
problem listed with its row, nothing stored. Then the parts are stored; a sign-in stored already
(the same user and instant) counts as a duplicate, so running again is safe."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from cli.client import attendance_file
from cli.client.http import EXIT_BAD_FILE, EXIT_FAILED, api_client, call, only_township, problem, progress

if TYPE_CHECKING:
    import httpx


def import_(
    path: Path,
    dry_run: bool,
    credentials: dict,
    tenant: str | None,
    tz: str = "Asia/Shanghai",
    transport: httpx.BaseTransport | None = None,
) -> None:
    """Check the file whole, then store its sign-ins in `tenant`. `transport`: for tests."""
    from rich.console import Console

    out, err = Console(), Console(stderr=True)
    try:
        rows = attendance_file.read(path, ZoneInfo(tz))
    except attendance_file.AttendanceFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_FILE) from None
    parts = attendance_file.parts(rows)
    with api_client(credentials, transport, timeout=120) as http:
        township = tenant or only_township(http, err)
        url = f"/v1/townships/{township}/attendance/imports"
        problems: list[str] = []
        with progress(err, "checking", len(rows)) as advance:
            for part in parts:
                reply = call(http, "POST", url, json={"rows": [r.body for r in part], "dry_run": True})
                if reply.status_code != 200:
                    err.print(f"error {problem(reply)}", markup=False)
                    raise typer.Exit(EXIT_FAILED)
                problems += reply.json().get("problems", [])
                advance(len(part))
        if problems:
            n = len(problems)
            typer.echo(f"{path}: {n} problem{'s' if n != 1 else ''}, nothing was stored:", err=True)
            typer.echo("\n".join(f"  - {p}" for p in problems), err=True)
            raise typer.Exit(EXIT_BAD_FILE)
        typer.echo(f"{path.name}: {len(rows)} sign-in(s) — valid")
        if dry_run:
            out.print("dry run: nothing stored")
            return
        stored = duplicates = 0
        with progress(err, "importing sign-ins", len(rows)) as advance:
            for part in parts:
                reply = call(http, "POST", url, json={"rows": [r.body for r in part]})
                if reply.status_code != 200:  # the parts before it are stored: running again is safe
                    err.print(
                        f"error {problem(reply)} (run again: stored sign-ins count as duplicates)",
                        markup=False,
                    )
                    raise typer.Exit(EXIT_FAILED)
                stored += reply.json()["stored"]
                duplicates += reply.json()["duplicates"]
                advance(len(part))
    out.print(f"{stored} stored, {duplicates} duplicate(s)")
