"""The judge-attendance job (`bianmin jobs judge-attendance`; DOMAIN.md §8): each half-day of each
subject of a township (service_layer/attendance.py `subjects`) judged once, the day after — the day
is left open for corrections (a back-filled sign-in, a leave) until it is over.

A round looks at the working days of the last `LOOKBACK_DAYS` before the township's today (in its
time zone), from the day it was onboarded, and judges each one not judged yet, in the township's
own transaction (row-level security), serialised per township by an advisory lock so that two
rounds at once judge a day once. Judging a day stores its half-days (`attendance_judgment`),
marks the day (`attendance_day`) and records, in the same transaction (the outbox):

- one `attendance_judged` per subject and half-day: present, late / early (≤ 15 minutes, in
  minutes), absent_half_day, on_leave — what appraisal's rules score (S-QIN-01, W-STF-04);
- one `window_unstaffed` per window and half-day with nobody on post: neither its A nor its B
  present (late or early still counts as on post) and no substitute named by an approved leave of
  either (W-CEN-04: "上班時間窗口無人在崗、無人接件，每次扣2分"). A window with no post at all is
  not judged (it is not staffed yet)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.calendar import WorkCalendar
from libs.common.messaging import outbox
from services.appraisal.adapters import tables
from services.appraisal.adapters.attendance_proto import judged_event, unstaffed_event
from services.appraisal.domain import attendance as at
from services.appraisal.service_layer.attendance import compute_day
from services.appraisal.service_layer.calendar import tenant_calendar

log = logging.getLogger(__name__)
SOURCE = "appraisal"
LOOKBACK_DAYS = 7
_BATCH = 1000  # events per outbox insert


@dataclass(frozen=True)
class JudgeReport:
    townships: int
    days: int
    judged: int  # half-days
    unstaffed: int  # window half-days
    failed: int


def judge_all(
    sessions: sessionmaker[Session],
    ops_sessions: sessionmaker[Session],
    now: datetime | None = None,
    *,
    townships: list[str] | None = None,
) -> JudgeReport:
    """Judge every active township (or only `townships`), each in its own transaction."""
    at_ = now or datetime.now(UTC)
    listed = active_townships(ops_sessions)
    if townships is not None:
        listed = [x for x in listed if x in set(townships)]
    days = judged = unstaffed = failed = 0
    for tenant in listed:
        try:
            d, j, u = judge_township(sessions, tenant, at_)
        except Exception:  # noqa: BLE001 - one township's failure must not stop the others
            log.exception("judging the attendance of %s failed", tenant)
            failed += 1
            continue
        days, judged, unstaffed = days + d, judged + j, unstaffed + u
    return JudgeReport(len(listed), days, judged, unstaffed, failed)


def active_townships(ops_sessions: sessionmaker[Session]) -> list[str]:
    """Every active township appraisal knows (the ops role reads across tenants, by design)."""
    t = tables.tenant
    with db.transaction(ops_sessions, None) as s:
        return list(
            s.execute(
                sa.select(t.c.tenant_id).where(t.c.status == "active").order_by(t.c.tenant_id)
            ).scalars()
        )


def judge_township(sessions: sessionmaker[Session], tenant: str, now: datetime) -> tuple[int, int, int]:
    """(days, half-days, unstaffed window half-days) judged in this round."""
    with db.transaction(sessions, tenant) as s:
        s.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(f"judge:{tenant}", 0))))
        calendar = tenant_calendar(s, tenant, now.year - 1, now.year + 1)
        today = now.astimezone(calendar.tz).date()
        onboarded = s.execute(sa.select(tables.tenant.c.onboarded_at)).scalar_one()
        first = max(today - timedelta(days=LOOKBACK_DAYS), onboarded.astimezone(calendar.tz).date())
        d = tables.attendance_day
        done = set(s.execute(sa.select(d.c.day).where(d.c.day >= first)).scalars())
        days = judged = unstaffed = 0
        day = first
        while day < today:
            if day not in done and calendar.day_info(day).working:
                j, u = judge_day(s, tenant, day, calendar, now)
                days, judged, unstaffed = days + 1, judged + j, unstaffed + u
            day += timedelta(days=1)
    return days, judged, unstaffed


def judge_day(s: Session, tenant: str, day: date, calendar: WorkCalendar, now: datetime) -> tuple[int, int]:
    """Judge one day in the caller's transaction: (half-days judged, unstaffed window half-days)."""
    halves, windows, approved, slots, _ = compute_day(s, tenant, day, calendar)
    rows: list[dict] = []
    events: list = []  # protobuf events (adapters/attendance_proto.py)
    for username in sorted(halves):
        for half in halves[username]:
            rows.append(
                {
                    "tenant_id": tenant,
                    "username": username,
                    "day": day,
                    "half": half.half,
                    "status": half.status,
                    "late_minutes": half.late_minutes,
                    "early_minutes": half.early_minutes,
                    "window": windows[username] or None,
                }
            )
            events.append(judged_event(username, windows[username], day, half))
    if rows:
        s.execute(insert(tables.attendance_judgment).on_conflict_do_nothing(), rows)
    covered = {x.username for x in approved if x.substitute}
    hours = [(h.hour * 60 + h.minute, e.hour * 60 + e.minute) for h, e in calendar.day_info(day).hours]
    w = tables.window
    gaps = 0
    for r in s.execute(sa.select(w.c.code, w.c.post_a, w.c.post_b).order_by(w.c.code)):
        posts = [p for p in (r.post_a, r.post_b) if p]
        if not posts or covered.intersection(posts):
            continue
        for i, name in enumerate(at.HALVES):
            on_post = any(p in halves and halves[p][i].status in at.ON_POST for p in posts)
            if not on_post:
                events.append(unstaffed_event(r.code, day, name, at.half_minutes(name, hours, slots)))
                gaps += 1
    s.execute(
        insert(tables.attendance_day).values(
            tenant_id=tenant, day=day, judged_at=now, staff=len(halves), unstaffed=gaps
        )
    )
    _record(s, tenant, events)
    return len(rows), gaps


def _record(s: Session, tenant: str, events: list) -> None:
    for start in range(0, len(events), _BATCH):
        outbox.record_many(s, source=SOURCE, messages=events[start : start + _BATCH], tenant_id=tenant)
