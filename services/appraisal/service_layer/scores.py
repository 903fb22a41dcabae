"""A township's appraisal (DOMAIN.md §7.1–7.5): manual score events, the events of a subject, the
table of a period (scores, ranks, grades, vetoes, every point explained), appeals, and closing a
month. The rules are pure (domain/score_event.py, scoring.py, appeal.py); this module decides who
may do what, in one transaction each.

Who (DOMAIN.md §1; the township itself is also the gRPC interceptor's check):
- manual events: the management office (`township_admin`) and the `county_supervisor`, with
  evidence; nobody scores themselves;
- reading events and scores: the `township_admin`, `county_admin` and `county_supervisor` read
  the township's; any other staff member reads their own and their window's (a subject sees every
  event on it) — the ranks are still the whole township's; `ops` sees no people;
- appeals: the subject files (a staff member for their own events; the window's staff for the
  window's), within the rulebook's `appeal_days` working days of the day the event was recorded;
  the `township_admin` decides, the `county_supervisor` for the events a county supervisor
  recorded; nobody judges their own (the appellant, the subject, the recorder).
- closing a month (the `close-month` job): the system.

Runs: closing a month stores its table as scoring run 1 and freezes it (manual events no longer
enter it); an upheld appeal withdraws the event and stores the month's table again as the next
run, the old runs kept. A closed month's table is served from its latest run.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from libs.common.paging import page_size
from libs.common.tenancy import Principal, require_tenant
from libs.common.tenant_projection import require_known
from services.appraisal.adapters import score_event_repository as repo
from services.appraisal.adapters import tables
from services.appraisal.domain import appeal as appeals
from services.appraisal.domain import periods, score_event
from services.appraisal.domain.appeal import Appeal
from services.appraisal.domain.periods import MONTH, Period
from services.appraisal.domain.rulebook import Rulebook
from services.appraisal.domain.score_event import Explained, ScoreEvent
from services.appraisal.domain.scoring import Past, Result, Subject, VetoHit, rescore, score_period
from services.appraisal.service_layer import rulebooks
from services.appraisal.service_layer.duty_rota import require_caller
from services.appraisal.service_layer.score_events import is_working

RECORDER_ROLES = ("township_admin", "county_supervisor")
OVERSIGHT_ROLES = ("township_admin", "county_admin", "county_supervisor")
STAFF_ROLES = ("window_staff", "intake_desk", "proxy_agent", "petition_officer")
READER_ROLES = (*OVERSIGHT_ROLES, *STAFF_ROLES)
SUBJECT_TYPES = ("window", "staff", "proxy", "village", "township")
CLOSE_REASON = "close"


@dataclass(frozen=True)
class Row:
    """One subject's line of a period's table: the result and the events that explain it."""

    result: Result
    name: str
    events: tuple[Explained, ...]
    final: bool
    run: int


# --- who sees what ---------------------------------------------------------------------------


def _visible(s: Session, who: Principal) -> set[Subject] | None:
    """The subjects a caller may read (None: all of the township's)."""
    if who.has_role(*OVERSIGHT_ROLES):
        return None
    st = tables.staff
    window = s.execute(sa.select(st.c.window).where(st.c.username == who.username)).scalar()
    own = {Subject("staff", who.username), Subject("proxy", who.username)}
    return own | ({Subject("window", window)} if window else set())


def _require_subject(s: Session, tenant: str, subject: Subject) -> None:
    if subject.type not in SUBJECT_TYPES:
        raise ValidationFailed(f"subject.type: one of {', '.join(SUBJECT_TYPES)}", field="subject.type")
    found: object = None
    if subject.type == "window":
        w = tables.window
        found = s.execute(sa.select(w.c.code).where(w.c.code == subject.id)).first()
    elif subject.type in ("staff", "proxy"):
        st = tables.staff
        found = s.execute(sa.select(st.c.username).where(st.c.username == subject.id)).first()
    elif subject.type == "village":
        v = tables.village
        found = s.execute(sa.select(v.c.code).where(v.c.code == subject.id)).first()
    else:
        found = subject.id == tenant or None
    if not found:
        raise ValidationFailed(f"subject: no {subject.type} {subject.id!r} in the township", field="subject")


# --- manual events ---------------------------------------------------------------------------


def record_event(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    subject: Subject,
    rule_code: str,
    count: int,
    variant: str,
    evidence: str,
    occurred_at: datetime | None,
    idempotency_key: str = "",
    tz: ZoneInfo,
) -> ScoreEvent:
    """A manual event with evidence (the same `idempotency_key` gives back the same event)."""
    scope = require_tenant(tenant)
    now = datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *RECORDER_ROLES)
        if subject.type in ("staff", "proxy") and subject.id == who.username:
            raise Forbidden("nobody scores themselves")
        if occurred_at is None:
            raise ValidationFailed("occurred_at: required", field="occurred_at")
        if occurred_at > now:
            raise ValidationFailed("occurred_at: in the future", field="occurred_at")
        _require_subject(s, scope, subject)
        month = periods.month_of(occurred_at.astimezone(tz).date())
        if _closed(s, month):
            raise InvalidTransition(f"{month} is closed: only an appeal changes it")
        book_id, book = rulebooks.active(s, scope, month)
        ref = f"manual:{idempotency_key}" if idempotency_key else f"manual:{uuid.uuid4()}"
        made = score_event.manual(
            book, subject, rule_code, count=count or 1, variant=variant, evidence=evidence,
            occurred_at=occurred_at, month=month, ref=ref,
        )  # fmt: skip
        # who recorded it, as what: an event a county supervisor recorded is the county's to review
        recorded_as = "township" if who.has_role("township_admin") else "county"
        made = dataclasses.replace(made, facts={"recorded_as": recorded_as})
        added = repo.add(s, scope, [made], rulebook_id=book_id, recorded_by=who.username, now=now)
        if added:
            return added[0]
        [again], _ = repo.list_events(s, subjects=[subject], rule_code=rule_code, ref=ref, size=1)
        return again


