"""The judge-attendance job on the migrated database (services/appraisal/service_layer/
attendance_judging.py): each half-day judged once, the day after (not the day itself), working
days only; the statuses and minutes of `attendance_judged`, `window_unstaffed` when neither A nor
B was on post (not when a substitute was named), a second round judges nothing again, and the
attendance day reads the judgment afterwards."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from libs.common import db
from libs.common.errors import Forbidden, ValidationFailed
from libs.common.runtime import Runtime
from services.appraisal.adapters import tables
from services.appraisal.service_layer import attendance, attendance_judging, leaves
from tests.integration.appraisal.workforce_support import count, events, township, who

pytestmark = pytest.mark.integration

CST = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.fixture
def tenant(runtime: Runtime) -> str:
    tenant = township(runtime, f"c{uuid.uuid4().hex[:8]}.napo")
    # onboarded on Fri 7 Feb 2025: the rounds below look back to it, not before
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(tables.tenant.update().values(onboarded_at=local("2025-02-07 09:00")))
    return tenant


def sign(runtime: Runtime, tenant: str, username: str, *whens: str) -> None:
    rows = [attendance.ImportRow(f"row {i}", username, local(w)) for i, w in enumerate(whens)]
    attendance.import_sign_ins(
        runtime.sessions, who(tenant, "admin"), tenant, rows, now=local("2025-02-12 20:00")
    )


def judge(runtime: Runtime, tenant: str, now: str) -> tuple[int, int, int]:
    return attendance_judging.judge_township(runtime.sessions, tenant, local(now))


def judged(runtime: Runtime, tenant: str, day: str) -> dict[tuple[str, str], tuple]:
    return {
        (e["payload"]["username"], e["payload"]["half"]): (
            e["payload"]["status"],
            e["payload"].get("late_minutes", 0),
            e["payload"].get("early_minutes", 0),
        )
        for e in events(runtime, tenant, "attendance_judged")
        if e["payload"]["date"] == day
    }


def test_a_day_is_judged_once_the_day_after(runtime: Runtime, tenant: str) -> None:
    sign(runtime, tenant, "zhang", "2025-02-10 08:29", "2025-02-10 14:44")
    sign(runtime, tenant, "li", "2025-02-10 08:50")
    # on the day itself nothing of it is judged; Fri 7 (onboarding day) and the adjusted Sat 8 are
    assert judge(runtime, tenant, "2025-02-10 18:00") == (2, 12, 8)  # nobody signed in: both windows
    assert judged(runtime, tenant, "2025-02-10") == {}

    assert judge(runtime, tenant, "2025-02-11 01:30") == (1, 6, 2)
    assert judged(runtime, tenant, "2025-02-10") == {
        ("zhang", "am"): ("present", 0, 0),
        ("zhang", "pm"): ("late", 14, 0),
        ("li", "am"): ("absent_half_day", 20, 0),  # later than 15 minutes
        ("li", "pm"): ("absent_half_day", 0, 0),
        ("wang", "am"): ("absent_half_day", 0, 0),
        ("wang", "pm"): ("absent_half_day", 0, 0),
    }
    [event] = [
        e
        for e in events(runtime, tenant, "attendance_judged")
        if e["payload"]["ref"] == "attendance:zhang:2025-02-10:pm"
    ]
    assert event["payload"]["window"] == "w1"
    unstaffed = [
        e["payload"]
        for e in events(runtime, tenant, "window_unstaffed")
        if e["payload"]["date"] == "2025-02-10"
    ]
    # w1 had zhang both halves; w2's only post (wang) was absent both halves
    assert unstaffed == [
        {
            "ref": "window:w2:2025-02-10:am",
            "window": "w2",
            "date": "2025-02-10",
            "half": "am",
            "minutes": 180,
        },
        {
            "ref": "window:w2:2025-02-10:pm",
            "window": "w2",
            "date": "2025-02-10",
            "half": "pm",
            "minutes": 210,
        },
    ]
    assert judge(runtime, tenant, "2025-02-11 02:30") == (0, 0, 0)  # judged once
    # a sign-in back-filled afterwards does not change a judged day
    sign(runtime, tenant, "wang", "2025-02-10 08:00")
    assert judge(runtime, tenant, "2025-02-11 03:30") == (0, 0, 0)
    day = {
        d.username: d
        for d in attendance.list_days(runtime.sessions, who(tenant, "admin"), tenant, "2025-02-10")
    }
    assert (day["wang"].status, day["wang"].judged) == ("absent", True)
    assert count(runtime, tenant, tables.attendance_judgment) == 18


def test_a_leave_is_on_leave_and_its_substitute_staffs_the_window(runtime: Runtime, tenant: str) -> None:
    now = datetime(2025, 2, 6, 1, tzinfo=UTC)
    leave = leaves.request_leave(
        runtime.sessions,
        who(tenant, "admin"),
        tenant,
        username="wang",
        from_date="2025-02-10",
        to_date="2025-02-10",
        reason="病假",
        substitute="黄代岗",
        substitute_letter="计生办函〔2025〕1号",
        tz=CST,
        now=now,
    )
    leaves.decide(runtime.sessions, who(tenant, "head"), tenant, leave.id, approved=True, reason="", now=now)
    sign(runtime, tenant, "zhang", "2025-02-10 08:20", "2025-02-10 14:20")
    judge(runtime, tenant, "2025-02-11 01:30")
    found = judged(runtime, tenant, "2025-02-10")
    assert found[("wang", "am")] == found[("wang", "pm")] == ("on_leave", 0, 0)
    assert [
        e for e in events(runtime, tenant, "window_unstaffed") if e["payload"]["date"] == "2025-02-10"
    ] == []


def test_the_job_judges_every_active_township(runtime: Runtime, tenant: str) -> None:
    report = attendance_judging.judge_all(
        runtime.sessions, runtime.ops_sessions, local("2025-02-11 01:30"), townships=[tenant]
    )
    assert (report.townships, report.days, report.failed) == (1, 3, 0)


def test_a_spot_check_finding_off_post_is_judged_off_post(runtime: Runtime, tenant: str) -> None:
    sign(runtime, tenant, "zhang", "2025-02-10 08:20", "2025-02-10 14:20")
    now = local("2025-02-10 20:00")
    check = attendance.record_spot_check(
        runtime.sessions,
        who(tenant, "admin"),
        tenant,
        "zhang",
        local("2025-02-10 15:10"),
        "off_post",
        now=now,
    )
    assert (check.half, check.recorded_by) == ("pm", "admin")
    with pytest.raises(Forbidden):
        attendance.record_spot_check(
            runtime.sessions,
            who(tenant, "li"),
            tenant,
            "zhang",
            local("2025-02-10 15:10"),
            "off_post",
            now=now,
        )
    for bad in (
        ("nobody", "2025-02-10 15:10", "off_post"),
        ("zhang", "2025-02-09 15:10", "off_post"),
        ("zhang", "2025-02-10 15:10", "asleep"),
    ):
        with pytest.raises(ValidationFailed):
            attendance.record_spot_check(
                runtime.sessions, who(tenant, "admin"), tenant, bad[0], local(bad[1]), bad[2], now=now
            )
    judge(runtime, tenant, "2025-02-11 01:30")
    found = judged(runtime, tenant, "2025-02-10")
    assert (found[("zhang", "am")][0], found[("zhang", "pm")][0]) == ("present", "off_post")
    # off post is not on post: w1 has li absent too, so its afternoon was unstaffed
    unstaffed = {e["payload"]["ref"] for e in events(runtime, tenant, "window_unstaffed")}
    assert "window:w1:2025-02-10:pm" in unstaffed and "window:w1:2025-02-10:am" not in unstaffed
