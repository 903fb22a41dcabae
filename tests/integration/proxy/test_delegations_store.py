"""Delegations on the migrated database (services/proxy/service_layer/delegations.py, case_events.py)
with intake stood in by a fake (the gRPC path is tests/integration/gateway/test_proxy_delegations_http.py):
what is stored with its events, every refusal changing nothing (and not calling intake), the
exclusion refused without its reason, idempotent retries, who reads what, and the worker following
the case exactly once and in case-version order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from libs.common import db
from libs.common.errors import Forbidden, IdempotencyConflict, InvalidTransition, NotFound, ValidationFailed
from libs.common.messaging import Envelope, consume, tables_for
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.proxy.adapters import tables
from services.proxy.domain.delegation import Applicant, Confirmation, Consent, Fee
from services.proxy.domain.intake_case import CaseRef, ItemFacts
from services.proxy.entrypoints.service import SERVICE
from services.proxy.service_layer import agents, delegations, exclusions, leaves, trips
from services.proxy.service_layer.delegations import NewDelegation

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in the county
ITEMS = {
    "village_cert": ItemFacts("village_cert", "village", True, False, False, 0, ("id_card",)),
    "dibao": ItemFacts("dibao", "township", True, False, False, 0, ("id_card",)),
    "forest": ItemFacts("forest", "county", True, False, False, 1000, ()),
    "marriage": ItemFacts("marriage", "township", False, True, False, 0, ()),
    "health": ItemFacts("health", "township", False, False, True, 0, ()),
    "tax": ItemFacts("tax", "township", False, False, False, 0, ()),
}


@dataclass
class FakeIntake:
    """Intake as a dict of cases: idempotent by key, as the real one is (migration intake 0017)."""

    cases: dict[str, CaseRef] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def item(self, code: str) -> ItemFacts | None:
        self.calls.append(f"item {code}")
        return ITEMS.get(code)

    def create_case(self, *, item_code, applicant, materials, village, key) -> CaseRef:  # type: ignore[no-untyped-def]
        self.calls.append("create")
        if key in self.keys:
            return self.cases[self.keys[key]]
        case = CaseRef(str(uuid.uuid4()), f"napo-{len(self.cases) + 1:04d}", "received", 1)
        self.cases[case.id], self.keys[key] = case, case.id
        return case

    def _set(self, case: CaseRef, state: str, steps: int = 1) -> CaseRef:
        new = replace(case, state=state, version=case.version + steps)
        self.cases[case.id] = new
        return new

    def decide(self, case: CaseRef, agent: str, outcome: str, reason: str) -> CaseRef:
        self.calls.append("decide")
        return self._set(case, "completed", 3)

    def get_case(self, case_id: str) -> CaseRef:
        return self.cases[case_id]

    def reply(self, case: CaseRef, satisfaction: str, confirmation: str) -> CaseRef:
        self.calls.append(f"reply {satisfaction}")
        return self._set(case, "replied")

    def archive(self, case: CaseRef) -> CaseRef:
        self.calls.append("archive")
        return self._set(case, "archived")


def who(tenant: str, username: str, *roles: str) -> Principal:
    return Principal(username=username, roles=frozenset(roles), tenants=frozenset({tenant}))


def agent(tenant: str, username: str = "lan") -> Principal:
    return who(tenant, username, "proxy_agent")


@pytest.fixture
def tenant(runtime: Runtime) -> str:
    tenant = f"c{uuid.uuid4().hex[:8]}.napo"
    county, code = tenant.split(".")
    now = datetime.now(UTC)
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.tenant.insert().values(
                tenant_id=tenant, county=county, code=code, name=code, onboarded_at=now
            )
        )
        for username in ("lan", "mo", "huang", "wei"):
            s.execute(
                tables.staff.insert().values(
                    tenant_id=tenant,
                    username=username,
                    name=f"{username}名",
                    roles=["proxy_agent"],
                    active=True,
                    event_at=now,
                )
            )
        for village in ("nongli", "baiyan"):
            s.execute(
                tables.village.insert().values(
                    tenant_id=tenant, code=village, name=village, groups=[], event_at=now
                )
            )
    boss = who(tenant, "boss", "township_admin")
    today = date(2026, 12, 7)
    agents.create(
        runtime.sessions, boss, tenant, username="mo", level="village", village="nongli", today=today
    )
    agents.create(
        runtime.sessions,
        boss,
        tenant,
        username="lan",
        level="village",
        village="nongli",
        backup="mo",
        today=today,
    )
    agents.create(
        runtime.sessions, boss, tenant, username="wei", level="village", village="baiyan", today=today
    )
    agents.create(runtime.sessions, boss, tenant, username="huang", level="township", today=today)
    return tenant


def new(item: str = "dibao", **kw: object) -> NewDelegation:
    body: dict = {
        "applicant": Applicant("张三", "13812345678"),
        "item_code": item,
        "consent": Consent("thumbprint", MONDAY - timedelta(minutes=10), ""),
        "materials": ("id_card",),
    } | kw
    return NewDelegation(**body)


def create(
    runtime: Runtime,
    tenant: str,
    intake: FakeIntake,
    cmd: NewDelegation | None = None,
    principal: Principal | None = None,
    **kw: object,
):  # type: ignore[no-untyped-def]
    return delegations.create(
        runtime.sessions,
        principal or agent(tenant),
        tenant,
        intake,
        cmd or new(),
        now=lambda: MONDAY,
        **kw,
    )  # type: ignore[arg-type]


def outbox(runtime: Runtime, tenant: str, event_type: str) -> list[dict]:
    t = tables_for("proxy").outbox
    with db.transaction(runtime.sessions, tenant) as s:
        query = sa.select(t.c.payload).where(t.c.event_type == event_type).order_by(t.c.id)
        return [r.payload for r in s.execute(query)]


def stored(runtime: Runtime, tenant: str) -> int:
    with db.transaction(runtime.sessions, tenant) as s:
        return int(s.execute(sa.select(sa.func.count()).select_from(tables.delegation)).scalar_one())


# --- create -----------------------------------------------------------------------------------


def test_a_township_item_waits_for_the_next_trip_day(runtime: Runtime, tenant: str) -> None:
    intake = FakeIntake()
    d = create(runtime, tenant, intake)
    assert (d.state, d.trip_date, d.village, d.agent) == ("awaiting_trip", date(2026, 12, 9), "nongli", "lan")
    assert [h.state for h in d.history] == ["accepted", "awaiting_trip"]
    assert d.consent.signed_by == "张三" and d.case_number == "napo-0001"
    got = delegations.get(runtime.sessions, agent(tenant), tenant, d.id)
    assert (got.state, got.case_id, got.applicant, got.version) == (d.state, d.case_id, d.applicant, 2)
    assert [e["delegation_id"] for e in outbox(runtime, tenant, "delegation_registered")] == [d.id]
    moved = outbox(runtime, tenant, "delegation_moved")
    assert [(e["action"], e["to_state"], e.get("trip_date")) for e in moved] == [
        ("await_trip", "DELEGATION_STATE_AWAITING_TRIP", "2026-12-09")
    ]
    assert "张三" not in str(moved) and "13812345678" not in str(moved)  # no personal data on the bus


def test_trip_days_come_from_the_settings(runtime: Runtime, tenant: str) -> None:
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(tables.settings.insert().values(tenant_id=tenant, trip_days=["fri"], updated_at=MONDAY))
    assert create(runtime, tenant, FakeIntake()).trip_date == date(2026, 12, 11)  # Friday


def test_a_village_item_is_decided_on_the_spot(runtime: Runtime, tenant: str) -> None:
    intake = FakeIntake()
    d = create(runtime, tenant, intake, new("village_cert"))
    assert (d.state, d.outcome, d.trip_date) == ("decided", "approved", None)
    assert intake.calls == ["item village_cert", "create", "decide"]
    denied = create(
        runtime,
        tenant,
        intake,
        new(
            "village_cert", outcome="denied", reason="不符合条件", applicant=Applicant("李四", "13812345679")
        ),
    )
    assert (denied.outcome, denied.outcome_reason) == ("denied", "不符合条件")


@pytest.mark.parametrize(
    ("cmd", "words"),
    [
        (new("health"), "privacy"),
        (new("marriage"), "accompanies the applicant"),
        (new("tax"), "not an item agents may carry"),
        (new("nothing"), "not in the township's catalogue"),
        (new(consent=None), "consent"),
        (new(consent=Consent("signature", MONDAY + timedelta(hours=2), "")), "future"),
        (new(consent=Consent("seal", MONDAY, "")), "consent method"),
        (new("forest", fee=Fee(2000, "R-1")), "free"),
        (new("forest", fee=Fee(1000, "")), "receipt"),
        (new("village_cert", materials=()), "missing id_card"),
        (new("village_cert", outcome="denied"), "reason"),
        (new("dibao", outcome="approved"), "not on the spot"),
        (new(village="atlantis"), "no village"),
        (new(household_id=str(uuid.uuid4())), "household"),
        (new(applicant=Applicant("张三", "12")), "phone"),
    ],
)
def test_refusals_create_nothing(runtime: Runtime, tenant: str, cmd: NewDelegation, words: str) -> None:
    intake = FakeIntake()
    with pytest.raises(ValidationFailed, match=words):
        create(runtime, tenant, intake, cmd)
    assert "create" not in intake.calls and stored(runtime, tenant) == 0
    assert outbox(runtime, tenant, "delegation_registered") == []


def test_an_excluded_person_is_refused_without_the_reason(runtime: Runtime, tenant: str) -> None:
    exclusions.create(
        runtime.sessions,
        who(tenant, "boss", "township_admin"),
        tenant,
        name="张三",
        phone="13812345678",
        reason="有能力办但懒得办",
    )
    intake = FakeIntake()
    with pytest.raises(ValidationFailed, match="excluded") as refused:
        create(runtime, tenant, intake)
    assert "懒得" not in str(refused.value) and intake.calls == [] and stored(runtime, tenant) == 0


def test_who_may_register(runtime: Runtime, tenant: str) -> None:
    intake = FakeIntake()
    with pytest.raises(Forbidden):
        create(runtime, tenant, intake, principal=who(tenant, "boss", "township_admin"))
    with pytest.raises(Forbidden):  # an agent of baiyan for nongli
        create(runtime, tenant, intake, new(village="nongli"), principal=agent(tenant, "wei"))
    with pytest.raises(ValidationFailed, match="names the village"):
        create(runtime, tenant, intake, principal=agent(tenant, "huang"))
    assert (
        create(runtime, tenant, intake, new(village="baiyan"), principal=agent(tenant, "huang")).village
        == "baiyan"
    )
    other = f"x{uuid.uuid4().hex[:8]}.napo"
    with pytest.raises(NotFound):
        create(
            runtime,
            tenant,
            intake,
            principal=Principal("lan", frozenset({"proxy_agent"}), frozenset({other})),
        )


def test_a_retry_with_the_same_key_is_the_same_delegation(runtime: Runtime, tenant: str) -> None:
    intake = FakeIntake()
    first = create(runtime, tenant, intake, idempotency_key="k-1")
    again = create(runtime, tenant, intake, idempotency_key="k-1")
    assert again.id == first.id and again.case_id == first.case_id and stored(runtime, tenant) == 1
    with pytest.raises(IdempotencyConflict):
        create(runtime, tenant, intake, new("forest"), idempotency_key="k-1")
    # another agent's same key is its own
    assert (
        create(runtime, tenant, intake, principal=agent(tenant, "mo"), idempotency_key="k-1").id != first.id
    )
    assert len(intake.cases) == 2


def test_a_retry_after_intake_answered_but_proxy_failed_reuses_the_case(
    runtime: Runtime, tenant: str
) -> None:
    intake = FakeIntake()
    key = "k-lost"
    delegation_id = str(uuid.uuid5(delegations._IDS, f"{tenant}\nlan\n{key}"))
    intake.create_case(
        item_code="dibao", applicant=None, materials=(), village="nongli", key=f"delegation:{delegation_id}"
    )  # the first try: intake created, proxy did not store
    d = create(runtime, tenant, intake, idempotency_key=key)
    assert d.id == delegation_id and len(intake.cases) == 1


def test_listing_and_reading_by_village_and_masking(runtime: Runtime, tenant: str) -> None:
    intake = FakeIntake()
    mine = create(runtime, tenant, intake)
    theirs = create(
        runtime,
        tenant,
        intake,
        new(village="baiyan", applicant=Applicant("王五", "13812345670")),
        principal=agent(tenant, "wei"),
    )

    def listed(principal: Principal, **kw: object) -> list[str]:
        return [d.id for d in delegations.list_delegations(runtime.sessions, principal, tenant, **kw).items]  # type: ignore[arg-type]

    boss = who(tenant, "boss", "township_admin")
    assert sorted(listed(boss)) == sorted([mine.id, theirs.id])
    assert listed(agent(tenant, "wei")) == [theirs.id] and sorted(listed(agent(tenant, "huang"))) == sorted(
        listed(boss)
    )
    assert listed(boss, village="nongli") == [mine.id] and listed(boss, agent="wei") == [theirs.id]
    assert listed(boss, state="filed") == []
    with pytest.raises(NotFound):
        delegations.get(runtime.sessions, agent(tenant, "wei"), tenant, mine.id)
    with pytest.raises(ValidationFailed):
        listed(boss, state="lost")
    page = delegations.list_delegations(runtime.sessions, boss, tenant, page_size=1)
    rest = delegations.list_delegations(
        runtime.sessions, boss, tenant, page_size=1, page_token=page.next_page_token
    )
    assert {page.items[0].id, rest.items[0].id} == {mine.id, theirs.id}
    seen = delegations.get(runtime.sessions, boss, tenant, mine.id)
    assert seen.seen_by("boss")[1] and seen.seen_by("boss")[0].name != "张三" and not seen.seen_by("lan")[1]


# --- reply and file ---------------------------------------------------------------------------


def test_reply_and_file_a_decided_delegation(runtime: Runtime, tenant: str) -> None:
    intake = FakeIntake()
    d = create(runtime, tenant, intake, new("village_cert"))
    card = Confirmation("signature", datetime.now(UTC), "")
    with pytest.raises(InvalidTransition):
        delegations.file(runtime.sessions, agent(tenant), tenant, intake, d.id)
    with pytest.raises(Forbidden):
        delegations.reply(
            runtime.sessions,
            agent(tenant, "huang"),
            tenant,
            intake,
            d.id,
            confirmation=card,
            satisfaction="satisfied",
        )
    replied = delegations.reply(
        runtime.sessions,
        agent(tenant, "mo"),
        tenant,
        intake,
        d.id,
        confirmation=card,
        satisfaction="satisfied",
    )  # the backup
    assert (replied.state, replied.satisfaction, replied.confirmation.witnessed_by) == (
        "replied",
        "satisfied",
        "mo",
    )
    assert intake.cases[d.case_id].state == "replied"
    filed = delegations.file(runtime.sessions, agent(tenant), tenant, intake, d.id)
    assert filed.state == "filed" and intake.cases[d.case_id].state == "archived"
    assert [e["delegation_id"] for e in outbox(runtime, tenant, "delegation_archived")] == [d.id]


def test_reply_before_the_case_is_completed_is_refused(runtime: Runtime, tenant: str) -> None:
    intake = FakeIntake()
    d = create(runtime, tenant, intake)
    with pytest.raises(InvalidTransition):
        delegations.reply(
            runtime.sessions,
            agent(tenant),
            tenant,
            intake,
            d.id,
            confirmation=Confirmation("signature", datetime.now(UTC), ""),
            satisfaction="satisfied",
        )
    assert not any(c.startswith("reply") for c in intake.calls)


# --- the worker -------------------------------------------------------------------------------


def case_event(
    tenant: str,
    event_type: str,
    case_id: str,
    version: int,
    channel: str = "CASE_CHANNEL_PROXY",
    **data: object,
) -> Envelope:
    return Envelope.new(
        source="intake",
        event_type=event_type,
        tenant_id=tenant,
        data={
            "case": {"case_id": case_id, "channel": channel, "version": str(version)},
            "actor": "desk",
            **data,
        },
    )


def test_the_worker_follows_the_case_exactly_once(runtime: Runtime, tenant: str) -> None:
    d = create(runtime, tenant, FakeIntake())
    subs = {s.event_type: s for s in SERVICE.subscriptions() if s.source == "intake"}
    assert set(subs) == {
        "case_accepted",
        "case_escalated",
        "case_resumed",
        "case_completed",
        "case_replied",
        "case_archived",
        "case_withdrawn",
        "case_refused",
        "case_returned",
    }

    def deliver(envelope: Envelope) -> str:
        return consume(envelope, subs[envelope.event_type], runtime.sessions)

    accepted = case_event(tenant, "case_accepted", d.case_id, 2)
    deliver(accepted)
    assert deliver(accepted) == "duplicate"
    deliver(
        case_event(tenant, "case_escalated", d.case_id, 4, to_level="HANDLING_LEVEL_COUNTY", reason="县审批")
    )
    # an event that overtook: completed (v6) before resumed (v5)
    deliver(case_event(tenant, "case_completed", d.case_id, 6, outcome="CASE_OUTCOME_APPROVED"))
    deliver(case_event(tenant, "case_resumed", d.case_id, 5))
    got = delegations.get(runtime.sessions, agent(tenant), tenant, d.id)
    assert [(h.state, h.actor) for h in got.history] == [
        ("accepted", "lan"),
        ("awaiting_trip", "lan"),
        ("at_township", "desk"),
        ("at_county", "desk"),
        ("at_county", "system"),  # dispatch: a township agent carries it to the county
        ("returned", "desk"),
    ]
    assert got.history[3].reason == "县审批" and got.case_version == 6
    assert got.history[4].action == "carry" and got.carrier == "huang"
    reassigned = outbox(runtime, tenant, "delegation_reassigned")
    assert [(e["carrier"], e["previous_carrier"]) for e in reassigned] == [("huang", "lan")]
    # a replay of the same data under a new event id changes nothing either
    deliver(case_event(tenant, "case_escalated", d.case_id, 4, to_level="HANDLING_LEVEL_COUNTY"))
    assert delegations.get(runtime.sessions, agent(tenant), tenant, d.id).version == got.version
    moved = [e["action"] for e in outbox(runtime, tenant, "delegation_moved")]
    assert moved == ["await_trip", "case_accepted", "case_escalated", "case_completed"]


def test_the_worker_skips_cases_that_are_no_delegations(runtime: Runtime, tenant: str) -> None:
    d = create(runtime, tenant, FakeIntake())
    subs = {s.event_type: s for s in SERVICE.subscriptions() if s.source == "intake"}
    consume(
        case_event(tenant, "case_withdrawn", d.case_id, 3, channel="CASE_CHANNEL_WALK_IN"),
        subs["case_withdrawn"],
        runtime.sessions,
    )
    consume(
        case_event(tenant, "case_withdrawn", str(uuid.uuid4()), 3), subs["case_withdrawn"], runtime.sessions
    )
    assert delegations.get(runtime.sessions, agent(tenant), tenant, d.id).state == "awaiting_trip"
    consume(
        case_event(tenant, "case_withdrawn", d.case_id, 3, reason="不办了"),
        subs["case_withdrawn"],
        runtime.sessions,
    )
    assert delegations.get(runtime.sessions, agent(tenant), tenant, d.id).state == "withdrawn"


def test_a_refused_or_returned_case_brings_the_answer_back_to_the_agent(
    runtime: Runtime, tenant: str
) -> None:
    intake = FakeIntake()
    refused = create(runtime, tenant, intake)
    returned = create(runtime, tenant, intake, new(applicant=Applicant("李四", "13812345679")))
    subs = {s.event_type: s for s in SERVICE.subscriptions() if s.source == "intake"}
    for event in (
        case_event(
            tenant,
            "case_refused",
            refused.case_id,
            2,
            reason="不属于本中心受理范围",
            refer_to="县不动产登记中心",
        ),
        case_event(tenant, "case_accepted", returned.case_id, 2),
        case_event(tenant, "case_returned", returned.case_id, 3, reason="政策不允许"),
    ):
        consume(event, subs[event.event_type], runtime.sessions)
    got = delegations.get(runtime.sessions, agent(tenant), tenant, refused.id)
    assert (got.state, got.outcome, got.history[-1].action) == ("returned", "denied", "case_refused")
    assert got.outcome_reason == "不属于本中心受理范围（请转至县不动产登记中心）"
    back = delegations.get(runtime.sessions, agent(tenant), tenant, returned.id)
    assert (back.state, back.outcome, back.outcome_reason) == ("returned", "denied", "政策不允许")
    assert [h.state for h in back.history][-2:] == ["at_township", "returned"]
    # the agent tells the applicant (the card) and files it; intake's case is final already: no call
    card = Confirmation("signature", datetime.now(UTC), "")
    replied = delegations.reply(
        runtime.sessions, agent(tenant), tenant, intake, got.id, confirmation=card, satisfaction="satisfied"
    )
    assert replied.state == "replied" and not any(c.startswith("reply") for c in intake.calls)
    assert delegations.file(runtime.sessions, agent(tenant), tenant, intake, got.id).state == "filed"


def _escalate(runtime: Runtime, tenant: str, case_id: str) -> None:
    subs = {s.event_type: s for s in SERVICE.subscriptions() if s.source == "intake"}
    for event in (
        case_event(tenant, "case_accepted", case_id, 2),
        case_event(tenant, "case_escalated", case_id, 3, to_level="HANDLING_LEVEL_COUNTY"),
    ):
        consume(event, subs[event.event_type], runtime.sessions)


def test_a_county_item_nobody_can_carry_warns_the_township_admins(runtime: Runtime, tenant: str) -> None:
    d = create(runtime, tenant, FakeIntake())
    with db.transaction(runtime.sessions, tenant) as s:  # huang, the one township agent, is away
        leaves.record_approved(s, tenant, "L9", "huang", MONDAY.date(), date(2027, 1, 31), MONDAY)
    _escalate(runtime, tenant, d.case_id)
    got = delegations.get(runtime.sessions, agent(tenant), tenant, d.id)
    assert (got.state, got.carrier) == ("at_county", "huang")  # on the away agent's trip, and warned
    [warning] = outbox(runtime, tenant, "delegation_uncarried")
    assert (warning["delegation_id"], warning["case_number"], warning["agent"]) == (
        d.id,
        d.case_number,
        "lan",
    )
    # no township agent at all: nobody carries it, and the admins are warned again
    other = create(runtime, tenant, FakeIntake(), new(applicant=Applicant("李四", "13812345679")))
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(sa.update(tables.agent).where(tables.agent.c.username == "huang").values(active=False))
    _escalate(runtime, tenant, other.case_id)
    left = delegations.get(runtime.sessions, agent(tenant), tenant, other.id)
    assert (left.state, left.carrier) == ("at_county", "lan")  # nobody dispatched
    assert [w["delegation_id"] for w in outbox(runtime, tenant, "delegation_uncarried")] == [d.id, other.id]
    # plan-trips: while nobody can carry it, it waits (no new warning); once one can, it is on its trip
    with db.transaction(runtime.sessions, tenant) as s:
        trips.plan_township(s, tenant, MONDAY)
    assert delegations.get(runtime.sessions, agent(tenant), tenant, other.id).carrier == "lan"
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(sa.update(tables.agent).where(tables.agent.c.username == "huang").values(active=True))
        leaves.record_cancelled(s, tenant, "L9", "huang", MONDAY)
        trips.plan_township(s, tenant, MONDAY)
    carried = delegations.get(runtime.sessions, agent(tenant), tenant, other.id)
    assert (carried.state, carried.carrier, carried.history[-1].action) == ("at_county", "huang", "carry")
    assert carried.trip_id and len(outbox(runtime, tenant, "delegation_uncarried")) == 2


# --- trips and dispatch -------------------------------------------------------------------------

WEDNESDAY = date(2026, 12, 9)


def test_a_waiting_delegation_is_on_its_agents_trip_at_once(runtime: Runtime, tenant: str) -> None:
    d = create(runtime, tenant, FakeIntake())
    assert (d.carrier, d.trip_date) == ("lan", WEDNESDAY) and d.trip_id
    boss = who(tenant, "boss", "township_admin")
    listed = trips.list_trips(runtime.sessions, boss, tenant, day_text="2026-12-09")
    assert [(t.id, t.carrier, t.destination, t.status, [x.id for x in t.delegations]) for t in listed] == [
        (d.trip_id, "lan", "township", "planned", [d.id])
    ]
    assert trips.list_trips(runtime.sessions, agent(tenant, "mo"), tenant, day_text="2026-12-09") == []
    assert (
        trips.list_trips(runtime.sessions, agent(tenant), tenant, now=MONDAY)[0].id == d.trip_id
    )  # next trip day
    again = create(runtime, tenant, FakeIntake(), new(applicant=Applicant("李四", "13812345679")))
    assert again.trip_id == d.trip_id  # one trip per carrier and day


def test_the_backup_carries_when_the_agent_is_away(runtime: Runtime, tenant: str) -> None:
    with db.transaction(runtime.sessions, tenant) as s:
        leaves.record_approved(s, tenant, "L1", "lan", WEDNESDAY, WEDNESDAY, MONDAY)
    d = create(runtime, tenant, FakeIntake())
    assert (d.agent, d.carrier) == ("lan", "mo")


def test_delivering_a_trip_moves_its_delegations_to_the_township(runtime: Runtime, tenant: str) -> None:
    d = create(runtime, tenant, FakeIntake())
    other = create(runtime, tenant, FakeIntake(), new(village="baiyan"), principal=agent(tenant, "wei"))
    with pytest.raises(Forbidden):
        trips.deliver(runtime.sessions, agent(tenant, "wei"), tenant, d.trip_id)
    with pytest.raises(ValidationFailed, match="not on this trip"):
        trips.deliver(runtime.sessions, agent(tenant), tenant, d.trip_id, [other.id])
    done = trips.deliver(runtime.sessions, agent(tenant), tenant, d.trip_id, now=MONDAY + timedelta(days=2))
    assert done.status == "delivered" and [x.state for x in done.delegations] == ["at_township"]
    assert delegations.get(runtime.sessions, agent(tenant), tenant, d.id).history[-1].action == "deliver"
    assert [e["delegation_ids"] for e in outbox(runtime, tenant, "trip_delivered")] == [[d.id]]
    with pytest.raises(NotFound):
        trips.deliver(runtime.sessions, agent(tenant), tenant, str(uuid.uuid4()))


def test_plan_trips_warns_of_missed_trips_and_tells_each_trip_once(runtime: Runtime, tenant: str) -> None:
    d = create(runtime, tenant, FakeIntake())
    thursday = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # the Wednesday trip has gone without it
    with db.transaction(runtime.sessions, tenant) as s:
        assert trips.plan_township(s, tenant, thursday) == (1, 1)
    moved = delegations.get(runtime.sessions, agent(tenant), tenant, d.id)
    assert (moved.trip_date, moved.state, moved.history[-1].action) == (
        date(2026, 12, 13),
        "awaiting_trip",
        "carry",
    )
    assert [e["trip_date"] for e in outbox(runtime, tenant, "delegation_trip_missed")] == ["2026-12-09"]
    assert [e["trip"]["trip_date"] for e in outbox(runtime, tenant, "trip_planned")] == ["2026-12-13"]
    with db.transaction(runtime.sessions, tenant) as s:
        assert trips.plan_township(s, tenant, thursday) == (0, 0)  # a second run: nothing again
    report = trips.plan_all(runtime.sessions, runtime.ops_sessions, thursday, townships=[tenant])
    assert (report.townships, report.missed, report.announced, report.failed) == (1, 0, 0, 0)
    job = {j.name: j for j in SERVICE.jobs}
    assert "plan-trips" in job


def test_plan_trips_hands_an_away_agents_delegations_to_the_backup(runtime: Runtime, tenant: str) -> None:
    d = create(runtime, tenant, FakeIntake())
    tuesday = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    with db.transaction(runtime.sessions, tenant) as s:
        leaves.record_approved(s, tenant, "L2", "lan", WEDNESDAY, WEDNESDAY, tuesday)  # approved after
        assert trips.plan_township(s, tenant, tuesday) == (0, 1)
    moved = delegations.get(runtime.sessions, agent(tenant), tenant, d.id)
    assert (moved.agent, moved.carrier, moved.trip_date) == ("lan", "mo", WEDNESDAY)
    assert moved.history[-1].reason == "lan is away on 2026-12-09"
    told = outbox(runtime, tenant, "trip_planned")
    assert [e["trip"]["agent"] for e in told] == ["mo"]
