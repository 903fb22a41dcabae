"""Intake's case and petition events → notices, notifications, the staff inbox and the open-case
projection (DOMAIN.md §10). Handlers are `(envelope, session)`, run inside the consumer's
idempotent, tenant-scoped transaction; the unique keys (each carrying the source event id) make a
duplicate delivery change nothing even past the consumer inbox.

For the applicant: a notice on file (its text from the county's template, the applicant masked in
it; sealed beside it, the text naming them in full for their own printed copy), a `print`
notification delivered at once (handed over at the window), and `sms` / `email` notifications
queued for the dispatcher with the real address sealed (`address_sealed`); the address comes
from the case event's `applicant_sealed`. For staff: an inbox item plus an `inbox`
notification row, and for what cannot wait (an overdue case, a collective petition) an urgent SMS
to the staff member's work phone (the dispatcher looks it up in the staff projection).

Who hears of what: the case's handler (else the first-ask person, while nobody handles it) of an
assignment, a clock warning (yellow / red / overdue) and a supervision press; of a collective
petition, the leader on duty of the day in appraisal's rota (service_layer/duty_rota.py), else every
township_admin of the township."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from libs.common import db, pii, sealing
from libs.common.messaging import Envelope, Subscription
from libs.common.observability.tracing import inject_traceparent
from libs.common.settings import Settings
from services.notify.adapters import case_event_proto, tables
from services.notify.adapters.templates import NoticeTemplates
from services.notify.domain import notices as n
from services.notify.domain.case_events import CaseEvent, CaseSummary
from services.notify.service_layer import duty_rota

SOURCE = "intake"
log = logging.getLogger(__name__)
DEFAULT_TZ = "Asia/Shanghai"
WARNING_COLOURS = {"yellow": "黄灯预警", "red": "红灯预警", "overdue": "已超期"}


@lru_cache(maxsize=4)
def _templates(override_dir: Path | None) -> NoticeTemplates:
    return NoticeTemplates(override_dir)


@lru_cache(maxsize=1)
def _override_dir() -> Path | None:
    return Settings().notice_template_dir  # type: ignore[call-arg]  # pydantic-settings reads the environment


def templates() -> NoticeTemplates:
    """The notice templates with the county's override folder (`BIANMIN_NOTICE_TEMPLATE_DIR`,
    read once per process, when the first notice is made)."""
    return _templates(_override_dir())


# --- the township's context ------------------------------------------------------------------


def _township_statement() -> sa.Select:
    """The township's name, time zone and other settings in one statement (each NULL when not
    projected yet); built once, as it runs for every event that obliges a notice."""
    tenant = sa.bindparam("tenant", type_=sa.Text)
    te, st = tables.tenant, tables.settings

    def of(table: sa.Table, column: Any) -> Any:
        return sa.select(column).where(table.c.tenant_id == tenant).limit(1).scalar_subquery()

    return sa.select(
        of(te, te.c.name).label("name"),
        of(st, st.c.timezone).label("timezone"),
        of(st, st.c.other).label("other"),
    )


_TOWNSHIP = _township_statement()


@dataclass(frozen=True)
class Township:
    """What notify knows of the event's township: its name, time zone and notice locale."""

    tenant: str
    name: str
    tz: ZoneInfo = ZoneInfo(DEFAULT_TZ)
    locale: str = n.DEFAULT_LOCALE

    @classmethod
    def load(cls, session: Session, tenant: str) -> Township:
        """Read once per transaction: a batch of one township's events shares one reading."""
        return db.once_per_transaction(
            session, ("notify.township", tenant), lambda: cls._read(session, tenant)
        )

    @classmethod
    def _read(cls, session: Session, tenant: str) -> Township:
        row = session.execute(_TOWNSHIP, {"tenant": tenant}).one()
        return cls(
            tenant=tenant,
            name=row.name or tenant.split(".", 1)[-1],
            tz=ZoneInfo(row.timezone or DEFAULT_TZ),
            locale=n.locale_or_default((row.other or {}).get("locale")),
        )

    def date(self, at: datetime) -> str:
        local = at.astimezone(self.tz)
        return n.chinese_date(local.year, local.month, local.day)


# --- the handlers ----------------------------------------------------------------------------


