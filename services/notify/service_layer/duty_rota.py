"""Notify's copy of appraisal's leader-on-duty rota (领导带班值班, DOMAIN.md §8), so that a
collective petition alerts the leader on duty of its day (§9; case_events.on_petition_registered).

Appraisal publishes `duty_rota_published` (`bianmin.appraisal.v1.DutyRotaPublished`) for a
township: a month `YYYY-MM` and ALL its days as the rota now stands, so an event replaces the
month's days. Ordered by the envelope's `occurred_at`: `duty_month` keeps the time of the newest
event of each month, and an event no newer than it changes nothing — an older rota delivered late
never overwrites a newer one (even one that left the month empty), and a repeated delivery is a
no-op past the consumer inbox too. The month's row is locked by the upsert, so two rotas of one
month applied at once are applied one after the other."""

from __future__ import annotations

import calendar
import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common.messaging import Envelope
from services.notify.adapters import tables
from services.notify.adapters.duty_rota_proto import duty_rota_of
from services.notify.domain.duty_rota import DutyRota

SOURCE = "appraisal"
MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def on_duty_rota_published(envelope: Envelope, session: Session) -> None:
    """The month's rota replaces what notify knew of that month, unless notify already holds a
    rota of that month as new as this event."""
    tenant = envelope.township
    if tenant is None:
        raise ValueError(f"duty_rota_published {envelope.event_id}: a rota is a township's, not a county's")
    rota = duty_rota_of(envelope.data)
    days = _days(envelope, rota)
    m = tables.duty_month
    stmt = insert(m).values(tenant_id=tenant, month=rota.month, event_at=envelope.occurred_at)
    newer = session.execute(
        stmt.on_conflict_do_update(
            index_elements=[m.c.tenant_id, m.c.month],
            set_={"event_at": stmt.excluded.event_at},
            where=m.c.event_at < stmt.excluded.event_at,
        ).returning(m.c.month)
    ).first()
    if newer is None:  # the month's rota as of this event or a later one is here already
        return
    d = tables.duty_day
    first = date.fromisoformat(f"{rota.month}-01")
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    session.execute(sa.delete(d).where(d.c.tenant_id == tenant, d.c.day.between(first, last)))
    if days:
        rows = [{"tenant_id": tenant, "day": day, "username": who} for day, who in sorted(days.items())]
        session.execute(insert(d), rows)


def _days(envelope: Envelope, rota: DutyRota) -> dict[date, str]:
    """The rota's days (a day naming nobody is a day without a leader on duty). A malformed rota
    fails the event (retried, then a dead letter): a day outside the month, or twice."""
    if not MONTH_RE.fullmatch(rota.month):
        raise ValueError(f"duty_rota_published {envelope.event_id}: month {rota.month!r} is not YYYY-MM")
    days: dict[date, str] = {}
    seen: set[date] = set()
    for on, username in rota.days:
        if not DATE_RE.fullmatch(on):
            raise ValueError(f"duty_rota_published {envelope.event_id}: date {on!r} is not YYYY-MM-DD")
        day = date.fromisoformat(on)  # a date that does not exist (2026-02-30) raises too
        if not on.startswith(rota.month):
            raise ValueError(f"duty_rota_published {envelope.event_id}: {on} is not in {rota.month}")
        if day in seen:
            raise ValueError(f"duty_rota_published {envelope.event_id}: {on} is on the rota twice")
        seen.add(day)
        if username:
            days[day] = username
    return days


def leader_on_duty(session: Session, tenant: str, day: date) -> str | None:
    """Who the rota names for the township's `day` (its local date), if anyone."""
    d = tables.duty_day
    return session.execute(sa.select(d.c.username).where(d.c.tenant_id == tenant, d.c.day == day)).scalar()
