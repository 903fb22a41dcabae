"""The daily digest (`bianmin jobs send-digests`): on each working day of the township's calendar,
every staff member who handles open cases overdue, due today or due on the next working day gets
one inbox item listing them, once a day. On a day off nobody gets one (Monday's digest lists what
is due Monday; Friday's lists Monday's too: deadlines fall on working days only).

"Today" is the calendar day in the township's time zone (its settings, else the county's). The
inbox item and its notification row carry `source_event_id = digest:<date>`, so their unique keys
make a second run the same day (a retried CronJob, two replicas) add nothing. Staff with nothing
due get no digest. Runs across townships with the relay/ops sessions."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from services.notify.adapters import tables
from services.notify.service_layer.calendar import tenant_calendar

OPEN_STATES = ("accepted", "in_progress", "escalated", "extended")
TOPIC = "digest"


@dataclass(frozen=True)
class DigestResult:
    sent: int  # digests created by this run
    already: int  # digests that this day's earlier run had created
    resting: int = 0  # townships on a day off (no digests)


def send_digests(
    ops_sessions: sessionmaker[Session], default_timezone: str, now: datetime | None = None
) -> DigestResult:
    now = now or datetime.now(UTC)
    o, t, st = tables.open_case, tables.tenant, tables.settings
    with db.transaction(ops_sessions, None) as s:
        # the townships with open cases (suspended ones excluded), with their time zone
        townships = s.execute(
            sa.select(o.c.tenant_id, st.c.timezone)
            .distinct()
            .select_from(
                o.outerjoin(st, st.c.tenant_id == o.c.tenant_id).outerjoin(t, t.c.tenant_id == o.c.tenant_id)
            )
            .where(sa.func.coalesce(t.c.status, "active") == "active", o.c.state.in_(OPEN_STATES))
        ).all()
    sent = already = resting = 0
    for tenant, tz in townships:
        zone = ZoneInfo(tz or default_timezone)
        today = now.astimezone(zone).date()
        with db.transaction(ops_sessions, tenant) as s:
            calendar = tenant_calendar(s, tenant, today.year, today.year + 1, default_tz=default_timezone)
            if not calendar.day_info(today).working:
                resting += 1
                continue
            following = _next_working_day(calendar, today)
            end = datetime.combine(following + timedelta(days=1), datetime.min.time(), zone)
            cases = s.execute(
                sa.select(o.c.case_id, o.c.number, o.c.item_name, o.c.handler, o.c.due_at)
                .where(
                    o.c.tenant_id == tenant,
                    o.c.handler.is_not(None),
                    o.c.state.in_(OPEN_STATES),
                    o.c.due_at.is_not(None),
                    o.c.due_at < end,
                )
                .order_by(o.c.due_at)
            ).all()
            by_handler: dict[str, list[sa.Row]] = defaultdict(list)
            for case in cases:
                by_handler[case.handler].append(case)
            for username, mine in by_handler.items():
                if _digest(s, tenant, username, mine, today, following, zone):
                    sent += 1
                else:
                    already += 1
    return DigestResult(sent, already, resting)


def _next_working_day(calendar: Any, today: date) -> date:
    day = today + timedelta(days=1)
    while not calendar.day_info(day).working and day - today < timedelta(days=60):
        day += timedelta(days=1)  # a compiled calendar always has working days ahead
    return day


def _digest(
    s: Session, tenant: str, username: str, cases: list, today: date, following: date, zone: ZoneInfo
) -> bool:
    """Write one staff member's digest of `today` (and of the `following` working day); False when
    it was there already."""
    lines: dict[str, list[str]] = {"overdue": [], "today": [], "tomorrow": []}
    for c in cases:
        due = c.due_at.astimezone(zone)
        when = "overdue" if due.date() < today else "today" if due.date() == today else "tomorrow"
        lines[when].append(f"· {c.number} {c.item_name}（{due:%m-%d %H:%M} 到期）")
    parts = []
    # the next working day is "明日" when it is tomorrow, else named by its date (Friday → Monday)
    next_name = "明日" if following == today + timedelta(days=1) else f"{following.month}月{following.day}日"
    for key, title in (("overdue", "已超期"), ("today", "今日到期"), ("tomorrow", f"{next_name}到期")):
        if lines[key]:
            parts.append(f"{title} {len(lines[key])} 件：\n" + "\n".join(lines[key]))
    counts = f"今日到期 {len(lines['today'])} 件，{next_name}到期 {len(lines['tomorrow'])} 件"
    title = f"{today.month}月{today.day}日办件提醒：{counts}"
    text = "\n".join(parts)
    key = f"digest:{today.isoformat()}"
    i, n = tables.inbox_item, tables.notification
    created = s.execute(
        insert(i)
        .values(
            id=uuid.uuid4(),
            tenant_id=tenant,
            username=username,
            topic=TOPIC,
            title=title,
            text=text,
            source_event_id=key,
        )
        .on_conflict_do_nothing(constraint="inbox_item_once")
        .returning(i.c.id)
    ).first()
    if created is None:
        return False
    s.execute(
        insert(n)
        .values(
            id=uuid.uuid4(),
            tenant_id=tenant,
            topic=TOPIC,
            channel="inbox",
            status="delivered",
            recipient=username,
            subject=title,
            text=text,
            source_event_id=key,
            sent_at=sa.func.now(),
            delivered_at=sa.func.now(),
        )
        .on_conflict_do_nothing(constraint="notification_once")
    )
    return True
