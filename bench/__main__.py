"""`python -m bench [name …]`: run the benchmarks and print one table.

Add a benchmark by writing a module with `run() -> list[dict]` (keys: bench, operation, cases,
seconds, per_second; optional target/ok/vectorised_speedup) and listing it in BENCHES.
"""

from __future__ import annotations

import importlib
import sys

from rich.console import Console
from rich.table import Table

BENCHES = ["bench.calendar_bench"]


def _table(rows: list[dict]) -> Table:
    table = Table(title="Bianmin benchmarks")
    for column in ("bench", "operation", "cases", "seconds", "per second", "vs per-case", "target"):
        table.add_column(column, justify="left" if column in ("bench", "operation") else "right")
    for row in rows:
        speedup = row.get("vectorised_speedup")
        target = row.get("target")
        verdict = "" if target is None else f"≥ {target:,.0f}/s {'✔' if row['ok'] else '✘'}"
        rate = row["per_second"]
        table.add_row(
            row["bench"],
            row["operation"],
            f"{row['cases']:,}",
            f"{row['seconds']:.3f}",
            "" if rate is None else f"{rate:,.0f}",
            "" if speedup is None else f"{speedup:,.0f}×",
            verdict,
        )
    return table


def main(names: list[str]) -> int:
    rows: list[dict] = []
    for module in BENCHES:
        if names and not any(name in module for name in names):
            continue
        rows += importlib.import_module(module).run()
    Console(width=160).print(_table(rows))
    return 0 if all(row.get("ok", True) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
