"""Cases on the migrated database: a lifecycle through the service layer, one outbox row per
transition in the same transaction, optimistic concurrency (stale versions, two concurrent
actors), the append-only history (the trigger refuses even the owner), the hash chain's verify
finding an edited and a removed entry, and row-level security between townships."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import InvalidTransition, NotFound, ValidationFailed, VersionConflict
from libs.common.messaging import tables_for
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.intake.adapters import case_repository, tables
from services.intake.domain.case import Applicant, Case
from services.intake.domain.catalogue import as_data, catalogue_item
from services.intake.service_layer import case_listing, cases

pytestmark = pytest.mark.integration

ITEM = {
    "code": "dibao_apply",
    "name": "最低生活保障申请",
    "category": "civil_affairs",
    "level": "township",
    "kind": "approval",
    "statutory_days": 20,
    "promised_days": 10,
    "materials": [
        {"code": "id_card", "name": "居民身份证"},
        {"code": "hukou_book", "name": "户口簿"},
        {"code": "photo", "name": "照片", "required": False},
    ],
}
APPLICANT = Applicant(name="张三", phone="13800000000", id_number="450102199001011231")
COMPLETE = cases.ReceiveCase(
    item_code="dibao_apply",
    kind="promised",
    level="township",
    channel="walk_in",
    applicant=APPLICANT,
    materials=("id_card", "hukou_book"),
    accept_if_complete=True,
)


@pytest.fixture
def tenant(runtime: Runtime) -> str:
    tenant = f"c{uuid.uuid4().hex[:8]}.napo"
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.catalogue_item.insert().values(
                tenant_id=tenant,
                **as_data(catalogue_item(ITEM)),
                template_promised_days=10,
                updated_by="test",
            )
        )
    return tenant


@pytest.fixture
def owner(migrated_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions as the URL's user: the owner of the schemas (a superuser in the test server)."""
    engine = db.make_engine(migrated_url, pool_size=1)
    yield db.make_sessions(engine)
    engine.dispose()


def events_of(runtime: Runtime, tenant: str, case_id: str) -> list[str]:
    outbox = tables_for("intake").outbox
    query = (
        sa.select(outbox.c.event_type)
        .where(outbox.c.payload["case"]["case_id"].astext == case_id)
        .order_by(outbox.c.id)
    )
    with db.transaction(runtime.sessions, tenant) as s:
        return list(s.execute(query).scalars())


def history_rows(runtime: Runtime, tenant: str, case_id: str) -> list[sa.RowMapping]:
    h = tables.case_history
    with db.transaction(runtime.sessions, tenant) as s:
        return list(s.execute(sa.select(h).where(h.c.case_id == case_id).order_by(h.c.seq)).mappings())


def problems_of(runtime: Runtime, case_id: str) -> list[case_repository.ChainProblem]:
    return [p for p in cases.verify_history(runtime.ops_sessions) if p.case_id == case_id]


def test_a_case_through_its_lifecycle_with_one_event_per_transition(runtime: Runtime, tenant: str) -> None:
    sessions = runtime.sessions
    case = cases.receive(sessions, tenant, "desk1", COMPLETE)
    assert (case.state, case.version) == ("accepted", 2)  # received, then accepted
    assert case.number.startswith("napo-") and case.number.endswith("-0001")
    assert cases.receive(sessions, tenant, "desk1", COMPLETE).number.endswith("-0002")
    assert case.clock_intents[0].action == "start"  # left for the deadline work

    v = case.version
    for action, args in [
        ("assign", {"handler": "h1"}),
        ("escalate", {"to_level": "county", "reason": "需县级审批", "department": "civil"}),
        ("resume", {}),
        ("extend", {"working_days": 3, "reason": "需补充调查"}),
        ("press", {"note": "请尽快"}),
        ("complete", {"outcome": "approved"}),
        ("reply", {"satisfaction": "satisfied"}),
        ("archive", {}),
    ]:
        case = cases.act_as(sessions, tenant, case.id, v, action, "h1", **args)
        assert case.version == v + 1 and not case.events
        v = case.version

    stored = cases.load(sessions, tenant, case.id)
    assert stored == case
    assert (stored.state, stored.handler, stored.outcome, stored.extensions, stored.presses) == (
        "archived",
        "h1",
        "approved",
        1,
        1,
    )
    assert [e.action for e in stored.history] == [
        "receive",
        "accept",
        "assign",
        "escalate",
        "resume",
        "extend",
        "press",
        "complete",
        "reply",
        "archive",
    ]
    assert events_of(runtime, tenant, case.id) == [
        "case_received",
        "case_accepted",
        "case_assigned",
        "case_escalated",
        "case_resumed",
        "case_extended",
        "case_pressed",
        "case_completed",
        "case_replied",
        "case_archived",
    ]
    rows = history_rows(runtime, tenant, case.id)
    assert [r["seq"] for r in rows] == list(range(1, 11))
    assert [r["working_days"] for r in rows if r["action"] == "extend"] == [3]  # stored, and chained
    assert rows[0]["prev_hash"] == case_repository.genesis_hash(tenant, case.id)
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(rows, rows[1:], strict=False))
    assert problems_of(runtime, case.id) == []

    # the state machine refuses, nothing changes
    with pytest.raises(InvalidTransition):
        cases.act_as(sessions, tenant, case.id, v, "withdraw", "h1", reason="不办了")
    with pytest.raises(ValidationFailed):
        cases.act_as(sessions, tenant, case.id, v, "fly", "h1")
    assert cases.load(sessions, tenant, case.id).version == v

    # listed the one way the API lists them (case_listing), as the township admin
    county, code = tenant.split(".")
    with db.transaction(sessions, tenant) as s:
        row = {"tenant_id": tenant, "county": county, "code": code, "name": code}
        row["onboarded_at"] = stored.received_at
        s.execute(tables.tenant.insert().values(**row))
    admin = Principal("ta", frozenset({"township_admin"}), frozenset({tenant}))

    def listed(**f: str) -> list[Case]:
        page = case_listing.list_cases(
            sessions, admin, tenant, ZoneInfo("Asia/Shanghai"), case_listing.Listing(**f)
        )
        return [v.case for v in page.items]

    archived = listed(state="archived")
    assert [c.id for c in archived] == [case.id] and archived[0].history == stored.history
    assert [c.state for c in listed(item_code="dibao_apply")] == ["accepted", "archived"]
    assert listed(handler="nobody") == []


