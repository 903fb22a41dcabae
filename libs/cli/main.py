"""The `bianmin` command. Imports are late on purpose: `serve … worker` must set up eventlet and
psycopg's wait function before anything loads psycopg, and `--help` should not load the world."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Bianmin (便民): run the platform, operate it, or use it as a client.", no_args_is_help=True
)
admin = typer.Typer(help="Operator commands.", no_args_is_help=True)
dead_letters = typer.Typer(
    help="Events a consumer could not process after all retries.", no_args_is_help=True
)
client = typer.Typer(help="A client of the HTTP API.", no_args_is_help=True)
app.add_typer(admin, name="admin")
admin.add_typer(dead_letters, name="dead-letters")
app.add_typer(client, name="client")

ROLES = ("api", "worker", "relay")


def _settings(**overrides):  # type: ignore[no-untyped-def]
    from libs.common.settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@app.command()
def run(
    host: Annotated[str | None, typer.Option(help="listen address [BIANMIN_HTTP_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port [BIANMIN_HTTP_PORT]")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="data directory [BIANMIN_DATA_DIR]")] = None,
) -> None:
    """The all-in-one platform: gateway, every service, relays, bus and periodic jobs."""
    from libs.cli import compose

    settings = _settings(http_host=host, http_port=port, data_dir=data_dir)
    compose.all_in_one(settings, settings.http_host, settings.http_port)


@app.command()
def serve(service: str, role: str) -> None:
    """One process of the distributed deployment: SERVICE (gateway|intake|proxy|appraisal|notify)
    in ROLE (api|worker|relay)."""
    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}")
    if role == "worker":
        os.environ["PSYCOPG_WAIT_FUNC"] = "wait_selector"  # before psycopg loads (stack.md §2.4)
        import eventlet

        eventlet.monkey_patch()
    from libs.cli import compose

    settings = _settings()
    compose.service_def(service)
    {"api": compose.serve_api, "worker": compose.serve_worker, "relay": compose.serve_relay}[role](
        settings, service
    )


@app.command()
def migrate() -> None:
    """Bring every service's schema to the newest migration (as the database owner), then make
    sure the county, its first admin and a signing key exist (all idempotent)."""
    from libs.cli import compose
    from libs.common.runtime import Runtime

    settings = _settings()
    url = compose.database_url(settings)
    compose.migrate(settings, url)
    typer.echo("migrated: " + ", ".join(compose.SERVICES))
    compose.keys(settings, sign=True)
    password = compose.bootstrap(settings, Runtime.connect(settings, url))
    if password:
        typer.echo(f"created the county admin 'admin' with the password: {password}  (shown once)")


JOBS = {
    "retry-failed": "re-deliver failed events whose back-off has passed",
    "sweep-deadlines": "warn once per colour step of open cases (in each township's office hours)",
    "send-digests": "one inbox digest per staff member of the cases due today and the next working day",
}


@app.command()
def jobs(name: str) -> None:
    """Run one periodic job once (a Kubernetes CronJob calls this)."""
    from libs.cli import compose
    from libs.common.runtime import Runtime

    if name not in JOBS:
        raise typer.BadParameter(f"unknown job; known: {', '.join(f'{k} ({v})' for k, v in JOBS.items())}")
    settings = _settings()
    runtime = Runtime.connect(settings, compose.database_url(settings))
    if name == "send-digests":
        result = compose.send_digests(runtime)
        typer.echo(
            f"{name}: {result.sent} digest(s) sent, {result.already} already sent today, "
            f"{result.resting} township(s) on a day off"
        )
        return
    if name == "sweep-deadlines":
        report = compose.sweep_deadlines(runtime)
        typer.echo(
            f"{name}: {report.events} colour change(s) in {report.in_hours} of {report.townships} "
            f"township(s) in office hours; {report.failed} failed"
        )
        if report.failed:
            raise typer.Exit(1)
        return
    typer.echo(f"{name}: {compose.retry_failed(runtime)} event(s) re-delivered")


# --- admin -------------------------------------------------------------------------------------


@admin.command("create-user")
def create_user(
    username: str,
    roles: Annotated[str, typer.Option(help="comma-separated roles, e.g. county_admin")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    tenants: Annotated[str, typer.Option(help="comma-separated township ids")] = "",
    name: str = "",
    department: Annotated[
        str, typer.Option(help="county_department users: the county department they work for")
    ] = "",
) -> None:
    """Create a user of this county."""
    from libs.cli import compose
    from libs.common.errors import BianminError
    from libs.common.runtime import Runtime
    from services.gateway.service_layer import identity

    settings = _settings()
    runtime = Runtime.connect(settings, compose.database_url(settings))
    try:
        identity.create_user(
            runtime.sessions,
            username=username,
            password=password,
            county=settings.county_code,
            roles=[r for r in roles.split(",") if r],
            tenants=[t for t in tenants.split(",") if t],
            name=name,
            department=department or None,
        )
    except BianminError as exc:
        raise typer.BadParameter(exc.detail) from exc
    typer.echo(f"created {username}")


@admin.command("calendar-import")
def calendar_import(year: Annotated[int, typer.Option(help="the year to import")]) -> None:
    """Import the national calendar of YEAR (holidays, cross-checked with chinesecalendar)."""
    from libs.cli import compose
    from libs.common.runtime import Runtime
    from services.gateway.service_layer import calendars

    settings = _settings()
    runtime = Runtime.connect(settings, compose.database_url(settings))
    result = calendars.import_national_year(runtime.sessions, year, settings.county_code)
    state = "published" if result["published"] else "PROVISIONAL (not published yet: weekends only)"
    typer.echo(f"{year}: {result['days']} special days, {state}")
    for d in result["disagreements"]:
        typer.echo(
            f"  disagreement {d['date']}: holidays says working={d['holidays']}, "
            f"chinesecalendar says working={d['chinesecalendar']}"
        )


@admin.command("verify-history")
def verify_history() -> None:
    """Walk every case's hash-chained history; print OK, or every broken link (exit 1)."""
    from libs.cli import compose
    from libs.common.runtime import Runtime
    from services.intake.service_layer import cases

    settings = _settings()
    runtime = Runtime.connect(settings, compose.database_url(settings))
    problems = cases.verify_history(runtime.ops_sessions)
    for problem in problems:
        typer.echo(f"BROKEN {problem}")
    if problems:
        raise typer.Exit(1)
    typer.echo("OK: every case history chain is intact")