def on_case_event(envelope: Envelope, session: Session) -> None:
    """Any case event: the open-case projection, then the notices and staff notifications it
    obliges."""
    event = case_event_proto.case_event_of(envelope.event_type, envelope.data)
    _project_open_case(session, envelope, event)
    kinds = n.NOTICES_OF_EVENT.get(envelope.event_type, ())
    if kinds:
        township = Township.load(session, envelope.tenant_id)
        contact = _contact(session, event.case)
        for kind in kinds:
            _notice(session, envelope, township, event, kind, contact)
    staff = STAFF_NOTIFICATIONS.get(envelope.event_type)
    if staff is not None:
        staff(session, envelope, event)


def on_petition_registered(envelope: Envelope, session: Session) -> None:
    """A collective petition (集体访): urgent, inbox and SMS, to the leader on duty (带班领导) of
    the township's local date of its registration — the one appraisal's rota names, if an active
    staff member here; else (no rota for that day, or the named leader is not active staff) to
    every township_admin, with a warning that no leader on duty was found."""
    petition = case_event_proto.petition_registered_of(envelope.data)
    if not petition.collective:
        return
    township = Township.load(session, envelope.tenant_id)
    registered = petition.registered_at or envelope.occurred_at
    day = registered.astimezone(township.tz).date()
    title = f"集体访：{petition.number}"
    due = ""
    if petition.answer_due_at is not None:
        due = f"答复期限：{township.date(petition.answer_due_at)}。"
    leader = duty_rota.leader_on_duty(session, envelope.tenant_id, day)
    if leader is not None and _is_active_staff(session, envelope.tenant_id, leader):
        on_duty = f"您是{township.date(registered)}的带班领导"
        text = f"登记了一件集体访（{petition.number}），{on_duty}，请立即接待。{due}"
        staff_message(
            session, envelope, leader, "collective_petition", title, text, None, urgent=True, sms=True
        )
        return
    log.warning(
        "collective petition %s in %s: no leader on duty found for %s (%s); alerting every township_admin",
        petition.number,
        envelope.tenant_id,
        day.isoformat(),
        "the rota names nobody" if leader is None else f"the rota's {leader} is not active staff here",
    )
    text = f"登记了一件集体访（{petition.number}），请立即安排领导接待。{due}"
    leaders = township_admins(session)
    if not leaders:  # nobody to alert is itself an alarm: the township has no township_admin here
        log.warning(
            "collective petition %s in %s: no township_admin to alert", petition.number, envelope.tenant_id
        )
    for username in leaders:
        staff_message(
            session, envelope, username, "collective_petition", title, text, None, urgent=True, sms=True
        )


def township_admins(session: Session) -> list[str]:
    """The active township_admins of the session's township, by username."""
    s = tables.staff
    admins = session.execute(
        sa.select(s.c.username).where(s.c.active, s.c.roles.any_() == "township_admin")  # type: ignore[arg-type]
    ).scalars()
    return sorted(admins)


def on_duty_rota_missed(envelope: Envelope, session: Session) -> None:
    """Appraisal's `duty_rota_missed`: next month has no leader-on-duty rota on the month's last
    working day (seed 004 第二篇 八: "每月末对下一月党政领导干部带班值班接访日进行安排") — an inbox item
    to every active township_admin of the township."""
    month = str(envelope.data.get("month") or "")
    last = str(envelope.data.get("last_working_day") or "")
    title = f"{month} 带班值班表未公布"
    text = f"{month} 的领导带班值班表尚未公布（本月最后一个工作日：{last}），请尽快安排并公示。"
    for username in township_admins(session):
        staff_message(session, envelope, username, "other", title, text, None)


def _is_active_staff(session: Session, tenant: str, username: str) -> bool:
    s = tables.staff
    active = sa.select(s.c.username).where(s.c.tenant_id == tenant, s.c.username == username, s.c.active)
    return session.execute(active).first() is not None


def subscriptions() -> list[Subscription]:
    return [
        *(
            Subscription(SOURCE, event_type, "notify", on_case_event)
            for event_type in case_event_proto.CASE_EVENT_TYPES
        ),
        Subscription(SOURCE, "case_deadlines_recomputed", "notify", on_case_deadlines_recomputed),
        Subscription(SOURCE, "petition_registered", "notify", on_petition_registered),
    ]


# --- open cases ------------------------------------------------------------------------------