def list_events(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    period: str = "",
    subject_type: str = "",
    subject_id: str = "",
    rule_code: str = "",
    size: int = 0,
    token: str = "",
) -> tuple[list[ScoreEvent], str]:
    scope = require_tenant(tenant)
    months = periods.parse(period).months if period else None
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *READER_ROLES)
        visible = _visible(s, who)
        subjects: list[Subject] | None = None
        if subject_id:
            wanted = Subject(subject_type or "staff", subject_id)
            subjects = [wanted] if visible is None or wanted in visible else []
        elif visible is not None:
            subjects = [v for v in visible if not subject_type or v.type == subject_type]
        return repo.list_events(s, months=months, subjects=subjects, subject_type=subject_type,
                                rule_code=rule_code, size=page_size(size), token=token)  # fmt: skip


# --- scores ----------------------------------------------------------------------------------


def _closed(s: Session, month: str) -> bool:
    return repo.has_run(s, month)


def _roster(s: Session) -> tuple[list[Subject], dict[Subject, str]]:
    """The subjects every table lists (events or not): the windows and the window staff."""
    w, st = tables.window, tables.staff
    names: dict[Subject, str] = {}
    for code, name in s.execute(sa.select(w.c.code, w.c.name)).all():
        names[Subject("window", code)] = name
    rows = s.execute(sa.select(st.c.username, st.c.name, st.c.window, st.c.roles, st.c.active)).all()
    for r in rows:
        if r.active and (r.window or "window_staff" in (r.roles or ())):
            names[Subject("staff", r.username)] = r.name
    everyone = sorted(names)
    for r in rows:  # names of the others (proxies, staff who left) for the events they have
        names.setdefault(Subject("staff", r.username), r.name)
        names.setdefault(Subject("proxy", r.username), r.name)
    return everyone, names


def _veto_rules(book: Rulebook) -> set[str]:
    codes: set[str] = set()

    def walk(when: Any) -> None:
        if not isinstance(when, Mapping):
            return
        for kind, spec in when.items():
            if kind == "any":
                for part in spec:
                    walk(part)
            elif isinstance(spec, Mapping) and str(spec.get("within", "")).endswith("_working_days"):
                codes.update(spec.get("rules") or ())

    for v in book.vetoes:
        walk(v.when)
    return codes