def test_incomplete_materials_get_the_supplement_notice(runtime: Runtime, tenant: str) -> None:
    incomplete = cases.ReceiveCase(**{**COMPLETE.__dict__, "materials": ("id_card",)})
    case = cases.receive(runtime.sessions, tenant, "desk1", incomplete)
    assert (case.state, case.first_notice) == ("supplement_requested", ("hukou_book",))
    case = cases.act_as(
        runtime.sessions,
        tenant,
        case.id,
        case.version,
        "submit_materials",
        "desk1",
        materials=["hukou_book"],
        accept_if_complete=True,
    )
    assert case.state == "accepted"
    assert cases.load(runtime.sessions, tenant, case.id).received.keys() == {"id_card", "hukou_book"}
    assert events_of(runtime, tenant, case.id) == [
        "case_received",
        "case_supplement_requested",
        "case_materials_submitted",
        "case_accepted",
    ]


def test_a_failing_save_leaves_neither_the_change_nor_its_events(
    runtime: Runtime, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(case_repository.outbox, "record", broken)
    with pytest.raises(RuntimeError):
        cases.act_as(runtime.sessions, tenant, case.id, 2, "assign", "desk1", handler="h1")
    monkeypatch.undo()
    stored = cases.load(runtime.sessions, tenant, case.id)
    assert (stored.state, stored.version, stored.handler, len(stored.history)) == ("accepted", 2, None, 2)
    assert len(history_rows(runtime, tenant, case.id)) == 2
    assert events_of(runtime, tenant, case.id) == ["case_received", "case_accepted"]


def test_a_stale_version_is_a_conflict(runtime: Runtime, tenant: str) -> None:
    case = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE)
    cases.act_as(runtime.sessions, tenant, case.id, 2, "assign", "desk1", handler="h1")
    with pytest.raises(VersionConflict):
        cases.act_as(runtime.sessions, tenant, case.id, 2, "assign", "desk1", handler="h2")

    # two writers that both read version 3: the second save finds no row at version 3
    with db.transaction(runtime.sessions, tenant) as a:
        first = case_repository.get(a, case.id)
    with db.transaction(runtime.sessions, tenant) as b:
        second = case_repository.get(b, case.id)
    first.assign("x", first.received_at, "h2")
    second.assign("y", second.received_at, "h3")
    with db.transaction(runtime.sessions, tenant) as a:
        case_repository.save(a, first, 3)
    with pytest.raises(VersionConflict), db.transaction(runtime.sessions, tenant) as b:
        case_repository.save(b, second, 3)
    stored = cases.load(runtime.sessions, tenant, case.id)
    assert (stored.version, stored.handler) == (4, "h2")
    assert problems_of(runtime, case.id) == []


def test_two_concurrent_actors_exactly_one_wins(runtime: Runtime, tenant: str) -> None:
    case = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE)
    barrier = threading.Barrier(2)
    original_save = case_repository.save
    outcomes: list[str] = []

    def save_together(session: Session, c: object, expected: int, **kw: Any) -> None:
        barrier.wait(timeout=10)  # both loaded and checked the version: now both save
        original_save(session, c, expected, **kw)  # type: ignore[arg-type]

    def actor(handler: str) -> None:
        try:
            cases.act_as(runtime.sessions, tenant, case.id, 2, "assign", handler, handler=handler)
            outcomes.append("won")
        except VersionConflict:
            outcomes.append("conflict")

    case_repository.save = save_together  # type: ignore[assignment]
    try:
        threads = [threading.Thread(target=actor, args=(h,)) for h in ("h1", "h2")]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=30)
    finally:
        case_repository.save = original_save  # type: ignore[assignment]
    assert sorted(outcomes) == ["conflict", "won"]
    stored = cases.load(runtime.sessions, tenant, case.id)
    assert stored.version == 3 and len(history_rows(runtime, tenant, case.id)) == 3
    assert events_of(runtime, tenant, case.id).count("case_assigned") == 1


