"""Appraisal under load (issue 20): a county month's table and an upheld appeal's re-score.

How it runs: a throw-away database (the PostgreSQL at `BIANMIN_BENCH_PG_URL`, else
127.0.0.1:5432 when it answers, else the embedded server) migrated to head; one township with
500 windows and 1,500 window staff in appraisal's directory projection (2,000 subjects), and
`BIANMIN_BENCH_APPRAISAL_EVENTS` (default 100,000) score events of one month COPYed into
`appraisal.score_event` (rules of the default rulebook, auto and manual, their seed points).

1. The month's table through the service layer (`scores.list_scores`: one GROUP BY, the pure
   rules — caps, floors, ranks, quota-bound grades, vetoes — and the events explaining each
   row), as the township admin asks for it; target ≤ 2 s. Baseline: a plain SQL `GROUP BY`
   of the same rows (subject, Σ points) in the same run.
2. The month closed (`scores.close_month`, run 1); then an appeal filed and upheld
   (`scores.decide_appeal`: the event withdrawn and the month scored again as run 2); target
   ≤ 100 ms for the decision.
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

BENCH = "appraisal"
TENANT = "benchcounty.napo"
MONTH = "2001-10"
TZ = ZoneInfo("Asia/Shanghai")


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def run(events: int | None = None, server_url: str | None = None) -> list[dict]:
    from bench.intake_bench import _plain, _server_url
    from libs.common import embedded_pg

    n = events if events is not None else _int_env("BIANMIN_BENCH_APPRAISAL_EVENTS", 100_000)
    server = server_url or _server_url()
    name = f"bianmin_bench_{uuid.uuid4().hex[:10]}"
    url = embedded_pg.ensure_database(server, name)
    try:
        return _run(url, _plain(url), n)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _row(operation: str, cases: int, seconds: float, **extra: object) -> dict:
    return {"bench": BENCH, "operation": operation, "cases": cases, "seconds": seconds,
            "per_second": cases / seconds if seconds > 0 else None, **extra}  # fmt: skip


def _seed(plain_url: str, n: int) -> None:
    from services.appraisal.adapters import rulebook_files

    book = rulebook_files.packaged()
    rules = [r for r in book.rules if r.points and r.subject in ("window", "staff")]
    windows = [f"w{i:03d}" for i in range(500)]
    staff = [f"s{i:04d}" for i in range(1500)]
    rng = random.Random(20)
    at = datetime(2001, 10, 15, 2, tzinfo=UTC)
    with psycopg.connect(plain_url) as conn:
        conn.execute(
            "INSERT INTO appraisal.tenant (tenant_id, county, code, name, status, onboarded_at)"
            " VALUES (%s, 'benchcounty', 'napo', '那坡镇', 'active', now())",
            (TENANT,),
        )
        windows_copy = 'COPY appraisal."window" (tenant_id, code, name, event_at) FROM STDIN'
        with conn.cursor().copy(windows_copy) as copy:
            for w in windows:
                copy.write_row((TENANT, w, f"{w}窗口", at))
        with conn.cursor().copy(
            'COPY appraisal.staff (tenant_id, username, name, roles, "window", active, event_at) FROM STDIN'
        ) as copy:
            for i, s in enumerate(staff):
                copy.write_row((TENANT, s, f"人{i}", ["window_staff"], windows[i % 500], True, at))
        columns = ("tenant_id, id, subject_type, subject_id, rule_code, points, count, source, ref, evidence,"
                   " occurred_at, month, rulebook_id, recorded_by, recorded_at")  # fmt: skip
        with conn.cursor().copy(f"COPY appraisal.score_event ({columns}) FROM STDIN") as copy:
            recorded = datetime.now(UTC)
            for i in range(n):
                rule = rules[rng.randrange(len(rules))]
                subject = (
                    windows[rng.randrange(500)] if rule.subject == "window" else staff[rng.randrange(1500)]
                )
                when = at + timedelta(seconds=i % 86400)
                points = rule.points_at(MONTH)
                row = (TENANT, uuid.uuid4(), rule.subject, subject, rule.code, points, 1, rule.source)
                copy.write_row(
                    (*row, f"bench:{i}", "bench", when, MONTH, "default", "bench_recorder", recorded)
                )
        conn.commit()
    with psycopg.connect(plain_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE appraisal.score_event")


def _run(url: str, plain_url: str, n: int) -> list[dict]:
    from cli import compose
    from libs.common.runtime import Runtime
    from libs.common.settings import Settings
    from libs.common.tenancy import Principal
    from services.appraisal.service_layer import scores

    settings = Settings()
    compose.migrate(settings, url)
    started = time.perf_counter()
    _seed(plain_url, n)
    rows = [_row("seed score events (COPY)", n, time.perf_counter() - started, target_text="—")]
    print(f"appraisal bench: seeded {n:,} events", file=sys.stderr)
    runtime = Runtime.connect(settings, url)
    office = Principal(
        "bench_office", frozenset({"township_admin"}), frozenset({TENANT}), county="benchcounty"
    )

    with psycopg.connect(plain_url) as conn:
        started = time.perf_counter()
        conn.execute(
            "SELECT subject_type, subject_id, sum(points) FROM appraisal.score_event"
            " WHERE tenant_id = %s AND month = %s AND status = 'active' GROUP BY 1, 2",
            (TENANT, MONTH),
        ).fetchall()
        baseline = time.perf_counter() - started
    rows.append(_row("baseline: plain SQL GROUP BY of the month", n, baseline, target_text="—"))
    scores.list_scores(runtime.sessions, office, TENANT, MONTH, tz=TZ)  # warm: imports, the rulebook
    started = time.perf_counter()
    table = scores.list_scores(runtime.sessions, office, TENANT, MONTH, tz=TZ)
    took = time.perf_counter() - started
    assert len(table) == 2000, len(table)
    rows.append(_row(f"score a county month ({len(table):,} subjects)", n, took, target_text="≤ 2 s",
                     ok=took <= 2.0, ratio=took / baseline if baseline else None))  # fmt: skip

    scores.close_month(runtime.sessions, TENANT, MONTH, tz=TZ, now=datetime(2001, 11, 5, tzinfo=UTC))
    row = next(r for r in table if r.result.subject.type == "staff" and r.events)
    appellant = Principal(
        row.result.subject.id, frozenset({"window_staff"}), frozenset({TENANT}), county="benchcounty"
    )
    appeal = scores.file_appeal(runtime.sessions, appellant, TENANT, row.events[0].id, "bench", tz=TZ)
    started = time.perf_counter()
    scores.decide_appeal(runtime.sessions, office, TENANT, appeal.id, True, "bench: upheld", tz=TZ)
    took = time.perf_counter() - started
    rows.append(_row("upheld appeal: withdraw and re-score the closed month", 1, took, target_text="≤ 100 ms",
                     ok=took <= 0.1))  # fmt: skip
    for r in rows:
        print(f"appraisal bench: {r['operation']}: {r['seconds']:.3f} s", file=sys.stderr)
    return rows
