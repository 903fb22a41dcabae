"""`bianmin client appraisal rulebook import`: a county's own rulebook from a YAML or Excel file
(cli/client/rulebook_file.py), stored with `PUT /v1/appraisal/rulebooks/{id}` and, with
`--activate YYYY-MM`, scoring the county's months from then on. The file's form is checked whole
first (exit 2, every problem listed, nothing sent); appraisal checks the rules whole and lists
every problem in one validation_error (exit 2 too). Storing the same file again is harmless (a
new version of the same rulebook)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli.client import rulebook_file
from cli.client.http import EXIT_BAD_FILE, EXIT_FAILED, api_client, call, problem

if TYPE_CHECKING:
    import httpx


def import_(
    path: Path,
    dry_run: bool,
    credentials: dict,
    activate: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> None:
    try:
        book = rulebook_file.read(path)
    except rulebook_file.RulebookFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_FILE) from None
    book_id = str(book.get("id") or "")
    typer.echo(f"{path.name}: rulebook {book_id or '?'} with {len(book.get('rules') or [])} rule(s) — read")
    if dry_run:
        return
    if not book_id:
        typer.echo("the file names no rulebook id", err=True)
        raise typer.Exit(EXIT_BAD_FILE)
    with api_client(credentials, transport) as http:
        reply = call(http, "PUT", f"/v1/appraisal/rulebooks/{book_id}", json=book)
        if reply.status_code == 422:
            typer.echo(f"appraisal refused the rulebook: {problem(reply)}", err=True)
            raise typer.Exit(EXIT_BAD_FILE)
        if reply.status_code != 200:
            typer.echo(f"error {problem(reply)}", err=True)
            raise typer.Exit(EXIT_FAILED)
        typer.echo(f"stored rulebook {book_id} version {reply.json().get('version')}")
        if activate:
            reply = call(http, "POST", f"/v1/appraisal/rulebooks/{book_id}/activate", json={"from": activate})
            if reply.status_code != 200:
                typer.echo(f"error {problem(reply)}", err=True)
                raise typer.Exit(EXIT_FAILED)
            typer.echo(f"rulebook {book_id} scores the county's months from {activate}")
