"""The `bianmin` command: the platform's processes and the operator's commands (cli/admin), and a
client of the HTTP API (cli/client). Each command imports what it needs when it runs."""

from __future__ import annotations

import typer

from cli.admin.operator import admin
from cli.admin.platform import commands
from cli.client.commands import client

app = typer.Typer(
    help="Bianmin (便民): run the platform, operate it, or use it as a client.", no_args_is_help=True
)
app.add_typer(commands)  # run, serve, migrate, jobs: commands of `bianmin` itself
app.add_typer(admin, name="admin")
app.add_typer(client, name="client")


if __name__ == "__main__":
    app()
