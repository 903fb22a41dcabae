"""`bianmin jobs send-digests` on real PostgreSQL: on the township's working days, one inbox digest
per handler of the open cases overdue, due today and due the next working day (county time zone),
once a day per person."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from libs.common import db
from libs.common.runtime import Runtime
from services.notify.adapters import tables
from services.notify.service_layer.digests import send_digests

A, B = "tianyang.napo", "tianyang.tianzhou"
BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2031, 3, 4, tzinfo=BEIJING).date()  # a Tuesday


def local(days: int, hour: int, minute: int = 0) -> datetime:
    day = TODAY + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


@pytest.fixture
def runtime(delivery_runtime: Runtime) -> Runtime:
    with db.transaction(delivery_runtime.ops_sessions, None) as s:
        for table in (
            "open_case",
            "inbox_item",
            "notification",
            "tenant",
            "calendar_day",
            "calendar_version",
        ):
            s.execute(sa.text(f"DELETE FROM notify.{table}"))
    return delivery_runtime


def case(
    runtime: Runtime, tenant: str, number: str, handler: str | None, due: datetime, state: str = "in_progress"
) -> None:
    """A case as notify's projection of intake's events keeps it."""
    values = {"number": number, "item_name": "低保申请", "handler": handler, "state": state, "due_at": due}
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(tables.open_case.insert().values(tenant_id=tenant, case_id=number, version=1, **values))


def township(runtime: Runtime, tenant: str, status: str) -> None:
    county, code = tenant.split(".")
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.tenant.insert().values(
                tenant_id=tenant,
                county=county,
                code=code,
                name=code,
                status=status,
                onboarded_at=local(-30, 9),
            )
        )


def inbox(runtime: Runtime) -> list[sa.Row]:
    i = tables.inbox_item
    with db.transaction(runtime.ops_sessions, None) as s:
        return list(s.execute(sa.select(i).order_by(i.c.username, i.c.created_at)).all())


def test_one_digest_per_handler_per_day_of_what_is_due_today_and_tomorrow(runtime: Runtime) -> None:
    township(runtime, A, "active")
    case(runtime, A, "NP-1", "li", local(0, 16))  # today
    case(runtime, A, "NP-2", "li", local(1, 10))  # tomorrow
    case(runtime, A, "NP-3", "li", local(3, 10))  # later: not in the digest
    case(runtime, A, "NP-4", "li", local(0, 11), state="completed")  # closed: not in it
    case(runtime, A, "NP-5", "li", local(-1, 17))  # overdue: listed first
    case(runtime, A, "NP-6", None, local(0, 12))  # nobody handles it yet: nobody to tell
    case(runtime, A, "NP-7", "wang", local(1, 23, 59))  # the last minute of tomorrow
    case(runtime, A, "NP-8", "zhao", local(2, 0, 0))  # the first minute after tomorrow
    township(runtime, B, "suspended")
    case(runtime, B, "TZ-1", "li", local(0, 16))  # a suspended township sends nothing

    result = send_digests(runtime.ops_sessions, "Asia/Shanghai", now=local(0, 8))
    assert (result.sent, result.already) == (2, 0)
    items = inbox(runtime)
    assert [(i.tenant_id, i.username, i.topic) for i in items] == [(A, "li", "digest"), (A, "wang", "digest")]
    li = items[0]
    assert li.title == "3月4日办件提醒：今日到期 1 件，明日到期 1 件"
    assert "NP-5" in li.text and "NP-1" in li.text and "NP-2" in li.text
    assert "NP-3" not in li.text and "NP-4" not in li.text
    assert li.text.index("NP-5") < li.text.index("NP-1") < li.text.index("NP-2")
    assert "NP-7" in items[1].text
    n = tables.notification
    with db.transaction(runtime.ops_sessions, None) as s:
        rows = s.execute(sa.select(n.c.recipient, n.c.channel, n.c.status).where(n.c.topic == "digest")).all()
    assert sorted(rows) == [("li", "inbox", "delivered"), ("wang", "inbox", "delivered")]

    # the same day again (a retried job, a second replica): nothing new
    again = send_digests(runtime.ops_sessions, "Asia/Shanghai", now=local(0, 15))
    assert (again.sent, again.already) == (0, 2)
    assert len(inbox(runtime)) == 2

    # the next day: a new digest (NP-2, NP-7 today; NP-8 tomorrow)
    tomorrow = send_digests(runtime.ops_sessions, "Asia/Shanghai", now=local(1, 8))
    assert tomorrow.sent == 3
    assert {i.username for i in inbox(runtime)} == {"li", "wang", "zhao"}


def test_the_day_is_the_county_day_not_the_utc_day(runtime: Runtime) -> None:
    case(runtime, A, "NP-9", "li", local(1, 9))
    # 00:30 on the 4th in Beijing is still the 3rd in UTC: "tomorrow" is the 5th
    result = send_digests(runtime.ops_sessions, "Asia/Shanghai", now=local(0, 0, 30))
    assert result.sent == 1
    [item] = inbox(runtime)
    assert item.source_event_id == f"digest:{TODAY.isoformat()}" and "明日到期 1 件" in item.title


def working_day_override(runtime: Runtime, tenant: str, day: date, version: int) -> None:
    """The township works on `day` (as notify's calendar projection keeps a township override)."""
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            sa.text(
                "INSERT INTO notify.calendar_day (tenant_id, level, day, working, reason, version)"
                " VALUES (:t, 'township', :d, true, '调休上班', :v)"
            ),
            {"t": tenant, "d": day, "v": version},
        )
        s.execute(
            sa.text(
                "INSERT INTO notify.calendar_version (tenant_id, level, version) VALUES (:t, 'township', :v)"
            ),
            {"t": tenant, "v": version},
        )


