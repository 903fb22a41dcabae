"""The deadline colour sweep (`bianmin jobs sweep-deadlines`, every 5 minutes; DOMAIN.md §3.3,
ARCHITECTURE.md §5, sla.md §7–8).

For each active township, only inside its office hours on a working day (its own calendar;
outside them nothing is emitted and the first run in hours catches up), every running case whose
colour (`clock.colour`: yellow once warn_at has passed, red on the due day, overdue past due_at)
is above the case's mark `clock_colour` gets ONE CaseClockColourChanged — the newest step only
(yellow → overdue overnight is one event, previous colour yellow; see domain/sweep.py). The mark
is set by compare-and-set on the old mark and the deadline it was judged against, in the same
transaction as the outbox row: a second sweep running at the same time blocks on the row,
re-checks, finds the mark moved and emits nothing; a re-run finds nothing to do. Townships are
listed with the ops sessions (the job crosses tenants, like `retry-failed`); each township is
swept in its own tenant-scoped runtime transaction. A suspended township is skipped (it changes
nothing) and caught up once reactivated. The events carry no applicant (they are for staff)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from services.intake.adapters import case_clock_repository as clocks
from services.intake.adapters import tables
from services.intake.domain import sweep
from services.intake.service_layer.calendar import tenant_calendar

log = logging.getLogger(__name__)

NEAR = timedelta(days=2)  # a deadline this close may be "due today" in any time zone


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
    at = sweep.aware(now or datetime.now(UTC))
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
    at = sweep.aware(now)
    calendar = tenant_calendar(session, tenant)
    if not sweep.in_office_hours(calendar, at):
        return None
    steps = []
    for row in clocks.sweep_candidates(session, tenant, at, NEAR):
        mark, emit = sweep.due_step(row["clock_colour"], row["due_at"], row["warn_at"], calendar, at)
        if mark is not None:
            steps.append(clocks.ColourStep(row, mark, emit))
    if not steps:
        return 0
    marked = clocks.mark_colours(session, tenant, at, steps)
    told = [step for step in steps if step.emit and step.case_id in marked]
    clocks.record_colour_changes(session, tenant, at, told)
    return len(told)
