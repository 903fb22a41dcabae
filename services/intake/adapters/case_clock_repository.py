"""The case clocks (`case_clock`, migrations 0012 and 0014) as the deadline jobs read and write
them: the sweep's candidates, its compare-and-set of the colour mark and its events; the
re-derivation's binary COPY of the open clocks, its staged write-back in ONE statement that also
records the moved deadlines (`moved_deadline`, published by moved_deadlines.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from libs.common import db
from libs.common.messaging import outbox
from libs.common.observability.tracing import inject_traceparent
from services.intake.adapters import binary_copy as copy_format
from services.intake.adapters import case_proto, tables
from services.intake.adapters import case_repository as repo
from services.intake.domain import clock

SOURCE = "intake"
BATCH = 5000  # outbox rows per INSERT (the sweep)
# the write-back's one statement hashes and groups every moved case in memory (with the
# server's default 4 MB, sorting a third of a million moved deadlines spilled to disk: +25 % time)
WORK_MEM = "256MB"

t = tables.case_with_clock  # a case with its clock (the sweep reads the case for its events)
case_clocks = tables.case_clock


# --- the tenant's clock settings -------------------------------------------------------------


@dataclass(frozen=True)
class ClockSettings:
    """What of a tenant's settings its clocks follow (as projected from the gateway): office
    hours and time zone (part of the calendar) and the yellow threshold `warn_ratio` (§3.3)."""

    office_hours: Any
    timezone: str | None
    warn_ratio: float


def clock_settings(session: Session, tenant: str) -> ClockSettings | None:
    """By tenant, not by the scope alone: a township's scope also reads its county's settings
    (`county_rows`). None: nothing projected yet."""
    s = tables.settings
    row = session.execute(
        sa.select(s.c.office_hours, s.c.timezone, s.c.warn_ratio).where(s.c.tenant_id == tenant)
    ).first()
    if row is None:
        return None
    ratio = clock.DEFAULT_WARN_RATIO if row.warn_ratio is None else float(row.warn_ratio)
    return ClockSettings(row.office_hours, row.timezone, ratio)


def warn_ratio(session: Session, tenant: str) -> float:
    """The tenant's warn ratio (the default 0.8 until its settings are projected)."""
    found = clock_settings(session, tenant)
    return clock.DEFAULT_WARN_RATIO if found is None else found.warn_ratio


# --- the sweep ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColourStep:
    """A case's colour mark to set (`mark`), and whether that step is told (`emit`)."""

    row: Any  # the case with its clock, as read
    mark: str
    emit: bool

    @property
    def case_id(self) -> str:
        return str(self.row["id"])


def sweep_candidates(session: Session, tenant: str, at: datetime, near: timedelta) -> Iterable[Any]:
    """The running cases whose colour may have stepped by `at` (rows of a case with its clock),
    in id order: the same lock order in every sweep, so no deadlock between two."""
    return session.execute(
        sa.select(t)
        .where(
            t.c.tenant_id == tenant,
            t.c.clock_state == clock.RUNNING,
            t.c.due_at.is_not(None),
            sa.or_(t.c.warn_at <= at, t.c.due_at < at + near, t.c.clock_colour.is_not(None)),
            # told overdue and still past due: nothing more can happen to it
            sa.or_(t.c.clock_colour.is_distinct_from(clock.OVERDUE), t.c.due_at >= at),
        )
        .order_by(t.c.id)
    ).mappings()