def test_friday_lists_monday_and_a_day_off_sends_nothing(runtime: Runtime) -> None:
    township(runtime, A, "active")
    friday = 3  # TODAY is a Tuesday: +3 days is Friday
    case(runtime, A, "NP-11", "li", local(friday, 17, 30))  # due Friday
    case(runtime, A, "NP-12", "li", local(friday + 3, 17, 30))  # due Monday: the next working day
    case(runtime, A, "NP-13", "li", local(friday + 4, 17, 30))  # due Tuesday: not yet
    result = send_digests(runtime.ops_sessions, "Asia/Shanghai", now=local(friday, 8))
    assert (result.sent, result.resting) == (1, 0)
    [item] = inbox(runtime)
    assert item.title == "3月7日办件提醒：今日到期 1 件，3月10日到期 1 件"
    assert "NP-12" in item.text and "NP-13" not in item.text

    saturday = send_digests(runtime.ops_sessions, "Asia/Shanghai", now=local(friday + 1, 8))
    assert (saturday.sent, saturday.resting) == (0, 1) and len(inbox(runtime)) == 1
    # unless the township works that Saturday (an adjusted working day)
    working_day_override(runtime, A, TODAY + timedelta(days=friday + 1), version=7)
    worked = send_digests(runtime.ops_sessions, "Asia/Shanghai", now=local(friday + 1, 8))
    assert (worked.sent, worked.resting) == (1, 0)


def test_bianmin_jobs_send_digests(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cli import compose
    from cli.main import app

    assert "send-digests" in compose.jobs()
    # whatever day the suite runs on, the township works today
    working_day_override(runtime, A, datetime.now(BEIJING).date(), version=99)
    case(runtime, A, "NP-10", "li", datetime.now(UTC) + timedelta(hours=1))
    monkeypatch.setenv("BIANMIN_DATABASE_URL", runtime.database_url)
    result = CliRunner().invoke(app, ["jobs", "send-digests"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("send-digests: 1 digest(s) sent, 0 already sent today")
    again = CliRunner().invoke(app, ["jobs", "send-digests"])
    assert again.stdout.startswith("send-digests: 0 digest(s) sent, 1 already sent today")
