"""Deadline maths throughput: the vectorised calendar API vs naive per-case loops, same run.

Target (ARCHITECTURE.md §5, sla.md §5.4): ≥ 5 M deadlines/s, so that re-computing every open
case after a calendar edit takes seconds (T23).
"""

from __future__ import annotations

import time
from datetime import datetime

import holidays
import numpy as np

from libs.common.calendar import WorkCalendar, tenant_calendar

TARGET_PER_SECOND = 5_000_000
NAIVE_SHARE = 100  # the per-case loops run on n / NAIVE_SHARE cases, then are scaled


def _timed(fn, repeat: int = 3) -> float:
    """Best of `repeat` wall-clock runs (the least disturbed by the machine's other work)."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def _cases(cal: WorkCalendar, n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Random acceptance instants in 2024-01-01 … 2026-10-31 (Shanghai) and 0–20 working days."""
    rng = np.random.default_rng(seed)
    lo = int(datetime(2024, 1, 1, tzinfo=cal.tz).timestamp())
    hi = int(datetime(2026, 11, 1, tzinfo=cal.tz).timestamp())
    return rng.integers(lo, hi, n, dtype=np.int64), rng.integers(0, 21, n, dtype=np.int64)


def _row(operation: str, cases: int, seconds: float, **extra) -> dict:
    return {"bench": "calendar", "operation": operation, "cases": cases, "seconds": seconds,
            "per_second": cases / seconds, **extra}  # fmt: skip


def run(n: int = 2_000_000) -> list[dict]:
    began = time.perf_counter()
    cal = tenant_calendar(2024, 2027)
    compile_seconds = time.perf_counter() - began
    rows = [{"bench": "calendar", "operation": "build calendar 2024–2027 (import, cross-check, compile)",
             "cases": 1, "seconds": compile_seconds, "per_second": None}]  # fmt: skip
    starts, ns = _cases(cal, n)

    vector = _timed(lambda: cal.due_by_working_days_epoch(starts, ns))
    k = max(1, n // NAIVE_SHARE)
    aware = [datetime.fromtimestamp(int(t), cal.tz) for t in starts[:k]]
    scalar = _timed(
        lambda: [cal.due_by_working_days(t, int(m)) for t, m in zip(aware, ns[:k], strict=True)], 1
    )
    china = holidays.China(years=range(2024, 2028))
    days = [t.date() for t in aware]
    library = _timed(
        lambda: [china.get_nth_working_day(d, int(m)) for d, m in zip(days, ns[:k], strict=True)], 1
    )

    vector_rate = n / vector
    rows += [
        _row("due_by_working_days, vectorised", n, vector, target=TARGET_PER_SECOND,
             ok=vector_rate >= TARGET_PER_SECOND),
        _row("due_by_working_days, per-case loop (scalar API)", k, scalar,
             vectorised_speedup=vector_rate / (k / scalar)),
        _row("holidays.get_nth_working_day, per-case loop (day only)", k, library,
             vectorised_speedup=vector_rate / (k / library)),
    ]  # fmt: skip

    minutes = ns * 390
    added = cal.add_working_minutes_epoch(starts, minutes)
    rows.append(_row("add_working_minutes, vectorised", n,
                     _timed(lambda: cal.add_working_minutes_epoch(starts, minutes))))  # fmt: skip
    rows.append(_row("working_minutes_between, vectorised", n,
                     _timed(lambda: cal.working_minutes_between_epoch(starts, added))))  # fmt: skip
    anchors = cal.day_anchor_epoch(starts)
    dues = cal.due_by_working_days_epoch(starts, np.maximum(ns, 1))
    rows.append(_row("warn_at 80 %, vectorised", n, _timed(lambda: cal.warn_at_epoch(anchors, dues, 0.8))))
    return rows
