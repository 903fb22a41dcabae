"""`bianmin client …`: a small client of the HTTP API for staff and admins.

The tokens of `login` are kept in the user's config folder (mode 0600) with the gateway URL; the
access token is renewed with the refresh token as it expires, and when the session has ended
the command says to log in again."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Annotated

import typer

client = typer.Typer(help="A client of the HTTP API.", no_args_is_help=True)
DEFAULT_URL = "http://127.0.0.1:8080"
DryRun = Annotated[bool, typer.Option("--dry-run", help="check the file and show what would be done")]
Township = Annotated[
    str | None, typer.Option("--tenant", help="the township (default: yours, when you have one)")
]


def _credentials_file() -> Path:
    return Path(os.environ.get("BIANMIN_CLIENT_CONFIG") or Path(typer.get_app_dir("bianmin")) / "client.json")


def _load() -> dict:
    path = _credentials_file()
    return json.loads(path.read_text()) if path.exists() else {}


def _save(creds: dict) -> None:
    path = _credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(creds))


LOG_IN_AGAIN = "your session has ended: log in again with `bianmin client login`"
REFRESH_BEFORE = 60  # seconds left on the access token when it is renewed before a call


def _session() -> dict:
    """The saved credentials with an access token good for the next call: renewed with the
    refresh token when it is about to expire; a session that cannot be renewed says so."""
    creds = _load()
    if "token" not in creds:
        raise typer.BadParameter("not logged in: run `bianmin client login` first")
    if creds.get("refresh_token") and creds.get("expires_at", 0) - time.time() < REFRESH_BEFORE:
        creds = _refreshed(creds)
    return creds


def _refreshed(creds: dict) -> dict:
    import httpx

    reply = httpx.post(
        creds["url"] + "/v1/auth/refresh", json={"refresh_token": creds.get("refresh_token", "")}, timeout=30
    )
    if reply.status_code == 401 or not creds.get("refresh_token"):
        typer.echo(LOG_IN_AGAIN, err=True)
        raise typer.Exit(1)
    _save(creds := {**creds, **_tokens(_checked(reply))})
    return creds


def _tokens(reply: dict) -> dict:
    kept = {"token": reply["access_token"], "expires_at": time.time() + reply["expires_in"]}
    kept["refresh_token"] = reply.get("refresh_token", "")
    if reply.get("client_token"):
        kept["client_token"] = reply["client_token"]
    return kept


def _request(method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
    import httpx

    creds = _session()
    for attempt in range(2):
        response = httpx.request(
            method,
            creds["url"] + path,
            headers={"Authorization": f"Bearer {creds['token']}"},
            timeout=30,
            **kwargs,
        )
        if response.status_code != 401 or attempt:
            break
        creds = _refreshed(creds)  # revoked or expired early: renew once, else log in again
    if response.status_code == 401:
        typer.echo(LOG_IN_AGAIN, err=True)
        raise typer.Exit(1)
    return _checked(response)


def _checked(response):  # type: ignore[no-untyped-def]
    if response.status_code >= 400:
        try:
            problem = response.json()
            message = f"{problem.get('code')}: {problem.get('detail')}"
            # which field and why: "the request is not valid" alone leaves the user guessing
            message += "".join(
                f"\n  {'.'.join(map(str, e.get('loc', [])[1:]))}: {e.get('msg')}"
                for e in problem.get("errors") or []
            )
        except ValueError:
            message = response.text
        typer.echo(f"error {response.status_code} {message}", err=True)
        raise typer.Exit(1)
    return response.json()


def _township(tenant: str | None) -> str:
    """The township named, else the caller's only one."""
    if tenant:
        return tenant
    mine = _request("GET", "/v1/me").get("tenants") or []
    if len(mine) != 1 or mine[0].endswith(".*"):  # a county scope reaches every township
        raise typer.BadParameter(f"name the township with --tenant (yours: {', '.join(mine) or 'none'})")
    return str(mine[0])


def _pages(path: str, **params: str):  # type: ignore[no-untyped-def]
    """Every item of a paged list, following `next_page_token`."""
    token = ""
    while True:
        page = _request(
            "GET", path, params={**params, "page_size": 200, **({"page_token": token} if token else {})}
        )
        yield from page["items"]
        token = page.get("next_page_token") or ""
        if not token:
            return