def test_history_is_append_only_even_for_the_owner(
    runtime: Runtime, tenant: str, owner: sessionmaker[Session]
) -> None:
    case = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE)
    h = tables.case_history
    for sessions in (runtime.sessions, owner):
        with pytest.raises(DBAPIError, match="append-only"), db.transaction(sessions, tenant) as s:
            s.execute(sa.update(h).where(h.c.case_id == case.id).values(reason="edited"))
        with pytest.raises(DBAPIError, match="append-only"), db.transaction(sessions, tenant) as s:
            s.execute(sa.delete(h).where(h.c.case_id == case.id))
        with pytest.raises(DBAPIError, match="append-only"), db.transaction(sessions, tenant) as s:
            s.execute(sa.delete(tables.case).where(tables.case.c.id == case.id))
    assert len(history_rows(runtime, tenant, case.id)) == 2


def tamper(owner: sessionmaker[Session], tenant: str, statement: sa.Executable) -> None:
    """Go around the trigger as the superuser would, in one transaction."""
    with db.transaction(owner, tenant) as s:
        s.execute(sa.text("ALTER TABLE intake.case_history DISABLE TRIGGER case_history_append_only"))
        s.execute(statement)
        s.execute(sa.text("ALTER TABLE intake.case_history ENABLE TRIGGER case_history_append_only"))


def test_verify_finds_an_edited_and_a_removed_entry(
    runtime: Runtime, tenant: str, owner: sessionmaker[Session]
) -> None:
    h = tables.case_history
    edited = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE)
    cases.act_as(runtime.sessions, tenant, edited.id, 2, "assign", "desk1", handler="h1")
    tamper(
        owner,
        tenant,
        sa.update(h).where(h.c.case_id == edited.id, h.c.seq == 2).values(actor="someone_else"),
    )
    found = problems_of(runtime, edited.id)
    assert [(p.seq, "edited" in p.problem) for p in found] == [(2, True)]

    removed = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE)
    cases.act_as(runtime.sessions, tenant, removed.id, 2, "assign", "desk1", handler="h1")
    tamper(owner, tenant, sa.delete(h).where(h.c.case_id == removed.id, h.c.seq == 2))
    found = problems_of(runtime, removed.id)
    assert found and found[0].seq == 3 and "missing" in found[0].problem

    cut = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE)
    tamper(owner, tenant, sa.delete(h).where(h.c.case_id == cut.id, h.c.seq == 2))
    assert {p.seq for p in problems_of(runtime, cut.id)} == {None}  # the tail was cut off


def test_an_action_on_a_cut_off_history_is_refused(
    runtime: Runtime, tenant: str, owner: sessionmaker[Session]
) -> None:
    """An action chains its entries on the one at the case's version, taken from the history it
    read: with that entry gone, nothing is chained on another one — the action is refused and
    nothing is written."""
    h = tables.case_history
    cut = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE)
    tamper(owner, tenant, sa.delete(h).where(h.c.case_id == cut.id, h.c.seq == 2))
    with pytest.raises(VersionConflict, match="no history entry 2"):
        cases.act_as(runtime.sessions, tenant, cut.id, 2, "assign", "desk1", handler="h1")
    assert len(history_rows(runtime, tenant, cut.id)) == 1


def test_another_township_sees_nothing(runtime: Runtime, tenant: str) -> None:
    case = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE)
    other = tenant.replace(".napo", ".other")
    with pytest.raises(NotFound):
        cases.load(runtime.sessions, other, case.id)
    with pytest.raises(NotFound):
        cases.act_as(runtime.sessions, other, case.id, 2, "assign", "x", handler="x")
    assert history_rows(runtime, other, case.id) == []
    assert events_of(runtime, other, case.id) == []
    with pytest.raises(ValidationFailed, match="catalogue"):  # nor its catalogue
        cases.receive(runtime.sessions, other, "desk1", COMPLETE)
    assert cases.load(runtime.sessions, tenant, case.id).version == 2


def test_the_verify_history_command(
    runtime: Runtime,
    tenant: str,
    owner: sessionmaker[Session],
    migrated_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    monkeypatch.setenv("BIANMIN_DATABASE_URL", migrated_url)
    h = tables.case_history
    broken = cases.receive(runtime.sessions, tenant, "desk1", COMPLETE)
    tamper(owner, tenant, sa.update(h).where(h.c.case_id == broken.id, h.c.seq == 1).values(reason="x"))
    result = CliRunner().invoke(app, ["admin", "verify-history"])
    assert result.exit_code == 1
    assert f"BROKEN {tenant} case {broken.number} ({broken.id}) entry 1:" in result.output

    monkeypatch.setattr(cases, "verify_history", lambda _sessions: [])
    result = CliRunner().invoke(app, ["admin", "verify-history"])
    assert result.exit_code == 0 and result.output.startswith("OK")