def _veto_facts(book: Rulebook) -> set[str]:
    """The facts the vetoes compare (`fact: {name: working_days_late, above: 3}`)."""
    names: set[str] = set()

    def walk(when: Any) -> None:
        if not isinstance(when, Mapping):
            return
        for kind, spec in when.items():
            if kind == "any":
                for part in spec:
                    walk(part)
            elif kind == "fact" and isinstance(spec, Mapping):
                names.add(str(spec.get("name")))

    for v in book.vetoes:
        walk(v.when)
    return names


def _max_consecutive(book: Rulebook) -> int:
    most = 1

    def walk(when: Any) -> None:
        nonlocal most
        if not isinstance(when, Mapping):
            return
        for kind, spec in when.items():
            if kind == "any":
                for part in spec:
                    walk(part)
            elif isinstance(spec, Mapping) and kind in ("grade", "rank"):
                most = max(most, int(spec.get("consecutive", 1)))

    for v in book.vetoes:
        walk(v.when)
    return most


def _compute(
    s: Session, tenant: str, period: Period, tz: ZoneInfo, *, depth: int = 0
) -> tuple[str, list[Result]]:
    """The period's table computed now from its active events (one GROUP BY for the sums)."""
    book_id, book = rulebooks.active(s, tenant, period.months[-1])
    roster, _names = _roster(s)
    year_to_date = [f"{period.year:04d}-{m:02d}" for m in range(1, period.last + 1)]
    totals = repo.totals(s, year_to_date, facts=_veto_facts(book))
    dated = repo.dated(s, period.months, _veto_rules(book), tz)
    history: dict[Subject, list[Past]] = defaultdict(list)
    graded = book.grading_period
    if depth == 0 and period.kind == graded:
        back = period
        for _ in range(_max_consecutive(book) - 1):
            back = back.previous()
            for r in _compute(s, tenant, back, tz, depth=1)[1]:
                history[r.subject].append(Past(r.grade, r.from_bottom))
    excellent: dict[Subject, int] | None = None
    if depth == 0 and period.kind == periods.YEAR:
        excellent = defaultdict(int)
        for quarter in period.quarters():
            for r in _compute(s, tenant, quarter, tz, depth=1)[1]:
                excellent[r.subject] += r.grade == "excellent"
    results = score_period(book, period, roster, totals, dated=dated, is_working=is_working,
                           history=history, excellent_quarters=excellent)  # fmt: skip
    return book_id, results


def _result_data(r: Result) -> dict[str, Any]:
    return {
        "subject": [r.subject.type, r.subject.id], "score": r.score, "grade": r.grade, "rank": r.rank,
        "position": r.position, "from_bottom": r.from_bottom, "title": r.title,
        "vetoes": [[v.code, v.consequence, v.reason] for v in r.vetoes], "rule_points": dict(r.rule_points),
    }  # fmt: skip


def _result_of(data: Mapping[str, Any], period: str) -> Result:
    return Result(
        Subject(*data["subject"]), period, float(data["score"]), data["grade"], int(data["rank"]),
        int(data["position"]), int(data["from_bottom"]), tuple(VetoHit(*v) for v in data["vetoes"]),
        dict(data["rule_points"]), data.get("title", ""),
    )  # fmt: skip


def _events_by_subject(events: Iterable[Explained]) -> dict[Subject, list[Explained]]:
    by: dict[Subject, list[Explained]] = defaultdict(list)
    for e in events:
        by[e.subject].append(e)
    return by


