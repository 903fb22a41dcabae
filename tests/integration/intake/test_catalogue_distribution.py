"""A county template item saved after townships were onboarded reaches them, through the outbox
and intake's real consumers on the migrated database: the county-scoped `catalogue_item_saved`
fans out one `catalogue_template_item_distributed` per ACTIVE township, each applied in that
township's own transaction — new items copied, changed ones updated with the township's shorter
promised limit kept (or clamped to a lower statutory limit, and said so), nothing done twice, and
a township that fails blocks no other and catches up on retry."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from libs.common import db
from libs.common.messaging import Envelope, consume, county_scope, tables_for
from libs.common.messaging.relay import envelope_of_row
from libs.common.runtime import Runtime
from services.intake.adapters import tables
from services.intake.domain.catalogue import catalogue_item
from services.intake.entrypoints.service import SERVICE
from services.intake.service_layer import catalogue, handlers
from tests.integration.intake.test_catalogue_store import ITEM, admin, onboard, township_admin

pytestmark = pytest.mark.integration

SUBSCRIPTIONS = {s.event_type: s for s in SERVICE.subscriptions() if s.source == "intake"}
DISTRIBUTED = "catalogue_template_item_distributed"


@pytest.fixture
def county() -> str:
    return f"c{uuid.uuid4().hex[:10]}"


def status_event(runtime: Runtime, tenant: str, event_type: str) -> None:
    envelope = Envelope.new(source="gateway", event_type=event_type, tenant_id=tenant, data={})
    handler = {"township_suspended": handlers.on_township_suspended}.get(event_type)
    with db.transaction(runtime.sessions, tenant) as s:
        (handler or handlers.on_township_reactivated)(envelope, s)


def outbox_rows(runtime: Runtime, county: str, event_type: str) -> list:
    """Intake's outbox rows of one type for the county's scope and townships, oldest first."""
    with db.transaction(runtime.ops_sessions, None) as s:
        return s.execute(
            sa.text(
                "SELECT * FROM intake.outbox WHERE event_type = :t "
                "AND (tenant_id = :scope OR tenant_id LIKE :townships) ORDER BY id"
            ),
            {"t": event_type, "scope": county_scope(county), "townships": f"{county}.%"},
        ).all()


def drain(runtime: Runtime, county: str, **consume_args: object) -> dict[str, list[str]]:
    """Hand the county's intake events to intake's consumers (what the relay and the workers do)
    until nothing new happens; returns the outcomes per event type, but for the duplicates (the
    events consumed before, which change nothing)."""
    outcomes: dict[str, list[str]] = {}
    seen: set[str] = set()
    while True:
        fresh = [
            r
            for t in ("catalogue_item_saved", DISTRIBUTED)
            for r in outbox_rows(runtime, county, t)
            if str(r.event_id) not in seen
        ]
        if not fresh:
            return outcomes
        for row in fresh:
            seen.add(str(row.event_id))
            env = envelope_of_row(row)
            outcome = consume(env, SUBSCRIPTIONS[env.event_type], runtime.sessions, **consume_args)  # type: ignore[arg-type]
            if outcome != "duplicate":
                outcomes.setdefault(env.event_type, []).append(outcome)


def redeliver_all(runtime: Runtime, county: str) -> set[str]:
    """Every event again (an at-least-once bus): the outcomes."""
    return {
        consume(envelope_of_row(r), SUBSCRIPTIONS[r.event_type], runtime.sessions)
        for t in ("catalogue_item_saved", DISTRIBUTED)
        for r in outbox_rows(runtime, county, t)
    }


def copy_of(runtime: Runtime, tenant: str, code: str) -> sa.RowMapping | None:
    t = tables.catalogue_item
    with db.transaction(runtime.sessions, tenant) as s:
        return s.execute(sa.select(t).where(t.c.code == code)).mappings().first()


def saved_in(runtime: Runtime, tenant: str) -> list[dict]:
    """The data of the township's catalogue_item_saved events, oldest first."""
    outbox = tables_for("intake").outbox
    query = (
        sa.select(outbox.c.payload).where(outbox.c.event_type == "catalogue_item_saved").order_by(outbox.c.id)
    )
    with db.transaction(runtime.sessions, tenant) as s:
        return list(s.execute(query).scalars())


