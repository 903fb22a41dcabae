"""`bianmin client catalog export|import`: the county catalogue template (or a township's copy) to
an Excel file, and a county template from one (the file's rules are in cli/client/catalogue_file.py).

Import checks the whole file first (any problem: exit 2, every problem listed, nothing sent);
then each item is created unless the template has its code already, so a second run creates
nothing. An item whose code exists with other content is reported as `differs` (the fields named)
and left as it is — the template has no update — and the command exits 1."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli.client import catalogue_file
from cli.client.http import EXIT_BAD_FILE, EXIT_FAILED, api_client, call, problem, progress

if TYPE_CHECKING:
    import httpx

TEMPLATE = "/v1/catalog/items"


@dataclass
class Outcome:
    code: str
    name: str
    result: str  # created | exists | differs | failed | would create
    detail: str = ""


def export(
    path: Path, tenant: str | None, credentials: dict, transport: httpx.BaseTransport | None = None
) -> int:
    """Write the template (or `tenant`'s copy) to `path`; the number of items."""
    if path.suffix.lower() != ".xlsx":
        raise typer.BadParameter("the file must end in .xlsx", param_hint="--file")
    with api_client(credentials, transport) as http:
        source = f"/v1/townships/{tenant}/catalog/items" if tenant else TEMPLATE
        items = _all(http, source)
    path.write_bytes(catalogue_file.workbook(items))
    typer.echo(f"exported {len(items)} item(s) of {tenant or 'the county template'} to {path}")
    return len(items)


def import_(
    path: Path, dry_run: bool, credentials: dict, transport: httpx.BaseTransport | None = None
) -> None:
    from rich.console import Console

    out, err = Console(), Console(stderr=True)
    try:
        _, items = catalogue_file.read(path)
    except catalogue_file.CatalogueFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_FILE) from None
    materials = sum(len(i["materials"]) for i in items)
    typer.echo(f"{path.name}: {len(items)} item(s), {materials} material(s) — valid")
    if dry_run and "token" not in credentials:
        outcomes = [
            Outcome(i["code"], i["name"], "would create", "not logged in: not compared") for i in items
        ]
        _summary(out, outcomes, dry_run=True)
        return
    with api_client(credentials, transport) as http:
        existing = {i["code"]: i for i in _all(http, TEMPLATE)}
        if dry_run:
            outcomes = [_compare(i, existing) or Outcome(i["code"], i["name"], "would create") for i in items]
        else:
            outcomes = []
            with progress(err, "importing", len(items)) as advance:
                for i in items:
                    advance(0, f"importing {i['code']}")
                    outcomes.append(_compare(i, existing) or _send(http, i))
                    advance()
    _summary(out, outcomes, dry_run=dry_run)
    if any(o.result in ("failed", "differs") for o in outcomes):
        raise typer.Exit(EXIT_FAILED)


def _all(http: httpx.Client, path: str) -> list[dict]:
    """Every item of a paged list (the catalogue's page token is the last code)."""
    items: list[dict] = []
    token = ""
    while True:
        params = {"page_size": 200, **({"page_token": token} if token else {})}
        reply = call(http, "GET", path, params=params)
        if reply.status_code != 200:  # e.g. not a county role, or a township not visible
            typer.echo(f"error {problem(reply)}", err=True)
            raise typer.Exit(EXIT_FAILED)
        page = reply.json()
        items += page["items"]
        token = page.get("next_page_token") or ""
        if not token:
            return items


def _compare(item: dict, existing: dict[str, dict]) -> Outcome | None:
    there = existing.get(item["code"])
    if there is None:
        return None
    diff = catalogue_file.differences(item, there)
    if diff:
        return Outcome(item["code"], item["name"], "differs", "in the template with other " + ", ".join(diff))
    return Outcome(item["code"], item["name"], "exists")


def _send(http: httpx.Client, item: dict) -> Outcome:
    import httpx

    key = catalogue_file.idempotency_key(item)
    try:
        reply = call(http, "POST", TEMPLATE, json=item, headers={"Idempotency-Key": key})
    except httpx.HTTPError as exc:  # it may have landed: a re-run (same key) finds out
        return Outcome(item["code"], item["name"], "failed", f"{type(exc).__name__}: {exc}")
    if reply.status_code in (200, 201):
        return Outcome(item["code"], item["name"], "created")
    return Outcome(item["code"], item["name"], "failed", problem(reply))


def _summary(console, outcomes: list[Outcome], dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table
    from rich.text import Text

    styles = {"created": "green", "exists": "cyan", "differs": "bold yellow", "failed": "bold red",
              "would create": "yellow"}  # fmt: skip
    table = Table("item", "name", "result", "detail", title="dry run" if dry_run else "catalogue import")
    for o in outcomes:
        table.add_row(
            Text(o.code), Text(o.name), Text(o.result, style=styles.get(o.result, "")), Text(o.detail)
        )
    console.print(table)
    n = {
        r: sum(o.result == r for o in outcomes)
        for r in ("created", "exists", "differs", "failed", "would create")
    }
    if dry_run:
        line = f"dry run: would create {n['would create']}, existing {n['exists']}, differing {n['differs']}"
        line += "; nothing was sent"
    else:
        line = f"created {n['created']}, existed {n['exists']}, differ {n['differs']}, failed {n['failed']}"
    typer.echo(line)