def _table(s: Session, tenant: str, period: Period, tz: ZoneInfo) -> list[Row]:
    """The period's table: a closed month's latest run (explained by the events active and recorded
    before it), else computed now."""
    _roster_subjects, names = _roster(s)
    run = repo.latest_run(s, period.code) if period.kind == MONTH else None
    if run is not None:
        by = _events_by_subject(repo.active_events(s, period.months, recorded_before=run.created_at))
        return [
            Row(result, names.get(result.subject, ""), tuple(by.get(result.subject, ())), True, int(run.run))
            for result in (_result_of(data, period.code) for data in run.results)
        ]
    _book_id, results = _compute(s, tenant, period, tz)
    by = _events_by_subject(repo.active_events(s, period.months))
    return [Row(r, names.get(r.subject, ""), tuple(by.get(r.subject, ())), False, 0) for r in results]


def list_scores(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    period: str,
    *,
    subject_type: str = "",
    tz: ZoneInfo,
) -> list[Row]:
    """The table of `period` ("YYYY-MM", "YYYYQn", "YYYY"), in (type, position) order."""
    scope = require_tenant(tenant)
    p = periods.parse(period)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *READER_ROLES)
        visible = _visible(s, who)
        rows = _table(s, scope, p, tz)
    rows = [r for r in rows if (not subject_type or r.result.subject.type == subject_type)]
    if visible is not None:
        rows = [r for r in rows if r.result.subject in visible]
    return sorted(rows, key=lambda r: (r.result.subject.type, r.result.position))


def _store_run(s: Session, tenant: str, period: Period, tz: ZoneInfo, *, reason: str, by: str) -> int:
    """The period's table computed now, stored as its next run (one GROUP BY and the pure rules;
    the events that explain it are those active and recorded before the run)."""
    book_id, results = _compute(s, tenant, period, tz)
    data = [_result_data(r) for r in results]
    return repo.add_run(s, tenant, period.code, reason=reason, rulebook_id=book_id, results=data, by=by,
                        now=datetime.now(UTC))  # fmt: skip


def _rescore_run(
    s: Session, tenant: str, period: Period, tz: ZoneInfo, subject: Subject, *, reason: str, by: str
) -> int:
    """The next run of a closed month after one subject's events changed: that subject's totals
    read again, everyone else's taken from the latest run (`scoring.rescore`); in full when the
    rulebook changed since or its standings look back at earlier periods."""
    run = repo.latest_run(s, period.code)
    book_id, book = rulebooks.active(s, tenant, period.months[-1])
    looks_back = period.kind == book.grading_period and _max_consecutive(book) > 1
    if run is None or run.rulebook_id != book_id or looks_back:
        return _store_run(s, tenant, period, tz, reason=reason, by=by)
    previous = [_result_of(data, period.code) for data in run.results]
    year_to_date = [f"{period.year:04d}-{m:02d}" for m in range(1, period.last + 1)]
    totals = repo.totals(s, year_to_date, subject=subject, facts=_veto_facts(book))
    dated = repo.dated(s, period.months, _veto_rules(book), tz, subject=subject)
    results = rescore(book, period, previous, subject, totals, dated=dated, is_working=is_working)
    return repo.add_run(s, tenant, period.code, reason=reason, rulebook_id=book_id,
                        results=[_result_data(r) for r in results], by=by, now=datetime.now(UTC))  # fmt: skip


def close_month(
    sessions: sessionmaker[Session], tenant: str, month: str, *, tz: ZoneInfo, now: datetime | None = None
) -> tuple[bool, list[Row]]:
    """Freeze `month` (run 1 of its table) and publish `period_closed` with it; (False, its
    table) when it was closed already. A month not yet over is refused (validation_error)."""
    p = periods.parse_month(month)
    at = now or datetime.now(UTC)
    if p.code >= periods.month_of(at.astimezone(tz).date()):
        raise ValidationFailed(f"month: {p.code} is not over yet", field="month")
    with db.transaction(sessions, tenant) as s:
        require_known(s, tables.tenant, tenant)
        repo.lock_period(s, tenant, p.code)
        closed = _closed(s, p.code)
        if not closed:
            _store_run(s, tenant, p, tz, reason=CLOSE_REASON, by="system")
        rows = _table(s, tenant, p, tz)
        if not closed:
            repo.record_period_closed(s, tenant, p.code, rows, at)
    return not closed, rows


