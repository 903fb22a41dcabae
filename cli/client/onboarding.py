"""`bianmin client townships onboard`: bulk onboarding from a YAML/Excel file (the file's rules are in
libs/common/onboarding_file.py). The whole file is checked first; then each township is created unless
it exists, so a second run creates nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli.client.http import EXIT_BAD_FILE, EXIT_FAILED, api_client, call, problem, progress
from libs.common import onboarding_file

if TYPE_CHECKING:
    import httpx


@dataclass
class Outcome:
    code: str
    name: str
    result: str  # created | exists | failed | would create
    detail: str = ""


def onboard(
    path: Path, dry_run: bool, credentials: dict, transport: httpx.BaseTransport | None = None
) -> None:
    """Check the file, then onboard its townships. `transport`: for tests (default: the network)."""
    from rich.console import Console

    out, err = Console(), Console(stderr=True)
    try:
        content, townships = onboarding_file.read(path)
    except onboarding_file.OnboardingFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_FILE) from None
    villages = sum(len(t["villages"]) for t in townships)
    groups = sum(len(v["groups"]) for t in townships for v in t["villages"])
    typer.echo(f"{path.name}: {len(townships)} township(s), {villages} village(s), {groups} group(s) — valid")

    if dry_run and "token" not in credentials:
        outcomes = [
            Outcome(t["code"], t["name"], "would create", "not logged in: existence not checked")
            for t in townships
        ]
        _summary(out, outcomes, dry_run=True)
        return
    with api_client(credentials, transport) as http:
        county = _county(http, err)
        outcomes = []
        if dry_run:
            outcomes = [_plan(http, county, t) for t in townships]
        else:
            with progress(err, "onboarding", len(townships)) as advance:
                for t in townships:
                    advance(0, f"onboarding {t['code']}")
                    outcomes.append(_send(http, county, t, content))
                    advance()
    _summary(out, outcomes, dry_run=dry_run)
    if any(o.result == "failed" for o in outcomes):
        raise typer.Exit(EXIT_FAILED)


def _county(http, err) -> str:  # type: ignore[no-untyped-def]
    """The county of the logged-in user, from a `<county>.*` tenant; only county admins onboard."""
    import httpx

    try:
        reply = call(http, "GET", "/v1/me")
    except httpx.HTTPError as exc:
        err.print(f"error: cannot reach the gateway at {http.base_url}: {exc}", markup=False)
        raise typer.Exit(EXIT_FAILED) from exc
    if reply.status_code != 200:
        err.print(f"error {problem(reply)}", markup=False)
        raise typer.Exit(EXIT_FAILED)
    me = reply.json()
    counties = sorted(t[:-2] for t in me.get("tenants", []) if t.endswith(".*"))
    if "county_admin" not in me.get("roles", []) or len(counties) != 1:
        err.print(
            f"error: onboarding townships needs a county_admin of one county; "
            f"{me.get('username')} has roles {me.get('roles')} in {me.get('tenants')}",
            markup=False,
        )
        raise typer.Exit(EXIT_FAILED)
    return counties[0]


def _exists(http, county: str, code: str) -> bool | str:  # type: ignore[no-untyped-def]
    """True or False, or the problem when the gateway's answer is neither."""
    reply = call(http, "GET", f"/v1/townships/{county}.{code}")
    if reply.status_code == 200:
        return True
    if reply.status_code == 404:
        return False
    return problem(reply)


def _check(http, county: str, township: dict) -> Outcome | None:  # type: ignore[no-untyped-def]
    """`exists` or `failed` (could not tell); None when the township is not there yet."""
    import httpx

    code, name = township["code"], township["name"]
    try:
        exists = _exists(http, county, code)
    except httpx.HTTPError as exc:
        return Outcome(code, name, "failed", f"{type(exc).__name__}: {exc}")
    if isinstance(exists, str):
        return Outcome(code, name, "failed", exists)
    return Outcome(code, name, "exists", f"{county}.{code}") if exists else None


def _plan(http, county: str, township: dict) -> Outcome:  # type: ignore[no-untyped-def]
    return _check(http, county, township) or Outcome(
        township["code"], township["name"], "would create", f"{county}.{township['code']}"
    )


def _send(http, county: str, township: dict, content: bytes) -> Outcome:  # type: ignore[no-untyped-def]
    import httpx

    known = _check(http, county, township)
    if known:
        return known
    code, name, tenant = township["code"], township["name"], f"{county}.{township['code']}"
    key = onboarding_file.idempotency_key(content, code)
    try:
        reply = call(http, "POST", "/v1/townships", json=township, headers={"Idempotency-Key": key})
    except httpx.HTTPError as exc:
        # the request may have landed: a re-run (same key) finds out
        return Outcome(code, name, "failed", f"{type(exc).__name__}: {exc}")
    if reply.status_code in (200, 201):
        return Outcome(code, name, "created", reply.json().get("id", tenant))
    refused = problem(reply)
    try:  # created meanwhile (another run at the same time): it exists, which is what was wanted
        if _exists(http, county, code) is True:
            return Outcome(code, name, "exists", tenant)
    except httpx.HTTPError:
        pass
    return Outcome(code, name, "failed", refused)


def _summary(console, outcomes: list[Outcome], dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table
    from rich.text import Text

    styles = {"created": "green", "exists": "cyan", "failed": "bold red", "would create": "yellow"}
    table = Table("township", "name", "result", "detail", title="dry run" if dry_run else "onboarding")
    for o in outcomes:
        table.add_row(
            Text(o.code), Text(o.name), Text(o.result, style=styles.get(o.result, "")), Text(o.detail)
        )
    console.print(table)
    counts = {
        r: sum(o.result == r for o in outcomes) for r in ("created", "exists", "failed", "would create")
    }
    if dry_run:
        line = f"dry run: would create {counts['would create']}, existing {counts['exists']}, "
        line += f"failed to check {counts['failed']}; nothing was sent"
    else:
        line = f"created {counts['created']}, existed {counts['exists']}, failed {counts['failed']}"
    typer.echo(line)