@dead_letters.command("list")
def dead_letters_list(limit: int = 50) -> None:
    """List dead letters of every service."""
    from rich.console import Console
    from rich.table import Table

    from libs.cli import compose
    from libs.common.messaging import list_dead_letters
    from libs.common.runtime import Runtime

    settings = _settings()
    runtime = Runtime.connect(settings, compose.database_url(settings))
    from services.notify.service_layer import dead_letters as notify_dead_letters

    table = Table("service", "id", "consumer", "event", "tenant", "attempts", "last error")
    # notifications whose channel kept failing (replay: `replay notify notification:<uuid>`)
    for n in notify_dead_letters.notification_dead_letters(runtime.ops_sessions, limit):
        table.add_row(
            "notify",
            n.id,
            f"channel {n.channel}",
            "notification",
            n.tenant_id,
            str(n.attempts),
            n.reason[:80],
        )
    for service in compose.SERVICES:
        for d in list_dead_letters(runtime.ops_sessions, service, limit):
            table.add_row(
                service,
                str(d.id),
                d.consumer,
                d.event_type,
                d.tenant_id,
                str(d.attempts),
                (d.last_error or "")[:80],
            )
    Console().print(table)


@dead_letters.command("replay")
def dead_letters_replay(service: str, dead_letter_id: str) -> None:
    """Deliver a dead letter again (after its cause is fixed): an event's number, or for notify
    also `notification:<uuid>` (back to queued with its attempts reset)."""
    from libs.cli import compose
    from libs.common.messaging import replay
    from libs.common.runtime import Runtime

    settings = _settings()
    runtime = Runtime.connect(settings, compose.database_url(settings))
    if dead_letter_id.startswith("notification:"):
        from libs.common.errors import BianminError
        from services.notify.service_layer import dead_letters as notify_dead_letters

        if service != "notify":
            raise typer.BadParameter("notification dead letters are notify's")
        try:
            _kind, key = notify_dead_letters.parse_id(dead_letter_id)
            who = f"cli:{os.environ.get('USER', 'operator')}"
            notify_dead_letters.replay_notification(runtime.ops_sessions, key, who)
        except BianminError as exc:
            raise typer.BadParameter(exc.detail) from exc
        typer.echo(f"replayed notify {dead_letter_id}: queued")
        return
    if not dead_letter_id.isdigit():
        raise typer.BadParameter("an event dead letter id is a number")
    subscriptions = compose.service_def(service).subscriptions()
    outcome = replay(
        runtime.ops_sessions,
        subscriptions,
        service,
        int(dead_letter_id),
        runtime_sessions=runtime.sessions,
        max_attempts=settings.consumer_max_attempts,
    )
    typer.echo(f"replayed {service} #{dead_letter_id}: {outcome}")


# --- client ------------------------------------------------------------------------------------

from libs.cli import client_commands  # noqa: E402  (registers `bianmin client …`)

client_commands.register(client)


if __name__ == "__main__":
    app()
