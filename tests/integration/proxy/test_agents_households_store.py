"""Agents, households, exclusions, visits and the leave projection on the migrated database
(services/proxy/service_layer): what is stored with its events, masking for all but the household's
CURRENT agent, access checked against the current owner after a move, refusals that change
nothing, and another township that sees nothing (row-level security and the role checks)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from bianmin.appraisal.v1 import events_pb2
from google.protobuf.json_format import MessageToDict

from libs.common import db
from libs.common.errors import AlreadyExists, Forbidden, NotFound, ValidationFailed, VersionConflict
from libs.common.messaging import Envelope, consume, tables_for
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.proxy.adapters import tables
from services.proxy.entrypoints.service import SERVICE
from services.proxy.service_layer import agents, exclusions, households, leaves, visits

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 7)
STAFF = {
    "huang": ["proxy_agent"],
    "lan": ["proxy_agent"],
    "mo": ["proxy_agent"],
    "wei": ["proxy_agent"],
    "clerk": ["window_staff"],
}


def who(tenant: str, username: str, *roles: str) -> Principal:
    return Principal(username=username, roles=frozenset(roles), tenants=frozenset({tenant}))


def admin(tenant: str) -> Principal:
    return who(tenant, "boss", "township_admin")


def _township(runtime: Runtime, tenant: str) -> str:
    county, code = tenant.split(".")
    now = datetime.now(UTC)
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(tables.tenant.insert().values(tenant_id=tenant, county=county, code=code, name=code,
                                                onboarded_at=now))  # fmt: skip
        for username, roles in STAFF.items():
            s.execute(tables.staff.insert().values(tenant_id=tenant, username=username, name=f"{username}名",
                                                   roles=roles, active=True, event_at=now))  # fmt: skip
        for code_, groups in (("nongli", [{"code": "g1", "name": "一组"}]), ("baiyan", [])):
            s.execute(tables.village.insert().values(tenant_id=tenant, code=code_, name=code_, groups=groups,
                                                     event_at=now))  # fmt: skip
    return tenant


@pytest.fixture
def tenant(runtime: Runtime) -> str:
    return _township(runtime, f"c{uuid.uuid4().hex[:8]}.napo")


def add_agent(runtime: Runtime, tenant: str, username: str, level: str = "village", village: str = "nongli",
              **kw: str) -> agents.AgentView:  # fmt: skip
    return agents.create(runtime.sessions, admin(tenant), tenant, username=username, level=level,
                         village=village, today=TODAY, **kw)  # fmt: skip


def add_household(runtime: Runtime, tenant: str, **kw: object):  # type: ignore[no-untyped-def]
    body: dict = {"village": "nongli", "head_name": "张三丰", "phone": "13812345678", "flags": ["dibao"]} | kw
    return households.create(runtime.sessions, admin(tenant), tenant, **body)


def events(runtime: Runtime, tenant: str, event_type: str) -> list[dict]:
    outbox = tables_for("proxy").outbox
    with db.transaction(runtime.sessions, tenant) as s:
        query = sa.select(outbox.c.payload).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
        return [r.payload for r in s.execute(query)]


def count(runtime: Runtime, tenant: str, table: sa.Table) -> int:
    with db.transaction(runtime.sessions, tenant) as s:
        return int(s.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


# --- agents ------------------------------------------------------------------------------------


def test_an_agent_is_stored_with_its_event_and_read_back(runtime: Runtime, tenant: str) -> None:
    add_agent(runtime, tenant, "lan")
    view = add_agent(runtime, tenant, "huang", "group", group="g1", backup="lan")
    assert (view.agent.level, view.agent.group, view.agent.backup, view.agent.name) == (
        "group",
        "g1",
        "lan",
        "huang名",
    )
    assert not view.on_leave and view.agent.active
    got = agents.get(runtime.sessions, who(tenant, "clerk", "window_staff"), tenant, "huang", TODAY)
    assert got.agent == view.agent
    assert [e["agent"]["username"] for e in events(runtime, tenant, "agent_saved")] == [
        "lan",
        "huang",
    ]


def test_agents_page_by_username_and_filter(runtime: Runtime, tenant: str) -> None:
    for name in ("wei", "lan", "mo"):
        add_agent(runtime, tenant, name)
    add_agent(runtime, tenant, "huang", "township", village="")
    reader = who(tenant, "clerk", "window_staff")
    first = agents.list_agents(runtime.sessions, reader, tenant, page_size=2, today=TODAY)
    assert [v.agent.username for v in first.items] == ["huang", "lan"]
    rest = agents.list_agents(runtime.sessions, reader, tenant, page_size=2, page_token=first.next_page_token,
                              today=TODAY)  # fmt: skip
    assert [v.agent.username for v in rest.items] == ["mo", "wei"] and rest.next_page_token == ""
    township = agents.list_agents(runtime.sessions, reader, tenant, level="township", today=TODAY)
    assert [v.agent.username for v in township.items] == ["huang"]


def test_refused_agents_change_nothing(runtime: Runtime, tenant: str) -> None:
    add_agent(runtime, tenant, "lan")
    before = len(events(runtime, tenant, "agent_saved"))
    with pytest.raises(AlreadyExists):
        add_agent(runtime, tenant, "lan")
    with pytest.raises(ValidationFailed, match="does not hold the role proxy_agent"):
        add_agent(runtime, tenant, "clerk")
    with pytest.raises(ValidationFailed, match="not a staff member"):
        add_agent(runtime, tenant, "stranger")
    with pytest.raises(ValidationFailed, match="backup: nobody"):
        add_agent(runtime, tenant, "mo", backup="nobody")
    with pytest.raises(Forbidden):
        agents.create(runtime.sessions, who(tenant, "lan", "proxy_agent"), tenant, username="mo",
                      level="township", today=TODAY)  # fmt: skip
    assert count(runtime, tenant, tables.agent) == 1
    assert len(events(runtime, tenant, "agent_saved")) == before


def test_update_backup_and_active_with_versions(runtime: Runtime, tenant: str) -> None:
    add_agent(runtime, tenant, "lan")
    add_agent(runtime, tenant, "mo")
    boss = admin(tenant)
    v2 = agents.update(runtime.sessions, boss, tenant, "lan", backup="mo", today=TODAY)
    assert (v2.agent.backup, v2.agent.version) == ("mo", 2)
    same = agents.update(runtime.sessions, boss, tenant, "lan", backup="mo", active=True, today=TODAY)
    assert same.agent.version == 2  # nothing changed, no new version, no event
    with pytest.raises(VersionConflict):
        agents.update(runtime.sessions, boss, tenant, "lan", active=False, expected_version=1, today=TODAY)
    v3 = agents.update(runtime.sessions, boss, tenant, "lan", backup="", active=False, expected_version=2,
                       today=TODAY)  # fmt: skip
    assert (v3.agent.backup, v3.agent.active, v3.agent.version) == ("", False, 3)
    assert len(events(runtime, tenant, "agent_saved")) == 4
    with pytest.raises(ValidationFailed, match="backup: lan is not an active agent"):
        agents.update(runtime.sessions, boss, tenant, "mo", backup="lan", today=TODAY)


def test_on_leave_follows_approved_and_cancelled_leaves(runtime: Runtime, tenant: str) -> None:
    add_agent(runtime, tenant, "lan")
    at = datetime.now(UTC)
    with db.transaction(runtime.sessions, tenant) as s:
        leaves.record_approved(s, tenant, "l1", "lan", TODAY, TODAY + timedelta(days=2), at)
        leaves.record_cancelled(s, tenant, "l2", "lan", at)  # a cancellation first …
        leaves.record_approved(
            s, tenant, "l2", "lan", TODAY + timedelta(days=5), TODAY + timedelta(days=6), at
        )
    reader = admin(tenant)
    assert agents.get(runtime.sessions, reader, tenant, "lan", TODAY).on_leave
    assert agents.get(runtime.sessions, reader, tenant, "lan", TODAY + timedelta(days=2)).on_leave
    assert not agents.get(runtime.sessions, reader, tenant, "lan", TODAY + timedelta(days=3)).on_leave
    # … so its approval, delivered later, stays cancelled
    assert not agents.get(runtime.sessions, reader, tenant, "lan", TODAY + timedelta(days=5)).on_leave
    with db.transaction(runtime.sessions, tenant) as s:
        leaves.record_cancelled(s, tenant, "l1", "lan", at)
        assert leaves.away_on(s, ["lan", "mo"], TODAY) == set()


def test_another_township_sees_nothing(runtime: Runtime, tenant: str) -> None:
    other = _township(runtime, f"c{uuid.uuid4().hex[:8]}.pingguo")
    add_agent(runtime, tenant, "lan")
    household = add_household(runtime, tenant, agent="lan")
    with pytest.raises(NotFound):
        agents.get(runtime.sessions, admin(other), other, "lan", TODAY)
    assert households.list_households(runtime.sessions, admin(other), other).items == []
    with pytest.raises(NotFound):  # the other township's admin names this township: not found
        households.list_households(runtime.sessions, admin(other), tenant)
    with pytest.raises(NotFound):
        households.move(runtime.sessions, admin(other), other, household.id, "lan")


# --- households --------------------------------------------------------------------------------


def test_a_household_goes_to_the_village_agent_with_the_fewest(runtime: Runtime, tenant: str) -> None:
    add_agent(runtime, tenant, "lan")
    add_agent(runtime, tenant, "mo")
    add_agent(runtime, tenant, "wei", "petition")  # not a village agent: never chosen
    add_agent(runtime, tenant, "huang", "township", village="")
    owners = [add_household(runtime, tenant, head_name=f"户主{i}").agent for i in range(5)]
    assert owners == ["lan", "mo", "lan", "mo", "lan"]
    with pytest.raises(ValidationFailed, match="agent: village baiyan has no active village agent"):
        add_household(runtime, tenant, village="baiyan")
    assert add_household(runtime, tenant, village="baiyan", agent="huang").agent == "huang"
    with pytest.raises(ValidationFailed, match="agent: wei does not act for village baiyan"):
        add_household(runtime, tenant, village="baiyan", agent="wei")
    assert [e["agent"] for e in events(runtime, tenant, "household_assigned")] == [*owners, "huang"]


def test_a_household_is_masked_for_all_but_its_current_agent(runtime: Runtime, tenant: str) -> None:
    add_agent(runtime, tenant, "lan")
    add_agent(runtime, tenant, "mo")
    created = add_household(runtime, tenant, agent="lan", address="广西壮族自治区百色市那坡县城厢镇龙华路3号")
    assert (created.head_name, created.phone, created.masked) == ("张**", "138****5678", True)
    assert created.address == "广西壮族自治区百色市那坡县城厢镇****"

    def seen(username: str) -> tuple[str, str]:
        [h] = households.list_households(runtime.sessions, who(tenant, username, "proxy_agent"), tenant).items
        return h.head_name, h.phone

    assert seen("lan") == ("张三丰", "13812345678")
    assert seen("mo") == ("张**", "138****5678")
    moved = households.move(runtime.sessions, admin(tenant), tenant, created.id, "mo")
    assert (moved.agent, moved.version, moved.masked) == ("mo", 2, True)
    assert seen("mo") == ("张三丰", "13812345678")  # access follows the current owner
    assert seen("lan") == ("张**", "138****5678")
    assert events(runtime, tenant, "household_assigned")[-1] == {
        "household_id": created.id, "village": "nongli", "agent": "mo", "previous_agent": "lan",
        "priority": True,
    }  # fmt: skip
    with pytest.raises(VersionConflict):
        households.move(runtime.sessions, admin(tenant), tenant, created.id, "lan", expected_version=1)


def test_the_same_household_twice_is_already_there(runtime: Runtime, tenant: str) -> None:
    add_agent(runtime, tenant, "lan")
    add_household(runtime, tenant, phone="138 1234 5678")
    with pytest.raises(AlreadyExists):
        add_household(runtime, tenant, phone="+86 138-1234-5678")  # the same digits
    assert count(runtime, tenant, tables.household) == 1


def test_listing_filters_and_the_agents_zone(runtime: Runtime, tenant: str) -> None:
    add_agent(runtime, tenant, "lan")
    add_agent(runtime, tenant, "mo", village="baiyan")
    add_agent(runtime, tenant, "huang", "township", village="")
    add_household(runtime, tenant, head_name="甲", flags=[])
    add_household(runtime, tenant, head_name="乙")
    add_household(runtime, tenant, village="baiyan", head_name="丙")
    boss = admin(tenant)

    def ids(principal: Principal, **kw: object) -> int:
        return len(households.list_households(runtime.sessions, principal, tenant, **kw).items)  # type: ignore[arg-type]

    assert ids(boss) == 3 and ids(boss, village="baiyan") == 1 and ids(boss, agent="lan") == 2
    assert ids(boss, priority=True) == 2 and ids(boss, priority=False) == 1
    assert ids(who(tenant, "mo", "proxy_agent")) == 1  # its village's only
    assert ids(who(tenant, "huang", "proxy_agent")) == 3  # a township agent: the township's
    assert ids(who(tenant, "wei", "proxy_agent")) == 0  # not an agent
    page = households.list_households(runtime.sessions, boss, tenant, page_size=2)
    rest = households.list_households(
        runtime.sessions, boss, tenant, page_size=2, page_token=page.next_page_token
    )
    assert len({h.id for h in page.items + rest.items}) == 3 and rest.next_page_token == ""
    with pytest.raises(Forbidden):
        households.list_households(runtime.sessions, who(tenant, "clerk", "window_staff"), tenant)


# --- exclusions --------------------------------------------------------------------------------


def test_exclusions_are_masked_and_checked_without_their_reason(runtime: Runtime, tenant: str) -> None:
    boss = admin(tenant)
    made = exclusions.create(
        runtime.sessions, boss, tenant, name="王五", phone="13900139000", reason="涉恶人员"
    )
    assert made.reason == "涉恶人员"
    exclusions.create(runtime.sessions, boss, tenant, name="赵六", id_number="11010519491231002X", reason="x")
    listed = exclusions.list_exclusions(
        runtime.sessions, who(tenant, "sup", "county_supervisor"), tenant
    ).items
    assert [e.name for e in listed] == ["王五", "赵六"]  # masking is the answer's (household_proto)
    with db.transaction(runtime.sessions, tenant) as s:
        assert exclusions.is_excluded(s, "王五", phone="+86 139 0013 9000")
        assert not exclusions.is_excluded(s, "王五", phone="13900139001")  # a namesake with another phone
        assert exclusions.is_excluded(s, "王五")  # nothing to tell them apart: refused
        assert exclusions.is_excluded(s, "赵小六", id_number="11010519491231002x")  # the ID decides
        assert not exclusions.is_excluded(s, "赵六", id_number="110105194912310021")
    with pytest.raises(Forbidden):
        exclusions.create(runtime.sessions, who(tenant, "lan", "proxy_agent"), tenant, name="甲", reason="x")
    with pytest.raises(ValidationFailed, match="reason"):
        exclusions.create(runtime.sessions, boss, tenant, name="甲", reason=" ")
    with pytest.raises(ValidationFailed, match="id_number"):
        exclusions.create(runtime.sessions, boss, tenant, name="甲", id_number="123", reason="x")
    assert count(runtime, tenant, tables.exclusion) == 2
    other = _township(runtime, f"c{uuid.uuid4().hex[:8]}.debao")
    with db.transaction(runtime.sessions, other) as s:
        assert not exclusions.is_excluded(s, "王五", phone="13900139000")


# --- visits ------------------------------------------------------------------------------------


def test_visits_and_the_due_list(runtime: Runtime, tenant: str) -> None:
    add_agent(runtime, tenant, "lan", backup="")
    add_agent(runtime, tenant, "mo", backup="lan")
    a = add_household(runtime, tenant, head_name="甲", agent="lan")
    b = add_household(runtime, tenant, head_name="乙", agent="mo")
    add_household(runtime, tenant, head_name="丙", agent="mo", flags=[])  # not a priority household
    now = datetime.now(UTC)
    lan, mo = who(tenant, "lan", "proxy_agent"), who(tenant, "mo", "proxy_agent")
    visits.record(
        runtime.sessions, lan, tenant, household_id=a.id, at=now - timedelta(days=20), needs=["低保年审"]
    )
    visits.record(runtime.sessions, lan, tenant, household_id=b.id, at=now - timedelta(days=3))  # mo's backup
    with pytest.raises(Forbidden):
        visits.record(runtime.sessions, mo, tenant, household_id=a.id, at=now)
    with pytest.raises(ValidationFailed, match="future"):
        visits.record(runtime.sessions, lan, tenant, household_id=a.id, at=now + timedelta(hours=1))
    assert count(runtime, tenant, tables.visit) == 2
    assert [e["household_id"] for e in events(runtime, tenant, "visit_recorded")] == [a.id, b.id]

    today = now.astimezone(TZ).date().isoformat()
    listing = visits.due(runtime.sessions, admin(tenant), tenant, date_text=today, tz=TZ)
    assert listing.round_days == 14
    assert {agent: [d.household.id for d in due] for agent, due in listing.by_agent.items()} == {
        "lan": [a.id]
    }
    assert listing.by_agent["lan"][0].days_since == 20 and listing.by_agent["lan"][0].household.masked
    mine = visits.due(runtime.sessions, lan, tenant, date_text=today, tz=TZ)
    assert mine.by_agent["lan"][0].household.head_name == "甲"  # its own agent: in full
    assert visits.due(runtime.sessions, mo, tenant, date_text=today, tz=TZ).by_agent == {}
    # the tenant's round (the gateway's settings projection): 2 days makes b due as well
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.settings.insert().values(tenant_id=tenant, other={"visit_round_days": 2}, updated_at=now)
        )
    later = visits.due(runtime.sessions, admin(tenant), tenant, date_text=today, tz=TZ)
    assert (later.round_days, sorted(later.by_agent)) == (2, ["lan", "mo"])
    with pytest.raises(ValidationFailed, match="date must be YYYY-MM-DD"):
        visits.due(runtime.sessions, admin(tenant), tenant, date_text="2026-1-5", tz=TZ)


def test_appraisals_leave_events_reach_on_leave_through_the_subscriptions(
    runtime: Runtime, tenant: str
) -> None:
    add_agent(runtime, tenant, "lan")
    subscriptions = {s.event_type: s for s in SERVICE.subscriptions() if s.source == "appraisal"}

    def deliver(event_type: str, message: object) -> str:
        data = MessageToDict(message, preserving_proto_field_name=True)  # type: ignore[arg-type]
        envelope = Envelope.new(source="appraisal", event_type=event_type, tenant_id=tenant, data=data)
        first = consume(envelope, subscriptions[event_type], runtime.sessions)
        assert consume(envelope, subscriptions[event_type], runtime.sessions) == "duplicate"
        return first

    day = TODAY.isoformat()
    approved = events_pb2.LeaveApproved(leave_id="lv1", username="lan", from_date=day, to_date=day)
    assert deliver("leave_approved", approved) == "processed"
    assert agents.get(runtime.sessions, admin(tenant), tenant, "lan", TODAY).on_leave
    assert (
        deliver("leave_cancelled", events_pb2.LeaveCancelled(leave_id="lv1", username="lan")) == "processed"
    )
    assert not agents.get(runtime.sessions, admin(tenant), tenant, "lan", TODAY).on_leave