def _project_open_case(session: Session, envelope: Envelope, event: CaseEvent) -> None:
    """Upsert the case as of this event; an older version never overwrites a newer one."""
    recomputed = envelope.event_type == "case_deadline_recomputed"
    _upsert_open_cases(session, [_open_case(envelope, event)], same_version=recomputed)


def on_case_deadlines_recomputed(envelope: Envelope, session: Session) -> None:
    """A calendar change moved the deadlines of many open cases (a batch an event): the open-case
    projection takes them all in one statement; each applicant whose promised day moved gets a
    corrected acceptance notice (受理通知书（更正）) with the new day — the old one told them a
    day that is no longer the promise (DOMAIN.md §3.3)."""
    moved = case_event_proto.recomputed_of(envelope.data)
    if not moved:
        return
    _upsert_open_cases(session, [_open_case(envelope, event) for event in moved], same_version=True)
    township = Township.load(session, envelope.tenant_id)
    for event in moved:
        if event.due_at is None or event.previous_due_at is None:
            continue
        if township.date(event.due_at) == township.date(event.previous_due_at):
            continue  # moved within the day: the promised day stands
        # one batch event, many cases: each case's notice is once per (event, case)
        once = replace(envelope, event_id=str(uuid.uuid5(uuid.UUID(envelope.event_id), event.case.case_id)))
        _notice(session, once, township, event, n.ACCEPTANCE, _contact(session, event.case))


def _open_case(envelope: Envelope, event: CaseEvent) -> dict[str, Any]:
    """The open_case row of a case event's case, with the newest deadline the event knows."""
    c = event.case
    return {
        "tenant_id": envelope.tenant_id,
        "case_id": c.case_id,
        "number": c.number,
        "item_name": c.item,
        "handler": c.handler or None,
        "state": c.state or "received",
        "due_at": event.newest_due_at,
        "version": c.version,
        "as_of": envelope.occurred_at,
    }


def _upsert_statement(*, same_version: bool) -> sa.Insert:
    """An older version never overwrites a newer one. A re-derived deadline comes with the
    version the case already had (re-derivation is no transition): `same_version` lets it in,
    unless the row was written by a later event (two moves of one deadline arriving out of order)."""
    o = tables.open_case
    stmt = insert(o)
    newer = o.c.version < stmt.excluded.version
    if same_version:
        later = sa.or_(o.c.as_of.is_(None), o.c.as_of <= stmt.excluded.as_of)
        newer = sa.or_(newer, sa.and_(o.c.version == stmt.excluded.version, later))
    return stmt.on_conflict_do_update(
        index_elements=[o.c.tenant_id, o.c.case_id],
        set_={
            "number": stmt.excluded.number,
            "item_name": stmt.excluded.item_name,
            "handler": stmt.excluded.handler,
            "state": stmt.excluded.state,
            "due_at": sa.func.coalesce(stmt.excluded.due_at, o.c.due_at),
            "version": stmt.excluded.version,
            "as_of": stmt.excluded.as_of,
        },
        where=newer,
    )


# Built once: every case event runs them, and building a statement costs more than running it.
_UPSERT_OPEN_CASES = {same: _upsert_statement(same_version=same) for same in (False, True)}
_NOTICE = insert(tables.notice).on_conflict_do_nothing(constraint="notice_once").returning(tables.notice.c.id)
_NOTIFICATION = insert(tables.notification).on_conflict_do_nothing(constraint="notification_once")
_INBOX_ITEM = insert(tables.inbox_item).on_conflict_do_nothing(constraint="inbox_item_once")


def _upsert_open_cases(session: Session, rows: list[dict[str, Any]], *, same_version: bool = False) -> None:
    session.execute(_UPSERT_OPEN_CASES[same_version], rows)


# --- notices ---------------------------------------------------------------------------------


def _contact(session: Session, summary: CaseSummary) -> dict[str, str]:
    """The applicant's name, phone and e-mail, opened from the event (empty when the event
    carries none). A seal no key opens raises: the event is retried and, failing, parked as a
    dead letter to replay once the keys are right — never a notice silently without its SMS."""
    if not summary.applicant_sealed:
        return {}
    sealer = sealing.of(session)
    if sealer is None:
        raise sealing.SealError("no sealer: the session was not made by a Runtime")
    opened = sealer.open(summary.applicant_sealed)
    return {k: str(opened.get(k) or "") for k in ("name", "phone", "email")}