def test_an_item_added_later_reaches_every_active_township_once(runtime: Runtime, county: str) -> None:
    sessions = runtime.sessions
    catalogue.create_template_item(sessions, admin(county), catalogue_item(ITEM))
    drain(runtime, county)  # no township yet: handed to none
    napo, pingma, dormant = f"{county}.napo", f"{county}.pingma", f"{county}.dormant"
    for tenant in (napo, pingma, dormant):
        onboard(runtime, tenant)
    status_event(runtime, dormant, "township_suspended")
    drain(runtime, county)  # the onboarding copies' own saves: nothing to distribute
    assert outbox_rows(runtime, county, DISTRIBUTED) == []

    catalogue.create_template_item(sessions, admin(county), catalogue_item({**ITEM, "code": "db_apply"}))
    outcomes = drain(runtime, county)
    assert outcomes[DISTRIBUTED] == ["processed", "processed"]
    assert sorted(r.tenant_id for r in outbox_rows(runtime, county, DISTRIBUTED)) == [napo, pingma]
    for tenant in (napo, pingma):
        row = copy_of(runtime, tenant, "db_apply")
        assert row is not None and (row["promised_days"], row["template_promised_days"]) == (5, 5)
        assert [e["item"]["code"] for e in saved_in(runtime, tenant)] == ["hk_move", "db_apply"]
    assert copy_of(runtime, dormant, "db_apply") is None  # suspended: not active

    # at least once: every event again changes nothing
    assert redeliver_all(runtime, county) == {"duplicate"}
    assert len(outbox_rows(runtime, county, DISTRIBUTED)) == 2
    assert len(saved_in(runtime, napo)) == 2

    # reactivated, the township catches up on what it missed
    status_event(runtime, dormant, "township_reactivated")
    assert copy_of(runtime, dormant, "db_apply") is not None
    status_event(runtime, dormant, "township_reactivated")  # again: nothing more
    assert [e["item"]["code"] for e in saved_in(runtime, dormant)] == ["hk_move", "db_apply"]


def test_a_changed_item_updates_copies_and_keeps_shorter_limits(runtime: Runtime, county: str) -> None:
    sessions = runtime.sessions
    catalogue.create_template_item(sessions, admin(county), catalogue_item(ITEM))  # statutory 10, promised 5
    plain, short, long_ = f"{county}.plain", f"{county}.short", f"{county}.long"
    for tenant in (plain, short, long_):
        onboard(runtime, tenant)
    catalogue.update_promised_days(sessions, township_admin(short), short, "hk_move", 3)
    catalogue.update_promised_days(sessions, township_admin(long_), long_, "hk_move", 8)
    drain(runtime, county)

    changed = {
        **ITEM,
        "name": "户口迁移（新）",
        "statutory_days": 6,
        "promised_days": 4,
        "materials": [{"code": "id_card", "name": "居民身份证"}, {"code": "hukou", "name": "户口簿"}],
    }
    stored = catalogue.update_template_item(sessions, admin(county), catalogue_item(changed))
    assert stored.version == 2
    drain(runtime, county)

    expected = {plain: (4, False), short: (3, True), long_: (6, True)}
    for tenant, (promised, overridden) in expected.items():
        row = copy_of(runtime, tenant, "hk_move")
        assert row is not None
        assert (row["name"], row["statutory_days"], row["template_promised_days"]) == ("户口迁移（新）", 6, 4)
        assert [m["code"] for m in row["materials"]] == ["id_card", "hukou"]
        assert (row["promised_days"], row["promised_days"] != row["template_promised_days"]) == (
            promised,
            overridden,
        )
    # the clamp is told: the township's limit before, on its event
    last = saved_in(runtime, long_)[-1]
    assert last["clamped_promised_days"] == 8 and last["item"]["promised_days"] == 6
    assert "clamped_promised_days" not in saved_in(runtime, short)[-1]

    # idempotent: the handler once more, or the same template again, changes nothing
    versions = {t: copy_of(runtime, t, "hk_move")["version"] for t in expected}  # type: ignore[index]
    events = {t: len(saved_in(runtime, t)) for t in expected}
    for tenant in expected:
        with db.transaction(sessions, tenant) as s:
            assert catalogue.sync_template(s, tenant) == 0
    again = catalogue.update_template_item(sessions, admin(county), catalogue_item(changed))
    assert again.version == 2
    assert drain(runtime, county) == {}
    assert {t: copy_of(runtime, t, "hk_move")["version"] for t in expected} == versions  # type: ignore[index]
    assert {t: len(saved_in(runtime, t)) for t in expected} == events


def test_an_older_distribution_handled_late_does_not_undo_a_newer_one(runtime: Runtime, county: str) -> None:
    sessions = runtime.sessions
    catalogue.create_template_item(sessions, admin(county), catalogue_item(ITEM))
    tenant = f"{county}.napo"
    onboard(runtime, tenant)
    catalogue.update_template_item(sessions, admin(county), catalogue_item({**ITEM, "promised_days": 4}))
    catalogue.update_template_item(sessions, admin(county), catalogue_item({**ITEM, "promised_days": 3}))
    saves = outbox_rows(runtime, county, "catalogue_item_saved")
    template_saves = [r for r in saves if r.tenant_id == county_scope(county)]
    for row in reversed(template_saves):  # the newest first, then the older ones
        consume(envelope_of_row(row), SUBSCRIPTIONS["catalogue_item_saved"], sessions)
    for row in outbox_rows(runtime, county, DISTRIBUTED):
        consume(envelope_of_row(row), SUBSCRIPTIONS[DISTRIBUTED], sessions)
    assert copy_of(runtime, tenant, "hk_move")["promised_days"] == 3  # type: ignore[index]


