"""consume(): idempotency through the inbox, failures with back-off, dead letters and replay,
row-level security of the consumer tables (real PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from libs.common import db
from libs.common.errors import NotFound
from libs.common.messaging import (
    DEAD_LETTERED,
    DUPLICATE,
    FAILED,
    PROCESSED,
    Envelope,
    Subscription,
    check_subscriptions,
    consume,
    consume_batch,
    list_dead_letters,
    replay,
    retry_due,
)
from libs.common.observability.metrics import EVENTS_CONSUMED
from tests.integration.common.messaging_support import (
    BAIXIN,
    COUNTY,
    NAPO,
    SCHEMA,
    TABLES,
    effects,
    recording_handler,
    rows,
    unique,
)
from tests.integration.common.messaging_support import dbs as dbs  # fixture

inbox, failed_event = TABLES.inbox, TABLES.failed_event


def subscription(handler=None, **kw) -> Subscription:  # type: ignore[no-untyped-def]
    service = unique("svc")
    return Subscription(
        source="intake",
        event_type="case_accepted",
        service=service,
        handler=handler or recording_handler(service),
        schema=SCHEMA,
        **kw,
    )


def envelope(tenant: str = NAPO, **data: object) -> Envelope:
    return Envelope.new(source="intake", event_type="case_accepted", tenant_id=tenant, data=dict(data))


def counted(consumer: str, outcome: str) -> float:
    return EVENTS_CONSUMED.labels(consumer=consumer, outcome=outcome)._value.get()


def test_names_follow_nameko() -> None:
    sub = Subscription("intake", "case_accepted", "notify", recording_handler("x"))
    assert sub.method == "handle_case_accepted"
    assert sub.consumer == "notify.handle_case_accepted"
    assert sub.queue_name == "evt-intake-case_accepted--notify.handle_case_accepted"
    other = Subscription("proxy", "case_accepted", "notify", recording_handler("x"))
    with pytest.raises(ValueError, match="method_name"):
        check_subscriptions([sub, other])
    renamed = Subscription(
        "proxy", "case_accepted", "notify", recording_handler("x"), method_name="handle_proxy_case"
    )
    assert [s.consumer for s in check_subscriptions([sub, renamed])][1] == "notify.handle_proxy_case"


def test_envelope_round_trip_and_event_types() -> None:
    import json

    from libs.common.messaging import data_of, event_type_of
    from tests.integration.common.messaging_support import TownshipOnboarded

    message = TownshipOnboarded(township="napo", display_name="那坡")
    assert event_type_of(message) == event_type_of(TownshipOnboarded) == "township_onboarded"
    assert data_of(message) == {"township": "napo", "display_name": "那坡"}
    env = envelope(NAPO, **data_of(message))
    assert Envelope.from_body(json.loads(json.dumps(env.to_body()))) == env
    assert env.occurred_at.tzinfo is not None and env.schema_version == 1


def test_processed_once_then_duplicate(dbs) -> None:
    sub = subscription()
    env = envelope()
    assert consume(env, sub, dbs.runtime) == PROCESSED
    assert consume(env, sub, dbs.runtime) == DUPLICATE
    assert consume(env, sub, dbs.runtime) == DUPLICATE
    assert len(effects(dbs, env.event_id)) == 1
    inbox_rows = rows(dbs, inbox, inbox.c.consumer == sub.consumer)
    assert [(r.tenant_id, str(r.event_id)) for r in inbox_rows] == [(NAPO, env.event_id)]
    assert counted(sub.consumer, PROCESSED) == 1 and counted(sub.consumer, DUPLICATE) == 2
    # the handler ran with the event's tenant ambient
    assert effects(dbs, env.event_id)[0].detail == f"ambient={NAPO}"


def test_county_wide_event_is_scoped_to_the_county(dbs) -> None:
    sub = subscription()
    env = envelope(COUNTY)
    assert env.county_wide and env.township is None and env.county == "demo"
    assert consume(env, sub, dbs.runtime) == PROCESSED
    (row,) = effects(dbs, env.event_id)
    assert row.tenant_id == COUNTY and row.detail == "ambient=None"
    assert [r.tenant_id for r in rows(dbs, inbox, inbox.c.consumer == sub.consumer)] == [COUNTY]
    with pytest.raises(ValueError):
        Envelope.new(source="intake", event_type="x", tenant_id="")
    with pytest.raises(ValueError):
        Envelope.new(source="intake", event_type="CaseAccepted", tenant_id=NAPO)


def test_failure_backs_off_and_a_retry_processes_it(dbs) -> None:
    broken = {"yes": True}
    sub = subscription(handler=recording_handler("flaky", fail=lambda env: broken["yes"]))
    env = envelope()
    before = datetime.now(UTC)
    assert consume(env, sub, dbs.runtime, retry_base_seconds=10) == FAILED
    assert effects(dbs, env.event_id) == []  # the handler's effect was rolled back
    assert rows(dbs, inbox, inbox.c.consumer == sub.consumer) == []  # so was the inbox row
    (failure,) = rows(dbs, failed_event, failed_event.c.consumer == sub.consumer)
    assert failure.attempts == 1 and not failure.dead and failure.tenant_id == NAPO
    assert "failed on purpose" in failure.last_error
    assert before + timedelta(seconds=9) < failure.next_attempt_at < datetime.now(UTC) + timedelta(seconds=11)

    # not due yet: nothing is re-run
    kw = {"runtime_sessions": dbs.runtime, "retry_base_seconds": 10}
    assert retry_due(dbs.relay, [sub], **kw) == 0
    # due, still broken: attempt 2, back-off doubled
    later = datetime.now(UTC) + timedelta(seconds=11)
    assert retry_due(dbs.relay, [sub], later, **kw) == 1
    (failure,) = rows(dbs, failed_event, failed_event.c.consumer == sub.consumer)
    assert failure.attempts == 2 and not failure.dead
    assert failure.next_attempt_at > datetime.now(UTC) + timedelta(seconds=19)

    broken["yes"] = False  # the cause is fixed
    assert retry_due(dbs.relay, [sub], later + timedelta(seconds=21), **kw) == 1
    assert rows(dbs, failed_event, failed_event.c.consumer == sub.consumer) == []
    assert len(effects(dbs, env.event_id)) == 1
    assert consume(env, sub, dbs.runtime) == DUPLICATE


def test_dead_letter_is_listed_and_replayed(dbs) -> None:
    broken = {"yes": True}
    sub = subscription(handler=recording_handler("poison", fail=lambda env: broken["yes"]))
    env = envelope(BAIXIN)
    kw = {"runtime_sessions": dbs.runtime, "retry_base_seconds": 0.01, "max_attempts": 3}
    assert consume(env, sub, dbs.runtime, max_attempts=3, retry_base_seconds=0.01) == FAILED
    far = datetime.now(UTC) + timedelta(hours=1)
    assert retry_due(dbs.relay, [sub], far, **kw) == 1
    assert retry_due(dbs.relay, [sub], far, **kw) == 1
    (failure,) = rows(dbs, failed_event, failed_event.c.consumer == sub.consumer)
    assert failure.attempts == 3 and failure.dead
    assert counted(sub.consumer, DEAD_LETTERED) == 1
    # a dead letter is never retried automatically
    assert retry_due(dbs.relay, [sub], far + timedelta(days=1), **kw) == 0

    (dead,) = list_dead_letters(dbs.relay, SCHEMA, consumer=sub.consumer)
    assert (dead.event_id, dead.tenant_id, dead.attempts) == (env.event_id, BAIXIN, 3)
    assert dead["consumer"] == sub.consumer
    assert dead.envelope == env
    assert "failed on purpose" in (dead.last_error or "")

    # a replay through subscriptions that do not own it changes nothing
    with pytest.raises(NotFound):
        replay(dbs.relay, [subscription()], SCHEMA, dead.id, runtime_sessions=dbs.runtime)
    assert rows(dbs, failed_event, failed_event.c.id == dead.id)[0].dead

    # replay while still broken: back into the retry cycle, with a fresh count
    assert replay(dbs.relay, [sub], SCHEMA, dead.id, runtime_sessions=dbs.runtime, max_attempts=3) == FAILED
    (failure,) = rows(dbs, failed_event, failed_event.c.consumer == sub.consumer)
    assert failure.attempts == 1 and not failure.dead

    broken["yes"] = False
    assert replay(dbs.relay, [sub], SCHEMA, failure.id, runtime_sessions=dbs.runtime) == PROCESSED
    assert rows(dbs, failed_event, failed_event.c.consumer == sub.consumer) == []
    assert list_dead_letters(dbs.relay, SCHEMA, consumer=sub.consumer) == []
    assert len(effects(dbs, env.event_id)) == 1
    with pytest.raises(NotFound):
        replay(dbs.relay, [sub], SCHEMA, failure.id, runtime_sessions=dbs.runtime)


def test_a_batch_is_handled_once_each_in_one_transaction_per_tenant(dbs) -> None:
    sub = subscription()
    done_before = envelope(NAPO, n=0)
    assert consume(done_before, sub, dbs.runtime) == PROCESSED
    napo1, napo2 = envelope(NAPO, n=1), envelope(NAPO, n=2)
    baixin, county = envelope(BAIXIN), envelope(COUNTY)
    batch = [napo1, baixin, done_before, county, napo2, napo1]  # napo1 delivered twice in the batch

    assert consume_batch(batch, sub, dbs.runtime) == [
        PROCESSED, PROCESSED, DUPLICATE, PROCESSED, PROCESSED, DUPLICATE,
    ]  # fmt: skip
    for env in (done_before, napo1, napo2, baixin, county):
        assert len(effects(dbs, env.event_id)) == 1
    # each handler ran with its event's tenant ambient and wrote under that tenant
    assert [(e.tenant_id, e.detail) for e in effects(dbs, baixin.event_id)] == [(BAIXIN, f"ambient={BAIXIN}")]
    assert [(e.tenant_id, e.detail) for e in effects(dbs, county.event_id)] == [(COUNTY, "ambient=None")]
    inbox_rows = rows(dbs, inbox, inbox.c.consumer == sub.consumer)
    assert sorted((r.tenant_id, str(r.event_id)) for r in inbox_rows) == sorted(
        (e.tenant_id, e.event_id) for e in (done_before, napo1, napo2, baixin, county)
    )
    assert counted(sub.consumer, PROCESSED) == 5 and counted(sub.consumer, DUPLICATE) == 2
    # the whole batch again: all duplicates, nothing changes
    assert set(consume_batch(batch, sub, dbs.runtime)) == {DUPLICATE}
    assert len(effects(dbs, napo1.event_id)) == 1
    assert consume_batch([], sub, dbs.runtime) == []


def test_a_poison_event_in_a_batch_is_recorded_alone_and_the_rest_commit(dbs) -> None:
    sub = subscription(handler=recording_handler("batch", fail=lambda env: env.data.get("poison", False)))
    before, poison = envelope(NAPO), envelope(NAPO, poison=True)
    after, other = envelope(NAPO), envelope(BAIXIN)

    outcomes = consume_batch([before, poison, after, other], sub, dbs.runtime, retry_base_seconds=10)

    assert outcomes == [PROCESSED, FAILED, PROCESSED, PROCESSED]
    assert effects(dbs, poison.event_id) == []  # its effect rolled back
    for env in (before, after, other):
        assert len(effects(dbs, env.event_id)) == 1  # the batch's roll-back did not lose them
    (failure,) = rows(dbs, failed_event, failed_event.c.consumer == sub.consumer)
    assert (str(failure.event_id), failure.attempts, failure.dead) == (poison.event_id, 1, False)
    assert {str(r.event_id) for r in rows(dbs, inbox, inbox.c.consumer == sub.consumer)} == {
        before.event_id, after.event_id, other.event_id,
    }  # fmt: skip


def test_a_batch_clears_the_failure_record_of_an_event_it_completes(dbs) -> None:
    broken = {"yes": True}
    sub = subscription(handler=recording_handler("healed", fail=lambda env: broken["yes"]))
    env = envelope(BAIXIN)
    assert consume(env, sub, dbs.runtime) == FAILED
    assert len(rows(dbs, failed_event, failed_event.c.consumer == sub.consumer)) == 1
    broken["yes"] = False  # fixed; the broker redelivers it within a batch
    assert consume_batch([envelope(BAIXIN), env], sub, dbs.runtime) == [PROCESSED, PROCESSED]
    assert rows(dbs, failed_event, failed_event.c.consumer == sub.consumer) == []
    assert len(effects(dbs, env.event_id)) == 1


def test_a_batch_raises_when_not_even_a_failure_can_be_recorded(dbs) -> None:
    """The database is away: nothing may be acked, so the transport must see an error."""
    sub = subscription()
    away = db.make_sessions(db.make_engine("postgresql://nobody@127.0.0.1:1/none"))
    with pytest.raises(sa.exc.OperationalError):
        consume_batch([envelope(NAPO)], sub, away)


def test_consumer_tables_are_tenant_isolated(dbs) -> None:
    sub = subscription(handler=recording_handler("iso", fail=lambda env: env.data.get("fail", False)))
    ok, bad = envelope(NAPO), envelope(NAPO, fail=True)
    assert consume(ok, sub, dbs.runtime) == PROCESSED
    assert consume(bad, sub, dbs.runtime) == FAILED
    with db.transaction(dbs.runtime, BAIXIN) as s:
        assert s.execute(sa.select(inbox).where(inbox.c.consumer == sub.consumer)).all() == []
        assert s.execute(sa.select(failed_event).where(failed_event.c.consumer == sub.consumer)).all() == []
    with db.transaction(dbs.runtime, None) as s:  # no tenant at all: nothing
        assert s.execute(sa.select(inbox).where(inbox.c.consumer == sub.consumer)).all() == []
    with db.transaction(dbs.runtime, NAPO) as s:
        assert len(s.execute(sa.select(inbox).where(inbox.c.consumer == sub.consumer)).all()) == 1
        mine = s.execute(sa.select(failed_event).where(failed_event.c.consumer == sub.consumer)).all()
        assert len(mine) == 1
    # a runtime transaction of one tenant cannot write another tenant's inbox row
    rls = pytest.raises(sa.exc.DBAPIError, match="row-level security")
    with rls, db.transaction(dbs.runtime, BAIXIN) as s:
        s.execute(inbox.insert().values(tenant_id=NAPO, consumer=sub.consumer, event_id=bad.event_id))


def test_rls_is_forced_on_the_messaging_tables(dbs) -> None:
    with dbs.admin() as s:
        flags = s.execute(
            sa.text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema AND c.relname IN ('outbox', 'inbox', 'failed_event')"
            ),
            {"schema": SCHEMA},
        ).all()
    assert sorted(flags) == [("failed_event", True, True), ("inbox", True, True), ("outbox", True, True)]
