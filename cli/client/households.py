"""`bianmin client proxy households import`: a township's household roster (分片包户) from a
YAML/Excel file (the file's rules are in cli/client/households_file.py). The whole file is checked
first; then each household is created — one the township has already (same village, head and
phone: `409 already_exists`) is skipped — so a second run creates nothing. Each request carries an
Idempotency-Key made from the file and the household, so a retried request cannot create twice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli.client import households_file
from cli.client.http import (
    EXIT_BAD_FILE,
    EXIT_FAILED,
    REPLAYED,
    api_client,
    call,
    error_code,
    only_township,
    problem,
    progress,
)

if TYPE_CHECKING:
    import httpx


@dataclass
class Outcome:
    at: str
    village: str
    result: str  # created | exists | failed | would create
    detail: str = ""


def import_(
    path: Path,
    dry_run: bool,
    credentials: dict,
    tenant: str | None,
    transport: httpx.BaseTransport | None = None,
) -> None:
    """Check the file, then create its households in `tenant`. `transport`: for tests."""
    from rich.console import Console

    out, err = Console(), Console(stderr=True)
    try:
        content, households = households_file.read(path)
    except households_file.HouseholdsFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_FILE) from None
    priority = sum(bool(h.body["flags"]) for h in households)
    typer.echo(f"{path.name}: {len(households)} household(s), {priority} priority — valid")
    if dry_run:
        # existence is not asked: households are masked in every answer but to their own agent
        outcomes = [
            Outcome(h.at, h.body["village"], "would create", "unless it is there already") for h in households
        ]
        _summary(out, outcomes, dry_run=True)
        return
    with api_client(credentials, transport) as http:
        township = tenant or only_township(http, err)
        outcomes = []
        with progress(err, "importing households", len(households)) as advance:
            for h in households:
                outcomes.append(_send(http, township, h, content))
                advance()
    _summary(out, outcomes, dry_run=False)
    if any(o.result == "failed" for o in outcomes):
        raise typer.Exit(EXIT_FAILED)


def _send(http, tenant: str, h: households_file.Household, content: bytes) -> Outcome:  # type: ignore[no-untyped-def]
    import httpx

    key = households_file.idempotency_key(content, h)
    try:
        reply = call(
            http,
            "POST",
            f"/v1/townships/{tenant}/proxy/households",
            json=h.body,
            headers={"Idempotency-Key": key},
        )
    except httpx.HTTPError as exc:  # the request may have landed: a re-run (same key) finds out
        return Outcome(h.at, h.body["village"], "failed", f"{type(exc).__name__}: {exc}")
    if reply.status_code in (200, 201):
        made = reply.json()
        if reply.headers.get(REPLAYED, "").lower() == "true":  # created by an earlier run of this file
            return Outcome(h.at, h.body["village"], "exists", f"{made.get('id')} (created before)")
        return Outcome(h.at, h.body["village"], "created", f"{made.get('id')} → {made.get('agent')}")
    if reply.status_code == 409 and error_code(reply) == "already_exists":
        return Outcome(h.at, h.body["village"], "exists", "skipped")
    return Outcome(h.at, h.body["village"], "failed", problem(reply))


def _summary(console, outcomes: list[Outcome], dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table
    from rich.text import Text

    styles = {"created": "green", "exists": "cyan", "failed": "bold red", "would create": "yellow"}
    table = Table("row", "village", "result", "detail", title="dry run" if dry_run else "households")
    for o in outcomes:
        table.add_row(
            Text(o.at), Text(o.village), Text(o.result, style=styles.get(o.result, "")), Text(o.detail)
        )
    console.print(table)
    counts = {
        r: sum(o.result == r for o in outcomes) for r in ("created", "exists", "failed", "would create")
    }
    console.print(", ".join(f"{n} {r}" for r, n in counts.items() if n) or "nothing to do")