def mark_colours(session: Session, tenant: str, at: datetime, steps: Sequence[ColourStep]) -> set[str]:
    """Set each step's mark by compare-and-set on the old mark and the deadline it was judged
    against; the ids of the cases marked (a concurrent sweep, or a new deadline, since the read wins)."""
    return set(
        session.execute(
            sa.text(
                "UPDATE intake.case_clock AS k SET clock_colour = v.mark, colour_changed_at = :now "
                "FROM unnest(CAST(:ids AS uuid[]), CAST(:olds AS text[]), CAST(:marks AS text[]),"
                " CAST(:dues AS timestamptz[])) AS v(id, old, mark, due) "
                "WHERE k.tenant_id = :tenant AND k.case_id = v.id AND k.clock_state = 'running' "
                "AND k.clock_colour IS NOT DISTINCT FROM v.old AND k.due_at = v.due "
                "RETURNING k.case_id::text"
            ),
            {
                "tenant": tenant,
                "now": at,
                "ids": [step.case_id for step in steps],
                "olds": [step.row["clock_colour"] for step in steps],
                "marks": [step.mark for step in steps],
                "dues": [step.row["due_at"] for step in steps],
            },
        ).scalars()
    )


def record_colour_changes(session: Session, tenant: str, at: datetime, steps: Sequence[ColourStep]) -> None:
    """One CaseClockColourChanged a step, their outbox rows in batched INSERTs."""
    for lo in range(0, len(steps), BATCH):
        messages = (
            case_proto.clock_colour_changed(
                repo.from_row(step.row, []),
                step.mark,
                step.row["clock_colour"] or clock.GREEN,
                step.row["due_at"],
                at,
            )
            for step in steps[lo : lo + BATCH]
        )
        outbox.record_many(session, source=SOURCE, messages=messages, tenant_id=tenant)


# --- the re-derivation: reading the open clocks -----------------------------------------------

INLINE = 2  # pause intervals read inline with their case; more (rare) by a second query
_READ_FIELDS = (
    ("id", "V16", 16),
    ("version", ">i8", 8),
    ("started", ">i8", 8),
    ("due", ">i8", 8),
    ("warn", ">i8", 8),
    ("provisional", "?", 1),
    ("promised", ">i4", 4),
    ("extension", ">i4", 4),
    ("pauses", ">i4", 4),
    *((f"{end}{k}", ">i8", 8) for k in range(1, INLINE + 1) for end in ("from", "until")),
)
_READ_ROW = copy_format.row_type(*_READ_FIELDS)

# One row per open case whose deadline has not passed (a passed one stays as it is), its first
# pause intervals inline (none: from +infinity; still open: until +infinity) and how many it has.
_READ = """COPY (
    SELECT k.case_id, k.version, k.started_at, coalesce(k.due_at, '-infinity'),
        coalesce(k.warn_at, '-infinity'), coalesce(k.provisional, false), k.clock_promised_days,
        k.clock_extension_days, cardinality(k.clock_paused_from), {inline}
    FROM intake.case_clock AS k
    WHERE k.tenant_id = %(tenant)s AND k.clock_state IN ('running', 'paused') AND k.started_at IS NOT NULL
        AND (k.due_at IS NULL OR k.due_at >= %(after)s) {only}
) TO STDOUT (FORMAT BINARY)""".replace(
    "{inline}",
    ", ".join(
        f"coalesce(k.clock_paused_{end}[{n}], 'infinity')"
        for n in range(1, INLINE + 1)
        for end in ("from", "until")
    ),
)
_MORE_PAUSES = sa.text(
    f"""SELECT k.case_id::text, p.paused_from, p.paused_until
    FROM intake.case_clock AS k,
        unnest(k.clock_paused_from[{INLINE + 1}:], k.clock_paused_until[{INLINE + 1}:])
        AS p(paused_from, paused_until)
    WHERE k.tenant_id = :tenant AND k.case_id = ANY(CAST(:ids AS uuid[]))"""
)


@dataclass(frozen=True)
class OpenClocks:
    """The open cases of a township as the re-derivation needs them: arrays, one entry a case."""

    id_hi: np.ndarray  # the uuid's two halves (uint64)
    id_lo: np.ndarray
    version: np.ndarray  # int64
    due: np.ndarray  # stored due_at / warn_at, epoch seconds (OPEN: none)
    warn: np.ndarray
    due_raw: np.ndarray  # stored due_at as read (PostgreSQL microseconds; -infinity: none)
    provisional: np.ndarray  # bool
    arrays: clock.CaseArrays

    def __len__(self) -> int:
        return len(self.version)


