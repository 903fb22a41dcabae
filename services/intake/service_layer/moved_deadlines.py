"""Publishing the deadlines a calendar change moved (migration 0015, ARCHITECTURE.md §5–6).

The re-derivation (deadlines.py) records, in the calendar change's own transaction, which open
cases' deadlines moved and from what: one `moved_deadline` row for each future
CaseDeadlinesRecomputed (up to RECOMPUTED_PER_EVENT case ids with their previous due_at, and the
trace context). `publish_pending` — a loop in intake's relay process and in `bianmin run` — makes
each row its event and deletes it in ONE transaction of the row's township, so each moved deadline
is published once, whatever crashes. The event tells each case as it is then (its summary,
deadline, warning and version now): a case that moved on since carries its newer version, which
its own event carries too; a case closed since is left out (its own events tell). Rows are taken
with SKIP LOCKED: several relay replicas share them, none twice.

The event's JSON is what `data_of` gives the message (int64 as a string, enums by name, empty
fields left out; tests compare the two), written directly: a third of a million summaries through
protobuf messages cost minutes of CPU. No applicant: these events are for staff."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from bianmin.intake.v1 import events_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.messaging import outbox
from libs.common.messaging.envelope import event_type_of
from libs.common.observability.metrics import MOVED_DEADLINES_WAITING
from libs.common.observability.tracing import span
from services.intake.adapters import tables

log = logging.getLogger(__name__)

SOURCE = "intake"
EVENT_TYPE = event_type_of(events_pb2.CaseDeadlinesRecomputed)  # the JSON below is its data
LISTED = 20  # rows (events) listed per pass
IDLE_SECONDS = 1.0  # between looks when none wait: calendar changes are rare, a second is nothing

moved = tables.moved_deadline
t = tables.case_with_clock
FIELDS = (  # of a case with its clock, for its summary and deadline
    *("id", "number", "item_code", "kind", "state", "level", "channel", "first_ask", "handler"),
    *("window", "department", "village", "version", "due_at", "warn_at", "provisional"),
)


def publish_pending(
    sessions: sessionmaker[Session], ops_sessions: sessionmaker[Session], *, limit: int = LISTED
) -> int:
    """Publish up to `limit` waiting rows, oldest first; returns how many this call published.
    A row that fails is logged and left for the next pass; the others go on."""
    with db.transaction(ops_sessions, None) as s:  # the ops role lists across townships, by design
        listed = s.execute(
            sa.select(moved.c.tenant_id, moved.c.id, sa.func.count().over()).order_by(moved.c.id).limit(limit)
        ).all()
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
        row = s.execute(
            sa.select(moved)
            .where(moved.c.tenant_id == tenant, moved.c.id == row_id)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return False
        cases = recomputed_cases(s, tenant, row.case_ids, row.previous_due_at)
        if cases:
            attributes = {"bianmin.tenant": tenant, "bianmin.cases": len(cases)}
            with span("intake publish moved deadlines", parent_headers=row.headers, attributes=attributes):
                outbox.record(
                    s, source=SOURCE, message_or_type=EVENT_TYPE, data={"cases": cases}, tenant_id=tenant
                )
        s.execute(sa.delete(moved).where(moved.c.tenant_id == tenant, moved.c.id == row_id))
    log.debug("published %d moved deadline(s) of %s (row %d)", len(cases), tenant, row_id)
    return True


def recomputed_cases(
    session: Session, tenant: str, case_ids: Sequence[str], previous_due_at: Sequence[datetime | None]
) -> list[dict[str, Any]]:
    """Each still open case of `case_ids` as a CaseDeadlineRecomputed's JSON, in id order."""
    previous = {str(case_id): due for case_id, due in zip(case_ids, previous_due_at, strict=True)}
    rows = session.execute(
        sa.select(*(t.c[name] for name in FIELDS))
        .where(
            t.c.tenant_id == tenant,
            t.c.id.in_(list(previous)),
            t.c.clock_state.in_(("running", "paused")),
        )
        .order_by(t.c.id)
    ).all()
    return [_recomputed(row, previous[str(row.id)]) for row in rows]


def _recomputed(row: Any, previous_due_at: datetime | None) -> dict[str, Any]:
    due = _json_time(row.due_at)
    summary = {
        "case_id": str(row.id),
        "number": row.number,
        "item_code": row.item_code,
        "kind": _enum("CASE_KIND_", row.kind),
        "state": _enum("CASE_STATE_", row.state),
        "level": _enum("INTAKE_LEVEL_", row.level),
        "channel": _enum("CASE_CHANNEL_", row.channel),
        "first_ask": row.first_ask,
        "handler": row.handler,
        "window": row.window,
        "department": row.department,
        "village": row.village,
        "due_at": due,
        "version": str(row.version),
    }
    entry = {
        "case": {k: v for k, v in summary.items() if v},
        "previous_due_at": _json_time(previous_due_at),
        "due_at": due,
        "warn_at": _json_time(row.warn_at),
        "provisional": bool(row.provisional),
    }
    return {k: v for k, v in entry.items() if v}


def _enum(prefix: str, word: str | None) -> str | None:
    return f"{prefix}{word.upper()}" if word else None


@functools.lru_cache(maxsize=4096)  # deadlines fall on few instants (close of office on a few days)
def _json_time(at: datetime | None) -> str | None:
    """A Timestamp as protobuf's JSON writes it (None: unset)."""
    if at is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(at)
    return ts.ToJsonString()


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
