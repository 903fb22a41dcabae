"""Automatic score events from appraisal's own workforce events on the migrated database: the
judge-attendance job and the leave use cases record `attendance_judged`, `window_unstaffed` and
`leave_rule_broken` in the outbox; those very rows, as envelopes through the in-process bus to
appraisal's subscriptions (services/appraisal/service_layer/score_events.py), score W-STF-04 /
S-QIN-01 (with the minutes), W-CEN-04 and S-QIN-05 — each source once, redelivered or re-told
under a new event id — and three half-days of absence put the window under W-VETO-04."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from libs.common import db
from libs.common.messaging import Envelope, tables_for
from libs.common.messaging.inprocess import InProcessBus
from libs.common.runtime import Runtime
from services.appraisal.adapters import tables
from services.appraisal.domain.scoring import Subject
from services.appraisal.entrypoints import service as appraisal_service
from services.appraisal.service_layer import attendance, attendance_judging, leaves, scores
from tests.integration.appraisal.workforce_support import township, who

pytestmark = pytest.mark.integration

CST = ZoneInfo("Asia/Shanghai")
SCORED = ("attendance_judged", "window_unstaffed", "leave_rule_broken")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.fixture(scope="module")
def bus(runtime: Runtime) -> InProcessBus:
    return InProcessBus(appraisal_service.subscriptions(), lambda _service: runtime.sessions)


@pytest.fixture
def tenant(runtime: Runtime) -> str:
    tenant = township(runtime, f"c{uuid.uuid4().hex[:8]}.napo")
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(tables.tenant.update().values(onboarded_at=local("2025-02-07 09:00")))
    return tenant


def published(runtime: Runtime, tenant: str) -> list[Envelope]:
    """The scored events appraisal recorded in its outbox, as the relay would publish them."""
    o = tables_for("appraisal").outbox
    with db.transaction(runtime.sessions, tenant) as s:
        rows = s.execute(sa.select(o).where(o.c.event_type.in_(SCORED)).order_by(o.c.id)).mappings().all()
    return [
        Envelope(
            event_id=str(r["event_id"]),
            event_type=r["event_type"],
            source=r["source"],
            tenant_id=r["tenant_id"],
            occurred_at=r["created_at"],
            schema_version=r["schema_version"],
            data=r["payload"],
            headers=r["headers"],
        )
        for r in rows
    ]


def scored(runtime: Runtime, tenant: str) -> list[tuple]:
    with db.transaction(runtime.ops_sessions, None) as s:
        failed = s.execute(
            sa.text("SELECT consumer, last_error FROM appraisal.failed_event WHERE tenant_id = :t"),
            {"t": tenant},
        ).all()
    assert not failed, failed
    t = tables.score_event
    with db.transaction(runtime.sessions, tenant) as s:
        rows = s.execute(
            sa.select(t.c.rule_code, t.c.subject_id, t.c.variant, t.c.points, t.c.ref, t.c.month).order_by(
                t.c.ref, t.c.rule_code, t.c.subject_id
            )
        ).all()
    return [tuple(r) for r in rows]


def sign(runtime: Runtime, tenant: str, username: str, *whens: str) -> None:
    rows = [attendance.ImportRow(f"row {i}", username, local(w)) for i, w in enumerate(whens)]
    attendance.import_sign_ins(
        runtime.sessions, who(tenant, "admin"), tenant, rows, now=local("2025-02-12 20:00")
    )


def test_a_judged_day_scores_late_absent_and_unstaffed_once(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    # Mon 10 Feb 2025: zhang (w1 A) on time then 14 minutes late; li (w1 B) 20 minutes late (absent)
    # and absent; wang (w2's only post) absent all day — w2 unstaffed both halves
    sign(runtime, tenant, "zhang", "2025-02-10 08:29", "2025-02-10 14:44")
    sign(runtime, tenant, "li", "2025-02-10 08:50")
    attendance_judging.judge_township(runtime.sessions, tenant, local("2025-02-11 01:30"))
    envelopes = [e for e in published(runtime, tenant) if e.data.get("date") == "2025-02-10"]
    for e in envelopes:
        bus.publish(e)
    t = tenant
    assert sorted(scored(runtime, tenant)) == sorted(
        [
            ("S-QIN-01", "zhang", "late", -0.2, f"attendance:{t}:zhang:2025-02-10:pm", "2025-02"),
            ("W-STF-04", "w1", "late", -0.5, f"attendance:{t}:zhang:2025-02-10:pm", "2025-02"),
            ("W-STF-04", "w1", "absent_half_day", -1.0, f"attendance:{t}:li:2025-02-10:am", "2025-02"),
            ("W-STF-04", "w1", "absent_half_day", -1.0, f"attendance:{t}:li:2025-02-10:pm", "2025-02"),
            ("W-STF-04", "w2", "absent_half_day", -1.0, f"attendance:{t}:wang:2025-02-10:am", "2025-02"),
            ("W-STF-04", "w2", "absent_half_day", -1.0, f"attendance:{t}:wang:2025-02-10:pm", "2025-02"),
            ("W-CEN-04", "w2", "", -2.0, f"window:{t}:w2:2025-02-10:am", "2025-02"),
            ("W-CEN-04", "w2", "", -2.0, f"window:{t}:w2:2025-02-10:pm", "2025-02"),
        ]
    )
    t_ = tables.score_event
    with db.transaction(runtime.sessions, tenant) as s:
        facts = s.execute(sa.select(t_.c.facts).where(t_.c.rule_code == "S-QIN-01")).scalar_one()
    assert facts["late_minutes"] == 14  # the minutes, as judged
    # the bus redelivers, and the same half-days told again under new event ids: nothing more
    before = scored(runtime, tenant)
    for e in envelopes:
        bus.publish(e)
        bus.publish(
            Envelope.new(source=e.source, event_type=e.event_type, tenant_id=e.tenant_id, data=e.data)
        )
    assert scored(runtime, tenant) == before


def test_three_absent_half_days_are_the_windows_veto(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    # zhang and li (w1) on time every working day since onboarding (Fri 7, the adjusted Sat 8,
    # Mon 10, Tue 11 Feb); wang (w2) never: eight absent half-days on w2, none on w1
    days = ("2025-02-07", "2025-02-08", "2025-02-10", "2025-02-11")
    for username in ("zhang", "li"):
        sign(runtime, tenant, username, *(f"{d} {t}" for d in days for t in ("08:20", "14:20")))
    attendance_judging.judge_township(runtime.sessions, tenant, local("2025-02-12 01:30"))
    for e in published(runtime, tenant):
        bus.publish(e)
    absences = [r for r in scored(runtime, tenant) if r[0] == "W-STF-04"]
    assert {r[1] for r in absences} == {"w2"} and len(absences) == 8
    rows = scores.list_scores(runtime.sessions, who(tenant, "admin"), tenant, "2025-02", tz=CST)
    w2 = next(r for r in rows if r.result.subject == Subject("window", "w2"))
    w1 = next(r for r in rows if r.result.subject == Subject("window", "w1"))
    assert "W-VETO-04" in {v.code for v in w2.result.vetoes}  # 第二十條（四）窗口工作人員曠工3次
    assert "W-VETO-04" not in {v.code for v in w1.result.vetoes}


def test_a_leave_not_asked_in_advance_deducts_the_staff_member_once(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    now = datetime(2025, 2, 10, 4, tzinfo=UTC)  # noon of the leave's first day
    leave = leaves.request_leave(
        runtime.sessions, who(tenant, "zhang"), tenant, username="zhang", from_date="2025-02-10",
        to_date="2025-02-10", reason="病假", tz=CST, now=now,
    )  # fmt: skip
    leaves.decide(runtime.sessions, who(tenant, "head"), tenant, leave.id, approved=True, reason="", now=now)
    [broken] = [e for e in published(runtime, tenant) if e.event_type == "leave_rule_broken"]
    bus.publish(broken)
    bus.publish(broken)
    rows = scored(runtime, tenant)
    # counted in the month it was told (the approval's)
    assert [(r[0], r[1], r[3]) for r in rows] == [("S-QIN-05", "zhang", -1.0)]
    assert rows[0][4] == f"leave:{tenant}:{leave.id}:S-QIN-05"
