"""`GET /v1/notifications/dead-letters` and `POST …/{id}/replay` through the gateway to a real
notify (gRPC in process) on the session database: pages, the caller's county only, the replay
and its refusals (API.md error model)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from libs.common import db
from libs.common.runtime import Runtime
from services.gateway.service_layer import identity
from tests.integration.gateway.inprocess import gateway_with_intake
from tests.integration.gateway.support import PASSWORD, assert_problem, login, unique_code

PATH = "/v1/notifications/dead-letters"


@pytest.fixture(scope="module")
def client(runtime: Runtime, gateway_keys) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with gateway_with_intake(runtime, gateway_keys) as app, TestClient(app) as c:
        yield c


def user(
    runtime: Runtime, client: TestClient, county: str, roles: list[str], tenants: list[str] = ()
) -> dict:  # type: ignore[assignment]
    identity.ensure_county(runtime.sessions, county, "死信县", runtime.settings.timezone)
    username = unique_code("u")
    identity.create_user(runtime.sessions, username=username, password=PASSWORD, county=county, roles=roles,
                         tenants=list(tenants))  # fmt: skip
    return login(client, username)


def park(runtime: Runtime, tenant: str, status: str = "dead_lettered") -> str:
    nid = uuid.uuid4()
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            sa.text(
                "INSERT INTO notify.notification (id, tenant_id, topic, channel, status, recipient, text,"
                " attempts, last_error, parked_at, source_event_id)"
                " VALUES (:id, :t, 'notice', 'sms', :st, '138****8000', '通知', 8, 'provider answered 503',"
                " CASE WHEN :st = 'dead_lettered' THEN now() END, :e)"
            ),
            {"id": nid, "t": tenant, "st": status, "e": str(uuid.uuid4())},
        )
    return f"notification:{nid}"


def test_list_page_and_replay_dead_letters(runtime: Runtime, client: TestClient) -> None:
    county, other = unique_code("dl"), unique_code("dl")
    ops = user(runtime, client, county, ["ops"])
    admin = user(runtime, client, county, ["county_admin"])
    mine = [park(runtime, f"{county}.aa"), park(runtime, f"{county}.aa"), park(runtime, f"{county}.bb")]
    theirs = park(runtime, f"{other}.aa")
    queued = park(runtime, f"{county}.aa", status="queued")

    first = client.get(PATH, params={"page_size": 2}, headers=ops)
    assert first.status_code == 200, first.text
    assert len(first.json()["items"]) == 2 and first.json()["next_page_token"]
    rest = client.get(
        PATH, params={"page_size": 2, "page_token": first.json()["next_page_token"]}, headers=ops
    )
    items = first.json()["items"] + rest.json()["items"]
    assert rest.json()["next_page_token"] == ""
    assert sorted(i["id"] for i in items) == sorted(mine)  # the caller's county only
    one = items[0]
    assert one["source"] == "notification" and one["channel"] == "sms" and one["attempts"] == 8
    assert one["reason"] == "provider answered 503" and one["parked_at"].endswith("+08:00")
    assert one["replayed_at"] is None and one["tenant"].startswith(f"{county}.")
    assert client.get(PATH, params={"source": "event"}, headers=ops).json()["items"] == []

    r = client.post(f"{PATH}/{mine[0]}/replay", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == mine[0] and r.json()["replayed_at"] and r.json()["attempts"] == 0
    with db.transaction(runtime.ops_sessions, None) as s:
        status, attempts, by = s.execute(
            sa.text("SELECT status, attempts, replayed_by FROM notify.notification WHERE id = :id"),
            {"id": mine[0].split(":")[1]},
        ).one()
    assert (status, attempts) == ("queued", 0) and by
    left = client.get(PATH, headers=ops).json()["items"]
    assert sorted(i["id"] for i in left) == sorted(mine[1:])
    with_replayed = client.get(PATH, params={"include_replayed": "true"}, headers=ops).json()["items"]
    assert sorted(i["id"] for i in with_replayed) == sorted(mine)

    assert_problem(client.post(f"{PATH}/{mine[0]}/replay", headers=ops), 409, "invalid_transition")
    assert_problem(client.post(f"{PATH}/{queued}/replay", headers=ops), 409, "invalid_transition")
    assert_problem(client.post(f"{PATH}/{theirs}/replay", headers=ops), 404, "not_found")
    assert_problem(client.post(f"{PATH}/notification:{uuid.uuid4()}/replay", headers=ops), 404, "not_found")
    assert_problem(client.post(f"{PATH}/nonsense/replay", headers=ops), 422, "validation_error")
    staff = user(runtime, client, county, ["window_staff"], [f"{county}.aa"])
    assert_problem(client.get(PATH, headers=staff), 403, "forbidden")
    assert_problem(client.post(f"{PATH}/{mine[1]}/replay", headers=staff), 403, "forbidden")
    assert_problem(client.get(PATH), 401, "unauthenticated")


def test_an_event_dead_letter_is_replayed_through_notify_s_own_consumer(
    runtime: Runtime, client: TestClient
) -> None:
    """An event notify kept failing to consume (here: its handler failed, as on a database outage)
    is parked; replayed over HTTP, notify's real consumer handles it and the effect appears."""
    from datetime import UTC, datetime

    from bianmin.gateway.v1 import events_pb2

    from libs.common.messaging import Envelope, Subscription, consume, data_of, event_type_of

    county = unique_code("dl")
    tenant = f"{county}.cc"
    ops = user(runtime, client, county, ["ops"])
    message = events_pb2.TownshipOnboarded(tenant_id=tenant, county=county, code="cc", name="弄村镇")
    envelope = Envelope.new(
        source="gateway", event_type=event_type_of(message), tenant_id=tenant, data=data_of(message),
        occurred_at=datetime.now(UTC),
    )  # fmt: skip

    def outage(envelope: Envelope, session: object) -> None:
        raise RuntimeError("the database went away")

    failing = Subscription("gateway", "township_onboarded", "notify", outage)
    assert consume(envelope, failing, runtime.sessions, max_attempts=1) == "dead_lettered"

    parked = client.get(PATH, params={"source": "event"}, headers=ops)
    assert parked.status_code == 200, parked.text
    [letter] = parked.json()["items"]
    assert letter["id"].startswith("event:") and "the database went away" in letter["reason"]

    r = client.post(f"{PATH}/{letter['id']}/replay", headers=ops)
    assert r.status_code == 200, r.text
    with db.transaction(runtime.sessions, tenant) as s:
        names = s.execute(sa.text("SELECT name FROM notify.tenant")).scalars().all()
    assert names == ["弄村镇"]
    assert client.get(PATH, params={"source": "event"}, headers=ops).json()["items"] == []