@client.command()
def login(
    username: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    url: Annotated[str, typer.Option(envvar="BIANMIN_URL", help="gateway URL [BIANMIN_URL]")] = DEFAULT_URL,
) -> None:
    """Log in and keep the token for the next commands."""
    import httpx

    previous = _load()
    known = previous.get("client_token") if previous.get("username") == username else None
    reply = _checked(
        httpx.post(
            f"{url.rstrip('/')}/v1/auth/token",
            json={"username": username, "password": password, **({"client_token": known} if known else {})},
            timeout=30,
        )
    )
    # the client token stays with the account: at the next login it passes a hold on this address
    _save({"url": url.rstrip("/"), "username": username, "client_token": known, **_tokens(reply)})
    typer.echo(f"logged in as {username} (token valid {reply['expires_in']} s, renewed as it expires)")


@client.command()
def logout() -> None:
    """End the session (its refresh token is revoked) and forget its tokens."""
    import httpx

    creds = _load()
    if creds.get("refresh_token"):
        httpx.post(
            creds["url"] + "/v1/auth/logout", json={"refresh_token": creds["refresh_token"]}, timeout=30
        )
    _save({k: v for k, v in creds.items() if k in ("url", "username", "client_token")})
    typer.echo("logged out")


@client.command()
def me() -> None:
    """Who am I: username, roles and townships."""
    typer.echo(json.dumps(_request("GET", "/v1/me"), ensure_ascii=False, indent=2))


townships = typer.Typer(help="Townships: list (the default), onboard.", invoke_without_command=True)
client.add_typer(townships, name="townships")


@townships.callback()
def townships_default(ctx: typer.Context) -> None:
    """Townships: `list` (also with no subcommand), `onboard` from a file."""
    if ctx.invoked_subcommand is None:
        townships_list()


@townships.command("list")
def townships_list() -> None:
    """List the townships I may see."""
    for t in _pages("/v1/townships"):
        typer.echo(f"{t['id']}\t{t['name']}\t{t['status']}")


@townships.command("onboard")
def townships_onboard(
    file: Annotated[Path, typer.Option("--file", "-f", help="county.xlsx or county.yaml")],
    dry_run: DryRun = False,
) -> None:
    """Onboard townships, their villages and groups, from a YAML or Excel file.

    The whole file is checked first (any problem: exit 2, every problem listed, nothing sent);
    then each township is created unless it exists, so running again is safe. Exit 1 if any
    township failed."""
    from cli.client import onboarding

    onboarding.onboard(file, dry_run, _session())


cases = typer.Typer(help="Cases of a township: list, show.", no_args_is_help=True)
client.add_typer(cases, name="cases")


@cases.command("list")
def cases_list(
    tenant: Township = None,
    state: Annotated[str | None, typer.Option(help="e.g. accepted, in_progress, completed")] = None,
    colour: Annotated[str | None, typer.Option(help="green, yellow, red or overdue, as of now")] = None,
    item: Annotated[str | None, typer.Option(help="an item code of the catalogue")] = None,
    handler: Annotated[str | None, typer.Option(help="a handler's username")] = None,
    since: Annotated[str | None, typer.Option("--from", help="received on or after (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option("--to", help="received on or before (YYYY-MM-DD)")] = None,
    applicant: Annotated[
        str | None, typer.Option(help="an applicant's name or phone (logged as a personal-data access)")
    ] = None,
) -> None:
    """List a township's cases, one a line: number, state, colour, due, handler, item, id.

    The applicant is not shown (the API masks it for whoever does not handle the case)."""
    filters = {"state": state, "colour": colour, "item_code": item, "handler": handler}
    filters |= {"from": since, "to": until, "applicant": applicant}
    path = f"/v1/townships/{_township(tenant)}/cases"
    for c in _pages(path, **{k: v for k, v in filters.items() if v is not None}):
        clock = c.get("clock") or {}
        fields = (c["number"], c["state"], clock.get("colour"), clock.get("due_at"), c.get("handler"))
        typer.echo("\t".join(str(f or "-") for f in (*fields, c.get("item_name"), c["id"])))


@cases.command("show")
def cases_show(
    case: Annotated[str, typer.Argument(help="the case number or id")], tenant: Township = None
) -> None:
    """One case as the API answers it: its clock, materials and hash-chained history."""
    path = f"/v1/townships/{_township(tenant)}/cases"
    if not _is_uuid(case):  # a case number, as the applicant was told it
        found = _request("GET", path, params={"number": case})["items"]
        if not found:
            raise typer.BadParameter(f"no case numbered {case} in this township")
        case = found[0]["id"]
    case = _request("GET", f"{path}/{case}")
    typer.echo(json.dumps(case, ensure_ascii=False, indent=2))


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


catalog = typer.Typer(help="The service catalogue as Excel: export, import.", no_args_is_help=True)
client.add_typer(catalog, name="catalog")


@catalog.command("export")
def catalog_export(
    file: Annotated[Path, typer.Option("--file", "-f", help="the .xlsx to write")],
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="a township's copy (default: the county template)")
    ] = None,
) -> None:
    """Write the county catalogue template, or a township's copy, to an Excel file.

    Sheets `items` and `materials`; `catalog import` reads the file back."""
    from cli.client import catalogue

    catalogue.export(file, tenant, _session())


