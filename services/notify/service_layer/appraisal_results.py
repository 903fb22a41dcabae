"""Appraisal's closed month (`period_closed`, DOMAIN.md §7) → each subject's result in the staff
inbox: a staff member (or proxy) their own, a window's staff their window's; and the township's
admins (the management office) the list of consequences to act on (talks, returns to the
original unit, notices to the original unit and the county — seed 001 第二十三條（一）、第二十七條).
One handler `(envelope, session)` inside the consumer's idempotent, tenant-scoped transaction;
the inbox's unique key (source event, user, topic) makes a duplicate change nothing."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from libs.common.messaging import Envelope, Subscription
from services.notify.adapters import appraisal_result_proto as proto
from services.notify.adapters import tables
from services.notify.service_layer.case_events import staff_message

SOURCE = "appraisal"
TOPIC = "other"
GRADES = {"excellent": "优秀", "qualified": "合格", "unqualified": "不合格", "competent": "称职",
          "basically_competent": "基本称职", "incompetent": "不称职"}  # fmt: skip
CONSEQUENCES = {"not_excellent": "取消评优资格", "unqualified": "当月不合格", "return_to_unit": "退回原单位",
                "notify_unit": "通报原单位并上报县", "talk": "约谈", "replacement": "更换"}  # fmt: skip


def _text(period: str, r: proto.Result) -> str:
    text = f"{period} 考核结果：{r.score:g} 分，{GRADES.get(r.grade, r.grade or '—')}，排名第 {r.rank}。"
    if r.vetoes:
        text += "一票否决：" + "；".join(f"{code} {reason}" for code, reason in r.vetoes) + "。"
    if r.consequences:
        text += "后果：" + "、".join(CONSEQUENCES.get(c, c) for c in r.consequences) + "。"
    return text + "如有异议，可在规定工作日内申请复核。"


def on_period_closed(envelope: Envelope, session: Session) -> None:
    """One inbox item a person (the inbox keeps one per event, user and topic): their own result,
    their window's, and for the township admins the consequences to act on."""
    period, results = proto.closed_period(envelope.data)
    st = tables.staff
    people = session.execute(
        sa.select(st.c.username, st.c.window, st.c.roles).where(st.c.active.is_(True))
    ).all()
    lines: dict[str, list[str]] = defaultdict(list)
    for r in results:
        if r.subject_type in ("staff", "proxy"):
            lines[r.subject_id].append("个人" + _text(period, r))
        elif r.subject_type == "window":
            for p in people:
                if p.window == r.subject_id:
                    lines[p.username].append(f"窗口（{r.name or r.subject_id}）" + _text(period, r))
    acted_on = [r for r in results if r.consequences]
    for p in people if acted_on else ():
        if "township_admin" in (p.roles or ()):
            lines[p.username].append(
                "考核后果待处理："
                + "\n".join(f"{r.name or r.subject_id}（{r.subject_id}）{_text(period, r)}" for r in acted_on)
            )
    for username, texts in lines.items():
        staff_message(session, envelope, username, TOPIC, f"{period} 考核结果", "\n".join(texts), None)


def subscriptions() -> list[Subscription]:
    return [Subscription(SOURCE, "period_closed", "notify", on_period_closed)]
