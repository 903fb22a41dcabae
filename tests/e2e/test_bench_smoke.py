"""`make bench`'s intake benchmark at a tiny scale, so it keeps working: the real platform as a
process, 200 seeded cases (their history chains verified), a few lifecycles through the HTTP API,
the commit-rate and bare-stack baselines, a calendar change and the re-derivation. Figures must
be present and positive; no timing is asserted (speed targets live in bench/, not in tests)."""

from __future__ import annotations

import math
import os

import pytest

from bench import intake_bench

pytestmark = pytest.mark.e2e


def test_intake_bench_at_a_tiny_scale(pg_server_url: str) -> None:
    rows = intake_bench.run(cases=200, seconds=10, clients=2, lifecycles=4, server_url=pg_server_url)
    by_op = {row["operation"].split(" (")[0]: row for row in rows}
    assert all(row["bench"] == "intake" for row in rows)
    assert "failed lifecycles" not in by_op, by_op.get("failed lifecycles")

    seeded = next(r for r in rows if r["operation"].startswith("seed: COPY cases"))
    assert seeded["cases"] == 200 and seeded["per_second"] > 0
    assert by_op["seed: history chains verified"]["cases"] == 200  # every seeded chain, all intact

    commits = next(r for r in rows if r["operation"].startswith("PostgreSQL single-row"))
    lifecycles = next(r for r in rows if r["operation"].startswith("lifecycles"))
    assert commits["cases"] > 0 and commits["per_second"] > 0
    assert lifecycles["cases"] == 4 and lifecycles["per_second"] > 0 and lifecycles["ratio"] > 0
    assert "ok" in lifecycles and lifecycles["target"] == intake_bench.LIFECYCLE_TARGET
    p95 = by_op["p95 per call"]
    assert p95["cases"] == 4 * 5 and 0 < p95["seconds"] < math.inf
    for name in ("create", "accept", "assign", "complete", "get"):
        assert by_op[f"  p95 {name}"]["cases"] == 4 and by_op[f"  p95 {name}"]["seconds"] > 0

    # the CPU each part spent on those lifecycles, and the rate the cores could give at that cost
    cpu = {op: row["seconds"] for op, row in by_op.items() if op.startswith("  CPU per lifecycle: ")}
    assert all(cpu[f"  CPU per lifecycle: {part}"] > 0 for part in ("bianmin run", "intake api process")), cpu
    assert cpu["  CPU per lifecycle: PostgreSQL server"] > 0, cpu  # (the clients' few ms may round to 0)
    ceiling = next(r for r in rows if r["operation"].startswith("  CPU ceiling"))
    assert ceiling["per_second"] == pytest.approx(len(os.sched_getaffinity(0)) / sum(cpu.values()))
    assert ceiling["target"] == intake_bench.LIFECYCLE_TARGET and "ok" in ceiling

    # the bare stack: the same frameworks, five calls a lifecycle, nothing of ours
    bare = next(r for r in rows if r["operation"].startswith("bare stack: "))
    assert bare["cases"] > 0 and bare["per_second"] > 0 and bare["cpu_per_lifecycle"] > 0
    assert f"the bare stack spent {bare['cpu_per_lifecycle'] * 1000:.1f} ms" in ceiling["operation"]

    baseline = next(r for r in rows if r["operation"].startswith("baseline: UPDATE"))
    # the seeded mix leaves most cases with an open clock; the four lifecycles stopped theirs
    assert 100 < baseline["cases"] < 200 and baseline["per_second"] > 0
    through_api = next(r for r in rows if r["operation"].startswith("calendar change via API"))
    direct = next(r for r in rows if r["operation"].startswith("deadlines.rederive called directly"))
    for row in (through_api, direct):
        assert row["cases"] == baseline["cases"] and row["per_second"] > 0, row
        assert row["ratio"] > 0 and row["per_1m"] > 0 and "ok" in row
    # a day off ten days ahead moves the deadlines of the cases due after it
    assert 0 < through_api["moved"] <= baseline["cases"] and 0 < direct["moved"] <= baseline["cases"]
