"""Deadlines of open cases: the colour sweep (`bianmin jobs sweep-deadlines`) and the bulk
re-derivation after a calendar change (DOMAIN.md §3.3, ARCHITECTURE.md §5, sla.md §7–8).

**The sweep** (`sweep_all`, every 5 minutes): for each active township, only inside its office hours
on a working day (its own calendar; outside them nothing is emitted and the first run in hours
catches up), every running case whose colour (`clock.colour`: yellow once warn_at has passed, red
on the due day, overdue past due_at) is above the case's mark `clock_colour` gets ONE
CaseClockColourChanged — the newest step only (yellow → overdue overnight is one event, previous
colour yellow; see domain/sweep.py). The mark is set by compare-and-set on the old mark and the
deadline it was judged against, in the same transaction as the outbox row: a second sweep running
at the same time blocks on the row, re-checks, finds the mark moved and emits nothing; a re-run
finds nothing to do. Townships are listed with the ops sessions (the job crosses tenants, like
`retry-failed`); each township is swept in its own tenant-scoped runtime transaction. A suspended
township is skipped (it changes nothing) and caught up once reactivated.

**Re-derivation** (`rederive`): when intake's calendar projection changes — a township override
(that township), a county override or a national import (every township of the county), or the
office hours / time zone of a township (or of the county's defaults) — the due_at, warn_at and
provisional flag of every open case (clock running or paused) are derived again from the clock
segments stored in its `case_clock` row (migrations 0012 and 0014, kept by cases.write_clock:
start, promised and extension days, pause intervals; no history is read). They are read with one
binary COPY straight into numpy arrays (cases whose deadline has passed are not even read),
derived with the vectorised clock (`clock.rederive`: one pass of numpy for all cases), and the
changed ones COPYed (binary) into a temporary table and written back with ONE UPDATE joining it —
of the narrow clock rows, not the wide case rows (migration 0014 says why); the cases whose
deadline moved are published in CaseDeadlinesRecomputed events of up to RECOMPUTED_PER_EVENT
cases (one event a case flooded the bus after a county-wide holiday) — but not built here: the
same statement records them, RECOMPUTED_PER_EVENT ids and previous deadlines to a `moved_deadline`
row, and intake's relay process makes each row its event (moved_deadlines.py; building a third of
a million summaries as JSON here took longer than the UPDATE). A deadline already passed stays as
it was (the breach is a fact); a paused case has no deadline and gets none (T20: on resume the
rest is laid over the calendar as it is then). The UPDATE only applies to a clock still stored at
the case version read; a clock stored again meanwhile is read again under a row lock and derived
again.

A county-wide event's handler runs in the county scope `<county>.*`, where row-level security hides
the townships' rows. It lists the county's townships from intake's tenant projection through the
policy `tenant_county_listing` (migration 0009), then moves its own transaction's scope to each
township in turn — as catalogue.copy_template does — so the re-derivation and its events commit
with the calendar change and its inbox row, all or nothing.

Both events carry no applicant (they are for staff; the case id leads to it)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
import psycopg
import sqlalchemy as sa
from bianmin.intake.v1 import case_pb2, events_pb2
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import ValidationFailed
from libs.common.messaging import Envelope
from libs.common.messaging.envelope import data_of, event_type_of
from libs.common.messaging.tables import tables_for
from libs.common.observability.tracing import inject_traceparent
from services.intake.adapters import case_repository as repo
from services.intake.adapters import tables
from services.intake.adapters.case_proto import enum_value, summary
from services.intake.adapters.county_townships import townships_of
from services.intake.domain import clock, sweep
from services.intake.service_layer.calendar import tenant_calendar

log = logging.getLogger(__name__)

SOURCE = "intake"
BATCH = 5000  # outbox rows per INSERT (the sweep)
RECOMPUTED_PER_EVENT = 500  # moved deadlines per CaseDeadlinesRecomputed (about 300 KB of JSON)
# the re-derivation's one statement hashes and groups every moved case in memory (with the
# server's default 4 MB, sorting a third of a million moved deadlines spilled to disk: +25 % time)
WORK_MEM = "256MB"
NEAR = timedelta(days=2)  # a deadline this close may be "due today" in any time zone

t = tables.case_with_clock  # a case with its clock (the sweep reads the case for its events)
case_clocks = tables.case_clock


# --- the sweep ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepReport:
    townships: int = 0  # looked at
    in_hours: int = 0  # in office hours, hence swept
    events: int = 0  # CaseClockColourChanged written
    failed: int = 0  # townships whose sweep raised (logged; retried next run)


def sweep_all(
    sessions: sessionmaker[Session],
    ops_sessions: sessionmaker[Session],
    now: datetime | None = None,
    *,
    townships: Iterable[str] | None = None,
) -> SweepReport:
    """Sweep every active township (or only `townships`), each in its own transaction."""
    at = _aware(now or datetime.now(UTC))
    listed = active_townships(ops_sessions)
    if townships is not None:
        wanted = set(townships)
        listed = [x for x in listed if x in wanted]
    in_hours = events = failed = 0
    for tenant in listed:
        try:
            emitted = sweep_township(sessions, tenant, at)
        except Exception:  # noqa: BLE001 - one township's failure must not stop the others
            log.exception("deadline sweep of %s failed", tenant)
            failed += 1
            continue
        if emitted is not None:
            in_hours += 1
            events += emitted
    return SweepReport(len(listed), in_hours, events, failed)


def active_townships(ops_sessions: sessionmaker[Session]) -> list[str]:
    """Every active township intake knows (the ops role reads across tenants, by design)."""
    tenant = tables.tenant
    with db.transaction(ops_sessions, None) as s:
        query = sa.select(tenant.c.tenant_id).where(tenant.c.status == "active").order_by(tenant.c.tenant_id)
        return list(s.execute(query).scalars())


def sweep_township(sessions: sessionmaker[Session], tenant: str, now: datetime) -> int | None:
    """Sweep one township in its own transaction (see `sweep_in`)."""
    with db.transaction(sessions, tenant) as s:
        return sweep_in(s, tenant, now)


def sweep_in(session: Session, tenant: str, now: datetime) -> int | None:
    """Record each colour step of the township's running cases and write its event, in the
    caller's transaction (scoped to `tenant`). None outside office hours (nothing done), else
    the number of events written."""
    at = _aware(now)
    calendar = tenant_calendar(session, tenant)
    if not sweep.in_office_hours(calendar, at):
        return None
    candidates = session.execute(
        sa.select(t)
        .where(
            t.c.tenant_id == tenant,
            t.c.clock_state == clock.RUNNING,
            t.c.due_at.is_not(None),
            sa.or_(t.c.warn_at <= at, t.c.due_at < at + NEAR, t.c.clock_colour.is_not(None)),
            # told overdue and still past due: nothing more can happen to it
            sa.or_(t.c.clock_colour.is_distinct_from(clock.OVERDUE), t.c.due_at >= at),
        )
        .order_by(t.c.id)  # the same lock order in every sweep: no deadlock between two
    ).mappings()
    changes: list[tuple[Any, str, bool]] = []
    for row in candidates:
        mark, emit = sweep.due_step(row["clock_colour"], row["due_at"], row["warn_at"], calendar, at)
        if mark is not None:
            changes.append((row, mark, emit))
    if not changes:
        return 0
    marked = set(
        session.execute(
            sa.text(
                "UPDATE intake.case_clock AS k SET clock_colour = v.mark, colour_changed_at = :now "
                "FROM unnest(CAST(:ids AS uuid[]), CAST(:olds AS text[]), CAST(:marks AS text[]),"
                " CAST(:dues AS timestamptz[])) AS v(id, old, mark, due) "
                "WHERE k.tenant_id = :tenant AND k.case_id = v.id AND k.clock_state = 'running' "
                # compare-and-set: a concurrent sweep (or a new deadline) since the read wins
                "AND k.clock_colour IS NOT DISTINCT FROM v.old AND k.due_at = v.due "
                "RETURNING k.case_id::text"
            ),
            {
                "tenant": tenant,
                "now": at,
                "ids": [str(row["id"]) for row, _, _ in changes],
                "olds": [row["clock_colour"] for row, _, _ in changes],
                "marks": [mark for _, mark, _ in changes],
                "dues": [row["due_at"] for row, _, _ in changes],
            },
        ).scalars()
    )
    messages = [
        events_pb2.CaseClockColourChanged(
            case=_summary(row, row["due_at"]),
            colour=_colour(mark),
            previous_colour=_colour(row["clock_colour"] or clock.GREEN),
            due_at=_ts(row["due_at"]),
            changed_at=_ts(at),
        )
        for row, mark, emit in changes
        if emit and str(row["id"]) in marked
    ]
    _publish(session, tenant, messages)
    return len(messages)


# --- re-derivation --------------------------------------------------------------------------


def on_calendar_changed(envelope: Envelope, session: Session) -> None:
    """After intake's calendar projection took a change: re-derive the open cases of the
    township, or of every township of the county for a county-wide change (same transaction)."""
    now = datetime.now(UTC)
    if not envelope.county_wide:
        rederive(session, envelope.tenant_id, now)
        return
    scope = envelope.tenant_id
    changed = 0
    try:
        for township in townships_of(session, envelope.county):
            db.set_scope(session, township)
            changed += rederive(session, township, now)
    finally:
        db.set_scope(session, scope)
    log.info("calendar change in %s: %d open case(s) re-derived", scope, changed)


def hours_of(session: Session, tenant: str) -> tuple[Any, Any] | None:
    """The office hours and time zone of `tenant` (a township or a county scope), as projected
    (None: none yet). By tenant, not by the scope alone: a township's scope also reads the
    county's settings (`county_rows`)."""
    s = tables.settings
    row = session.execute(sa.select(s.c.office_hours, s.c.timezone).where(s.c.tenant_id == tenant)).first()
    return None if row is None else (row.office_hours, row.timezone)


