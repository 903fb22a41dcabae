"""A/B posts in action on the migrated database (services/intake/service_layer/posts.py): window
staff act only on cases of their own window's items; while A is on an approved leave — told by
appraisal's real `leave_approved` through the bus to intake's subscription — B acts with A's
authority on A's window and finds A's open cases among their own; when the leave ends (cancelled,
or past its last day) that authority ends. A refused action changes nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bianmin.appraisal.v1 import events_pb2 as appraisal_events
from google.protobuf.message import Message

from libs.common import db
from libs.common.errors import Forbidden
from libs.common.messaging import Envelope, data_of, event_type_of
from libs.common.messaging.inprocess import InProcessBus
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.intake.adapters import tables
from services.intake.entrypoints import service as intake_service
from services.intake.service_layer import case_listing, cases
from tests.integration.intake.test_case_details import onboard
from tests.integration.intake.test_case_store import COMPLETE

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Asia/Shanghai")
RECEIVED = replace(COMPLETE, accept_if_complete=False)


def who(tenant: str, username: str, *roles: str) -> Principal:
    return Principal(
        username, frozenset(roles or ("window_staff",)), frozenset({tenant}), tenant.split(".")[0]
    )


@pytest.fixture(scope="module")
def bus(runtime: Runtime) -> InProcessBus:
    return InProcessBus(intake_service.subscriptions(), lambda _service: runtime.sessions)


@pytest.fixture
def tenant(runtime: Runtime) -> str:
    """w_civil serves the item, A post `a_civil`, B post `b_civil` (whose own window is w_land, which
    serves nothing of it); `land` works at w_land."""
    tenant = f"c{uuid.uuid4().hex[:8]}.napo"
    onboard(runtime, tenant)
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.window.update()
            .where(tables.window.c.code == "w_civil")
            .values(post_a="a_civil", post_b="b_civil")
        )
        s.execute(
            tables.window.insert().values(tenant_id=tenant, code="w_land", department="land", post_a="land")
        )
        for username, window in (("a_civil", "w_civil"), ("b_civil", "w_land"), ("land", "w_land")):
            s.execute(
                tables.staff.insert().values(
                    tenant_id=tenant, username=username, window=window, event_at=datetime.now(UTC)
                )
            )
    return tenant


def told(tenant: str, message: Message) -> Envelope:
    return Envelope.new(
        source="appraisal", event_type=event_type_of(message), tenant_id=tenant, data=data_of(message)
    )


def leave(bus: InProcessBus, tenant: str, username: str, first: int, last: int) -> str:
    """An approved leave from `first` to `last` days from today (county time), as appraisal tells it."""
    today = datetime.now(UTC).astimezone(TZ).date()
    leave_id = str(uuid.uuid4())
    first_day, last_day = today + timedelta(days=first), today + timedelta(days=last)
    approved = appraisal_events.LeaveApproved(
        leave_id=leave_id, username=username, from_date=first_day.isoformat(), to_date=last_day.isoformat()
    )
    bus.publish(told(tenant, approved))
    return leave_id


def assigned_to_a(runtime: Runtime, tenant: str) -> str:
    case = cases.create(runtime.sessions, who(tenant, "desk", "intake_desk"), tenant, RECEIVED).case
    a = who(tenant, "a_civil")
    v = cases.act(runtime.sessions, a, tenant, case.id, case.version, "accept").case.version
    cases.act(runtime.sessions, a, tenant, case.id, v, "assign", handler="a_civil")
    return case.id


def version(runtime: Runtime, tenant: str, case_id: str) -> int:
    return cases.get(runtime.sessions, who(tenant, "a_civil"), tenant, case_id).case.version


def mine(runtime: Runtime, tenant: str, username: str) -> set[str]:
    page = case_listing.list_cases(
        runtime.sessions, who(tenant, username), tenant, TZ, case_listing.Listing(handler=username)
    )
    return {v.case.id for v in page.items}


def test_window_staff_act_only_on_their_own_windows_cases(runtime: Runtime, tenant: str) -> None:
    case = cases.create(runtime.sessions, who(tenant, "desk", "intake_desk"), tenant, RECEIVED).case
    for outsider in ("land", "b_civil"):  # another window's staff; the B while A is on post
        with pytest.raises(Forbidden, match="own window"):
            cases.act(runtime.sessions, who(tenant, outsider), tenant, case.id, case.version, "accept")
    assert version(runtime, tenant, case.id) == case.version  # nothing changed
    accepted = cases.act(runtime.sessions, who(tenant, "a_civil"), tenant, case.id, case.version, "accept")
    assert accepted.case.state == "accepted"
    # the township admin still acts on every case of the township
    admin = who(tenant, "boss", "township_admin")
    cases.act(runtime.sessions, admin, tenant, case.id, accepted.case.version, "assign", handler="a_civil")


def test_b_acts_for_a_while_a_is_on_leave_and_no_longer_after(
    runtime: Runtime, bus: InProcessBus, tenant: str
) -> None:
    case_id = assigned_to_a(runtime, tenant)
    b = who(tenant, "b_civil")
    assert case_id not in mine(runtime, tenant, "b_civil")
    leave_id = leave(bus, tenant, "a_civil", -1, 1)  # away yesterday to tomorrow
    assert case_id in mine(runtime, tenant, "b_civil")  # A's open case, beside B's own
    v = cases.act(runtime.sessions, b, tenant, case_id, version(runtime, tenant, case_id), "extend",
                  working_days=2, reason="材料核查").case.version  # fmt: skip
    # a new case of A's window too
    fresh = cases.create(runtime.sessions, who(tenant, "desk", "intake_desk"), tenant, RECEIVED).case
    assert cases.act(runtime.sessions, b, tenant, fresh.id, fresh.version, "accept").case.state == "accepted"
    # the leave is cancelled: B's authority over w_civil ends with it
    bus.publish(told(tenant, appraisal_events.LeaveCancelled(leave_id=leave_id, username="a_civil")))
    with pytest.raises(Forbidden):
        cases.act(runtime.sessions, b, tenant, case_id, v, "complete", outcome="approved")
    assert case_id not in mine(runtime, tenant, "b_civil") and version(runtime, tenant, case_id) == v
    # a leave that ended yesterday (or starts tomorrow) lends nothing
    leave(bus, tenant, "a_civil", -3, -1)
    leave(bus, tenant, "a_civil", 1, 2)
    with pytest.raises(Forbidden):
        cases.act(runtime.sessions, b, tenant, case_id, v, "complete", outcome="approved")
    assert cases.act(runtime.sessions, who(tenant, "a_civil"), tenant, case_id, v, "complete",
                     outcome="approved").case.state == "completed"  # fmt: skip
