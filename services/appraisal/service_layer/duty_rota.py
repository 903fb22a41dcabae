"""The leader-on-duty rota of a township (领导带班值班, DOMAIN.md §8): publishing a month, reading days.

Who (DOMAIN.md §1; the township itself is the gRPC interceptor's check, repeated here):
- publishing a month's rota: the township's `township_admin`, or the `county_admin`;
- reading: every staff role of the township, the `county_admin` and the `county_supervisor` (the
  rota names people, so `ops` does not read it).

Publishing replaces the month's rows and records ONE `duty_rota_published` event listing every
day of the month's rota as it now stands (notify keeps its copy from it, to alert the leader on
duty of a collective petition) — the change and its event commit together (the outbox). Every
leader named must be an active staff member of the township in appraisal's projection of the
gateway's directory. Two publications of the same month are serialised (a transaction-level
advisory lock), so the last event out is the rota that stands."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import NotFound, ValidationFailed
from libs.common.messaging import outbox
from libs.common.tenancy import Principal, require_role, require_tenant
from libs.common.tenant_projection import require_known
from services.appraisal.adapters import tables
from services.appraisal.adapters.duty_rota_proto import missing_event, published_event
from services.appraisal.domain import duty_rota
from services.appraisal.domain.duty_rota import DutyDay, Rota
from services.appraisal.service_layer.calendar import tenant_calendar

SOURCE = "appraisal"
PUBLISHER_ROLES = ("township_admin", "county_admin")
STAFF_ROLES = (
    "township_admin", "window_staff", "intake_desk", "proxy_agent", "petition_officer", "centre_head",
    "township_leader",
)  # fmt: skip
READER_ROLES = (*STAFF_ROLES, "county_admin", "county_supervisor")

t = tables.duty_day


def put_rota(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    month: str,
    days: Iterable[tuple[str, str]],
    *,
    tz: ZoneInfo,
    today: date | None = None,
) -> Rota:
    """Publish (or correct) the rota of `month`: `days` are `(YYYY-MM-DD, username)` pairs.
    `today` (default: now in `tz`, the county's zone) decides which months are past."""
    scope = require_tenant(tenant)
    now = datetime.now(UTC)
    local_today = today or now.astimezone(tz).date()
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *PUBLISHER_ROLES)
        rota = duty_rota.rota(month, days, local_today)
        _require_active_staff(s, {d.username for d in rota.days})
        s.execute(
            sa.select(
                sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(f"duty_rota:{scope}:{month}", 0))
            )
        )
        s.execute(sa.delete(t).where(t.c.day.between(rota.first, rota.last)))
        s.execute(
            t.insert(),
            [
                {"tenant_id": scope, "day": d.day, "username": d.username, "published_at": now,
                 "published_by": who.username}
                for d in rota.days
            ],
        )  # fmt: skip
        outbox.record(s, source=SOURCE, message_or_type=published_event(rota), tenant_id=scope)
        calendar = tenant_calendar(s, scope, rota.first.year, rota.first.year)
        rota = dataclasses.replace(rota, gaps=duty_rota.gaps(rota, lambda d: calendar.day_info(d).working))
    return rota


def list_days(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    from_date: str,
    to_date: str,
) -> list[DutyDay]:
    """The duty days from `from_date` to `to_date` (inclusive, ≤ 366 days), in date order."""
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        require_caller(principal, scope, *READER_ROLES)
        start, end = duty_rota.day_range(from_date, to_date)
        rows = s.execute(
            sa.select(t.c.day, t.c.username).where(t.c.day.between(start, end)).order_by(t.c.day)
        ).all()
    return [DutyDay(r.day, r.username) for r in rows]


def _require_active_staff(s: Session, usernames: set[str]) -> None:
    st = tables.staff
    active = set(
        s.execute(
            sa.select(st.c.username).where(st.c.username.in_(sorted(usernames)), st.c.active.is_(True))
        ).scalars()
    )
    missing = sorted(usernames - active)
    if missing:
        raise ValidationFailed(
            f"not an active staff member of the township: {', '.join(missing)}", usernames=missing
        )


def require_caller(principal: Principal | None, tenant: str, *roles: str) -> Principal:
    """The caller, if they hold one of `roles` and see the township (else not_found, as for one
    that is not known: no leak)."""
    if principal is not None and not principal.may_see(tenant):
        raise NotFound(f"township {tenant} is not known here")
    return require_role(principal, *roles)


# --- next month's rota by the month's last working day ----------------------------------------------


def check_next_months(
    sessions: sessionmaker[Session], ops_sessions: sessionmaker[Session], now: datetime | None = None
) -> tuple[int, int]:
    """The `check-duty-rota` job: every active township whose next month has no rota on or after
    the current month's last working day is told once (`duty_rota_missed`; notify warns its
    township admins). (townships checked, townships warned)."""
    at = now or datetime.now(UTC)
    t = tables.tenant
    with db.transaction(ops_sessions, None) as s:
        listed = list(
            s.execute(
                sa.select(t.c.tenant_id).where(t.c.status == "active").order_by(t.c.tenant_id)
            ).scalars()
        )
    warned = 0
    for tenant in listed:
        warned += check_next_month(sessions, tenant, at)
    return len(listed), warned


def check_next_month(sessions: sessionmaker[Session], tenant: str, now: datetime) -> int:
    """1 when `tenant` was warned now, else 0 (not yet the last working day, a rota is there, or
    it was warned before)."""
    with db.transaction(sessions, tenant) as s:
        calendar = tenant_calendar(s, tenant, now.year - 1, now.year + 1)
        today = now.astimezone(calendar.tz).date()
        month = f"{today:%Y-%m}"
        last = duty_rota.last_working_day(month, lambda d: calendar.day_info(d).working)
        if last is None or today < last:
            return 0
        following = duty_rota.next_month(month)
        start, end = duty_rota.first_day(following), duty_rota.last_day(following)
        if s.execute(sa.select(t.c.day).where(t.c.day.between(start, end)).limit(1)).first() is not None:
            return 0
        w = tables.duty_rota_warning
        fresh = s.execute(
            insert(w)
            .values(tenant_id=tenant, month=following, warned_at=now)
            .on_conflict_do_nothing()
            .returning(w.c.month)
        ).first()
        if fresh is None:
            return 0
        outbox.record(s, source=SOURCE, message_or_type=missing_event(following, last), tenant_id=tenant)
    return 1
