"""`python -m bench [name …] [--cases N] [--seconds S] [--clients C]`: run the benchmarks and
print one table.

Add a benchmark by writing a module with `run() -> list[dict]` (keys: bench, operation, cases,
seconds, per_second; optional target (a rate), target_text or verdict, ok, and the comparison
with the same run's baseline as vectorised_speedup, ratio or vs) and listing it in BENCHES. The flags scale
the intake bench (BIANMIN_BENCH_CASES, BIANMIN_BENCH_SECONDS, BIANMIN_BENCH_CLIENTS); `--cases` also
the notify bench's event count.
"""

from __future__ import annotations

import importlib
import os
import sys

from rich.console import Console
from rich.table import Table

BENCHES = ["bench.calendar_bench", "bench.intake_bench", "bench.notify_bench"]
FLAGS = {
    "--cases": "BIANMIN_BENCH_CASES",
    "--seconds": "BIANMIN_BENCH_SECONDS",
    "--clients": "BIANMIN_BENCH_CLIENTS",
}


def _table(rows: list[dict]) -> Table:
    table = Table(title="Bianmin benchmarks")
    for column in ("bench", "operation", "cases", "seconds", "per second", "vs baseline", "target"):
        table.add_column(column, justify="left" if column in ("bench", "operation") else "right")
    for row in rows:
        table.add_row(
            row["bench"],
            row["operation"],
            f"{row['cases']:,}",
            f"{row['seconds']:.3f}",
            "" if row["per_second"] is None else f"{row['per_second']:,.0f}",
            _versus(row),
            _target(row),
        )
    return table


def _versus(row: dict) -> str:
    if row.get("vs"):  # already words, e.g. "raw kombu 1.2 ms"
        return str(row["vs"])
    if row.get("vectorised_speedup") is not None:
        return f"{row['vectorised_speedup']:,.0f}×"
    ratio = row.get("ratio")
    return "" if ratio is None else f"{ratio:,.3g}×"


def _target(row: dict) -> str:
    if row.get("verdict"):  # already words with its mark
        return str(row["verdict"])
    mark = "" if "ok" not in row else (" ✔" if row["ok"] else " ✘")
    if row.get("target_text"):
        return f"{row['target_text']}{mark}"
    if row.get("target") is not None:
        return f"≥ {row['target']:,.0f}/s{mark}"
    return mark.strip()


def _flags(args: list[str]) -> list[str]:
    """`--cases N` etc. become the environment the benches read; the rest are bench names."""
    names, rest = [], iter(args)
    for arg in rest:
        flag, _, value = arg.partition("=")
        if flag in FLAGS:
            os.environ[FLAGS[flag]] = value or next(rest, "")
        else:
            names.append(arg)
    return names


def main(args: list[str]) -> int:
    names = _flags(args)
    rows: list[dict] = []
    for module in BENCHES:
        if names and not any(name in module for name in names):
            continue
        rows += importlib.import_module(module).run()
    Console(width=200).print(_table(rows))
    return 0 if all(row.get("ok", True) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