def previous_month(tz: ZoneInfo, now: datetime | None = None) -> str:
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    return periods.parse_month(periods.month_of(today)).previous().code


# --- appeals ---------------------------------------------------------------------------------


def file_appeal(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    event_id: str,
    reason: str,
    *,
    tz: ZoneInfo,
    now: datetime | None = None,
) -> Appeal:
    scope = require_tenant(tenant)
    at = now or datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *READER_ROLES)
        event = repo.get(s, event_id, for_update=True)
        visible = _visible(s, who)
        if visible is not None and event.subject not in visible:
            raise NotFound(f"score event {event_id} is not known here")
        if not _is_subject(s, who, event.subject):
            raise Forbidden("only the subject of an event appeals it (a window's staff for the window's)")
        if repo.pending_appeal_of(s, event.id) is not None:
            raise InvalidTransition(f"an appeal of score event {event.id} is pending already")
        _book_id, book = rulebooks.active(s, scope, event.month)
        recorded_on = event.recorded_at.astimezone(tz).date()
        last_day = appeals.deadline(recorded_on, book.appeal_days, is_working)
        appeal = appeals.file(
            str(uuid.uuid4()), event.id, reason, who.username, at,
            today=at.astimezone(tz).date(), last_day=last_day, event_active=event.active,
        )  # fmt: skip
        repo.add_appeal(s, scope, appeal)
    return appeal


def _is_subject(s: Session, who: Principal, subject: Subject) -> bool:
    if subject.type in ("staff", "proxy"):
        return subject.id == who.username
    if subject.type == "window":
        st = tables.staff
        return s.execute(sa.select(st.c.window).where(st.c.username == who.username)).scalar() == subject.id
    return False


def decide_appeal(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    appeal_id: str,
    upheld: bool,
    reason: str,
    *,
    tz: ZoneInfo,
) -> Appeal:
    """Decide with a reason; upheld withdraws the event and re-scores its month as a new run."""
    scope = require_tenant(tenant)
    now = datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *RECORDER_ROLES)
        appeal = repo.get_appeal(s, appeal_id)
        event = repo.get(s, appeal.event_id, for_update=True)
        county_event = _recorded_by_county(event)
        if county_event and not who.has_role("county_supervisor"):
            raise Forbidden("an event a county supervisor recorded is the county supervisor's to review")
        if not county_event and not who.has_role("township_admin"):
            raise Forbidden("the management office (township_admin) decides the township's appeals")
        not_by = {appeal.filed_by, event.recorded_by}
        if event.subject.type in ("staff", "proxy"):
            not_by.add(event.subject.id)
        decided = appeal.decide(upheld, reason, who.username, now, not_by=not_by)
        repo.save_decision(s, scope, decided)
        if decided.state == appeals.UPHELD:
            repo.withdraw(s, scope, event, decided.id)
            p = periods.parse_month(event.month)
            repo.lock_period(s, scope, p.code)
            if _closed(s, p.code):
                _rescore_run(s, scope, p, tz, event.subject, reason=f"appeal:{decided.id}", by=who.username)
    return decided


def _recorded_by_county(event: ScoreEvent) -> bool:
    """Whether a county supervisor recorded the event (as `record_event` noted)."""
    return event.source == score_event.MANUAL and event.facts.get("recorded_as") == "county"


def list_appeals(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    state: str = "",
    size: int = 0,
    token: str = "",
) -> tuple[list[Appeal], str]:
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *READER_ROLES)
        items, next_token = repo.list_appeals(s, state=state, size=page_size(size), token=token)
        if not who.has_role(*OVERSIGHT_ROLES):
            items = [a for a in items if a.filed_by == who.username]
    return items, next_token


def townships(ops_sessions: sessionmaker[Session]) -> list[str]:
    """Every active township appraisal knows (the close-month job works through them)."""
    t = tables.tenant
    with db.transaction(ops_sessions, None) as s:
        return list(
            s.execute(
                sa.select(t.c.tenant_id).where(t.c.status == "active").order_by(t.c.tenant_id)
            ).scalars()
        )