def rederive(session: Session, tenant: str, now: datetime) -> int:
    """Re-derive the deadlines of the township's open cases over its calendar as it is now, in
    the caller's transaction (a session scoped to `tenant`); returns the number of cases whose
    stored clock changed. Passed deadlines (due_at <= now) stay as they were."""
    at = _aware(now)
    began = time.perf_counter()
    rows = _open_cases(session, tenant, at)
    opened = len(rows)
    if not opened:
        return 0
    first_year = min(datetime.fromtimestamp(int(rows.arrays.start.min()), UTC).year, at.year - 1)
    calendar = tenant_calendar(session, tenant, first_year, at.year + 2)
    read = time.perf_counter()
    changed, stale = _rederive_rows(session, tenant, calendar, rows, at)
    if stale:  # changed by someone else since read: again, this time holding their rows
        rows = _open_cases(session, tenant, at, ids=stale, lock=True)
        more, _ = _rederive_rows(session, tenant, calendar, rows, at)
        changed += more
    log.debug(
        "re-derived %s: %d open, %d changed, %d again; read %.3f s, then %.3f s",
        tenant, opened, changed, len(stale), read - began, time.perf_counter() - read,
    )  # fmt: skip
    return changed


# The binary COPY formats (PostgreSQL's "COPY … (FORMAT BINARY)": a header, per row the field
# count and each field as length + big-endian value, a trailer). Every field is fixed-width and
# never NULL (NULLs are mapped to ±infinity), so the rows are numpy records read and written
# without a Python object per value. A timestamptz is microseconds since 2000-01-01 UTC.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_HEADER = _SIGNATURE + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # no OIDs, no header extension
_TRAILER = b"\xff\xff"
_PG_EPOCH = 946_684_800  # 2000-01-01 in Unix seconds
_MINUS_INF, _PLUS_INF = np.iinfo(np.int64).min, np.iinfo(np.int64).max  # ∓infinity timestamps


