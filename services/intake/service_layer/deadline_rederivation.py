"""Re-deriving the deadlines of open cases after a calendar change (DOMAIN.md §3.3,
ARCHITECTURE.md §5, sla.md §7–8).

When intake's calendar projection changes — a township override (that township), a county
override or a national import (every township of the county), or the office hours / time zone of
a township (or of the county's defaults) — the due_at, warn_at and provisional flag of every open
case (clock running or paused) are derived again from the clock segments stored in its
`case_clock` row (migrations 0012 and 0014, kept by case_clock.write_clock: start, promised and
extension days, pause intervals; no history is read). They are read with one binary COPY straight
into numpy arrays (cases whose deadline has passed are not even read), derived with the vectorised
clock (`clock.rederive`: one pass of numpy for all cases), and the changed ones COPYed (binary)
into a temporary table and written back with ONE UPDATE joining it — of the narrow clock rows, not
the wide case rows (migration 0014 says why); adapters/case_clock_repository.py does the reading
and writing. The cases whose deadline moved are published in CaseDeadlinesRecomputed events of up
to RECOMPUTED_PER_EVENT cases (one event a case flooded the bus after a county-wide holiday) — but
not built here: the same statement records them, RECOMPUTED_PER_EVENT ids and previous deadlines
to a `moved_deadline` row, and intake's relay process makes each row its event
(moved_deadlines.py; building a third of a million summaries as JSON here took longer than the
UPDATE). A deadline already passed stays as it was (the breach is a fact); a paused case has no
deadline and gets none (T20: on resume the rest is laid over the calendar as it is then). The
UPDATE only applies to a clock still stored at the case version read; a clock stored again
meanwhile is read again under a row lock and derived again.

A county-wide event's handler runs in the county scope `<county>.*`, where row-level security hides
the townships' rows. It lists the county's townships from intake's tenant projection through the
policy `tenant_county_listing` (migration 0009), then moves its own transaction's scope to each
township in turn — as catalogue.copy_template does — so the re-derivation and its events commit
with the calendar change and its inbox row, all or nothing."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from libs.common import db
from libs.common.messaging import Envelope
from services.intake.adapters import case_clock_repository as clocks
from services.intake.adapters.county_townships import townships_of
from services.intake.domain import clock, sweep
from services.intake.service_layer.calendar import tenant_calendar

log = logging.getLogger(__name__)

RECOMPUTED_PER_EVENT = 500  # moved deadlines per CaseDeadlinesRecomputed (about 300 KB of JSON)


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


def rederive(session: Session, tenant: str, now: datetime) -> int:
    """Re-derive the deadlines of the township's open cases over its calendar as it is now, in
    the caller's transaction (a session scoped to `tenant`); returns the number of cases whose
    stored clock changed. Passed deadlines (due_at <= now) stay as they were."""
    at = sweep.aware(now)
    began = time.perf_counter()
    rows = clocks.open_clocks(session, tenant, at)
    opened = len(rows)
    if not opened:
        return 0
    first_year = min(datetime.fromtimestamp(int(rows.arrays.start.min()), UTC).year, at.year - 1)
    calendar = tenant_calendar(session, tenant, first_year, at.year + 2)
    read = time.perf_counter()
    ratio = clocks.warn_ratio(session, tenant)
    changed, stale = rederive_clocks(session, tenant, calendar, rows, at, ratio)
    if stale:  # changed by someone else since read: again, this time holding their rows
        rows = clocks.open_clocks(session, tenant, at, ids=stale, lock=True)
        more, _ = rederive_clocks(session, tenant, calendar, rows, at, ratio)
        changed += more
    log.debug(
        "re-derived %s: %d open, %d changed, %d again; read %.3f s, then %.3f s",
        tenant, opened, changed, len(stale), read - began, time.perf_counter() - read,
    )  # fmt: skip
    return changed


def rederive_clocks(
    session: Session,
    tenant: str,
    calendar: Any,
    rows: clocks.OpenClocks,
    at: datetime,
    warn_ratio: float = clock.DEFAULT_WARN_RATIO,
) -> tuple[int, list[str]]:
    """Derive, compare, write the changed ones; (cases changed, ids changed by someone else)."""
    if not len(rows):
        return 0, []
    began = time.perf_counter()
    arrays, old_due, old_warn, old_prov = rows.arrays, rows.due, rows.warn, rows.provisional
    now = int(at.timestamp())
    arrays = replace(arrays, warn_ratio=warn_ratio)
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
    clocks.stage(session, rows, changed, due, warn, provisional, per_event=RECOMPUTED_PER_EVENT)
    staged = time.perf_counter()
    stale = clocks.write_staged(session, tenant)
    log.debug(
        "re-derived %s: %d changed; derive %.3f s, stage %.3f s, update %.3f s",
        tenant, len(changed), derived - began, staged - derived, time.perf_counter() - staged,
    )  # fmt: skip
    return len(changed) - len(stale), stale