@catalog.command("import")
def catalog_import(
    file: Annotated[Path, typer.Option("--file", "-f", help="catalogue.xlsx (sheets items, materials)")],
    dry_run: DryRun = False,
) -> None:
    """Add the file's items to the county catalogue template (county_admin).

    The whole file is checked first (any problem: exit 2, every problem listed with its sheet,
    row and column, nothing sent); then each item is created unless its code is in the
    template, so running again is safe. An existing code with other content is reported
    (`differs`) and not changed; exit 1 if any item differs or failed."""
    from cli.client import catalogue

    catalogue.import_(file, dry_run, _session())


proxy = typer.Typer(help="Proxy (代办): households.", no_args_is_help=True)
client.add_typer(proxy, name="proxy")
proxy_households = typer.Typer(
    help="Households in the agents' zones (分片包户): import.", no_args_is_help=True
)
proxy.add_typer(proxy_households, name="households")


@proxy_households.command("import")
def proxy_households_import(
    file: Annotated[Path, typer.Option("--file", "-f", help="households.xlsx or households.yaml")],
    dry_run: DryRun = False,
    tenant: Township = None,
) -> None:
    """Load a township's household roster (township_admin).

    The whole file is checked first (any problem: exit 2, every problem listed with its row,
    nothing sent); then each household is created in its agent's zone, one that is there already
    (same village, head and phone) skipped, so running again is safe. Exit 1 if any failed."""
    from cli.client import households

    households.import_(file, dry_run, _session(), tenant)


appraisal = typer.Typer(help="Appraisal (考核): the county's rulebook.", no_args_is_help=True)
client.add_typer(appraisal, name="appraisal")
appraisal_rulebook = typer.Typer(help="A county's own rulebook: import.", no_args_is_help=True)
appraisal.add_typer(appraisal_rulebook, name="rulebook")


@appraisal_rulebook.command("import")
def appraisal_rulebook_import(
    file: Annotated[Path, typer.Option("--file", "-f", help="rules.yaml or rules.xlsx")],
    activate: Annotated[
        str | None, typer.Option("--activate", help="YYYY-MM: score the county's months from then on with it")
    ] = None,
    dry_run: DryRun = False,
) -> None:
    """Store a county rulebook (county_admin) from YAML (shaped as the default rulebook) or Excel
    (sheets rulebook, rules, grades, vetoes). The whole file is checked first, then appraisal
    checks the rules whole: any problem exits 2 with every problem listed."""
    from cli.client import appraisal as appraisal_client

    appraisal_client.import_(file, dry_run, _session() if not dry_run else {}, activate)


attendance = typer.Typer(help="Attendance (考勤): import a sign-in device's export.", no_args_is_help=True)
client.add_typer(attendance, name="attendance")


@attendance.command("import")
def attendance_import(
    file: Annotated[Path, typer.Option("--file", "-f", help="the device's export.csv")],
    dry_run: DryRun = False,
    tenant: Township = None,
    tz: Annotated[
        str, typer.Option("--tz", help="the time zone of times without an offset", envvar="BIANMIN_TIMEZONE")
    ] = "Asia/Shanghai",
) -> None:
    """Load a sign-in device's export (township_admin).

    The whole file is checked first — its form here, its users and working days by the server —
    any problem: exit 2, every problem listed with its row, nothing stored. Then its sign-ins are
    stored; ones stored already count as duplicates, so running again is safe."""
    from cli.client import attendance as attendance_import_

    attendance_import_.import_(file, dry_run, _session(), tenant, tz)