def notice_context(
    kind: str,
    event: CaseEvent,
    township: Township,
    at: datetime,
    code: str,
    applicant_name: str,
    *,
    masked: bool = True,
) -> dict[str, Any]:
    """What the template of `kind` is given (every key always present: StrictUndefined). The
    applicant is masked, except on their own copy (`masked=False`)."""
    c = event.case
    ctx: dict[str, Any] = {
        "township": township.name,
        "case_number": c.number,
        "item_name": c.item,
        "applicant": (pii.mask_name(applicant_name) if masked else applicant_name.strip()) or "申请人",
        "date": township.date(at),
        "verification_code": code,
    }

    def day(value: datetime | None) -> str:
        return township.date(value) if value is not None else ""

    if kind == n.ACCEPTANCE:  # also the corrected one, when a calendar change moved the deadline
        ctx["due_date"] = day(event.clock_due_at or event.due_at or c.due_at)
        ctx["provisional"] = event.provisional
        moved = event.event_type == "case_deadline_recomputed"
        ctx["corrected_from"] = day(event.previous_due_at) if moved else ""
    elif kind == n.SUPPLEMENT:
        names = list(event.missing_material_names)
        codes = list(event.missing_materials)
        # every missing material by name (its code where intake knew no name)
        ctx["missing"] = [names[i] if i < len(names) and names[i] else code for i, code in enumerate(codes)]
        ctx["missing"] += names[len(codes) :]
        ctx["note"] = event.note
        ctx["second_request"] = event.second_request
    elif kind == n.REFUSAL:
        ctx["reason"] = event.reason
        ctx["refer_to"] = event.refer_to
    elif kind == n.ESCALATION:
        ctx["level"] = n.LEVEL_NAMES.get(event.to_level, event.to_level)
        ctx["department"] = event.department
        ctx["reason"] = event.reason
        ctx["notify_by"] = day(event.notify_by)
    elif kind == n.EXTENSION:
        ctx["reason"] = event.reason
        ctx["working_days"] = event.working_days
        ctx["due_date"] = day(event.due_at)
    elif kind == n.RESULT:
        ctx["outcome"] = n.OUTCOME_NAMES.get(event.outcome, event.outcome or "已办结")
        ctx["denied"] = event.outcome == "denied"
        ctx["reason"] = event.reason
    elif kind == n.RETURN:
        ctx["reason"] = event.reason
    return ctx


def _notice(
    session: Session,
    envelope: Envelope,
    township: Township,
    event: CaseEvent,
    kind: str,
    contact: dict[str, str],
) -> None:
    c = event.case
    code = n.verification_code()
    notice_templates = templates()
    locale = notice_templates.locale_for(kind, township.locale)
    name = contact.get("name", "")

    def text_of(*, masked: bool) -> str:
        context = notice_context(kind, event, township, envelope.occurred_at, code, name, masked=masked)
        return notice_templates.render(kind, locale, context)

    text = text_of(masked=True)
    sealer = sealing.of(session)
    # the applicant's own copy names them in full: kept sealed, opened only to print it
    text_sealed = (
        sealer.seal({"text": text_of(masked=False), "applicant": name.strip()})
        if sealer is not None and name
        else None
    )
    phone, email = contact.get("phone", ""), contact.get("email", "")
    recipient = pii.mask_phone(phone) or pii.mask_email(email) or ""
    notice_id = session.execute(
        _NOTICE,
        {
            "id": uuid.uuid4(),
            "tenant_id": envelope.tenant_id,
            "case_id": c.case_id,
            "case_number": c.number,
            "kind": kind,
            "locale": locale,
            "text": text,
            "recipient": recipient,
            "verification_code": code,
            "source_event_id": envelope.event_id,
            "created_at": envelope.occurred_at,
            "text_sealed": text_sealed,
            "window": c.window or None,
        },
    ).scalar()
    if notice_id is None:  # this event's notice is on file already: nothing more to do
        return
    subject = text.splitlines()[0] if text else kind
    base = {
        "tenant_id": envelope.tenant_id,
        "topic": "notice",
        "subject": subject,
        "text": text,
        "case_id": c.case_id,
        "notice_id": notice_id,
        # one event may oblige two notices (a completion: result and satisfaction request); their
        # deliveries are told apart by the notice kind
        "source_event_id": f"{envelope.event_id}/{kind}",
    }
    rows = [{**base, "channel": "print", "status": "delivered", "recipient": recipient or "窗口"}]
    if sealer is not None:
        if phone:
            rows.append(
                {
                    **base,
                    "channel": "sms",
                    "status": "queued",
                    "recipient": recipient,
                    "address_sealed": sealing.seal_address(sealer, phone),
                }
            )
        if email:
            rows.append(
                {
                    **base,
                    "channel": "email",
                    "status": "queued",
                    "recipient": pii.mask_email(email),
                    "address_sealed": sealing.seal_address(sealer, email),
                }
            )
    _notifications(session, rows)


