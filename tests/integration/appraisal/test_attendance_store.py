"""Sign-ins and the attendance day on the migrated database (services/appraisal/service_layer/
attendance.py): by the staff member or back-filled by the township admin (who entered it is
kept), working days of the township's calendar only, an unknown user refused, a device export
all or nothing with every problem listed, duplicates stored once, the day's statuses against the
tenant's sign-in times (the default and a four-times setting), on leave."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from libs.common.errors import Forbidden, ValidationFailed
from libs.common.runtime import Runtime
from services.appraisal.adapters import tables
from services.appraisal.service_layer import attendance, leaves
from services.appraisal.service_layer.attendance import ImportRow
from tests.integration.appraisal.workforce_support import count, township, who

pytestmark = pytest.mark.integration

CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 2, 10, 12, 0, tzinfo=UTC)  # Mon 10 Feb 2025, 20:00 local


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.fixture
def tenant(runtime: Runtime) -> str:
    return township(runtime, f"c{uuid.uuid4().hex[:8]}.napo")


def sign(runtime: Runtime, tenant: str, username: str, when: str, by: str | None = None):  # type: ignore[no-untyped-def]
    return attendance.record_sign_in(
        runtime.sessions, who(tenant, by or username), tenant, username, local(when), now=NOW
    )


def day(runtime: Runtime, tenant: str, date_text: str, by: str = "admin") -> dict[str, tuple]:
    found = attendance.list_days(runtime.sessions, who(tenant, by), tenant, date_text)
    return {d.username: (d.status, d.late_minutes, d.early_minutes, len(d.sign_ins)) for d in found}


def test_sign_ins_by_the_staff_member_and_back_filled(runtime: Runtime, tenant: str) -> None:
    own = sign(runtime, tenant, "zhang", "2025-02-10 08:20")
    assert (own.source, own.entered_by) == ("self", "zhang")
    filled = sign(runtime, tenant, "li", "2025-02-10 08:40", by="admin")
    assert (filled.source, filled.entered_by) == ("back_fill", "admin")
    with pytest.raises(Forbidden):
        sign(runtime, tenant, "li", "2025-02-10 14:20", by="zhang")
    again = sign(runtime, tenant, "zhang", "2025-02-10 08:20")  # the same instant: the same sign-in
    assert again.id == own.id and count(runtime, tenant, tables.sign_in) == 2

    sign(runtime, tenant, "zhang", "2025-02-10 14:29")
    assert day(runtime, tenant, "2025-02-10") == {
        "zhang": ("present", 0, 0, 2),
        "li": ("absent_half_day", 10, 0, 1),  # late 10 min in the morning, no afternoon sign-in
        "wang": ("absent", 0, 0, 0),
    }
    assert day(runtime, tenant, "2025-02-10", by="li") == {"li": ("absent_half_day", 10, 0, 1)}


@pytest.mark.parametrize(
    ("username", "when", "why"),
    [
        ("nobody", "2025-02-10 08:20", "not an active staff member"),
        ("gone", "2025-02-10 08:20", "not an active staff member"),
        ("zhang", "2025-02-09 08:20", "not a working day"),  # a Sunday
        ("zhang", "2025-01-29 08:20", "not a working day"),  # the Spring Festival
        ("zhang", "2025-02-11 08:20", "in the future"),
    ],
)
def test_refused_sign_ins_store_nothing(
    runtime: Runtime, tenant: str, username: str, when: str, why: str
) -> None:
    with pytest.raises(ValidationFailed, match=why):
        sign(runtime, tenant, username, when, by="admin")
    assert count(runtime, tenant, tables.sign_in) == 0


def test_an_adjusted_working_saturday_takes_sign_ins(runtime: Runtime, tenant: str) -> None:
    sign(runtime, tenant, "zhang", "2025-02-08 08:35")  # Sat 8 Feb 2025: 调休上班
    assert day(runtime, tenant, "2025-02-08")["zhang"] == ("absent_half_day", 5, 0, 1)
    sign(runtime, tenant, "zhang", "2025-02-08 14:30")
    assert day(runtime, tenant, "2025-02-08")["zhang"] == ("late", 5, 0, 2)
    with pytest.raises(ValidationFailed):
        day(runtime, tenant, "2025-02-09")  # a Sunday is no attendance day


def test_a_device_export_is_all_or_nothing_with_every_problem(runtime: Runtime, tenant: str) -> None:
    rows = [
        ImportRow("row 2", "zhang", local("2025-02-10 08:29")),
        ImportRow("row 3", "nobody", local("2025-02-10 08:30")),
        ImportRow("row 4", "li", local("2025-02-09 08:30")),
        ImportRow("row 5", "wang", local("2025-02-10 08:31")),
    ]
    with pytest.raises(ValidationFailed) as raised:
        attendance.import_sign_ins(runtime.sessions, who(tenant, "admin"), tenant, rows, now=NOW)
    assert "2 problems" in raised.value.detail
    assert "row 3: 'nobody'" in raised.value.detail and "row 4: 2025-02-09" in raised.value.detail
    assert count(runtime, tenant, tables.sign_in) == 0
    *_, problems = attendance.import_sign_ins(
        runtime.sessions, who(tenant, "admin"), tenant, rows, dry_run=True, now=NOW
    )
    assert [p.split(":")[0] for p in problems] == ["row 3", "row 4"]

    good = [rows[0], rows[3], ImportRow("row 6", "zhang", local("2025-02-10 14:25")), rows[0]]
    assert attendance.import_sign_ins(runtime.sessions, who(tenant, "admin"), tenant, good, now=NOW) == (
        3,
        1,
        [],
    )
    assert attendance.import_sign_ins(runtime.sessions, who(tenant, "admin"), tenant, good, now=NOW) == (
        0,
        4,
        [],
    )
    with pytest.raises(Forbidden):
        attendance.import_sign_ins(runtime.sessions, who(tenant, "zhang"), tenant, good, now=NOW)
    assert day(runtime, tenant, "2025-02-10")["wang"] == (
        "absent_half_day",
        1,
        0,
        1,
    )  # 1 min late, no afternoon


def test_four_sign_in_times_judge_sign_outs(runtime: Runtime) -> None:
    tenant = township(
        runtime,
        f"c{uuid.uuid4().hex[:8]}.napo",
        settings={"sign_in_times": ["08:30", "12:00", "14:30", "17:30"]},
    )
    for when in ("2025-02-10 08:25", "2025-02-10 11:50", "2025-02-10 14:20"):
        sign(runtime, tenant, "zhang", when)
    later = NOW + timedelta(hours=1)
    attendance.record_sign_in(
        runtime.sessions, who(tenant, "zhang"), tenant, "zhang", local("2025-02-10 17:31"), now=later
    )
    assert day(runtime, tenant, "2025-02-10")["zhang"] == ("early", 0, 10, 4)


def test_a_staff_member_on_approved_leave_is_on_leave(runtime: Runtime, tenant: str) -> None:
    leave = leaves.request_leave(
        runtime.sessions,
        who(tenant, "zhang"),
        tenant,
        username="zhang",
        from_date="2025-02-10",
        to_date="2025-02-10",
        reason="病假",
        tz=CST,
        now=datetime(2025, 2, 7, 1, tzinfo=UTC),
    )
    assert day(runtime, tenant, "2025-02-10")["zhang"][0] == "absent"  # pending: not yet on leave
    leaves.decide(runtime.sessions, who(tenant, "head"), tenant, leave.id, approved=True, reason="")
    assert day(runtime, tenant, "2025-02-10")["zhang"][0] == "on_leave"
