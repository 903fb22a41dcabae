"""`bianmin admin …`: operator commands on this deployment's database (users, the national
calendar, case histories, dead letters)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cli.admin import settings as _settings

admin = typer.Typer(help="Operator commands.", no_args_is_help=True)
dead_letters = typer.Typer(
    help="Events a consumer could not process after all retries.", no_args_is_help=True
)
admin.add_typer(dead_letters, name="dead-letters")


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
    from cli import compose
    from libs.common.errors import BianminError
    from services.gateway.service_layer import identity

    settings = _settings()
    runtime = compose.connect(settings)
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
    from cli import compose
    from services.gateway.service_layer import calendars

    settings = _settings()
    runtime = compose.connect(settings)
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
    from cli import compose
    from services.intake.service_layer import cases

    settings = _settings()
    runtime = compose.connect(settings)
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

    from cli import compose
    from libs.common.messaging import list_dead_letters

    settings = _settings()
    runtime = compose.connect(settings)
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
    from cli import compose
    from libs.common.messaging import replay

    settings = _settings()
    runtime = compose.connect(settings)
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
