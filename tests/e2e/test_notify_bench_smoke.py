"""`make bench`'s notify benchmark at a tiny scale, so it keeps working: outbox → relay →
RabbitMQ → a nameko worker process → the idempotent inbox, and the raw kombu baseline. Every event
is handled exactly once (`run()` raises otherwise); the figures must be present and positive. No
timing is asserted (the targets live in bench/, not in tests)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench import notify_bench

pytestmark = pytest.mark.e2e


def test_notify_bench_at_a_tiny_scale(pg_server_url: str, amqp_url: str, tmp_path: Path) -> None:
    rows = notify_bench.run(100, 1.0, server_url=pg_server_url, amqp_url=amqp_url, workdir=tmp_path)
    assert all(row["bench"] == "notify" for row in rows)
    by_op = {row["operation"].split(" (")[0].split(" at ")[0].strip(): row for row in rows}
    pipeline = by_op["outbox → relay → RabbitMQ → nameko → inbox + effect"]
    assert pipeline["cases"] == 100 and pipeline["per_second"] > 0
    assert pipeline["target"] == notify_bench.TARGET_PER_SECOND and "ok" in pipeline
    assert "raw kombu" in pipeline["vs"]
    assert by_op["the relay alone: outbox → RabbitMQ"]["per_second"] > 0
    assert by_op["the worker alone: a queued backlog → inbox + effect"]["per_second"] > 0
    assert by_op["raw kombu publish"]["per_second"] > 0
    p50, p99 = by_op["end-to-end lag p50"], by_op["end-to-end lag p99"]
    assert p99["cases"] >= 10 and 0 < p50["seconds"] <= p99["seconds"] < math.inf
    assert "ok" in p99 and "raw kombu" in p99["vs"]