def _notifications(session: Session, rows: list[dict[str, Any]]) -> None:
    """The rows in one statement: each names every column it may set (one shape for all), a
    delivered one with its send and delivery time."""
    now = datetime.now(UTC)
    # the consumer's span is current here: the dispatcher's later send continues this trace
    trace_context = inject_traceparent() or None
    session.execute(
        _NOTIFICATION,
        [
            {
                "id": uuid.uuid4(),
                "address_sealed": None,
                "notice_id": None,
                "urgent": False,
                "trace_context": trace_context,
                **row,
                **(
                    {"sent_at": now, "delivered_at": now}
                    if row["status"] == "delivered"
                    else {"sent_at": None, "delivered_at": None}
                ),
            }
            for row in rows
        ],
    )


# --- staff -----------------------------------------------------------------------------------


def staff_message(
    session: Session,
    envelope: Envelope,
    username: str,
    topic: str,
    title: str,
    text: str,
    case_id: str | None,
    *,
    urgent: bool = False,
    sms: bool = False,
) -> None:
    """An inbox item and its `inbox` notification (delivered), and an urgent SMS when asked."""
    session.execute(
        _INBOX_ITEM,
        {
            "id": uuid.uuid4(),
            "tenant_id": envelope.tenant_id,
            "username": username,
            "topic": topic,
            "title": title,
            "text": text,
            "case_id": case_id,
            "created_at": envelope.occurred_at,
            "source_event_id": envelope.event_id,
        },
    )
    base = {
        "tenant_id": envelope.tenant_id,
        "topic": topic,
        "recipient": username,
        "subject": title,
        "text": text,
        "case_id": case_id,
        "urgent": urgent,
        "source_event_id": envelope.event_id,
    }
    rows = [{**base, "channel": "inbox", "status": "delivered"}]
    if sms:
        rows.append({**base, "channel": "sms", "status": "queued"})
    _notifications(session, rows)


def _on_assigned(session: Session, envelope: Envelope, e: CaseEvent) -> None:
    handler = e.handler or e.case.handler
    if handler:
        text = f"办件 {e.case.label} 已分派给您办理（分派人：{e.actor}）。"
        staff_message(
            session, envelope, handler, "assignment", f"新分派：{e.case.number}", text, e.case.case_id
        )


def _on_pressed(session: Session, envelope: Envelope, e: CaseEvent) -> None:
    to = e.case.responsible
    if to:
        text = f"办件 {e.case.label} 被督办（第{e.presses}次）。" + (f"督办意见：{e.note}" if e.note else "")
        staff_message(
            session, envelope, to, "press", f"督办：{e.case.number}", text, e.case.case_id, urgent=True
        )


def _on_colour(session: Session, envelope: Envelope, e: CaseEvent) -> None:
    to = e.case.responsible
    if e.colour not in WARNING_COLOURS or not to:
        return
    due = e.due_at or e.case.due_at
    label = WARNING_COLOURS[e.colour]
    text = f"办件 {e.case.label} {label}。"
    if due is not None:
        text += f"办结期限：{Township.load(session, envelope.tenant_id).date(due)}。"
    overdue = e.colour == "overdue"
    staff_message(
        session,
        envelope,
        to,
        "clock_warning",
        f"{label}：{e.case.number}",
        text,
        e.case.case_id,
        urgent=overdue,
        sms=overdue,
    )


STAFF_NOTIFICATIONS: dict[str, Callable[[Session, Envelope, CaseEvent], None]] = {
    "case_assigned": _on_assigned,
    "case_pressed": _on_pressed,
    "case_clock_colour_changed": _on_colour,
}
