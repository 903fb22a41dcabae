"""Publishing the deadlines a calendar change moved (migration 0015, ARCHITECTURE.md §5–6).

The re-derivation (deadline_rederivation.py) records, in the calendar change's own transaction,
which open cases' deadlines moved and from what: one `moved_deadline` row for each future
CaseDeadlinesRecomputed (up to RECOMPUTED_PER_EVENT case ids with their previous due_at, and the
trace context). `publish_pending` — a loop in intake's relay process and in `bianmin run` — makes
each row its event and deletes it in ONE transaction of the row's township, so each moved deadline
is published once, whatever crashes. The event tells each case as it is then (its summary,
deadline, warning and version now): a case that moved on since carries its newer version, which
its own event carries too; a case closed since is left out (its own events tell). Rows are taken
with SKIP LOCKED: several relay replicas share them, none twice. The event's JSON is written
directly (case_proto.recomputed_json says why). No applicant: these events are for staff."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.observability.metrics import MOVED_DEADLINES_WAITING
from libs.common.observability.tracing import span
from services.intake.adapters import moved_deadline_repository as waiting_rows

log = logging.getLogger(__name__)

LISTED = 20  # rows (events) listed per pass
IDLE_SECONDS = 1.0  # between looks when none wait: calendar changes are rare, a second is nothing


def publish_pending(
    sessions: sessionmaker[Session], ops_sessions: sessionmaker[Session], *, limit: int = LISTED
) -> int:
    """Publish up to `limit` waiting rows, oldest first; returns how many this call published.
    A row that fails is logged and left for the next pass; the others go on."""
    with db.transaction(ops_sessions, None) as s:  # the ops role lists across townships, by design
        listed = waiting_rows.waiting(s, limit)
    MOVED_DEADLINES_WAITING.set(listed[0][2] if listed else 0)
    published = 0
    for tenant, row_id, _ in listed:
        try:
            published += publish_one(sessions, tenant, row_id)
        except Exception:  # noqa: BLE001 - one row's failure must not hold the others back
            log.exception(
                "publishing moved deadlines of %s (row %d) failed; left for the next pass", tenant, row_id
            )
    return published


def publish_one(sessions: sessionmaker[Session], tenant: str, row_id: int) -> bool:
    """Make row `row_id` of the township its event and delete it, in one transaction; False if
    another publisher holds it or it is gone (published)."""
    with db.transaction(sessions, tenant) as s:
        row = waiting_rows.take(s, tenant, row_id)
        if row is None:
            return False
        cases = waiting_rows.recomputed_cases(s, tenant, row.case_ids, row.previous_due_at)
        if cases:
            attributes = {"bianmin.tenant": tenant, "bianmin.cases": len(cases)}
            with span("intake publish moved deadlines", parent_headers=row.headers, attributes=attributes):
                waiting_rows.record_recomputed(s, tenant, cases)
        waiting_rows.delete(s, tenant, row_id)
    log.debug("published %d moved deadline(s) of %s (row %d)", len(cases), tenant, row_id)
    return True


def publish_loop(
    sessions: sessionmaker[Session],
    ops_sessions: sessionmaker[Session],
    stop: threading.Event,
    idle_seconds: float = IDLE_SECONDS,
) -> None:
    """Publish waiting rows until `stop`; wait `idle_seconds` whenever none wait (or the database
    is away: the rows stay, to be published once it is back)."""
    while not stop.is_set():
        try:
            published = publish_pending(sessions, ops_sessions)
        except Exception:  # noqa: BLE001 - the database may be away: nothing is lost, next pass
            log.exception("listing moved deadlines failed; retrying")
            published = 0
        if not published:
            stop.wait(idle_seconds)
