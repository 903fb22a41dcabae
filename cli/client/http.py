"""What every `bianmin client` importer shares: the logged-in HTTP client, a request that waits
out the gateway's rate limit, a problem in one line, the caller's only township, and a progress
bar on stderr. httpx and rich are imported when first used (the client starts fast)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    import httpx

EXIT_FAILED, EXIT_BAD_FILE = 1, 2
RATE_LIMIT_RETRIES = 5
# the gateway's header on an answer replayed for a repeated Idempotency-Key (the edge's idempotency.py)
REPLAYED = "Idempotent-Replayed"


def api_client(
    credentials: dict, transport: httpx.BaseTransport | None = None, timeout: float = 30
) -> httpx.Client:
    """A client of the gateway as the logged-in user (`transport`: for tests)."""
    import httpx

    if "token" not in credentials:
        raise typer.BadParameter("not logged in: run `bianmin client login` first")
    return httpx.Client(
        base_url=credentials["url"],
        headers={"Authorization": f"Bearer {credentials['token']}"},
        timeout=timeout,
        transport=transport,
    )


def call(http: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request; on `429 rate_limited` wait as told (Retry-After) and try again, a few times."""
    for _ in range(RATE_LIMIT_RETRIES):
        reply = http.request(method, url, **kwargs)
        if reply.status_code != 429:
            return reply
        try:
            wait = float(reply.headers.get("Retry-After", "1"))
        except ValueError:
            wait = 1.0
        time.sleep(min(max(wait, 0.1), 10.0))
    return reply


def problem(reply: httpx.Response) -> str:
    """`<status> <code>: <detail>` of an error answer (API.md's problem+json)."""
    try:
        answer = reply.json()
        return f"{reply.status_code} {answer.get('code')}: {answer.get('detail')}"
    except ValueError:
        return f"{reply.status_code} {reply.text[:200]}"


def error_code(reply: httpx.Response) -> str:
    try:
        return str(reply.json().get("code"))
    except ValueError:
        return ""


def only_township(http: httpx.Client, err: Any) -> str:
    """The caller's one township (a county scope or several: name it with --tenant)."""
    reply = call(http, "GET", "/v1/me")
    if reply.status_code != 200:
        err.print(f"error {problem(reply)}", markup=False)
        raise typer.Exit(EXIT_FAILED)
    mine = reply.json().get("tenants") or []
    if len(mine) != 1 or mine[0].endswith(".*"):
        raise typer.BadParameter(f"name the township with --tenant (yours: {', '.join(mine) or 'none'})")
    return str(mine[0])


@contextmanager
def progress(err: Any, description: str, total: int) -> Iterator[Callable[..., None]]:
    """A progress bar on `err`; yields `advance(n=1, doing=None)` (doing: what the bar says now).
    Ends saying `<description> done`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1, doing: str | None = None) -> None:
            if doing is not None:
                bar.update(task, description=doing)
            bar.advance(task, n)

        yield advance
        bar.update(task, description=f"{description} done")