def _record(*fields: tuple[str, str, int]) -> np.dtype:
    """A binary COPY row of fixed-width fields (name, numpy type, byte length)."""
    spec: list[tuple[str, str]] = [("count", ">i2")]
    for name, kind, _ in fields:
        spec += [(f"{name}_len", ">i4"), (name, kind)]
    return np.dtype(spec)


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
_READ_ROW = _record(*_READ_FIELDS)

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
class _Open:
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


def _open_cases(
    session: Session,
    tenant: str,
    at: datetime | None = None,
    *,
    ids: Sequence[str] | None = None,
    lock: bool = False,
) -> _Open:
    """Open cases (clock running or paused) with their stored clock and segments (their
    `case_clock` rows), read with one binary COPY; those whose deadline passed by `at` are left
    out; with `ids`, only those (locked first with `lock`)."""
    after = datetime.fromtimestamp(int(_aware(at).timestamp()) + 1 if at else 0, UTC)
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
    with _connection(session).cursor().copy(_READ.replace("{only}", only), params) as copy:
        data = b"".join(bytes(block) for block in copy)
    cases = _records(data, _READ_ROW, _READ_FIELDS)
    ident = cases["id"].view(np.dtype([("hi", ">u8"), ("lo", ">u8")]))
    hi, lo = ident["hi"].astype(np.uint64), ident["lo"].astype(np.uint64)
    pc, ps, pe = [], [], []
    for k in range(1, INLINE + 1):
        paused = np.flatnonzero(cases[f"from{k}"] != _PLUS_INF)
        until = cases[f"until{k}"][paused]
        pc.append(paused)
        ps.append(_seconds(cases[f"from{k}"][paused]))
        pe.append(np.where(until == _PLUS_INF, clock.OPEN, _seconds(until)))
    many = np.flatnonzero(cases["pauses"] > INLINE)
    if many.size:  # read in another statement: a case changed since fails its version check
        index = {str(uuid.UUID(int=(int(hi[i]) << 64) | int(lo[i]))): int(i) for i in many}
        more = session.execute(_MORE_PAUSES, {"tenant": tenant, "ids": list(index)}).all()
        pc.append(np.array([index[r[0]] for r in more], np.int64))
        ps.append(np.array([int(r[1].timestamp()) for r in more], np.int64))
        pe.append(np.array([clock.OPEN if r[2] is None else int(r[2].timestamp()) for r in more], np.int64))
    i64 = np.int64
    arrays = clock.CaseArrays(
        _seconds(cases["started"]),
        cases["promised"].astype(i64),
        cases["extension"].astype(i64),
        np.concatenate(pc).astype(i64),
        np.concatenate(ps).astype(i64),
        np.concatenate(pe).astype(i64),
    )
    due_raw = cases["due"].astype(i64)
    return _Open(
        hi,
        lo,
        cases["version"].astype(i64),
        _seconds(due_raw),
        _seconds(cases["warn"]),
        due_raw,
        cases["provisional"].astype(bool),
        arrays,
    )


