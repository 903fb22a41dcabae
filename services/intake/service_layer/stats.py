"""Case statistics of a township (API.md `GET …/stats`, DOMAIN.md §3.3, §7.6, §12), the public
results board (公开栏: completed cases, masked). The open-case gauges Prometheus scrapes are
adapters/open_case_metrics.py.

Every figure is one set-based SQL statement over `case` and its history (the instants of
acceptance and completion are the history's `accepted` / `completed` transitions, each reached
at most once per case). The period is `[from 00:00, to + 1 day 00:00)` in the county's time zone
(both dates inclusive). Definitions (`period` = the instants in that range):

- received: cases whose `received_at` is in the period.
- accepted: cases whose acceptance (→ accepted) is in the period.
- completed: cases whose completion (→ completed) is in the period (later replied / archived
  cases still count: they were completed).
- completion_rate (办结率) = of the cases *accepted* in the period, those completed before the
  period's end ÷ accepted. A cohort rate, so it never exceeds 1; returned and withdrawn cases
  stay in the denominator (they were accepted and not completed).
- on_time_rate (承诺兑现率) = of the cases completed in the period, those completed at or before
  their deadline (the stored `due_at`, which includes extensions and pauses) ÷ completed.
- immediate_share (即办件率) = of the cases completed in the period, those of kind `immediate` ÷
  completed.
- early_completion_rate (提前办结率) = of the *non-immediate* cases completed in the period, those
  completed on a local date before the local date of their deadline ÷ non-immediate completed
  (an immediate case is due the day it is taken in: it cannot be early; finishing on the
  deadline's own day is on time, not early).
- satisfaction_rate (满意率) = of the cases completed in the period that have a satisfaction
  rating, those rated `satisfied` or `basically_satisfied` ÷ rated.
- overdue_open: open cases whose clock is running and whose deadline has passed, now, whatever
  the period (a paused, escalated case has no deadline of its own while the higher level works).

A rate whose denominator is 0 (an empty period) is None — "no data", not 0 %.

Who may read the figures: the township's staff roles and the county roles including ops (they
hold counts only, no personal data). The board is public: any caller the edge let through, for
an active township only (a suspended or unknown one answers not_found)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.directory_projection import ACTIVE
from libs.common.errors import NotFound, ValidationFailed
from libs.common.paging import Page
from libs.common.pii import mask_name
from libs.common.tenancy import CASE_READER_ROLES, Principal, require_role
from services.intake.adapters import tables
from services.intake.domain import case as case_model

OPEN_STATES = tuple(sorted(case_model.OPEN_STATES))
# the states of a case that was completed
CLOSED_COMPLETED = (case_model.COMPLETED, case_model.REPLIED, case_model.ARCHIVED)
SATISFIED = ("satisfied", "basically_satisfied")
MAX_DAYS = 3660  # a period longer than ten years is a typo, not a question

c = tables.case_with_clock  # a case with its clock
h = tables.case_history
item = tables.catalogue_item


@dataclass(frozen=True)
class CaseStats:
    received: int
    accepted: int
    completed: int
    completion_rate: float | None
    on_time_rate: float | None
    immediate_share: float | None
    early_completion_rate: float | None
    satisfaction_rate: float | None
    overdue_open: int


@dataclass(frozen=True)
class BoardEntry:
    number: str
    item_code: str
    item_name: str
    applicant_name: str
    completed_date: str
    outcome: str
    on_time: bool


def case_stats(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    tz: ZoneInfo,
    from_date: str,
    to_date: str,
    item_code: str = "",
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> CaseStats:
    """The figures of the module docstring for `tenant` over `[from_date, to_date]`."""
    scope = _check(sessions, tenant)
    require_role(principal, *CASE_READER_ROLES)
    lo, hi = period(from_date, to_date, tz)
    with db.transaction(sessions, scope) as s:
        row = s.execute(_stats_query(lo, hi, item_code, tz, now())).mappings().one()
    return CaseStats(
        received=row["received"],
        accepted=row["accepted"],
        completed=row["completed"],
        completion_rate=_rate(row["accepted_done"], row["accepted"]),
        on_time_rate=_rate(row["on_time"], row["completed"]),
        immediate_share=_rate(row["immediate"], row["completed"]),
        early_completion_rate=_rate(row["early"], row["completed"] - row["immediate"]),
        satisfaction_rate=_rate(row["satisfied"], row["rated"]),
        overdue_open=row["overdue_open"],
    )


def period(from_date: str, to_date: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """`[from 00:00, to + 1 day 00:00)` in `tz`; both dates are required and inclusive."""
    first, last = _day(from_date, "from"), _day(to_date, "to")
    if last < first:
        raise ValidationFailed("to must not be before from")
    if (last - first).days > MAX_DAYS:
        raise ValidationFailed(f"the period may span at most {MAX_DAYS} days")
    # local midnights via the date, so a DST zone gets its own offset on each end
    return datetime.combine(first, time(), tz), datetime.combine(last + timedelta(days=1), time(), tz)


def _stats_query(lo: datetime, hi: datetime, item_code: str, tz: ZoneInfo, at: datetime) -> sa.Select:
    def of_item(query: sa.Select) -> sa.Select:
        return query.where(c.c.item_code == item_code) if item_code else query

    def local_date(column: Any) -> Any:
        return sa.cast(sa.func.timezone(tz.key, column), sa.Date)

    count = sa.func.count()
    received = of_item(sa.select(count).select_from(c).where(c.c.received_at >= lo, c.c.received_at < hi))
    accepted_at = (
        sa.select(h.c.case_id, h.c.at).where(h.c.to_state == "accepted", h.c.at >= lo, h.c.at < hi).subquery()
    )
    done_by_end = sa.select(h.c.case_id, h.c.at).where(h.c.to_state == "completed", h.c.at < hi).subquery()
    cohort = of_item(
        sa.select(
            count.label("accepted"),
            sa.func.count(done_by_end.c.case_id).label("accepted_done"),
        )
        .select_from(accepted_at)
        .join(c, c.c.id == accepted_at.c.case_id)
        .outerjoin(done_by_end, done_by_end.c.case_id == accepted_at.c.case_id)
    ).subquery()
    done_at = h.c.at
    immediate = c.c.kind == "immediate"
    completed = of_item(
        sa.select(
            count.label("completed"),
            count.filter(done_at <= c.c.due_at).label("on_time"),
            count.filter(immediate).label("immediate"),
            count.filter(~immediate, local_date(done_at) < local_date(c.c.due_at)).label("early"),
            count.filter(c.c.satisfaction.is_not(None)).label("rated"),
            count.filter(c.c.satisfaction.in_(SATISFIED)).label("satisfied"),
        )
        .select_from(h)
        .join(c, c.c.id == h.c.case_id)
        .where(h.c.to_state == "completed", done_at >= lo, done_at < hi)
    ).subquery()
    overdue = of_item(
        sa.select(count)
        .select_from(c)
        .where(c.c.state.in_(OPEN_STATES), c.c.clock_state == "running", c.c.due_at < at)
    )
    return sa.select(
        received.scalar_subquery().label("received"),
        cohort.c.accepted,
        cohort.c.accepted_done,
        completed,
        overdue.scalar_subquery().label("overdue_open"),
    ).select_from(cohort.join(completed, sa.true()))


# --- the public board ------------------------------------------------------------------------


def board(
    sessions: sessionmaker[Session],
    tenant: str | None,
    tz: ZoneInfo,
    page_size: int = 0,
    page_token: str = "",
) -> Page[BoardEntry]:
    """Completed cases of an active township, latest completion first: item, number, completion
    date, outcome and whether it was on time; the applicant as a surname and two stars (none for
    privacy-sensitive items); no phone, id number or address. Petitions never appear."""
    size = paging.page_size(page_size)
    scope = _check(sessions, tenant, active=True)
    done_at = h.c.at.label("completed_at")
    query = (
        sa.select(
            c.c.id,
            c.c.number,
            c.c.item_code,
            c.c.outcome,
            c.c.applicant["name"].astext.label("name"),
            done_at,
            (h.c.at <= c.c.due_at).label("on_time"),
            item.c.name.label("item_name"),
            item.c.privacy_sensitive,
        )
        .select_from(h)
        .join(c, c.c.id == h.c.case_id)
        .outerjoin(item, item.c.code == c.c.item_code)
        .where(h.c.to_state == "completed", c.c.state.in_(CLOSED_COMPLETED))
        .where(sa.or_(item.c.category.is_(None), item.c.category != "petition"))
    )
    if page_token:
        at, case_id = paging.decode_time_key(page_token, str)
        query = query.where(sa.tuple_(h.c.at, sa.cast(c.c.id, sa.Text)) < sa.tuple_(sa.literal(at), case_id))
    query = query.order_by(h.c.at.desc(), sa.cast(c.c.id, sa.Text).desc()).limit(size + 1)
    with db.transaction(sessions, scope) as s:
        rows = s.execute(query).mappings().all()
    items, token = paging.split(rows, size, lambda r: paging.time_key_token(r["completed_at"], r["id"]))
    return Page([_entry(r, tz) for r in items], token)


def board_name(name: str | None) -> str:
    """The surname and two stars whatever the length (张三丰 → 张**, 李四 → 李**): the board
    shows no more of a name, not even its length."""
    masked = mask_name((name or "").strip())
    return f"{masked[0]}**" if masked and masked != "*" else "**"


def _entry(r: Any, tz: ZoneInfo) -> BoardEntry:
    return BoardEntry(
        number=r["number"],
        item_code=r["item_code"],
        item_name=r["item_name"] or "",
        applicant_name="" if r["privacy_sensitive"] else board_name(r["name"]),
        completed_date=r["completed_at"].astimezone(tz).date().isoformat(),
        outcome=r["outcome"] or "",
        on_time=bool(r["on_time"]),
    )


# --- helpers ---------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


def _check(sessions: sessionmaker[Session], tenant: str | None, *, active: bool = False) -> str:
    """The township, known here (and active, for the public board); else not_found for all."""
    if not tenant:
        raise NotFound("no township in the call")
    with db.transaction(sessions, tenant) as s:
        status = s.execute(sa.select(tables.tenant.c.status)).scalar()
    if status is None or (active and status != ACTIVE):
        raise NotFound(f"township {tenant} is not known here")
    return tenant


def _day(value: str, name: str) -> date:
    if not value:
        raise ValidationFailed(f"{name} is required (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{name} must be YYYY-MM-DD") from None