def open_clocks(
    session: Session,
    tenant: str,
    at: datetime | None = None,
    *,
    ids: Sequence[str] | None = None,
    lock: bool = False,
) -> OpenClocks:
    """Open cases (clock running or paused) with their stored clock and segments (their
    `case_clock` rows), read with one binary COPY; those whose deadline passed by `at` are left
    out; with `ids`, only those (locked first with `lock`)."""
    after = datetime.fromtimestamp(int(at.timestamp()) + 1 if at else 0, UTC)
    params: dict[str, Any] = {"tenant": tenant, "after": after}
    only = ""
    if ids is not None:
        params["ids"] = [str(i) for i in ids]
        only = "AND k.case_id = ANY(%(ids)s::uuid[])"
        if lock:
            locked = sa.select(case_clocks.c.case_id).where(
                case_clocks.c.tenant_id == tenant, case_clocks.c.case_id.in_(params["ids"])
            )
            session.execute(locked.order_by(case_clocks.c.case_id).with_for_update())
    with copy_format.connection(session).cursor().copy(_READ.replace("{only}", only), params) as copy:
        data = b"".join(bytes(block) for block in copy)
    cases = copy_format.records(data, _READ_ROW, _READ_FIELDS)
    ident = cases["id"].view(np.dtype([("hi", ">u8"), ("lo", ">u8")]))
    hi, lo = ident["hi"].astype(np.uint64), ident["lo"].astype(np.uint64)
    seconds = copy_format.seconds
    pc, ps, pe = [], [], []
    for k in range(1, INLINE + 1):
        paused = np.flatnonzero(cases[f"from{k}"] != copy_format.PLUS_INF)
        until = cases[f"until{k}"][paused]
        pc.append(paused)
        ps.append(seconds(cases[f"from{k}"][paused]))
        pe.append(np.where(until == copy_format.PLUS_INF, clock.OPEN, seconds(until)))
    many = np.flatnonzero(cases["pauses"] > INLINE)
    if many.size:  # read in another statement: a case changed since fails its version check
        index = {str(uuid.UUID(int=(int(hi[i]) << 64) | int(lo[i]))): int(i) for i in many}
        more = session.execute(_MORE_PAUSES, {"tenant": tenant, "ids": list(index)}).all()
        pc.append(np.array([index[r[0]] for r in more], np.int64))
        ps.append(np.array([int(r[1].timestamp()) for r in more], np.int64))
        pe.append(np.array([clock.OPEN if r[2] is None else int(r[2].timestamp()) for r in more], np.int64))
    i64 = np.int64
    arrays = clock.CaseArrays(
        seconds(cases["started"]),
        cases["promised"].astype(i64),
        cases["extension"].astype(i64),
        np.concatenate(pc).astype(i64),
        np.concatenate(ps).astype(i64),
        np.concatenate(pe).astype(i64),
    )
    due_raw = cases["due"].astype(i64)
    return OpenClocks(
        hi,
        lo,
        cases["version"].astype(i64),
        seconds(due_raw),
        seconds(cases["warn"]),
        due_raw,
        cases["provisional"].astype(bool),
        arrays,
    )


# --- the re-derivation: writing the derived clocks back ---------------------------------------