@contextmanager
def refusing_writes_in(url: str, tenant: str) -> Iterator[None]:
    """A trigger (as the owner) that refuses every catalogue write of one township: a township
    whose transaction fails, for real, in PostgreSQL."""
    name = f"refuse_{uuid.uuid4().hex[:8]}"
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                f"CREATE FUNCTION intake.{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'township unavailable'; END $$"
            )
        )
        conn.execute(
            sa.text(
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON intake.catalogue_item FOR EACH ROW "
                f"WHEN (NEW.tenant_id = '{tenant}') EXECUTE FUNCTION intake.{name}()"
            )
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TRIGGER {name} ON intake.catalogue_item"))
            conn.execute(sa.text(f"DROP FUNCTION intake.{name}()"))
        engine.dispose()


def test_a_failing_township_blocks_no_other_and_catches_up(
    runtime: Runtime, county: str, migrated_url: str
) -> None:
    sessions = runtime.sessions
    catalogue.create_template_item(sessions, admin(county), catalogue_item(ITEM))
    good, bad = f"{county}.good", f"{county}.bad"
    for tenant in (good, bad):
        onboard(runtime, tenant)
    drain(runtime, county)
    catalogue.create_template_item(sessions, admin(county), catalogue_item({**ITEM, "code": "db_apply"}))
    with refusing_writes_in(migrated_url, bad):
        outcomes = drain(runtime, county, max_attempts=1)
    assert sorted(outcomes[DISTRIBUTED]) == ["dead_lettered", "processed"]
    assert copy_of(runtime, good, "db_apply") is not None
    assert copy_of(runtime, bad, "db_apply") is None

    # the township's own event again (a replay of the dead letter) now goes through
    mine = [r for r in outbox_rows(runtime, county, DISTRIBUTED) if r.tenant_id == bad]
    assert mine[-1].payload["item"]["code"] == "db_apply"
    assert consume(envelope_of_row(mine[-1]), SUBSCRIPTIONS[DISTRIBUTED], sessions) == "processed"
    assert copy_of(runtime, bad, "db_apply") is not None
    assert drain(runtime, county) == {"catalogue_item_saved": ["processed"]}  # its copy's own save
    assert redeliver_all(runtime, county) == {"duplicate"}


def test_the_template_update_rpc(
    runtime: Runtime, county: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`UpdateCatalogueTemplateItem` over real gRPC: the county admin's change (version checked);
    a township admin is refused."""
    import grpc
    from bianmin.intake.v1 import intake_service_pb2 as pb
    from bianmin.intake.v1 import intake_service_pb2_grpc as pb_grpc

    from cli import compose
    from services.intake.adapters.catalogue_proto import item_to_pb

    settings = runtime.settings.model_copy(update={"jwt_key_dir": tmp_path_factory.mktemp("keys")})
    issuer, verifier = compose.keys(settings, sign=True)
    server, port = compose.grpc_server(runtime, ["intake"], "127.0.0.1", 0, verifier)
    server.start()
    catalogue.create_template_item(runtime.sessions, admin(county), catalogue_item(ITEM))
    changed = item_to_pb(
        catalogue_item({**ITEM, "promised_days": 3}),
        version=0,
        updated_at=datetime.now(UTC),
        overridden=False,
    )
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.IntakeServiceStub(channel)

            def call(principal: object, version: int) -> pb.UpdateCatalogueTemplateItemResponse:
                token = issuer.issue(principal)[0]
                request = pb.UpdateCatalogueTemplateItemRequest(item=changed, expected_version=version)
                return stub.UpdateCatalogueTemplateItem(
                    request, metadata=[("authorization", f"Bearer {token}")]
                )

            reply = call(admin(county), 1)
            assert (reply.item.promised_days, reply.item.version) == (3, 2)
            with pytest.raises(grpc.RpcError) as stale:
                call(admin(county), 1)
            assert stale.value.code() == grpc.StatusCode.ABORTED
            with pytest.raises(grpc.RpcError) as refused:
                call(township_admin(f"{county}.napo"), 0)
            assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        server.stop(grace=None)
    assert [
        r.payload["item"]["promised_days"] for r in outbox_rows(runtime, county, "catalogue_item_saved")
    ] == [5, 3]
