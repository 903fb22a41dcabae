"""Automatic score events on the migrated database, each rule fired by the real event: intake's
protobuf events published through the in-process bus to appraisal's own subscriptions
(services/appraisal/service_layer/score_events.py), with the gateway's staff and windows before
them. Every source counts once, whether the bus redelivers the same envelope or intake
re-publishes the same fact under a new event id."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from bianmin.gateway.v1 import events_pb2 as gw_events
from bianmin.gateway.v1 import organisation_pb2, staff_pb2, township_pb2
from bianmin.intake.v1 import case_pb2, catalogue_pb2, events_pb2, petition_pb2
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common import db
from libs.common.messaging import Envelope, data_of, event_type_of
from libs.common.messaging.inprocess import InProcessBus
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.appraisal.adapters import rulebook_files, tables
from services.appraisal.entrypoints import service as appraisal_service
from services.appraisal.service_layer import rulebooks

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 10, 2, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")  # Tuesday 10 November 2026, 10:00 in the county


def stamp(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at)
    return ts


def envelope(tenant: str, source: str, message: Message, at: datetime = AT) -> Envelope:
    return Envelope.new(
        source=source,
        event_type=event_type_of(message),
        tenant_id=tenant,
        data=data_of(message),
        occurred_at=at,
    )


@pytest.fixture(scope="module")
def bus(runtime: Runtime) -> InProcessBus:
    return InProcessBus(appraisal_service.subscriptions(), lambda _service: runtime.sessions)


@pytest.fixture()
def tenant(bus: InProcessBus) -> str:
    """A fresh township: window w1 (A post huang, B post li; serves item i1 and i2), window w2 of
    department civil, staff huang, li (window w1) and zhao (window w2)."""
    county = f"c{uuid.uuid4().hex[:8]}"
    tenant = f"{county}.napo"
    onboarded = gw_events.TownshipOnboarded(
        tenant_id=tenant,
        county=county,
        code="napo",
        name="那坡镇",
        villages=[township_pb2.Village(code="v1", name="一村")],
        onboarded_at=stamp(AT - timedelta(days=60)),
    )
    bus.publish(envelope(tenant, "gateway", onboarded, AT - timedelta(days=60)))
    for username, window in (("huang", "w1"), ("li", "w1"), ("zhao", "w2")):
        saved = gw_events.StaffSaved(
            username=username, name=username, roles=[staff_pb2.ROLE_WINDOW_STAFF], window=window, active=True
        )
        bus.publish(envelope(tenant, "gateway", saved))
    for code, department, items, posts in (
        ("w1", "land", ["i1", "i2"], organisation_pb2.WindowPosts(a="huang", b="li")),
        ("w2", "civil", [], organisation_pb2.WindowPosts(a="zhao")),
    ):
        w = organisation_pb2.Window(
            code=code, name=f"{code}窗口", department=department, item_codes=items, posts=posts
        )
        bus.publish(envelope(tenant, "gateway", gw_events.WindowSaved(window=w)))
    return tenant


def events(runtime: Runtime, tenant: str) -> list[tuple[str, str, str, float, str]]:
    """(rule, subject type, subject id, points, ref) of every score event of the township — and
    no event of the township or its county failed in a consumer."""
    with db.transaction(runtime.ops_sessions, None) as s:
        failed = s.execute(
            sa.text("SELECT consumer, last_error FROM appraisal.failed_event WHERE tenant_id IN (:t, :c)"),
            {"t": tenant, "c": tenant.split(".")[0] + ".*"},
        ).all()
    assert not failed, failed
    t = tables.score_event
    with db.transaction(runtime.sessions, tenant) as s:
        rows = s.execute(
            sa.select(t.c.rule_code, t.c.subject_type, t.c.subject_id, t.c.points, t.c.ref).order_by(
                t.c.rule_code, t.c.subject_type, t.c.subject_id, t.c.ref
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def facts_of(runtime: Runtime, tenant: str, rule: str) -> dict:
    t = tables.score_event
    with db.transaction(runtime.sessions, tenant) as s:
        return dict(s.execute(sa.select(t.c.facts).where(t.c.rule_code == rule).limit(1)).scalar_one())


def outbox_types(runtime: Runtime, tenant: str) -> list[str]:
    with db.transaction(runtime.ops_sessions, None) as s:
        return list(
            s.execute(
                sa.text("SELECT event_type FROM appraisal.outbox WHERE tenant_id = :t ORDER BY id"),
                {"t": tenant},
            ).scalars()
        )


def summary(case_id: str, window: str = "w1", handler: str = "li", version: int = 3) -> case_pb2.CaseSummary:
    return case_pb2.CaseSummary(
        case_id=case_id,
        number="n-1",
        item_code="i1",
        item_name="低保申请",
        window=window,
        handler=handler,
        version=version,
    )


def test_a_case_completed_late_deducts_the_window_the_handler_and_the_window_head(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    case_id = str(uuid.uuid4())
    late = events_pb2.CaseCompleted(
        case=summary(case_id), actor="li", completed_at=stamp(AT), overdue=True, working_days_late=2
    )
    first = envelope(tenant, "intake", late)
    bus.publish(first)
    bus.publish(first)  # the bus redelivers
    bus.publish(envelope(tenant, "intake", late))  # intake re-publishes the same completion
    on_time = events_pb2.CaseCompleted(case=summary(str(uuid.uuid4())), completed_at=stamp(AT), overdue=False)
    bus.publish(envelope(tenant, "intake", on_time))
    ref = f"case:{case_id}"
    assert events(runtime, tenant) == [
        ("S-JI-01", "staff", "huang", -10.0, ref),  # the window head (A post of w1)
        ("S-JI-01", "staff", "li", -10.0, ref),  # the handler
        ("W-SVC-07", "window", "w1", -10.0, ref),
    ]
    snapshot = facts_of(runtime, tenant, "W-SVC-07")
    assert snapshot["overdue"] is True and snapshot["working_days_late"] == 2
    assert outbox_types(runtime, tenant).count("score_event_recorded") == 3


def test_a_second_supplement_deducts_the_window_and_the_acting_staff_member(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    first_case, unassigned = str(uuid.uuid4()), str(uuid.uuid4())
    one_time = events_pb2.CaseSupplementRequested(
        case=summary(first_case, version=2), actor="li", second_request=False, requested_at=stamp(AT)
    )
    second = events_pb2.CaseSupplementRequested(
        case=summary(first_case, version=4), actor="li", second_request=True, requested_at=stamp(AT)
    )
    # before assignment the case has no window: the acting staff member's (zhao → w2)
    early = events_pb2.CaseSupplementRequested(
        case=summary(unassigned, window="", handler="", version=4),
        actor="zhao",
        second_request=True,
        requested_at=stamp(AT),
    )
    for message in (one_time, second, second, early):
        bus.publish(envelope(tenant, "intake", message))
    assert events(runtime, tenant) == [
        ("S-NENG-02", "staff", "li", -0.5, f"case:{first_case}:v4"),
        ("S-NENG-02", "staff", "zhao", -0.5, f"case:{unassigned}:v4"),
        ("W-SVC-02", "window", "w1", -1.0, f"case:{first_case}"),
        ("W-SVC-02", "window", "w2", -1.0, f"case:{unassigned}"),
    ]


def test_a_return_without_a_detailed_reason_deducts_the_window(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    bare, detailed = str(uuid.uuid4()), str(uuid.uuid4())
    for case_id, ok in ((bare, False), (detailed, True)):
        message = events_pb2.CaseReturned(
            case=summary(case_id), actor="li", reason="不符", reason_detailed=ok, returned_at=stamp(AT)
        )
        bus.publish(envelope(tenant, "intake", message))
    assert events(runtime, tenant) == [("W-SVC-03", "window", "w1", -1.0, f"case:{bare}")]


def decided(petition: str, kind: int, subject: str, ground: int, verified: bool = True) -> Message:
    return events_pb2.ComplaintDecided(
        petition_id=petition,
        verified=verified,
        ground=ground,
        decided_at=stamp(AT),
        subject=petition_pb2.ComplaintSubject(type=kind, id=subject),
    )


def test_verified_complaints_deduct_by_ground(runtime: Runtime, bus: InProcessBus, tenant: str) -> None:
    window, staff = petition_pb2.COMPLAINT_SUBJECT_TYPE_WINDOW, petition_pb2.COMPLAINT_SUBJECT_TYPE_STAFF
    g = petition_pb2
    cases = {
        "p-window-attitude": (window, "w2", g.COMPLAINT_GROUND_ATTITUDE, True),
        "p-window-discipline": (window, "w2", g.COMPLAINT_GROUND_DISCIPLINE, True),
        "p-staff-attitude": (staff, "li", g.COMPLAINT_GROUND_ATTITUDE, True),
        "p-staff-quality": (staff, "zhao", g.COMPLAINT_GROUND_QUALITY, True),
        "p-groundless": (staff, "li", g.COMPLAINT_GROUND_ATTITUDE, False),
    }
    for petition, (kind, subject, ground, verified) in cases.items():
        message = decided(petition, kind, subject, ground, verified)
        bus.publish(envelope(tenant, "intake", message))
        bus.publish(envelope(tenant, "intake", message))  # re-published: once
    assert events(runtime, tenant) == [
        ("S-DE-03", "staff", "li", -2.0, "complaint:p-staff-attitude"),
        ("S-JI-03", "staff", "zhao", -2.0, "complaint:p-staff-quality"),
        ("W-DIS-05", "window", "w2", -2.0, "complaint:p-window-discipline"),
        ("W-DIS-08", "window", "w1", -2.0, "complaint:p-staff-attitude"),  # li's window
        ("W-DIS-08", "window", "w2", -2.0, "complaint:p-staff-quality"),
        ("W-DIS-08", "window", "w2", -2.0, "complaint:p-window-attitude"),
    ]


def test_a_forwarded_complaint_answered_late_deducts_per_working_day_and_in_time_adds(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    due = datetime(2026, 11, 6, 9, tzinfo=UTC)  # Friday
    late_answer = datetime(2026, 11, 11, 2, tzinfo=UTC)  # Wednesday: Mon, Tue, Wed = 3 working days late
    complaint = petition_pb2.PETITION_KIND_COMPLAINT
    late = events_pb2.PetitionAnswered(
        petition_id="p-late",
        kind=complaint,
        department="civil",
        on_time=False,
        days_late=5,
        answered_at=stamp(late_answer),
        answer_due_at=stamp(due),
    )
    in_time = events_pb2.PetitionAnswered(
        petition_id="p-ok",
        kind=complaint,
        department="civil",
        on_time=True,
        answered_at=stamp(AT),
        answer_due_at=stamp(AT + timedelta(days=3)),
    )
    not_forwarded = events_pb2.PetitionAnswered(
        petition_id="p-own",
        kind=petition_pb2.PETITION_KIND_PETITION,
        on_time=False,
        days_late=2,
        answered_at=stamp(AT),
    )
    for message in (late, late, in_time, not_forwarded):
        bus.publish(envelope(tenant, "intake", message, late_answer))
    assert events(runtime, tenant) == [
        ("W-BON-03", "window", "w2", 1.0, "complaint:p-ok"),  # the civil department's window
        ("W-DIS-06", "window", "w2", -3.0, "complaint:p-late"),
    ]
    assert facts_of(runtime, tenant, "W-DIS-06")["working_days_late"] == 3


def item_saved(code: str, promised: int, statutory: int = 20) -> Message:
    item = catalogue_pb2.CatalogueItem(
        code=code, name="事项", statutory_days=statutory, promised_days=promised
    )
    return events_pb2.CatalogueItemSaved(item=item, actor="admin")


def test_an_item_made_immediate_or_its_limit_halved_adds_to_the_windows_serving_it(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    steps = [("i1", 10), ("i2", 10), ("i1", 0), ("i2", 4), ("i2", 2)]  # first saves are the baseline
    for n, (code, promised) in enumerate(steps):
        bus.publish(envelope(tenant, "intake", item_saved(code, promised), AT + timedelta(minutes=n)))
    county = tenant.split(".")[0] + ".*"
    bus.publish(envelope(county, "intake", item_saved("i1", 5), AT + timedelta(minutes=9)))  # the template
    assert events(runtime, tenant) == [
        ("W-BON-05", "window", "w1", 1.0, "item:i1"),
        ("W-BON-06", "window", "w1", 2.0, "item:i2"),  # once per item, though halved twice
    ]


def test_a_countys_own_rulebook_scores_from_the_month_it_is_activated(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    """Seed 001 第五篇's variant stored for the county and activated from this month: this
    month's late completion falls under its rules (T-EFF-01/02), last month's under the default's."""
    county = tenant.split(".")[0]
    admin = Principal("ca", frozenset({"county_admin"}), frozenset({f"{county}.*"}), county=county)
    rulebooks.put(runtime.sessions, admin, "tongshan", rulebook_files.read("tongshan"))
    now = datetime.now(UTC)
    this_month = now.astimezone(TZ).strftime("%Y-%m")
    rulebooks.activate(runtime.sessions, admin, "tongshan", this_month, tz=TZ)
    for at in (now, now - timedelta(days=40)):
        case_id = str(uuid.uuid4())
        late = events_pb2.CaseCompleted(case=summary(case_id), completed_at=stamp(at), overdue=True)
        bus.publish(envelope(tenant, "intake", late, at))
    found = events(runtime, tenant)
    assert sorted(rule for rule, *_ in found) == ["S-JI-01", "S-JI-01", "T-EFF-01", "T-EFF-02", "W-SVC-07"]
    with db.transaction(runtime.sessions, tenant) as s:
        query = sa.select(tables.score_event.c.rule_code, tables.score_event.c.rulebook_id)
        books = {code: book for code, book in s.execute(query).tuples()}
    assert books["T-EFF-01"] == "tongshan" and books["W-SVC-07"] == "default"