def _records(data: bytes, row: np.dtype, fields: Sequence[tuple[str, str, int]]) -> np.ndarray:
    """The rows of a binary COPY as numpy records, every field checked present and full width."""
    if not data.startswith(_SIGNATURE) or not data.endswith(_TRAILER):
        raise RuntimeError("not a binary COPY of PostgreSQL")
    start = len(_SIGNATURE) + 8 + int.from_bytes(data[len(_SIGNATURE) + 4 : len(_SIGNATURE) + 8], "big")
    body = memoryview(data)[start : len(data) - len(_TRAILER)]
    # a NULL (length -1, no value) breaks the fixed width: an open clock without its segments
    unexpected = RuntimeError("a row of the binary COPY is not the expected fixed-width one")
    if len(body) % row.itemsize:
        raise unexpected
    rows = np.frombuffer(body, row)
    ok = rows["count"] == len(fields)
    for name, _, width in fields:
        ok &= rows[f"{name}_len"] == width
    if not ok.all():
        raise unexpected
    return rows


def _seconds(micros: np.ndarray) -> np.ndarray:
    """PostgreSQL timestamps (µs since 2000) → epoch seconds, ±infinity → OPEN (-1)."""
    us = np.asarray(micros, np.int64)
    infinite = (us == _MINUS_INF) | (us == _PLUS_INF)
    return np.where(infinite, clock.OPEN, np.floor_divide(us, 1_000_000) + _PG_EPOCH)