# The derived clocks of the changed cases, COPYed (binary) into a temporary table the UPDATE
# joins; kept for the session, emptied at commit and before each use.
_STAGE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS rederived (id uuid NOT NULL, version bigint NOT NULL, "
    "due timestamptz NOT NULL, warn timestamptz NOT NULL, prov boolean NOT NULL, "
    "old_due timestamptz NOT NULL, event integer NOT NULL) ON COMMIT DELETE ROWS"
)
_WRITE_FIELDS = (
    ("id", "V16", 16),
    ("version", ">i8", 8),
    ("due", ">i8", 8),
    ("warn", ">i8", 8),
    ("prov", "?", 1),
    ("old_due", ">i8", 8),
    ("event", ">i4", 4),  # a moved deadline: which of the re-derivation's events tells it; else -1
)
_WRITE_ROW = copy_format.row_type(*_WRITE_FIELDS)


def stage(
    session: Session,
    rows: OpenClocks,
    idx: np.ndarray,
    due: np.ndarray,
    warn: np.ndarray,
    provisional: np.ndarray,
    *,
    per_event: int,
) -> None:
    """Stage the changed cases' clocks (`idx`) in `rederived` with one binary COPY; the moved
    deadlines among them are numbered into events of up to `per_event` cases."""
    out = copy_format.blank(_WRITE_FIELDS, _WRITE_ROW, len(idx))
    ident = np.zeros(len(idx), np.dtype([("hi", ">u8"), ("lo", ">u8")]))
    ident["hi"], ident["lo"] = rows.id_hi[idx], rows.id_lo[idx]
    out["id"] = ident.view("V16")
    out["version"] = rows.version[idx]
    out["due"], out["warn"] = copy_format.micros(due[idx]), copy_format.micros(warn[idx])
    out["prov"] = provisional[idx]
    out["old_due"] = rows.due_raw[idx]
    moved = due[idx] != rows.due[idx]
    out["event"] = np.where(moved, (np.cumsum(moved) - 1) // per_event, -1)
    session.execute(sa.text(_STAGE))
    session.execute(sa.text("TRUNCATE rederived"))
    with copy_format.connection(session).cursor().copy("COPY rederived FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(copy_format.HEADER)
        copy.write(out.tobytes())
        copy.write(copy_format.TRAILER)
    session.execute(sa.text("ANALYZE rederived"))  # the join's plan depends on its size


# The staged clocks written back in one statement — only over a clock still stored at the
# version read (READ COMMITTED re-checks it on a row changed meanwhile) — which also records the
# written cases whose deadline moved, one `moved_deadline` row for each event they were staged
# for (a CaseDeadlinesRecomputed to come: moved_deadlines.py publishes it), and answers the ids it
# did not write.
_REDERIVE = sa.text("""
WITH written AS (
    UPDATE intake.case_clock AS k
    SET due_at = NULLIF(v.due, '-infinity'), warn_at = NULLIF(v.warn, '-infinity'), provisional = v.prov
    FROM rederived AS v
    WHERE k.tenant_id = :tenant AND k.case_id = v.id AND k.version = v.version
      AND k.clock_state IN ('running', 'paused')
    RETURNING k.case_id AS id
), recorded AS (
    INSERT INTO intake.moved_deadline (tenant_id, case_ids, previous_due_at, headers)
    SELECT :tenant, array_agg(v.id), array_agg(NULLIF(v.old_due, '-infinity')), CAST(:headers AS jsonb)
    FROM rederived AS v JOIN written AS w ON w.id = v.id
    WHERE v.event >= 0
    GROUP BY v.event
)
SELECT v.id FROM rederived AS v WHERE NOT EXISTS (SELECT FROM written AS w WHERE w.id = v.id)
""")


def write_staged(session: Session, tenant: str) -> list[str]:
    """Write the staged clocks back and record their moved deadlines; the ids not written (their
    clock was stored again since the read), sorted."""
    previous = session.execute(sa.text("SELECT current_setting('work_mem')")).scalar_one()
    db.set_local(session, "work_mem", WORK_MEM)  # for this statement only: restored below
    try:
        params = {"tenant": tenant, "headers": json.dumps(inject_traceparent())}
        return sorted(str(i) for i in session.execute(_REDERIVE, params).scalars())
    finally:
        db.set_local(session, "work_mem", previous)
