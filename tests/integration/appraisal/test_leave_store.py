"""Leaves on the migrated database (services/appraisal/service_layer/leaves.py): working days on
the township's calendar projection (the 2025 Spring Festival, an adjusted working Saturday, a
township's own day off), who decides, the A/B rule with other leaves, events in the outbox with
the change, and a refused request stores nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from libs.common.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from libs.common.runtime import Runtime
from services.appraisal.adapters import tables
from services.appraisal.service_layer import leaves
from tests.integration.appraisal.workforce_support import count, events, township, township_day_off, who

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 1, 20, 2, 0, tzinfo=UTC)  # Mon 20 Jan 2025, 10:00 local


@pytest.fixture
def tenant(runtime: Runtime) -> str:
    return township(runtime, f"c{uuid.uuid4().hex[:8]}.napo")


def ask(
    runtime: Runtime, tenant: str, first: str, last: str, username: str = "zhang", by: str | None = None, **kw
):  # type: ignore[no-untyped-def]
    return leaves.request_leave(
        runtime.sessions,
        who(tenant, by or username),
        tenant,
        username=username,
        from_date=first,
        to_date=last,
        reason="家中有事",
        tz=TZ,
        now=kw.pop("now", NOW),
        **kw,
    )


def decide(
    runtime: Runtime, tenant: str, leave_id: str, by: str, approved: bool = True, reason: str = "同意"
):  # type: ignore[no-untyped-def]
    return leaves.decide(
        runtime.sessions, who(tenant, by), tenant, leave_id, approved=approved, reason=reason, now=NOW
    )


def test_a_leave_across_the_spring_festival_is_two_working_days_for_the_township_leader(
    runtime: Runtime, tenant: str
) -> None:
    leave = ask(runtime, tenant, "2025-01-27", "2025-02-05")
    assert (leave.state, leave.working_days, leave.approver_role) == ("pending", 2, "township_leader")
    with pytest.raises(Forbidden):
        decide(runtime, tenant, leave.id, "head")
    approved = decide(runtime, tenant, leave.id, "lead")
    assert (approved.state, approved.decided_by) == ("approved", "lead")
    [event] = events(runtime, tenant, "leave_approved")
    assert event["payload"] == {
        "leave_id": leave.id,
        "username": "zhang",
        "from_date": "2025-01-27",
        "to_date": "2025-02-05",
    }
    assert events(runtime, tenant, "leave_rule_broken") == []


def test_an_adjusted_working_saturday_counts_and_a_township_day_off_does_not(
    runtime: Runtime, tenant: str
) -> None:
    assert ask(runtime, tenant, "2025-02-08", "2025-02-09").working_days == 1  # Sat worked (调休), Sun off
    township_day_off(runtime, tenant, date(2025, 2, 12))
    leave = ask(runtime, tenant, "2025-02-11", "2025-02-12")  # Wed 12 Feb: the township's own day off
    assert (leave.working_days, leave.approver_role) == (1, "centre_head")


def test_a_centre_head_decides_one_day_and_a_rejection_tells_nobody(runtime: Runtime, tenant: str) -> None:
    leave = ask(runtime, tenant, "2025-02-05", "2025-02-05", username="li")
    for other in ("lead", "admin", "zhang"):
        with pytest.raises(Forbidden):
            decide(runtime, tenant, leave.id, other)
    rejected = decide(runtime, tenant, leave.id, "head", approved=False, reason="办件多")
    assert (rejected.state, rejected.decision_reason) == ("rejected", "办件多")
    with pytest.raises(InvalidTransition):
        decide(runtime, tenant, leave.id, "head")
    assert events(runtime, tenant, "leave_approved", "leave_cancelled") == []


def test_the_other_post_away_needs_a_substitute_with_its_letter(runtime: Runtime, tenant: str) -> None:
    ask(runtime, tenant, "2025-02-06", "2025-02-07", username="li")  # B's pending leave counts as away
    with pytest.raises(ValidationFailed, match="w1 on 2025-02-06"):
        ask(runtime, tenant, "2025-02-05", "2025-02-06")
    with pytest.raises(ValidationFailed, match="letter"):
        ask(runtime, tenant, "2025-02-05", "2025-02-06", substitute="黄代岗")
    assert count(runtime, tenant, tables.leave) == 1  # nothing stored by the refusals
    leave = ask(
        runtime,
        tenant,
        "2025-02-05",
        "2025-02-06",
        substitute="黄代岗",
        substitute_letter="民政办函〔2025〕3号",
    )
    decide(runtime, tenant, leave.id, "lead")
    [event] = events(runtime, tenant, "leave_approved")
    assert event["payload"]["substitute"] == "黄代岗"


def test_a_window_without_b_needs_a_substitute(runtime: Runtime, tenant: str) -> None:
    with pytest.raises(ValidationFailed, match="w2"):
        ask(runtime, tenant, "2025-02-05", "2025-02-05", username="wang")


@pytest.mark.parametrize(
    ("first", "last", "username"),
    [
        ("2025-02-06", "2025-02-05", "zhang"),  # ends before it starts
        ("2025-01-28", "2025-02-02", "zhang"),  # no working day (the festival)
        ("2025-02-05", "2025-02-05", "nobody"),  # unknown user
        ("2025-02-05", "2025-02-05", "gone"),  # no longer active
        ("2025-2-5", "2025-02-05", "zhang"),  # not a strict date
    ],
)
def test_invalid_requests_store_nothing(
    runtime: Runtime, tenant: str, first: str, last: str, username: str
) -> None:
    with pytest.raises(ValidationFailed):
        ask(runtime, tenant, first, last, username=username, by="admin")
    assert count(runtime, tenant, tables.leave) == 0 and events(runtime, tenant) == []


def test_a_staff_member_asks_only_for_themself_and_overlaps_are_refused(
    runtime: Runtime, tenant: str
) -> None:
    with pytest.raises(Forbidden):
        ask(runtime, tenant, "2025-02-05", "2025-02-05", username="li", by="zhang")
    ask(runtime, tenant, "2025-02-05", "2025-02-05", username="li", by="admin")
    with pytest.raises(ValidationFailed, match="already has"):
        ask(runtime, tenant, "2025-02-04", "2025-02-06", username="li")


def test_a_leave_asked_after_it_began_breaks_the_rule(runtime: Runtime, tenant: str) -> None:
    late = datetime(2025, 2, 5, 1, 0, tzinfo=UTC)  # 09:00 local on the leave's first day, after 08:30
    leave = ask(runtime, tenant, "2025-02-05", "2025-02-05", now=late)
    decide(runtime, tenant, leave.id, "head")
    [broken] = events(runtime, tenant, "leave_rule_broken")
    assert broken["payload"] == {
        "ref": f"leave:{leave.id}:S-QIN-05",
        "username": "zhang",
        "window": "w1",
        "rule": "S-QIN-05",
        "leave_id": leave.id,
    }


def test_cancelling_an_approved_leave_tells_it(runtime: Runtime, tenant: str) -> None:
    leave = ask(runtime, tenant, "2025-02-05", "2025-02-05")
    decide(runtime, tenant, leave.id, "head")
    with pytest.raises(Forbidden):  # another's leave is not theirs to cancel
        leaves.cancel(runtime.sessions, who(tenant, "li"), tenant, leave.id, tz=TZ, now=NOW)
    cancelled = leaves.cancel(runtime.sessions, who(tenant, "zhang"), tenant, leave.id, tz=TZ, now=NOW)
    assert cancelled.state == "cancelled"
    assert [e["event_type"] for e in events(runtime, tenant, "leave_approved", "leave_cancelled")] == [
        "leave_approved",
        "leave_cancelled",
    ]


def test_listing_staff_see_their_own_and_the_approvers_everyone(runtime: Runtime, tenant: str) -> None:
    a = ask(runtime, tenant, "2025-02-05", "2025-02-05")
    b = ask(runtime, tenant, "2025-02-10", "2025-02-10", username="li")
    everyone = leaves.list_leaves(runtime.sessions, who(tenant, "head"), tenant)
    assert [x.id for x in everyone.items] == [a.id, b.id]
    mine = leaves.list_leaves(runtime.sessions, who(tenant, "li"), tenant)
    assert [x.id for x in mine.items] == [b.id]
    first = leaves.list_leaves(runtime.sessions, who(tenant, "admin"), tenant, page_size=1)
    assert [x.id for x in first.items] == [a.id] and first.next_page_token
    second = leaves.list_leaves(
        runtime.sessions, who(tenant, "admin"), tenant, page_size=1, page_token=first.next_page_token
    )
    assert [x.id for x in second.items] == [b.id] and not second.next_page_token
    assert leaves.list_leaves(runtime.sessions, who(tenant, "admin"), tenant, state="approved").items == []


def test_another_township_does_not_see_the_leave(runtime: Runtime, tenant: str) -> None:
    leave = ask(runtime, tenant, "2025-02-05", "2025-02-05")
    other = township(runtime, f"c{uuid.uuid4().hex[:8]}.baixin")
    with pytest.raises(NotFound):
        leaves.decide(runtime.sessions, who(other, "head"), other, leave.id, approved=True, reason="")
    with pytest.raises(NotFound):
        leaves.decide(runtime.sessions, who(other, "head"), tenant, leave.id, approved=True, reason="")