def _micros(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds → PostgreSQL timestamps, OPEN → -infinity (NULLIF'd back to NULL)."""
    s = np.asarray(seconds, np.int64)
    return np.where(s == clock.OPEN, _MINUS_INF, (s - _PG_EPOCH) * 1_000_000)


def _connection(session: Session) -> psycopg.Connection[Any]:
    """The psycopg connection under the session's transaction (for COPY)."""
    return cast("psycopg.Connection[Any]", session.connection().connection.driver_connection)


def _rederive_rows(
    session: Session, tenant: str, calendar: Any, rows: _Open, at: datetime
) -> tuple[int, list[str]]:
    """Derive, compare, write the changed ones; (cases changed, ids changed by someone else)."""
    if not len(rows):
        return 0, []
    began = time.perf_counter()
    arrays, old_due, old_warn, old_prov = rows.arrays, rows.due, rows.warn, rows.provisional
    now = int(at.timestamp())
    due, warn = clock.rederive(calendar, arrays, previous=(old_due, old_warn), now=now)
    # provisional as `clock.derive` has it: over start..due, or start..the whole budget if paused
    start, days, ext = arrays.start, arrays.promised_days, arrays.extension_days
    total = calendar.due_by_working_days_epoch(start, days)
    extended = ext > 0
    if extended.any():
        total[extended] = calendar.due_by_working_days_epoch(total[extended], ext[extended])
    passed = (old_due != clock.OPEN) & (old_due <= now)
    provisional = np.where(
        passed, old_prov, calendar.is_provisional_epoch(start, np.where(due == clock.OPEN, total, due))
    )
    changed = np.flatnonzero((due != old_due) | (warn != old_warn) | (provisional != old_prov))
    if not changed.size:
        return 0, []
    derived = time.perf_counter()
    _write(session, rows, changed, due, warn, provisional)
    staged = time.perf_counter()
    previous = session.execute(sa.text("SELECT current_setting('work_mem')")).scalar_one()
    db.set_local(session, "work_mem", WORK_MEM)  # for this statement only: restored below
    try:
        params = {"tenant": tenant, "headers": json.dumps(inject_traceparent())}
        stale = sorted(str(i) for i in session.execute(_REDERIVE, params).scalars())
    finally:
        db.set_local(session, "work_mem", previous)
    log.debug(
        "re-derived %s: %d changed; derive %.3f s, stage %.3f s, update %.3f s",
        tenant, len(changed), derived - began, staged - derived, time.perf_counter() - staged,
    )  # fmt: skip
    return len(changed) - len(stale), stale


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
_WRITE_ROW = _record(*_WRITE_FIELDS)


def _write(
    session: Session,
    rows: _Open,
    idx: np.ndarray,
    due: np.ndarray,
    warn: np.ndarray,
    provisional: np.ndarray,
) -> None:
    """Stage the changed cases' clocks (`idx`) in `rederived` with one binary COPY."""
    out = np.zeros(len(idx), _WRITE_ROW)
    out["count"] = len(_WRITE_FIELDS)
    for name, _, width in _WRITE_FIELDS:
        out[f"{name}_len"] = width
    ident = np.zeros(len(idx), np.dtype([("hi", ">u8"), ("lo", ">u8")]))
    ident["hi"], ident["lo"] = rows.id_hi[idx], rows.id_lo[idx]
    out["id"] = ident.view("V16")
    out["version"] = rows.version[idx]
    out["due"], out["warn"] = _micros(due[idx]), _micros(warn[idx])
    out["prov"] = provisional[idx]
    out["old_due"] = rows.due_raw[idx]
    moved = due[idx] != rows.due[idx]
    out["event"] = np.where(moved, (np.cumsum(moved) - 1) // RECOMPUTED_PER_EVENT, -1)
    session.execute(sa.text(_STAGE))
    session.execute(sa.text("TRUNCATE rederived"))
    with _connection(session).cursor().copy("COPY rederived FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(_HEADER)
        copy.write(out.tobytes())
        copy.write(_TRAILER)
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


# --- helpers ---------------------------------------------------------------------------------


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationFailed("the sweep's instant must be timezone-aware")
    return at


def _ts(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at.astimezone(UTC))
    return ts


def _colour(word: str) -> Any:
    return enum_value(case_pb2.ClockColour, "CLOCK_COLOUR_", word)


def _summary(row: Any, due_at: datetime | None) -> case_pb2.CaseSummary:
    """The case's summary without the applicant (these events are for staff)."""
    message = summary(repo.from_row(row, []))
    message.ClearField("applicant")
    if due_at is not None:
        message.due_at.CopyFrom(_ts(due_at))
    return message


def _publish(session: Session, tenant: str, messages: Sequence[Message]) -> None:
    """The events' outbox rows in batched INSERTs (what `outbox.record` writes, one per row)."""
    outbox = tables_for(SOURCE).outbox
    headers = inject_traceparent()
    for lo in range(0, len(messages), BATCH):
        rows = []
        for message in messages[lo : lo + BATCH]:
            envelope = Envelope.new(
                source=SOURCE,
                event_type=event_type_of(message),
                tenant_id=tenant,
                data=data_of(message),
                headers=headers,
            )
            rows.append(
                {
                    "tenant_id": envelope.tenant_id,
                    "event_id": envelope.event_id,
                    "event_type": envelope.event_type,
                    "source": envelope.source,
                    "schema_version": envelope.schema_version,
                    "payload": envelope.data,
                    "headers": envelope.headers,
                    "created_at": envelope.occurred_at,
                }
            )
        session.execute(outbox.insert(), rows)
