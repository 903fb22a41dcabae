"""The leave aggregate (DOMAIN.md §8): working days on the tenant's calendar (a holiday inside a
leave, an adjusted working weekend 调休), who decides (seed 004 第五篇), the A/B rule (seed 001
第二十三條（五）) and the broken rule of a leave not asked in advance."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from libs.common.calendar import tenant_calendar
from libs.common.errors import Forbidden, InvalidTransition, ValidationFailed
from libs.common.tenancy import Principal
from services.appraisal.domain import leave as lv
from services.appraisal.domain.leave import Leave, LeaveApproved, LeaveCancelled, LeaveRuleBroken, Post

CAL = tenant_calendar(2025, 2025)  # the national calendar of 2025 (published)
AT = datetime(2025, 1, 20, 1, 0, tzinfo=UTC)
TENANT = "tianyang.napo"


def working(day: date) -> bool:
    return CAL.day_info(day).working


def who(username: str, *roles: str) -> Principal:
    return Principal(username, frozenset(roles), frozenset({TENANT}), "tianyang")


def ask(first: date, last: date, **kw) -> Leave:
    args = {
        "username": "zhang",
        "first": first,
        "last": last,
        "reason": "家中有事",
        "requested_by": "zhang",
        "at": AT,
        "is_working": working,
    } | kw
    return Leave.request(**args)


def test_a_leave_across_the_spring_festival_counts_only_its_working_days() -> None:
    # Mon 27 Jan worked; 28 Jan – 4 Feb the festival (weekend inside); Wed 5 Feb worked
    leave = ask(date(2025, 1, 27), date(2025, 2, 5))
    assert (leave.working_days, leave.approver_role, leave.state) == (2, "township_leader", "pending")


def test_an_adjusted_working_saturday_counts_and_the_sunday_does_not() -> None:
    # Sat 8 Feb 2025 is worked (调休上班), Sun 9 Feb is not
    assert ask(date(2025, 2, 8), date(2025, 2, 9)).working_days == 1
    assert ask(date(2025, 2, 8), date(2025, 2, 9)).approver_role == "centre_head"
    assert ask(date(2025, 2, 7), date(2025, 2, 9)).working_days == 2


def test_a_township_override_changes_the_count() -> None:
    cal = tenant_calendar(2025, 2025, township_overrides={date(2025, 2, 7): False})  # a local festival
    leave = ask(date(2025, 2, 7), date(2025, 2, 9), is_working=lambda d: cal.day_info(d).working)
    assert (leave.working_days, leave.approver_role) == (1, "centre_head")


@pytest.mark.parametrize(
    ("first", "last", "why"),
    [
        (date(2025, 2, 6), date(2025, 2, 5), "ends"),
        (date(2025, 1, 28), date(2025, 2, 2), "no working day"),
        (date(2025, 2, 1), date(2025, 2, 2), "no working day"),
    ],
)
def test_invalid_leaves_are_refused(first: date, last: date, why: str) -> None:
    with pytest.raises(ValidationFailed, match=why):
        ask(first, last)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, None])
def test_a_leave_needs_a_reason(reason: object) -> None:
    with pytest.raises(ValidationFailed):
        ask(date(2025, 2, 5), date(2025, 2, 5), reason=reason)


def test_one_working_day_is_the_centre_heads_and_anyone_else_is_forbidden() -> None:
    leave = ask(date(2025, 2, 5), date(2025, 2, 5))
    for other in (who("li", "township_leader"), who("wu", "township_admin"), who("xu", "window_staff")):
        with pytest.raises(Forbidden):
            leave.approve(other, AT)
    assert leave.state == "pending" and leave.version == 1 and not leave.events
    leave.approve(who("head", "centre_head"), AT, "同意")
    assert (leave.state, leave.decided_by, leave.decision_reason, leave.version) == (
        "approved",
        "head",
        "同意",
        2,
    )
    assert leave.events == [LeaveApproved(leave.id, "zhang", date(2025, 2, 5), date(2025, 2, 5), "")]


def test_two_working_days_are_the_township_leaders() -> None:
    leave = ask(date(2025, 2, 5), date(2025, 2, 6))
    with pytest.raises(Forbidden):
        leave.approve(who("head", "centre_head"), AT)
    leave.reject(who("lead", "township_leader"), AT, "近期办件多")
    assert (leave.state, leave.decision_reason) == ("rejected", "近期办件多") and not leave.events


def test_a_rejection_needs_a_reason_and_nobody_decides_their_own_leave() -> None:
    leave = ask(date(2025, 2, 5), date(2025, 2, 5))
    with pytest.raises(ValidationFailed):
        leave.reject(who("head", "centre_head"), AT, " ")
    with pytest.raises(Forbidden):
        leave.approve(who("zhang", "centre_head"), AT)
    assert leave.state == "pending"


def test_decided_leaves_do_not_move_again() -> None:
    leave = ask(date(2025, 2, 5), date(2025, 2, 5))
    leave.reject(who("head", "centre_head"), AT, "不同意")
    head = who("head", "centre_head")
    actions = (
        lambda: leave.approve(head, AT),
        lambda: leave.reject(head, AT, "x"),
        lambda: leave.cancel(who("zhang"), AT, date(2025, 2, 1)),
    )
    for action in actions:
        with pytest.raises(InvalidTransition):
            action()
    assert leave.state == "rejected"


def test_cancelling_an_approved_leave_tells_it_and_a_past_one_cannot_be_cancelled() -> None:
    leave = ask(date(2025, 2, 5), date(2025, 2, 5))
    leave.approve(who("head", "centre_head"), AT)
    with pytest.raises(InvalidTransition):
        leave.cancel(who("zhang"), AT, date(2025, 2, 6))
    with pytest.raises(Forbidden):
        leave.cancel(who("xu", "window_staff"), AT, date(2025, 2, 5))
    leave.cancel(who("zhang", "window_staff"), AT, date(2025, 2, 5))
    assert (leave.state, leave.cancelled_by) == ("cancelled", "zhang")
    assert leave.events[-1] == LeaveCancelled(leave.id, "zhang")


def test_cancelling_a_pending_leave_tells_nobody() -> None:
    leave = ask(date(2025, 2, 5), date(2025, 2, 5))
    leave.cancel(who("wu", "township_admin"), AT, date(2025, 2, 1))
    assert leave.state == "cancelled" and not leave.events


# --- A/B posts ---------------------------------------------------------------------------------

POSTS = [Post("w1", "zhang", "li"), Post("w2", "wang", "zhang")]


def test_a_leave_with_the_other_post_on_duty_is_fine() -> None:
    leave = ask(date(2025, 2, 5), date(2025, 2, 6), posts=POSTS)
    assert leave.windows == ("w1", "w2")


def test_a_leave_leaving_a_window_empty_needs_a_substitute_with_its_letter() -> None:
    def li_away(username: str, day: date) -> bool:
        return username == "li" and day == date(2025, 2, 6)

    with pytest.raises(ValidationFailed, match="w1 on 2025-02-06") as raised:
        ask(date(2025, 2, 5), date(2025, 2, 6), posts=POSTS, away=li_away)
    assert raised.value.fields["windows"] == ["w1"]
    with pytest.raises(ValidationFailed, match="letter"):
        ask(date(2025, 2, 5), date(2025, 2, 6), posts=POSTS, away=li_away, substitute="黄代岗")
    leave = ask(
        date(2025, 2, 5),
        date(2025, 2, 6),
        posts=POSTS,
        away=li_away,
        substitute="黄代岗",
        substitute_letter="民政办函〔2025〕3号",
    )
    assert (leave.substitute, leave.substitute_letter) == ("黄代岗", "民政办函〔2025〕3号")
    leave.approve(who("lead", "township_leader"), AT)
    assert leave.events == [LeaveApproved(leave.id, "zhang", date(2025, 2, 5), date(2025, 2, 6), "黄代岗")]


def test_a_window_without_a_b_post_needs_a_substitute() -> None:
    with pytest.raises(ValidationFailed):
        ask(date(2025, 2, 5), date(2025, 2, 5), posts=[Post("w3", "zhang", None)])


def test_uncovered_looks_at_working_days_only_given() -> None:
    gaps = lv.uncovered("li", [date(2025, 2, 5)], POSTS, lambda u, d: u == "zhang")
    assert gaps == [("w1", date(2025, 2, 5))]
    assert lv.uncovered("nobody", [date(2025, 2, 5)], POSTS, lambda u, d: True) == []


def test_a_leave_not_asked_in_advance_breaks_the_rule_when_approved() -> None:
    leave = ask(date(2025, 2, 5), date(2025, 2, 5), posts=POSTS, begun=True)
    leave.approve(who("head", "centre_head"), AT)
    broken = leave.events[-1]
    assert broken == LeaveRuleBroken(leave.id, "zhang", "w1", "S-QIN-05", department_approved=False)
    assert broken.ref == f"leave:{leave.id}:S-QIN-05"


def test_approving_checks_the_posts_again() -> None:
    leave = ask(date(2025, 2, 5), date(2025, 2, 5), posts=POSTS)
    with pytest.raises(ValidationFailed, match="w1"):
        leave.approve(who("head", "centre_head"), AT, gaps=[("w1", date(2025, 2, 5))])
    assert leave.state == "pending" and not leave.events
