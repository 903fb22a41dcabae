"""The dates in the notices come from what intake really publishes (issue 4): intake's outbox
payloads of an accepted, escalated and extended case, handed to notify's handlers, print the
promised date (受理通知书), the date the escalation notice must reach the applicant (转办告知书,
5 working days over the Qingming holiday) and the new deadline (延期办理告知书); the open-case
projection follows the deadline in force (CaseSummary.due_at)."""

from __future__ import annotations

from datetime import UTC

import pytest
from bianmin.intake.v1 import events_pb2
from google.protobuf import json_format

from libs.common.runtime import Runtime
from libs.common.sealing import Sealer
from services.notify.adapters import tables
from tests.integration.intake.test_case_event_clock import at, do
from tests.integration.intake.test_deadlines import County, accept, county, events  # noqa: F401 (the fixture)
from tests.integration.notify.test_notice_handlers import (  # noqa: F401 (rt: the fixture)
    CONTACT,
    KEY,
    deliver,
    envelope,
    rows,
    rt,
    township,
)

pytestmark = pytest.mark.integration


def relay(runtime: Runtime, county: County, case_id: str, rt: Runtime, tenant: str) -> None:  # noqa: F811
    """Every event intake recorded for the case, in order, into notify's handlers (the contact
    sealed with the notify test's key: the deployments' shared key)."""
    for event_type, cls in (
        ("case_received", events_pb2.CaseReceived),
        ("case_accepted", events_pb2.CaseAccepted),
        ("case_assigned", events_pb2.CaseAssigned),
        ("case_escalated", events_pb2.CaseEscalated),
        ("case_resumed", events_pb2.CaseResumed),
        ("case_extended", events_pb2.CaseExtended),
    ):
        for payload in events(runtime, county.a, event_type, case_id):
            message = json_format.ParseDict(payload, cls())
            message.case.applicant_sealed = Sealer([KEY]).seal(CONTACT)
            assert deliver(rt, envelope(tenant, message)) == "processed"


def test_the_notices_print_the_dates_intake_derived(runtime: Runtime, county: County, rt: Runtime) -> None:  # noqa: F811
    case_id = accept(runtime, county.a, at(3, 30, 10))  # Mon; 10 working days: Tue 04-14 17:30
    do(runtime, county.a, case_id, "assign", at(3, 31, 9), handler="w1")
    do(runtime, county.a, case_id, "escalate", at(4, 2, 10), to_level="county", reason="需县级审批",
       department="civil")  # fmt: skip
    do(runtime, county.a, case_id, "resume", at(4, 7, 10))  # due Thu 04-16 17:30 after the pause
    do(runtime, county.a, case_id, "extend", at(4, 8, 10), working_days=2, reason="需实地核查")
    tenant = township(rt)
    relay(runtime, county, case_id, rt, tenant)

    texts = {r.kind: r.text for r in rows(rt, tenant, tables.notice)}
    assert "承诺办结时间：2026年4月14日" in texts["acceptance"]
    assert "本告知应于2026年4月10日前送达" in texts["escalation"]  # Thu 04-09 without 清明
    assert "延长后的办结时间：2026年4月20日" in texts["extension"]  # Thu 04-16 + Fri, Mon
    [case] = rows(rt, tenant, tables.open_case)
    assert case.due_at.astimezone(UTC) == at(4, 20, 17, 30)
