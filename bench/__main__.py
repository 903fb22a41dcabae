"""`python -m bench [name …] [--cases N] [--seconds S] [--clients C]`: run the benchmarks and
print one table.

Add a benchmark by writing a module with `run() -> list[dict]` (keys: bench, operation, cases,
seconds, per_second; optional target (a rate), target_text or verdict, ok, and the comparison
with the same run's baseline as vectorised_speedup, ratio or vs) and listing it in BENCHES. The flags scale
the intake bench (BIANMIN_BENCH_CASES, BIANMIN_BENCH_SECONDS, BIANMIN_BENCH_CLIENTS); `--cases` also
the notify bench's event count.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from rich.console import Console
from rich.table import Table

BENCHES = ["bench.calendar_bench", "bench.intake_bench", "bench.notify_bench", "bench.appraisal_bench"]
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


BENCH_NAMES = {module.removeprefix("bench.").removesuffix("_bench"): module for module in BENCHES}


def _count(text: str) -> str:
    """A flag's value must be a whole number above zero: a typo should stop the run, not scale it."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above zero")
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the benchmarks and print one table, each figure next to a baseline "
        "measured in the same run. Exit status 1 when a row misses its target.",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="name",
        help=f"benchmarks to run, of {', '.join(BENCH_NAMES)} (all when none is named)",
    )
    for flag, variable in FLAGS.items():
        parser.add_argument(flag, type=_count, metavar="N", help=f"sets {variable}")
    return parser


def _selected(args: list[str]) -> list[str]:
    """The modules to run; `--cases N` etc. become the environment the benches read."""
    parser = _parser()
    options = parser.parse_intermixed_args(args)
    unknown = [name for name in options.names if name not in BENCH_NAMES]
    if unknown:  # argparse's choices cannot be given to an optional list of names
        parser.error(f"no benchmark named {', '.join(unknown)}; choose from {', '.join(BENCH_NAMES)}")
    for flag, variable in FLAGS.items():
        value = getattr(options, flag.removeprefix("--"))
        if value is not None:
            os.environ[variable] = value
    return [BENCH_NAMES[name] for name in options.names] or BENCHES


def main(args: list[str]) -> int:
    rows: list[dict] = []
    for module in _selected(args):
        rows += importlib.import_module(module).run()
    Console(width=200).print(_table(rows))
    return 0 if all(row.get("ok", True) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
