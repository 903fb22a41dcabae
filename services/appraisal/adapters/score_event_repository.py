"""Score events, appeals and scoring runs in PostgreSQL, their events in the outbox — all in the
caller's transaction (ARCHITECTURE.md §6), so a change and its event commit together or not.

- `add`: one INSERT of a source's score events `ON CONFLICT DO NOTHING` on (ref, rule, subject)
  (`score_event_once`): the bus redelivering, or intake re-publishing, an event records nothing
  new and publishes nothing; only the rows actually inserted get a `score_event_recorded`.
- `totals`: the one SQL aggregate scoring needs (per subject, rule, variant and month: Σ points,
  Σ count, the largest value of each numeric fact vetoes look at).
- `withdraw`: an upheld appeal's withdrawal, with `score_event_corrected`.
- Scoring runs: `add_run` appends run n+1 of a period (the old ones stay), `latest_run` reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common.errors import NotFound
from libs.common.messaging import outbox
from libs.common.paging import decode_time_key, split, time_key_token
from services.appraisal.adapters import tables
from services.appraisal.adapters.score_event_proto import (
    appeal_decided,
    appeal_filed,
    period_closed,
    recorded_event,
    withdrawn_event,
)
from services.appraisal.domain.appeal import Appeal
from services.appraisal.domain.score_event import ACTIVE, WITHDRAWN, Explained, NewEvent, ScoreEvent
from services.appraisal.domain.scoring import Dated, Subject, Total

SOURCE = "appraisal"
t = tables.score_event
a = tables.appeal
runs = tables.scoring_run
# the numeric facts veto conditions read (`fact: {name: working_days_late, above: 3}`)
NUMERIC_FACTS = ("working_days_late", "days_late", "late_minutes", "early_minutes", "minutes")

_INSERT = insert(t).on_conflict_do_nothing(constraint="score_event_once").returning(t)


def _event(row: Any) -> ScoreEvent:
    return ScoreEvent(
        id=str(row.id),
        subject=Subject(row.subject_type, row.subject_id),
        rule_code=row.rule_code,
        points=float(row.points),
        count=int(row._mapping["count"]),  # a Row's .count is tuple.count
        source=row.source,
        ref=row.ref,
        evidence=row.evidence,
        occurred_at=row.occurred_at,
        month=row.month,
        rulebook_id=row.rulebook_id,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        variant=row.variant,
        facts=dict(row.facts or {}),
        status=row.status,
        withdrawn_by=str(row.withdrawn_by) if row.withdrawn_by else "",
    )


def add(
    session: Session,
    tenant: str,
    made: Sequence[NewEvent],
    *,
    rulebook_id: str,
    recorded_by: str,
    now: datetime | None = None,
) -> list[ScoreEvent]:
    """Record `made`; the ones already recorded for the same (ref, rule, subject) are skipped.
    Returns (and publishes) only what was new."""
    if not made:
        return []
    at = now or datetime.now(UTC)
    rows = [
        {
            "tenant_id": tenant,
            "id": uuid.uuid4(),
            "subject_type": e.subject.type,
            "subject_id": e.subject.id,
            "rule_code": e.rule_code,
            "variant": e.variant,
            "points": e.points,
            "count": e.count,
            "source": e.source,
            "ref": e.ref,
            "evidence": e.evidence,
            "facts": _json_facts(e.facts),
            "occurred_at": e.occurred_at,
            "month": e.month,
            "rulebook_id": rulebook_id,
            "recorded_by": recorded_by,
            "recorded_at": at,
            "status": ACTIVE,
        }
        for e in made
    ]
    inserted = [_event(r) for r in session.execute(_INSERT.values(rows)).all()]
    if inserted:
        outbox.record_many(
            session, source=SOURCE, messages=[recorded_event(e) for e in inserted], tenant_id=tenant
        )
    return inserted


def _json_facts(facts: Any) -> dict[str, Any]:
    return {
        str(k): v if isinstance(v, bool | int | float | str) or v is None else str(v)
        for k, v in facts.items()
    }


def get(session: Session, event_id: str, *, for_update: bool = False) -> ScoreEvent:
    try:
        key = uuid.UUID(str(event_id))
    except ValueError:
        raise NotFound(f"score event {event_id!r} is not known here") from None
    stmt = sa.select(t).where(t.c.id == key)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound(f"score event {event_id} is not known here")
    return _event(row)


def list_events(
    session: Session,
    *,
    months: Sequence[str] | None = None,
    subjects: Iterable[Subject] | None = None,
    subject_type: str = "",
    rule_code: str = "",
    ref: str = "",
    size: int = 50,
    token: str = "",
) -> tuple[list[ScoreEvent], str]:
    """A page of score events in (occurred_at, id) order."""
    stmt = sa.select(t)
    if months is not None:
        stmt = stmt.where(t.c.month.in_(list(months)))
    if subjects is not None:
        pairs = [(s.type, s.id) for s in subjects]
        if not pairs:
            return [], ""
        stmt = stmt.where(sa.tuple_(t.c.subject_type, t.c.subject_id).in_(pairs))
    if subject_type:
        stmt = stmt.where(t.c.subject_type == subject_type)
    if rule_code:
        stmt = stmt.where(t.c.rule_code == rule_code)
    if ref:
        stmt = stmt.where(t.c.ref == ref)
    if token:
        after, key = decode_time_key(token, uuid.UUID)
        stmt = stmt.where(sa.tuple_(t.c.occurred_at, t.c.id) > sa.tuple_(sa.literal(after), sa.literal(key)))
    rows = session.execute(stmt.order_by(t.c.occurred_at, t.c.id).limit(size + 1)).all()
    items, next_token = split(rows, size, lambda r: time_key_token(r.occurred_at, r.id))
    return [_event(r) for r in items], next_token


def active_events(
    session: Session, months: Sequence[str], *, recorded_before: datetime | None = None
) -> list[Explained]:
    """The active events of `months` as a table explains its points: id, subject, rule, points,
    count, source, ref, when (no evidence, facts or bookkeeping: the events list has them). Read
    on the transaction's own connection without SQLAlchemy's rows: a county month is 10⁵ events."""
    stmt = sa.select(*_EXPLAINING).where(t.c.month.in_(list(months)), t.c.status == ACTIVE)
    if recorded_before is not None:
        stmt = stmt.where(t.c.recorded_at <= recorded_before)
    connection = session.connection()
    compiled = stmt.order_by(t.c.occurred_at, t.c.id).compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    # binary: timestamps and numbers come without text parsing
    with connection.connection.driver_connection.cursor(binary=True) as cursor:  # type: ignore[union-attr]
        cursor.execute(str(compiled), compiled.params)
        rows = cursor.fetchall()
    return [
        Explained(i, Subject(st, sid), code, points, n, source, ref, at)
        for i, st, sid, code, points, n, source, ref, at in rows
    ]


_EXPLAINING = (
    sa.cast(t.c.id, sa.Text), t.c.subject_type, t.c.subject_id, t.c.rule_code, t.c.points, t.c.count,
    t.c.source, t.c.ref, t.c.occurred_at,
)  # fmt: skip


def totals(
    session: Session,
    months: Sequence[str],
    *,
    subject: Subject | None = None,
    facts: Iterable[str] = NUMERIC_FACTS,
) -> list[Total]:
    """Σ points and count of the active events per subject, rule, variant and month (one GROUP BY);
    of one subject only with `subject`; the largest value of each numeric fact of `facts` (the
    ones the rulebook's vetoes look at)."""
    names = [n for n in NUMERIC_FACTS if n in set(facts)]
    largest = [sa.func.max(sa.cast(t.c.facts[name].astext, sa.Float)).label(name) for name in names]
    stmt = (
        sa.select(
            t.c.subject_type,
            t.c.subject_id,
            t.c.rule_code,
            t.c.month,
            t.c.variant,
            sa.func.sum(t.c.points).label("points"),
            sa.func.sum(t.c.count).label("n"),
            *largest,
        )  # fmt: skip
        .where(t.c.month.in_(list(months)), t.c.status == ACTIVE, *_of(subject))
        .group_by(t.c.subject_type, t.c.subject_id, t.c.rule_code, t.c.month, t.c.variant)
    )
    out = []
    for st, sid, code, month, variant, points, n, *largest_values in session.execute(stmt).tuples():
        found = {name: float(v) for name, v in zip(names, largest_values, strict=True) if v is not None}
        out.append(Total(Subject(st, sid), code, month, float(points), int(n), variant, found))
    return out


def _of(subject: Subject | None) -> list[Any]:
    return [] if subject is None else [t.c.subject_type == subject.type, t.c.subject_id == subject.id]


def dated(
    session: Session,
    months: Sequence[str],
    rule_codes: Iterable[str],
    tz: Any,
    *,
    subject: Subject | None = None,
) -> list[Dated]:
    """The days of the active events of `rule_codes` (for the vetoes counted within N working days)."""
    codes = sorted(set(rule_codes))
    if not codes:
        return []
    day = sa.cast(sa.func.timezone(str(tz), t.c.occurred_at), sa.Date)  # the county's local day
    rows = session.execute(
        sa.select(t.c.subject_type, t.c.subject_id, t.c.rule_code, day, t.c.count).where(
            t.c.month.in_(list(months)), t.c.status == ACTIVE, t.c.rule_code.in_(codes), *_of(subject)
        )
    ).tuples()
    return [Dated(Subject(st, sid), code, on, int(n)) for st, sid, code, on, n in rows]


def withdraw(session: Session, tenant: str, event: ScoreEvent, appeal_id: str) -> None:
    session.execute(
        t.update()
        .where(t.c.id == uuid.UUID(event.id))
        .values(status=WITHDRAWN, withdrawn_by=uuid.UUID(appeal_id))
    )
    outbox.record(session, source=SOURCE, message_or_type=withdrawn_event(event, appeal_id), tenant_id=tenant)


# --- appeals -----------------------------------------------------------------------------------


def _appeal(row: Any) -> Appeal:
    return Appeal(
        id=str(row.id),
        event_id=str(row.event_id),
        reason=row.reason,
        filed_by=row.filed_by,
        filed_at=row.filed_at,
        state=row.state,
        decision_reason=row.decision_reason,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )


def pending_appeal_of(session: Session, event_id: str) -> Appeal | None:
    row = session.execute(
        sa.select(a).where(a.c.event_id == uuid.UUID(event_id), a.c.state == "pending")
    ).first()
    return _appeal(row) if row is not None else None


def add_appeal(session: Session, tenant: str, appeal: Appeal) -> None:
    session.execute(
        a.insert().values(
            tenant_id=tenant,
            id=uuid.UUID(appeal.id),
            event_id=uuid.UUID(appeal.event_id),
            reason=appeal.reason,
            filed_by=appeal.filed_by,
            filed_at=appeal.filed_at,
            state=appeal.state,
        )  # fmt: skip
    )
    outbox.record(session, source=SOURCE, message_or_type=appeal_filed(appeal),
                  tenant_id=tenant)  # fmt: skip


def get_appeal(session: Session, appeal_id: str) -> Appeal:
    try:
        key = uuid.UUID(str(appeal_id))
    except ValueError:
        raise NotFound(f"appeal {appeal_id!r} is not known here") from None
    row = session.execute(sa.select(a).where(a.c.id == key).with_for_update()).first()
    if row is None:
        raise NotFound(f"appeal {appeal_id} is not known here")
    return _appeal(row)


def save_decision(session: Session, tenant: str, appeal: Appeal) -> None:
    session.execute(
        a.update()
        .where(a.c.id == uuid.UUID(appeal.id))
        .values(
            state=appeal.state,
            decision_reason=appeal.decision_reason,
            decided_by=appeal.decided_by,
            decided_at=appeal.decided_at,
        )  # fmt: skip
    )
    outbox.record(session, source=SOURCE, message_or_type=appeal_decided(appeal),
                  tenant_id=tenant)  # fmt: skip


def list_appeals(
    session: Session, *, state: str = "", size: int = 50, token: str = ""
) -> tuple[list[Appeal], str]:
    stmt = sa.select(a)
    if state:
        stmt = stmt.where(a.c.state == state)
    if token:
        after, key = decode_time_key(token, uuid.UUID)
        stmt = stmt.where(sa.tuple_(a.c.filed_at, a.c.id) > sa.tuple_(sa.literal(after), sa.literal(key)))
    rows = session.execute(stmt.order_by(a.c.filed_at, a.c.id).limit(size + 1)).all()
    items, next_token = split(rows, size, lambda r: time_key_token(r.filed_at, r.id))
    return [_appeal(r) for r in items], next_token


# --- scoring runs ------------------------------------------------------------------------------


def has_run(session: Session, period: str) -> bool:
    """Whether the period was closed (has a scoring run) — without reading the run."""
    return session.execute(sa.select(runs.c.run).where(runs.c.period == period).limit(1)).first() is not None


def latest_run(session: Session, period: str) -> Any | None:
    return session.execute(
        sa.select(runs).where(runs.c.period == period).order_by(runs.c.run.desc()).limit(1)
    ).first()


def lock_period(session: Session, tenant: str, period: str) -> None:
    """Serialise what closes or re-scores one period (a transaction-level advisory lock)."""
    lock = sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(f"run:{tenant}:{period}", 0))
    session.execute(sa.select(lock))


def add_run(
    session: Session, tenant: str, period: str, *, reason: str, rulebook_id: str,
    results: list[dict[str, Any]], by: str, now: datetime,
) -> int:  # fmt: skip
    """Append the next run of `period` (a transaction-level lock serialises two of the same period)."""
    session.execute(
        sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(f"run:{tenant}:{period}", 0)))
    )
    last = session.execute(sa.select(sa.func.max(runs.c.run)).where(runs.c.period == period)).scalar()
    number = int(last or 0) + 1
    session.execute(
        runs.insert().values(
            tenant_id=tenant,
            period=period,
            run=number,
            reason=reason,
            rulebook_id=rulebook_id,
            results=results,
            created_at=now,
            created_by=by,
        )  # fmt: skip
    )
    return number


def record_period_closed(
    session: Session, tenant: str, period: str, rows: Sequence[Any], at: datetime
) -> None:
    """`period_closed` with the frozen table (notify sends each subject their result)."""
    outbox.record(session, source=SOURCE, message_or_type=period_closed(period, rows, at), tenant_id=tenant)
