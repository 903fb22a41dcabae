"""Automatic score events (DOMAIN.md §7.1: "考核软件自动生成评价数据", seed 001 第五篇) from intake's
events: plain handlers `(envelope, session)` inside the consumer's idempotent, tenant-scoped
transaction (entrypoints/service.py subscribes them).

Each handler reads the event's facts (adapters/intake_event_proto.py), takes the rulebook in
force for the month it happened in (rulebooks.active), and — only when some rule's condition
holds, so the usual on-time completion costs one small read — names the subjects the rules fall
on and records what `score_event.fire` makes (score_event_repository.add: unique per ref, rule and
subject, so a redelivery counts once). The rules (rulebooks/default.yaml):

- `case_completed` overdue → W-SVC-07 the window (第十五條（七）), S-JI-01 the handler AND the
  window head (第二十四條（一）: 扣該窗口負責人和直接責任人每人每次10分). The window head is the
  window's A post (AB岗 A角, DOMAIN.md §8), as appraisal's directory copy knows it.
- `case_supplement_requested` second request → W-SVC-02 the window (the case's, or before
  assignment the acting staff member's), S-NENG-02 the acting staff member (第二十二條（二）).
- `case_returned` without a detailed reason → W-SVC-03 (第十五條（三）).
- `complaint_decided` verified → W-DIS-08 the window (the complained-of window, or the
  complained-of staff member's), S-DE-03 / S-JI-03 the staff member, by ground.
- `petition_answered` of a forwarded complaint: late → W-DIS-06, −1 per working day late
  (第十八條（六）); in time → W-BON-03 (第十九條（三）). The window: the complaint's, else the
  answering department's.
- `catalogue_item_saved` of a township's item: promised → immediate (promised days to 0) →
  W-BON-05; the promised limit cut by half or more → W-BON-06 (第十九條（五）（六）), on each
  window serving the item. Appraisal keeps each item's last limits (`item_limit`) to compare.

Appraisal's own workforce events (adapters/workforce_event_proto.py), one ref per source
(`attendance:<tenant>:<user>:<day>:<half>`, `window:<tenant>:<window>:<day>:<half>`,
`leave:<tenant>:<leave>:<rule>`):

- `attendance_judged` late / early / off_post → W-STF-04 the window (第十四條（四）: 無故遲到、早退、
  離崗（15分鐘內），每人/次扣0.5分；曠工（半天），每人/次扣1分) and S-QIN-01 the staff member
  (第二十三條（一）: 遲到1次（15分鐘內）扣0.2分…脫崗1次扣0.5分), with the minutes in the facts;
  absent_half_day → W-STF-04 only. The vetoes counting them (W-VETO-04 曠工3次, S-VETO-03
  每月合計3次以上) read these events when the period is scored.
- `window_unstaffed` → W-CEN-04 (第十三條（四）: 上班時間窗口無人在崗、無人接件，每次扣2分).
- `leave_rule_broken` → S-QIN-05 the staff member (第二十三條（五）: 違反請假制度1次扣1分), or
  W-QIN-05 the window when the department approved the leave by letter and sent nobody.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common.calendar import DEFAULT_TZ, tenant_calendar
from libs.common.messaging import Envelope, Subscription
from services.appraisal.adapters import intake_event_proto as proto
from services.appraisal.adapters import score_event_repository as repo
from services.appraisal.adapters import tables
from services.appraisal.adapters import workforce_event_proto as workforce
from services.appraisal.domain import conditions
from services.appraisal.domain.periods import month_of
from services.appraisal.domain.score_event import Occurrence, fire
from services.appraisal.domain.scoring import Subject
from services.appraisal.service_layer import rulebooks

SOURCE = "intake"
SYSTEM = "system"
TZ = ZoneInfo(DEFAULT_TZ)
WINDOW, STAFF = "window", "staff"


# --- the working-day calendar (national; the appeal window and W-DIS-06 count working days) ----


@lru_cache(maxsize=8)
def _calendar(year: int):  # type: ignore[no-untyped-def]
    return tenant_calendar(year - 1, year + 1, tz=DEFAULT_TZ)


def is_working(day: date) -> bool:
    return bool(_calendar(day.year).day_info(day).working)


def working_days_between(first: date, last: date) -> int:
    """Working days after `first` up to and including `last` (0 when `last` ≤ `first`)."""
    n, day = 0, first
    while day < last:
        day += timedelta(days=1)
        n += is_working(day)
    return n


# --- the handlers ----------------------------------------------------------------------------


def _month(at: datetime) -> str:
    return month_of(at.astimezone(TZ).date())


def _score(session: Session, tenant: str, told: proto.Told, subjects_of) -> None:  # type: ignore[no-untyped-def]
    month = _month(told.at)
    book_id, book = rulebooks.active(session, tenant, month)
    triggered = book.triggered_by(told.event)
    if not any(conditions.evaluate(r.trigger.when, told.facts) for r in triggered if r.trigger is not None):
        return  # nothing fires: no lookups, no writes
    occurrence = Occurrence(told.event, told.facts, subjects_of(session, told), told.refs, told.at)
    made = fire(book, occurrence, month)
    repo.add(session, tenant, made, rulebook_id=book_id, recorded_by=SYSTEM)


def _staff(username: str) -> tuple[Subject, ...]:
    return (Subject(STAFF, username),) if username and username != SYSTEM else ()


def _window(code: str | None) -> tuple[Subject, ...]:
    return (Subject(WINDOW, code),) if code else ()


def _window_of(session: Session, username: str) -> str | None:
    if not username:
        return None
    st = tables.staff
    return session.execute(sa.select(st.c.window).where(st.c.username == username)).scalar()


def _head_of(session: Session, window: str) -> str | None:
    if not window:
        return None
    w = tables.window
    return session.execute(sa.select(w.c.post_a).where(w.c.code == window)).scalar()


def _case_subjects(session: Session, told: proto.Told) -> dict[str, tuple[Subject, ...]]:
    actor, handler = told.people.get("actor", ""), told.people.get("handler", "")
    window = told.windows.get("window") or _window_of(session, actor or handler)
    subjects = {
        "window": _window(window),
        "handler": _staff(handler),
        "actor": _staff(actor),
    }
    if told.event == "intake.case_completed":
        subjects["window_head"] = _staff(_head_of(session, window or "") or "")
    return subjects


def _complaint_subjects(session: Session, told: proto.Told) -> dict[str, tuple[Subject, ...]]:
    subject = told.complaint_subject
    named: tuple[Subject, ...] = (Subject(*subject),) if subject else ()
    window: str | None = None
    if subject and subject[0] == WINDOW:
        window = subject[1]
    elif subject and subject[0] == STAFF:
        window = _window_of(session, subject[1])
    if window is None and told.department:
        w = tables.window
        window = session.execute(
            sa.select(w.c.code).where(w.c.department == told.department).order_by(w.c.code).limit(1)
        ).scalar()
    return {"subject": named, "window": _window(window)}


def on_case_completed(envelope: Envelope, session: Session) -> None:
    told = proto.case_completed(envelope.data, envelope.event_id, envelope.occurred_at)
    _score(session, envelope.tenant_id, told, _case_subjects)


def on_case_supplement_requested(envelope: Envelope, session: Session) -> None:
    told = proto.supplement_requested(envelope.data, envelope.event_id, envelope.occurred_at)
    _score(session, envelope.tenant_id, told, _case_subjects)


def on_case_returned(envelope: Envelope, session: Session) -> None:
    told = proto.case_returned(envelope.data, envelope.event_id, envelope.occurred_at)
    _score(session, envelope.tenant_id, told, _case_subjects)


def on_complaint_decided(envelope: Envelope, session: Session) -> None:
    told = proto.complaint_decided(envelope.data, envelope.event_id, envelope.occurred_at)
    _score(session, envelope.tenant_id, told, _complaint_subjects)


def on_petition_answered(envelope: Envelope, session: Session) -> None:
    told = proto.petition_answered(envelope.data, envelope.event_id, envelope.occurred_at)
    due, answered = proto.answer_times(envelope.data, envelope.occurred_at)
    late = 0
    if due is not None and not told.facts["on_time"]:
        late = max(1, working_days_between(due.astimezone(TZ).date(), answered.astimezone(TZ).date()))
    told.facts["working_days_late"] = late
    _score(session, envelope.tenant_id, told, _complaint_subjects)


def on_catalogue_item_saved(envelope: Envelope, session: Session) -> None:
    if envelope.township is None:  # a county template item: the townships' copies follow
        return
    item = proto.catalogue_item(envelope.data, envelope.occurred_at)
    il = tables.item_limit
    before = session.execute(
        sa.select(il.c.promised_days, il.c.event_at).where(il.c.code == item.code).with_for_update()
    ).first()
    stmt = insert(il).values(tenant_id=envelope.tenant_id, code=item.code, promised_days=item.promised_days,
                             statutory_days=item.statutory_days, event_at=envelope.occurred_at)  # fmt: skip
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[il.c.tenant_id, il.c.code],
            set_={
                "promised_days": stmt.excluded.promised_days,
                "statutory_days": stmt.excluded.statutory_days,
                "event_at": stmt.excluded.event_at,
            },
            where=il.c.event_at <= stmt.excluded.event_at,
        )  # fmt: skip
    )
    if before is None or before.event_at > envelope.occurred_at:
        return  # first seen (the copy of the template), or an older save after a newer one
    previous, now = int(before.promised_days), item.promised_days
    told = proto.Told(
        "intake.catalogue_item_saved",
        {
            "converted_to_immediate": previous > 0 and now == 0,
            "promised_cut_by_half": previous > 0 and 0 < now <= previous / 2,
            "promised_days": now,
            "statutory_days": item.statutory_days,
        },
        {"item": f"item:{item.code}", "event": f"event:{envelope.event_id}"},
        envelope.occurred_at,
    )

    def windows(s: Session, _told: proto.Told) -> dict[str, tuple[Subject, ...]]:
        w = tables.window
        codes = s.execute(
            sa.select(w.c.code).where(w.c.item_codes.any(item.code)).order_by(w.c.code)
        ).scalars()
        return {"windows": tuple(Subject(WINDOW, c) for c in codes)}

    _score(session, envelope.tenant_id, told, windows)


def _workforce_subjects(_session: Session, told: proto.Told) -> dict[str, tuple[Subject, ...]]:
    return {"staff": _staff(told.people.get("staff", "")), "window": _window(told.windows.get("window"))}


def on_attendance_judged(envelope: Envelope, session: Session) -> None:
    told = workforce.attendance_judged(envelope.data, envelope.tenant_id, envelope.occurred_at)
    _score(session, envelope.tenant_id, told, _workforce_subjects)


def on_window_unstaffed(envelope: Envelope, session: Session) -> None:
    told = workforce.window_unstaffed(envelope.data, envelope.tenant_id, envelope.occurred_at)
    _score(session, envelope.tenant_id, told, _workforce_subjects)


def on_leave_rule_broken(envelope: Envelope, session: Session) -> None:
    told = workforce.leave_rule_broken(envelope.data, envelope.tenant_id, envelope.occurred_at)
    _score(session, envelope.tenant_id, told, _workforce_subjects)


def subscriptions() -> list[Subscription]:
    """Each on its own queue (`score_<event>`), beside the township assessment's consumers of
    the same events: one's backlog never holds up the other."""
    handlers = {
        "case_completed": on_case_completed,
        "case_supplement_requested": on_case_supplement_requested,
        "case_returned": on_case_returned,
        "complaint_decided": on_complaint_decided,
        "petition_answered": on_petition_answered,
        "catalogue_item_saved": on_catalogue_item_saved,
    }
    own = {
        "attendance_judged": on_attendance_judged,
        "window_unstaffed": on_window_unstaffed,
        "leave_rule_broken": on_leave_rule_broken,
    }
    return [
        *(
            Subscription(SOURCE, event, "appraisal", handler, method_name=f"score_{event}")
            for event, handler in handlers.items()
        ),
        *(
            Subscription("appraisal", event, "appraisal", handler, method_name=f"score_{event}")
            for event, handler in own.items()
        ),
    ]
