"""The check-duty-rota job on the migrated database (services/appraisal/service_layer/duty_rota.py
`check_next_month`): next month's rota missing on the current month's last working day (the
township's calendar) records one `duty_rota_missed` — not before that day, not twice, not when
the rota is there (seed 004 第二篇 八: "每月末对下一月党政领导干部带班值班接访日进行安排")."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from libs.common.runtime import Runtime
from services.appraisal.service_layer import duty_rota
from tests.integration.appraisal.workforce_support import events, township, who

pytestmark = pytest.mark.integration

CST = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def test_next_month_missing_on_the_last_working_day_is_told_once(runtime: Runtime) -> None:
    tenant = township(runtime, f"c{uuid.uuid4().hex[:8]}.napo")
    assert duty_rota.check_next_month(runtime.sessions, tenant, local("2025-02-27 16:00")) == 0  # not yet
    assert (
        duty_rota.check_next_month(runtime.sessions, tenant, local("2025-02-28 16:00")) == 1
    )  # Fri 28: last
    assert duty_rota.check_next_month(runtime.sessions, tenant, local("2025-02-28 17:00")) == 0  # once
    [event] = events(runtime, tenant, "duty_rota_missed")
    assert event["payload"] == {"month": "2025-03", "last_working_day": "2025-02-28"}


def test_a_published_next_month_is_not_told(runtime: Runtime) -> None:
    tenant = township(runtime, f"c{uuid.uuid4().hex[:8]}.napo")
    duty_rota.put_rota(
        runtime.sessions,
        who(tenant, "admin"),
        tenant,
        "2025-03",
        [("2025-03-03", "lead")],
        tz=CST,
        today=date(2025, 2, 20),
    )
    assert duty_rota.check_next_month(runtime.sessions, tenant, local("2025-02-28 16:00")) == 0
    assert events(runtime, tenant, "duty_rota_missed") == []
