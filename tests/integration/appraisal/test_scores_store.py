"""A township's month on the migrated database (services/appraisal/service_layer/scores.py),
from intake's real events through appraisal's subscriptions: the table (100 + Σ, ranks, grades
with their quotas, vetoes with their reasons, every point explained), closing the month (a frozen
run, `period_closed`, a second close changes nothing, manual events refused), and an upheld
appeal re-scoring the closed month as a new run while the old one stays; the `close-month` job."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from bianmin.gateway.v1 import events_pb2 as gw_events
from bianmin.gateway.v1 import organisation_pb2, staff_pb2
from bianmin.intake.v1 import case_pb2, events_pb2
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common import db
from libs.common.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from libs.common.messaging import Envelope, data_of, event_type_of
from libs.common.messaging.inprocess import InProcessBus
from libs.common.messaging.relay import envelope_of_row
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.appraisal.domain.scoring import Subject
from services.appraisal.entrypoints import service as appraisal_service
from services.appraisal.service_layer import scores
from services.notify.entrypoints import service as notify_service

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Asia/Shanghai")
OCTOBER = datetime(2001, 10, 9, 2, tzinfo=UTC)
IN_NOVEMBER = datetime(2001, 11, 5, 2, tzinfo=UTC)


def stamp(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at)
    return ts


def envelope(tenant: str, source: str, message: Message, at: datetime = OCTOBER) -> Envelope:
    return Envelope.new(
        source=source,
        event_type=event_type_of(message),
        tenant_id=tenant,
        data=data_of(message),
        occurred_at=at,
    )


@pytest.fixture(scope="module")
def bus(runtime: Runtime) -> InProcessBus:
    """Appraisal's subscriptions, and notify's (the closed month's results go to the inbox)."""
    subscriptions = [*appraisal_service.subscriptions(), *notify_service.subscriptions()]
    return InProcessBus(subscriptions, lambda _service: runtime.sessions)


def who(tenant: str, username: str, *roles: str) -> Principal:
    return Principal(username, frozenset(roles), frozenset({tenant}), county=tenant.split(".")[0])


@pytest.fixture()
def tenant(bus: InProcessBus) -> str:
    """Windows w1 (head huang; li works there) and w2 (head zhao); in October 2001 three cases
    of w1 handled by li are completed late, one by 5 working days."""
    county = f"c{uuid.uuid4().hex[:8]}"
    tenant = f"{county}.napo"
    onboarded = gw_events.TownshipOnboarded(tenant_id=tenant, county=county, code="napo", name="那坡镇")
    bus.publish(envelope(tenant, "gateway", onboarded))
    for username, window in (("huang", "w1"), ("li", "w1"), ("zhao", "w2"), ("boss", "")):
        role = staff_pb2.ROLE_TOWNSHIP_ADMIN if username == "boss" else staff_pb2.ROLE_WINDOW_STAFF
        saved = gw_events.StaffSaved(
            username=username, name=f"{username}名", roles=[role], window=window, active=True
        )
        bus.publish(envelope(tenant, "gateway", saved))
    for code, head in (("w1", "huang"), ("w2", "zhao")):
        w = organisation_pb2.Window(
            code=code, name=f"{code}窗口", department="d", posts=organisation_pb2.WindowPosts(a=head)
        )
        bus.publish(envelope(tenant, "gateway", gw_events.WindowSaved(window=w)))
    for late in (1, 1, 5):
        summary = case_pb2.CaseSummary(case_id=str(uuid.uuid4()), window="w1", handler="li", version=5)
        done = events_pb2.CaseCompleted(
            case=summary, completed_at=stamp(OCTOBER), overdue=True, working_days_late=late
        )
        bus.publish(envelope(tenant, "intake", done))
    return tenant


def table(runtime: Runtime, tenant: str, period: str = "2001-10") -> dict[Subject, scores.Row]:
    rows = scores.list_scores(runtime.sessions, who(tenant, "boss", "township_admin"), tenant, period, tz=TZ)
    return {r.result.subject: r for r in rows}


def test_the_month_scores_grades_vetoes_and_explains(runtime: Runtime, tenant: str) -> None:
    rows = table(runtime, tenant)
    w1, w2 = rows[Subject("window", "w1")], rows[Subject("window", "w2")]
    assert (w1.result.score, w1.result.grade, w1.result.rank) == (70, "unqualified", 2)
    assert [v.code for v in w1.result.vetoes] == ["W-VETO-05"]
    assert "延期未辦結" in w1.result.vetoes[0].reason
    assert w1.result.score == 100 + sum(e.points for e in w1.events) and len(w1.events) == 3
    assert (w2.result.score, w2.result.grade) == (100, "excellent")
    li, huang, zhao = (rows[Subject("staff", u)] for u in ("li", "huang", "zhao"))
    assert li.result.score == huang.result.score == 70  # the handler and the window head
    assert li.name == "li名" and {v.code for v in li.result.vetoes} == {"S-VETO-04"}
    # staff excellence is at most 20 % of the staff: of three, none — zhao at 100 is competent
    assert (zhao.result.score, zhao.result.grade) == (100, "competent")
    assert not any(r.final for r in rows.values())
    # a window staff member reads their own row and their window's, the ranks still the township's
    mine = scores.list_scores(runtime.sessions, who(tenant, "li", "window_staff"), tenant, "2001-10", tz=TZ)
    assert {r.result.subject for r in mine} == {Subject("window", "w1"), Subject("staff", "li")}
    # the quarter is computed from its months
    assert table(runtime, tenant, "2001Q4")[Subject("window", "w1")].result.score == 70


def _runs(runtime: Runtime, tenant: str) -> list[tuple[int, str]]:
    with db.transaction(runtime.sessions, tenant) as s:
        return [
            tuple(r) for r in s.execute(sa.text("SELECT run, reason FROM appraisal.scoring_run ORDER BY run"))
        ]  # type: ignore[misc]


def _closed_events(runtime: Runtime, tenant: str) -> int:
    with db.transaction(runtime.ops_sessions, None) as s:
        return int(
            s.execute(
                sa.text(
                    "SELECT count(*) FROM appraisal.outbox"
                    " WHERE tenant_id = :t AND event_type = 'period_closed'"
                ),
                {"t": tenant},
            ).scalar_one()
        )


def _inbox(runtime: Runtime, tenant: str) -> dict[str, list[str]]:
    with db.transaction(runtime.ops_sessions, None) as s:
        rows = s.execute(
            sa.text(
                "SELECT username, title, text FROM notify.inbox_item WHERE tenant_id = :t ORDER BY title"
            ),
            {"t": tenant},
        ).all()
    found: dict[str, list[str]] = {}
    for r in rows:
        found.setdefault(r.username, []).append(f"{r.title}|{r.text}")
    return found


def test_the_closed_month_reaches_each_subjects_inbox(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    scores.close_month(runtime.sessions, tenant, "2001-10", tz=TZ, now=IN_NOVEMBER)
    with db.transaction(runtime.ops_sessions, None) as s:
        [row] = s.execute(
            sa.text("SELECT * FROM appraisal.outbox WHERE tenant_id = :t AND event_type = 'period_closed'"),
            {"t": tenant},
        ).all()
    bus.publish(envelope_of_row(row))
    bus.publish(envelope_of_row(row))  # redelivered: nothing twice
    inbox = _inbox(runtime, tenant)
    [li] = inbox["li"]  # one item: their own result and their window's
    assert li.startswith("2001-10 考核结果|个人2001-10 考核结果：70 分") and "取消评优资格" in li
    assert "窗口（w1窗口）2001-10 考核结果：70 分，不合格" in li
    [zhao] = inbox["zhao"]
    assert "100 分，称职" in zhao and "100 分，优秀" in zhao  # zhao competent, their window excellent
    [office] = inbox["boss"]
    assert "考核后果待处理" in office and "W-VETO-05" in office


def test_closing_freezes_the_month_and_an_upheld_appeal_re_scores_as_a_new_run(
    runtime: Runtime, tenant: str
) -> None:
    with pytest.raises(ValidationFailed):
        scores.close_month(runtime.sessions, tenant, "2001-11", tz=TZ, now=IN_NOVEMBER)  # not over
    done, rows = scores.close_month(runtime.sessions, tenant, "2001-10", tz=TZ, now=IN_NOVEMBER)
    assert done and all(r.final and r.run == 1 for r in rows)
    again, _ = scores.close_month(runtime.sessions, tenant, "2001-10", tz=TZ, now=IN_NOVEMBER)
    assert not again and _closed_events(runtime, tenant) == 1
    admin = who(tenant, "boss", "township_admin")
    with pytest.raises(InvalidTransition):
        scores.record_event(
            runtime.sessions, admin, tenant, subject=Subject("window", "w2"), rule_code="W-SVC-08", count=1,
            variant="", evidence="补录", occurred_at=OCTOBER, tz=TZ,
        )  # fmt: skip

    li = who(tenant, "li", "window_staff")
    [event, other, *_] = table(runtime, tenant)[Subject("staff", "li")].events
    with pytest.raises(NotFound):  # another window's staff do not even see it
        scores.file_appeal(
            runtime.sessions, who(tenant, "zhao", "window_staff"), tenant, event.id, "不是我", tz=TZ
        )
    with pytest.raises(Forbidden):  # the management office sees it, but is not its subject
        scores.file_appeal(runtime.sessions, admin, tenant, event.id, "代为申请", tz=TZ)
    appeal = scores.file_appeal(runtime.sessions, li, tenant, event.id, "该件因系统故障延期", tz=TZ)
    too_late = datetime.now(UTC) + timedelta(days=30)
    with pytest.raises(InvalidTransition):  # one pending appeal per event
        scores.file_appeal(runtime.sessions, li, tenant, event.id, "再次", tz=TZ)
    with pytest.raises(InvalidTransition, match="appeal window closed"):  # 5 working days
        scores.file_appeal(runtime.sessions, li, tenant, other.id, "太晚", tz=TZ, now=too_late)
    with pytest.raises(Forbidden):  # the management office, not the appellant
        scores.decide_appeal(
            runtime.sessions, who(tenant, "li", "township_admin"), tenant, appeal.id, True, "自审", tz=TZ
        )
    decided = scores.decide_appeal(runtime.sessions, admin, tenant, appeal.id, True, "系统故障属实", tz=TZ)
    assert decided.state == "upheld" and decided.decided_by == "boss"
    after = table(runtime, tenant)
    assert after[Subject("staff", "li")].result.score == 80
    assert after[Subject("staff", "li")].run == 2 and after[Subject("staff", "li")].final
    assert after[Subject("staff", "huang")].result.score == 70  # the head's event stands
    assert _runs(runtime, tenant) == [(1, "close"), (2, f"appeal:{appeal.id}")]


def test_the_close_month_job_closes_every_township(runtime: Runtime, tenant: str) -> None:
    report = appraisal_service.close_month(runtime, "2001-10")
    assert "2001-10" in report.line and not report.failed
    assert table(runtime, tenant)[Subject("window", "w1")].final
    assert "closed already" in appraisal_service.close_month(runtime, "2001-10").line
