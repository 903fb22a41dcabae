"""`bianmin run|serve|migrate|jobs`: the platform's processes. Imports are late on purpose: `serve …
worker` must set up eventlet and psycopg's wait function before anything loads psycopg."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from cli.admin import settings as _settings

commands = typer.Typer()
ROLES = ("api", "worker", "relay")


@commands.command()
def run(
    host: Annotated[str | None, typer.Option(help="listen address [BIANMIN_HTTP_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port [BIANMIN_HTTP_PORT]")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="data directory [BIANMIN_DATA_DIR]")] = None,
) -> None:
    """The all-in-one platform: gateway, every service, relays, bus and periodic jobs."""
    from cli import compose

    settings = _settings(http_host=host, http_port=port, data_dir=data_dir)
    compose.all_in_one(settings, settings.http_host, settings.http_port)


@commands.command()
def serve(service: str, role: str) -> None:
    """One process of the distributed deployment: SERVICE (gateway|intake|proxy|appraisal|notify)
    in ROLE (api|worker|relay)."""
    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}")
    if role == "worker":
        os.environ["PSYCOPG_WAIT_FUNC"] = "wait_selector"  # before psycopg loads (stack.md §2.4)
        import eventlet

        eventlet.monkey_patch()
    from cli import compose

    settings = _settings()
    compose.service_def(service)
    {"api": compose.serve_api, "worker": compose.serve_worker, "relay": compose.serve_relay}[role](
        settings, service
    )


@commands.command()
def migrate() -> None:
    """Bring every service's schema to the newest migration (as the database owner), then make
    sure the county, its first admin and a signing key exist (all idempotent)."""
    from cli import compose
    from libs.common.runtime import Runtime

    settings = _settings()
    url = compose.database_url(settings)
    compose.migrate(settings, url)
    typer.echo("migrated: " + ", ".join(compose.SERVICES))
    compose.keys(settings, sign=True)
    password = compose.bootstrap(settings, Runtime.connect(settings, url))
    if password:
        typer.echo(f"created the county admin 'admin' with the password: {password}  (shown once)")


@commands.command()
def jobs(
    name: str,
    month: str = typer.Option("", "--month", help="YYYY-MM, for a job that takes a month (close-month)"),
) -> None:
    """Run one round of a periodic job (a Kubernetes CronJob calls this); a wrong NAME lists them."""
    from cli import compose

    known = compose.jobs()
    if name not in known:
        listed = ", ".join(f"{job.name} ({described(job)})" for job in known.values())
        raise typer.BadParameter(f"unknown job; known: {listed}")
    job = known[name]
    if month and job.run_for_month is None:
        raise typer.BadParameter(f"the job {name} takes no --month")
    runtime = compose.connect(_settings())
    report = job.run_for_month(runtime, month) if month and job.run_for_month else job.run(runtime)
    typer.echo(f"{name}: {report.line}")
    if report.failed:
        raise typer.Exit(1)


def described(job) -> str:  # type: ignore[no-untyped-def]
    return f"{job.summary}, in each township's office hours" if job.office_hours_only else job.summary
