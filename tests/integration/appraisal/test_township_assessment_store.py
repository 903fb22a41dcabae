"""The county's township assessment on the migrated database, driven by the real events: the
gateway's onboarding (villages), staff and windows, intake's completed cases, decided complaints
and presses, published as protobuf through the in-process bus to appraisal's own subscriptions;
then the table per township and quarter (services/appraisal/service_layer/township_assessment.py),
the county's manual values with evidence, the information reports, who may do what, and townships
kept apart."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from bianmin.gateway.v1 import events_pb2 as gw_events
from bianmin.gateway.v1 import organisation_pb2, staff_pb2, township_pb2
from bianmin.intake.v1 import case_pb2, events_pb2
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common import db
from libs.common.errors import Forbidden, NotFound, ValidationFailed
from libs.common.messaging import Envelope, data_of, event_type_of
from libs.common.messaging.inprocess import InProcessBus
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.appraisal.adapters import tables
from services.appraisal.entrypoints import service as appraisal_service
from services.appraisal.service_layer import township_assessment as assessment

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Asia/Shanghai")
IN_Q4 = datetime(2026, 11, 10, 2, tzinfo=UTC)


def stamp(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at)
    return ts


def envelope(tenant: str, source: str, message: Message, at: datetime = IN_Q4) -> Envelope:
    return Envelope.new(source=source, event_type=event_type_of(message), tenant_id=tenant,
                        data=data_of(message), occurred_at=at)  # fmt: skip


@pytest.fixture(scope="module")
def bus(runtime: Runtime) -> InProcessBus:
    return InProcessBus(appraisal_service.subscriptions(), lambda _service: runtime.sessions)


def county_admin(county: str) -> Principal:
    return Principal("ca", frozenset({"county_admin"}), frozenset({f"{county}.*"}), county=county)


def put(runtime: Runtime, who: Principal, tenant: str, code: str, quarter: str, points: float, evidence: str):  # type: ignore[no-untyped-def]
    return assessment.set_indicator(runtime.sessions, who, tenant, code, quarter, points, evidence, tz=TZ)


def listed(runtime: Runtime, who: Principal, quarter: str) -> list:
    return assessment.list_assessments(runtime.sessions, runtime.ops_sessions, who, quarter, tz=TZ)


def onboard(bus: InProcessBus, county: str, code: str, villages: int) -> str:
    tenant = f"{county}.{code}"
    message = gw_events.TownshipOnboarded(
        tenant_id=tenant, county=county, code=code, name=f"{code}镇",
        villages=[township_pb2.Village(code=f"v{i}", name=f"{i}村") for i in range(villages)],
        onboarded_at=stamp(IN_Q4 - timedelta(days=60)),
    )  # fmt: skip
    bus.publish(envelope(tenant, "gateway", message, IN_Q4 - timedelta(days=60)))
    return tenant


def staff(
    bus: InProcessBus, tenant: str, username: str, role: int, village: str = "", active: bool = True
) -> None:
    message = gw_events.StaffSaved(username=username, name="人", roles=[role], village=village, active=active)
    bus.publish(envelope(tenant, "gateway", message))


def window(bus: InProcessBus, tenant: str, code: str, a: str = "") -> None:
    posts = organisation_pb2.WindowPosts(a=a)
    w = organisation_pb2.Window(code=code, name="窗口", department="d", posts=posts)
    bus.publish(envelope(tenant, "gateway", gw_events.WindowSaved(window=w)))


def complete(bus: InProcessBus, tenant: str, overdue: bool, at: datetime = IN_Q4) -> str:
    case_id = str(uuid.uuid4())
    summary = case_pb2.CaseSummary(case_id=case_id, number=f"n-{case_id[:6]}", item_name="低保申请")
    message = events_pb2.CaseCompleted(case=summary, completed_at=stamp(at), overdue=overdue)
    bus.publish(envelope(tenant, "intake", message, at))
    return case_id


def scored(items: list, tenant: str) -> dict[str, float]:
    [a] = [a for a in items if a.tenant == tenant]
    return {s.indicator.code: s.points for s in a.indicators} | {"total": a.total}


def test_the_indicators_follow_the_events(runtime: Runtime, bus: InProcessBus) -> None:
    county = f"c{uuid.uuid4().hex[:8]}"
    napo, baiyu = onboard(bus, county, "napo", villages=4), onboard(bus, county, "baiyu", villages=0)
    # windows: two of three staffed by an active staff member
    staff(bus, napo, "huang", staff_pb2.ROLE_WINDOW_STAFF)
    staff(bus, napo, "gone", staff_pb2.ROLE_WINDOW_STAFF, active=False)
    window(bus, napo, "w1", a="huang")
    window(bus, napo, "w2", a="gone")
    window(bus, napo, "w3")
    bus.publish(envelope(napo, "gateway", gw_events.WindowPostsAssigned(
        window="w2", posts=organisation_pb2.WindowPosts(a="gone", b="huang"))))  # fmt: skip
    # proxy stations: villages v0 and v1 have an active proxy agent (v1 twice), v2 only a gone one
    staff(bus, napo, "p0", staff_pb2.ROLE_PROXY_AGENT, village="v0")
    staff(bus, napo, "p1", staff_pb2.ROLE_PROXY_AGENT, village="v1")
    staff(bus, napo, "p1b", staff_pb2.ROLE_PROXY_AGENT, village="v1")
    staff(bus, napo, "p2", staff_pb2.ROLE_PROXY_AGENT, village="v2", active=False)
    # 4 completed in Q4, one late; one in Q3 (not counted); a redelivered event counts once
    for overdue in (False, False, False, True):
        complete(bus, napo, overdue)
    complete(bus, napo, True, datetime(2026, 9, 30, 15, tzinfo=UTC))  # 23:00 on 30 Sept in the county
    case_id = complete(bus, napo, False)
    summary = case_pb2.CaseSummary(case_id=case_id)
    again = envelope(napo, "intake", events_pb2.CaseCompleted(case=summary, completed_at=stamp(IN_Q4)))
    bus.publish(again)
    # a groundless and a verified complaint; a press
    for verified, pid in ((False, "p-1"), (True, "p-2")):
        bus.publish(envelope(napo, "intake", events_pb2.ComplaintDecided(petition_id=pid, verified=verified)))
    bus.publish(envelope(napo, "intake", events_pb2.CasePressed(case=summary, presses=1)))

    items = listed(runtime, county_admin(county), "2026Q4")
    assert [a.tenant for a in items] == [baiyu, napo]
    got = scored(items, napo)
    assert got["completion"] == 12  # 4 on time of 5 × 15
    assert got["windows"] == 6.67  # 2 of 3 × 10
    assert got["proxy"] == 5  # 2 of 4 villages × 10
    assert got["complaints"] == 0 and got["supervision"] == 0 and got["reports"] == 0
    assert got["leadership"] == 0
    # the other township: nothing happened
    other = scored(items, baiyu)
    assert other["completion"] == 15 and other["complaints"] == 10 and other["supervision"] == 15
    assert other["proxy"] == 0 and other["windows"] == 0
    # the next quarter does not see Q4's findings
    q1 = scored(listed(runtime, county_admin(county), "2027Q1"), napo)
    assert q1["complaints"] == 10 and q1["supervision"] == 15 and q1["completion"] == 15


def test_manual_values_reports_and_who_may(runtime: Runtime, bus: InProcessBus) -> None:
    county = f"c{uuid.uuid4().hex[:8]}"
    napo = onboard(bus, county, "napo", villages=1)
    ca = county_admin(county)
    supervisor = Principal("cs", frozenset({"county_supervisor"}), frozenset({f"{county}.*"}), county=county)
    a = put(runtime, ca, napo, "leadership", "2026Q4", 4.5, "分管领导任命文件")
    a = put(runtime, supervisor, napo, "supervision", "2026Q4", 12, "暗访记录")
    got = {s.indicator.code: s for s in a.indicators}
    assert got["leadership"].points == 4.5 and got["leadership"].evidence == "分管领导任命文件"
    assert got["supervision"].points == 12
    # set again: replaced
    a = put(runtime, ca, napo, "leadership", "2026Q4", 5, "补充材料")
    assert {s.indicator.code: s.points for s in a.indicators}["leadership"] == 5

    def rows() -> int:
        with db.transaction(runtime.sessions, napo) as s:
            return len(s.execute(sa.select(tables.township_indicator)).all())

    before = rows()
    for code, points, evidence in (("completion", 10, "x"), ("leadership", 6, "x"), ("premises", 5, "")):
        with pytest.raises(ValidationFailed):
            put(runtime, ca, napo, code, "2026Q4", points, evidence)
    with pytest.raises(ValidationFailed):
        put(runtime, ca, napo, "premises", "2026-12", 5, "x")
    admin = Principal("ta", frozenset({"township_admin"}), frozenset({napo}), county=county)
    with pytest.raises(Forbidden):
        put(runtime, admin, napo, "premises", "2026Q4", 5, "自评")
    stranger = Principal("ca2", frozenset({"county_admin"}), frozenset({"elsewhere.*"}), county="elsewhere")
    with pytest.raises(NotFound):
        put(runtime, stranger, napo, "premises", "2026Q4", 5, "x")
    assert rows() == before  # refused calls changed nothing
    assert listed(runtime, stranger, "2026Q4") == []
    with pytest.raises(Forbidden):
        listed(runtime, admin, "2026Q4")

    # reports: 5 this month → this month's third of 5
    for n in range(6):
        assessment.record_report(runtime.sessions, admin, napo, f"第{n}期 便民服务简报", "")
    with pytest.raises(ValidationFailed):
        assessment.record_report(runtime.sessions, admin, napo, " ", "")
    with pytest.raises(Forbidden):
        assessment.record_report(runtime.sessions, ca, napo, "县里写的", "")
    month = datetime.now(UTC).astimezone(TZ)
    quarter = f"{month.year}Q{(month.month - 1) // 3 + 1}"
    [a] = listed(runtime, ca, quarter)
    assert {s.indicator.code: s.points for s in a.indicators}["reports"] == 1.67
