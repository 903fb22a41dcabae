"""Notify's handlers of intake's events on the real database: a notice on file with its print,
SMS and e-mail deliveries (the address sealed), staff inbox items, the open-case projection —
each exactly once however often the event is delivered; row-level security keeps townships apart;
an applicant contact no key opens fails the event (to be retried / replayed), writing nothing; a
collective petition alerts the leader on duty of appraisal's rota (else every township_admin)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa
from bianmin.appraisal.v1 import attendance_pb2
from bianmin.appraisal.v1 import events_pb2 as appraisal_events
from bianmin.intake.v1 import case_pb2, events_pb2
from google.protobuf.message import Message

from libs.common import db, sealing
from libs.common.errors import Forbidden, NotFound, Unauthenticated
from libs.common.messaging import Envelope, consume, consume_batch, data_of, event_type_of
from libs.common.runtime import Runtime
from libs.common.sealing import Sealer
from libs.common.settings import Settings
from libs.common.tenancy import Principal
from services.notify.adapters import tables
from services.notify.entrypoints import service as notify_service
from services.notify.service_layer import case_events, duty_rota, notices

KEY = Sealer.generate_key()
CONTACT = {"name": "张三丰", "phone": "13812345678", "email": "zhangsan@example.com"}
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rt(migrated_url: str, settings: Settings) -> Runtime:
    """A runtime whose seal key the test knows (what intake and notify of one deployment share)."""
    return Runtime.connect(settings.model_copy(update={"seal_keys": KEY}), migrated_url)


def township(rt: Runtime, admins: tuple[str, ...] = ()) -> str:
    tenant = f"tianyang.n{uuid.uuid4().hex[:8]}"
    with db.transaction(rt.sessions, tenant) as s:
        s.execute(
            sa.insert(tables.tenant).values(
                tenant_id=tenant,
                county="tianyang",
                code=tenant.split(".")[1],
                name="那坡镇",
                onboarded_at=NOW,
            )
        )
        for username in admins:
            s.execute(sa.insert(tables.staff).values(tenant_id=tenant, username=username, name="领导",
                      roles=["township_admin"], active=True, event_at=NOW))  # fmt: skip
        s.execute(sa.insert(tables.staff).values(tenant_id=tenant, username=f"w{tenant}", name="窗口",
                  roles=["window_staff"], active=True, event_at=NOW))  # fmt: skip
    return tenant


def summary(
    version: int = 1, handler: str = "", state: int = 4, contact: dict | None = None
) -> case_pb2.CaseSummary:
    sealed = Sealer([KEY]).seal(contact if contact is not None else CONTACT)
    return case_pb2.CaseSummary(
        case_id=CASE_ID, number="NP-20261123-0001", item_code="db_apply", item_name="低保申请",
        state=state, handler=handler, first_ask="desk", version=version, applicant_sealed=sealed,
    )  # fmt: skip


CASE_ID = str(uuid.uuid4())


def envelope(tenant: str, message: Message, at: datetime = NOW, source: str = "intake") -> Envelope:
    return Envelope.new(
        source=source,
        event_type=event_type_of(message),
        tenant_id=tenant,
        data=data_of(message),
        occurred_at=at,
    )


def deliver(rt: Runtime, env: Envelope) -> str:
    """Through notify's own subscriptions (what `bianmin run` wires), the consumer inbox included."""
    subs = {(s.source, s.event_type): s for s in notify_service.subscriptions()}
    return consume(env, subs[(env.source, env.event_type)], rt.sessions, max_attempts=1)


def rows(rt: Runtime, tenant: str, table: sa.Table) -> list:
    with db.transaction(rt.sessions, tenant) as s:
        return list(s.execute(sa.select(table)).all())


@pytest.fixture
def tenant(rt: Runtime) -> Iterator[str]:
    yield township(rt, admins=("leader_a", "leader_b"))


def test_acceptance_yields_one_notice_with_print_sms_and_email_once(rt: Runtime, tenant: str) -> None:
    event = envelope(tenant, events_pb2.CaseAccepted(case=summary(version=2), actor="desk"))
    assert deliver(rt, event) == "processed"
    assert deliver(rt, event) == "duplicate"  # the consumer inbox
    with db.transaction(rt.sessions, tenant) as s:  # past the inbox: the unique keys
        case_events.on_case_event(event, s)

    [notice] = rows(rt, tenant, tables.notice)
    assert (notice.kind, notice.case_number, notice.locale) == ("acceptance", "NP-20261123-0001", "zh-CN")
    assert notice.text.startswith("受理通知书") and notice.verification_code in notice.text
    assert "张**" in notice.text and "张三丰" not in notice.text and "13812345678" not in notice.text
    assert notice.recipient == "138****5678" and notice.source_event_id == event.event_id

    by_channel = {r.channel: r for r in rows(rt, tenant, tables.notification)}
    assert set(by_channel) == {"print", "sms", "email"}
    assert by_channel["print"].status == "delivered" and by_channel["print"].delivered_at is not None
    assert by_channel["print"].address_sealed is None
    for channel, address in (("sms", CONTACT["phone"]), ("email", CONTACT["email"])):
        row = by_channel[channel]
        assert (row.status, row.topic, row.notice_id, row.urgent) == ("queued", "notice", notice.id, False)
        assert address not in row.recipient and address not in row.address_sealed
        assert sealing.open_address(Sealer([KEY]), row.address_sealed) == address
    assert by_channel["email"].recipient == "z***@example.com"

    [case] = rows(rt, tenant, tables.open_case)
    assert (case.case_id, case.state, case.version, case.item_name) == (CASE_ID, "accepted", 2, "低保申请")


def test_without_an_email_no_email_and_the_supplement_lists_every_material(rt: Runtime, tenant: str) -> None:
    names = ["户口簿", "家庭收入证明", "住房情况说明"]
    message = events_pb2.CaseSupplementRequested(
        case=summary(state=2, contact={"name": "李四", "phone": "13900001111", "email": ""}),
        missing_materials=["hukou", "income", "house"], missing_material_names=names,
    )  # fmt: skip
    assert deliver(rt, envelope(tenant, message)) == "processed"
    [notice] = rows(rt, tenant, tables.notice)
    assert notice.kind == "supplement"
    assert all(f"{i + 1}. {name}" in notice.text for i, name in enumerate(names))
    assert sorted(r.channel for r in rows(rt, tenant, tables.notification)) == ["print", "sms"]


def test_completion_yields_the_result_and_the_satisfaction_request(rt: Runtime, tenant: str) -> None:
    message = events_pb2.CaseCompleted(case=summary(version=5, state=7), outcome=1, reason="符合条件")
    assert deliver(rt, envelope(tenant, message)) == "processed"
    texts = {r.kind: r.text for r in rows(rt, tenant, tables.notice)}
    assert set(texts) == {"result", "satisfaction"}
    assert "准予办理" in texts["result"]
    assert len(rows(rt, tenant, tables.notification)) == 6  # print, sms, e-mail of each


def test_staff_assignment_warnings_and_presses_reach_the_inbox(rt: Runtime, tenant: str) -> None:
    assigned = events_pb2.CaseAssigned(case=summary(version=3, handler="wang"), handler="wang", actor="boss")
    yellow = events_pb2.CaseClockColourChanged(case=summary(version=3, handler="wang"), colour=2)
    overdue = events_pb2.CaseClockColourChanged(case=summary(version=3, handler="wang"), colour=4)
    green = events_pb2.CaseClockColourChanged(case=summary(version=3, handler="wang"), colour=1)
    pressed = events_pb2.CasePressed(case=summary(version=4, handler=""), note="抓紧办理", presses=1)
    for message in (assigned, yellow, overdue, green, pressed):
        env = envelope(tenant, message)
        assert deliver(rt, env) == "processed"
        with db.transaction(rt.sessions, tenant) as s:
            case_events.on_case_event(env, s)  # a second delivery changes nothing
    items = sorted((r.username, r.topic, r.title) for r in rows(rt, tenant, tables.inbox_item))
    assert items == [
        ("desk", "press", "督办：NP-20261123-0001"),  # nobody handles it (yet): the first-ask person
        ("wang", "assignment", "新分派：NP-20261123-0001"),
        ("wang", "clock_warning", "已超期：NP-20261123-0001"),
        ("wang", "clock_warning", "黄灯预警：NP-20261123-0001"),
    ]
    sent = sorted(
        (r.recipient, r.topic, r.channel, r.status, r.urgent) for r in rows(rt, tenant, tables.notification)
    )
    assert sent == [
        ("desk", "press", "inbox", "delivered", True),
        ("wang", "assignment", "inbox", "delivered", False),
        ("wang", "clock_warning", "inbox", "delivered", False),
        ("wang", "clock_warning", "inbox", "delivered", True),
        ("wang", "clock_warning", "sms", "queued", True),  # overdue: SMS to the work phone too
    ]
    assert not rows(rt, tenant, tables.notice)  # nothing for the applicant


def test_a_collective_petition_without_a_rota_alerts_every_township_admin(
    rt: Runtime, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    single = events_pb2.PetitionRegistered(petition_id="p1", number="XF-1", collective=False)
    collective = events_pb2.PetitionRegistered(petition_id="p2", number="XF-2", collective=True)
    assert deliver(rt, envelope(tenant, single)) == "processed"
    assert not rows(rt, tenant, tables.inbox_item)
    env = envelope(tenant, collective)
    assert deliver(rt, env) == "processed"
    assert deliver(rt, env) == "duplicate"
    assert sorted((r.username, r.topic) for r in rows(rt, tenant, tables.inbox_item)) == [
        ("leader_a", "collective_petition"),
        ("leader_b", "collective_petition"),
    ]
    urgent = sorted((r.recipient, r.channel) for r in rows(rt, tenant, tables.notification) if r.urgent)
    assert urgent == [("leader_a", "inbox"), ("leader_a", "sms"), ("leader_b", "inbox"), ("leader_b", "sms")]
    assert _no_leader_warnings(caplog, "XF-2") == 1


def test_a_collective_petition_with_nobody_to_alert_is_logged(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    lonely = township(rt)  # no township_admin
    collective = events_pb2.PetitionRegistered(petition_id="p3", number="XF-3", collective=True)
    assert deliver(rt, envelope(lonely, collective)) == "processed"
    assert not rows(rt, lonely, tables.inbox_item)
    assert any("no township_admin" in r.getMessage() and "XF-3" in r.getMessage() for r in caplog.records)


# --- the leader on duty (appraisal's rota, DOMAIN.md §8/§9) -----------------------------------

T1 = datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # when the November rota was first published
T2 = T1 + timedelta(days=3)  # ... and re-published


def rota(tenant: str, at: datetime, days: dict[str, str], month: str = "2026-11") -> Envelope:
    message = appraisal_events.DutyRotaPublished(
        month=month, days=[attendance_pb2.DutyDay(date=d, username=u) for d, u in days.items()]
    )
    return envelope(tenant, message, at=at, source="appraisal")


def petition(tenant: str, number: str, registered_at: datetime) -> Envelope:
    message = events_pb2.PetitionRegistered(petition_id=number, number=number, collective=True)
    message.registered_at.FromDatetime(registered_at)
    return envelope(tenant, message, at=registered_at)


def alerted(rt: Runtime, tenant: str, number: str) -> list[tuple[str, str, str]]:
    """(recipient, channel, status) of the urgent notifications of petition `number`."""
    return sorted(
        (r.recipient, r.channel, r.status)
        for r in rows(rt, tenant, tables.notification)
        if r.urgent and r.topic == "collective_petition" and number in r.subject
    )


def on_duty(rt: Runtime, tenant: str) -> dict[str, str]:
    return {r.day.isoformat(): r.username for r in rows(rt, tenant, tables.duty_day)}


def _no_leader_warnings(caplog: pytest.LogCaptureFixture, number: str) -> int:
    return sum(
        1
        for r in caplog.records
        if r.levelname == "WARNING"
        and "no leader on duty found" in r.getMessage()
        and number in r.getMessage()
    )


def both(leader: str) -> list[tuple[str, str, str]]:
    return [(leader, "inbox", "delivered"), (leader, "sms", "queued")]


def test_a_collective_petition_alerts_the_leader_on_duty_of_its_local_day_alone(
    rt: Runtime, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    published = rota(tenant, T1, {"2026-11-23": "leader_b", "2026-11-24": "leader_a"})
    assert deliver(rt, published) == "processed"
    assert deliver(rt, published) == "duplicate"
    assert on_duty(rt, tenant) == {"2026-11-23": "leader_b", "2026-11-24": "leader_a"}

    # 10:00 on the 23rd in the township (Asia/Shanghai): leader_b alone
    assert deliver(rt, petition(tenant, "XF-10", NOW)) == "processed"
    assert alerted(rt, tenant, "XF-10") == both("leader_b")
    [item] = [r for r in rows(rt, tenant, tables.inbox_item) if "XF-10" in r.title]
    assert (item.username, item.topic) == ("leader_b", "collective_petition")
    assert "带班领导" in item.text and "2026年11月23日" in item.text
    # 17:30 UTC on the 23rd is 01:30 on the 24th there: that day's leader, not the UTC day's
    assert deliver(rt, petition(tenant, "XF-11", datetime(2026, 11, 23, 17, 30, tzinfo=UTC))) == "processed"
    assert alerted(rt, tenant, "XF-11") == both("leader_a")
    assert _no_leader_warnings(caplog, "XF-1") == 0


def test_a_day_without_a_leader_on_duty_falls_back_to_every_township_admin(
    rt: Runtime, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    with db.transaction(rt.sessions, tenant) as s:  # a leader who has left the centre
        s.execute(sa.insert(tables.staff).values(tenant_id=tenant, username="gone", name="离任",
                  roles=["township_admin"], active=False, event_at=NOW))  # fmt: skip
    published = rota(tenant, T1, {"2026-11-23": "gone", "2026-11-24": "", "2026-11-25": "nobody"})
    assert deliver(rt, published) == "processed"
    assert on_duty(rt, tenant) == {"2026-11-23": "gone", "2026-11-25": "nobody"}  # "" names nobody
    every_admin = sorted(both("leader_a") + both("leader_b"))
    for number, day in (("XF-20", 23), ("XF-21", 24), ("XF-22", 25), ("XF-23", 26)):
        # not active staff / named nobody / unknown here / no rota for the day
        assert deliver(rt, petition(tenant, number, datetime(2026, 11, day, 2, 0, tzinfo=UTC))) == "processed"
        assert alerted(rt, tenant, number) == every_admin, number
        assert _no_leader_warnings(caplog, number) == 1, number
    [item, *_] = [r for r in rows(rt, tenant, tables.inbox_item) if "XF-20" in r.title]
    assert "请立即安排领导接待" in item.text


def test_a_newer_rota_replaces_the_month_and_an_older_one_changes_nothing(rt: Runtime, tenant: str) -> None:
    first = rota(tenant, T1, {"2026-11-23": "leader_a", "2026-11-24": "leader_a"})
    newer = rota(tenant, T2, {"2026-11-23": "leader_b", "2026-11-27": "leader_b"})
    december = rota(tenant, T1, {"2026-12-01": "leader_a"}, month="2026-12")
    assert deliver(rt, first) == "processed" and deliver(rt, december) == "processed"
    assert deliver(rt, newer) == "processed"
    # the month's days as of the newer rota (the 24th is gone), another month untouched
    expected = {"2026-11-23": "leader_b", "2026-11-27": "leader_b", "2026-12-01": "leader_a"}
    assert on_duty(rt, tenant) == expected
    assert deliver(rt, petition(tenant, "XF-30", NOW)) == "processed"
    assert alerted(rt, tenant, "XF-30") == both("leader_b")

    # an older rota delivered late (another event id: past the inbox) changes nothing
    late = rota(tenant, T1 + timedelta(hours=1), {"2026-11-23": "leader_a", "2026-11-30": "leader_a"})
    assert deliver(rt, late) == "processed"
    assert on_duty(rt, tenant) == expected
    [month] = [r for r in rows(rt, tenant, tables.duty_month) if r.month == "2026-11"]
    assert month.event_at == T2
    assert deliver(rt, petition(tenant, "XF-31", NOW + timedelta(minutes=5))) == "processed"
    assert alerted(rt, tenant, "XF-31") == both("leader_b")

    # the write itself is safe to repeat (past the consumer inbox), the newer one included
    with db.transaction(rt.sessions, tenant) as s:
        duty_rota.on_duty_rota_published(newer, s)
        duty_rota.on_duty_rota_published(first, s)
    assert on_duty(rt, tenant) == expected

    # a newer rota that empties the month keeps an older one out too
    assert deliver(rt, rota(tenant, T2 + timedelta(days=1), {})) == "processed"
    assert deliver(rt, rota(tenant, T2, {"2026-11-23": "leader_a"})) == "processed"
    assert on_duty(rt, tenant) == {"2026-12-01": "leader_a"}


def test_a_malformed_rota_fails_and_writes_nothing(rt: Runtime, tenant: str) -> None:
    outside = rota(tenant, T1, {"2026-11-23": "leader_a", "2026-12-01": "leader_b"})
    not_a_date = rota(tenant, T1, {"20261123": "leader_a"})
    for env in (outside, not_a_date, rota(tenant, T1, {"2026-11-23": "leader_a"}, month="2026-13")):
        assert deliver(rt, env) == "dead_lettered"
    assert not rows(rt, tenant, tables.duty_day) and not rows(rt, tenant, tables.duty_month)


def test_the_rota_is_each_townships_own(rt: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    mine, other = township(rt, admins=("mine_a", "mine_b")), township(rt, admins=("other_a", "other_b"))
    assert deliver(rt, rota(mine, T1, {"2026-11-23": "mine_b"})) == "processed"
    assert deliver(rt, petition(mine, "XF-40", NOW)) == "processed"
    assert deliver(rt, petition(other, "XF-41", NOW)) == "processed"
    assert alerted(rt, mine, "XF-40") == both("mine_b")
    assert alerted(rt, other, "XF-41") == sorted(both("other_a") + both("other_b"))  # no rota there
    assert _no_leader_warnings(caplog, "XF-41") == 1

    assert on_duty(rt, mine) == {"2026-11-23": "mine_b"} and on_duty(rt, other) == {}
    with db.transaction(rt.sessions, None) as s:  # no township: row-level security shows nothing
        for table in (tables.duty_day, tables.duty_month):
            assert s.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
    with db.transaction(rt.sessions, other) as s:
        assert duty_rota.leader_on_duty(s, mine, datetime(2026, 11, 23).date()) is None
        with pytest.raises(sa.exc.ProgrammingError):  # nor can a row be written into another township
            s.execute(sa.insert(tables.duty_day).values(tenant_id=mine, day=datetime(2026, 11, 24).date(),
                      username="x"))  # fmt: skip
    # a rota under a county scope is no township's: it fails
    assert deliver(rt, rota("tianyang.*", T1, {"2026-11-23": "x"})) == "dead_lettered"


def test_the_townships_locale_and_the_countys_templates(
    rt: Runtime, tenant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`BIANMIN_NOTICE_TEMPLATE_DIR/<locale>/<kind>.j2` wins; the township's settings pick the
    locale (not its county's, which its scope reads too); a kind without a template in that
    locale is written in zh-CN (and says so)."""
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "acceptance.j2").write_text(
        "Notice of acceptance\n{{ case_number }} {{ verification_code }}"
    )
    monkeypatch.setenv("BIANMIN_NOTICE_TEMPLATE_DIR", str(tmp_path))
    case_events._override_dir.cache_clear()
    county = f"{tenant.split('.', 1)[0]}.*"
    try:
        for scope, locale in ((county, "zh-CN"), (tenant, "en")):  # the county's row first
            with db.transaction(rt.sessions, scope) as s:
                settings = {"tenant_id": scope, "other": {"locale": locale}, "updated_at": NOW}
                s.execute(sa.insert(tables.settings).values(**settings))
        accepted = events_pb2.CaseAccepted(case=summary(version=2))
        refused = events_pb2.CaseRefused(case=summary(version=2), reason="不属于受理范围")
        assert deliver(rt, envelope(tenant, accepted)) == "processed"
        assert deliver(rt, envelope(tenant, refused)) == "processed"
    finally:
        case_events._override_dir.cache_clear()
        with db.transaction(rt.sessions, county) as s:  # the county's row would reach other tests
            s.execute(sa.delete(tables.settings).where(tables.settings.c.tenant_id == county))
    by_kind = {r.kind: r for r in rows(rt, tenant, tables.notice)}
    acceptance = by_kind["acceptance"]
    assert acceptance.locale == "en"
    assert acceptance.text == f"Notice of acceptance\nNP-20261123-0001 {acceptance.verification_code}"
    assert by_kind["refusal"].locale == "zh-CN" and by_kind["refusal"].text.startswith("不予受理通知书")


def test_open_case_projection_never_goes_back_a_version(rt: Runtime, tenant: str) -> None:
    accepted = events_pb2.CaseAccepted(case=summary(version=2))
    accepted.clock.due_at.FromDatetime(NOW + timedelta(days=4))
    newer = events_pb2.CaseAssigned(case=summary(version=4, handler="li", state=5), handler="li")
    older = events_pb2.CaseReceived(case=summary(version=1, state=1))
    extended = events_pb2.CaseExtended(case=summary(version=5, handler="li", state=5), working_days=5)
    extended.due_at.FromDatetime(NOW + timedelta(days=9))
    assert deliver(rt, envelope(tenant, accepted)) == "processed"
    assert deliver(rt, envelope(tenant, newer)) == "processed"
    assert deliver(rt, envelope(tenant, older)) == "processed"  # late, out of order: ignored
    [case] = rows(rt, tenant, tables.open_case)
    assert (case.version, case.handler, case.state) == (4, "li", "in_progress")
    assert case.due_at == NOW + timedelta(days=4)  # an event without a deadline keeps the known one
    assert deliver(rt, envelope(tenant, extended)) == "processed"
    [case] = rows(rt, tenant, tables.open_case)
    assert (case.version, case.due_at) == (5, NOW + timedelta(days=9))


def test_recomputed_deadlines_reach_the_open_case_projection(rt: Runtime, tenant: str) -> None:
    """A calendar change moves deadlines without a new case version: a batch of them (and the
    older one-case event) still updates the projection; each applicant whose promised day moved
    gets one corrected acceptance notice, however often the batch is delivered."""
    other = str(uuid.uuid4())
    for case_id in (CASE_ID, other):
        accepted = events_pb2.CaseAccepted(case=summary(version=2))
        accepted.case.case_id = case_id
        accepted.clock.due_at.FromDatetime(NOW + timedelta(days=4))
        assert deliver(rt, envelope(tenant, accepted)) == "processed"
    notices_before = len(rows(rt, tenant, tables.notice))
    first_notices = {r.id for r in rows(rt, tenant, tables.notice)}
    batch = events_pb2.CaseDeadlinesRecomputed()
    for case_id in (CASE_ID, other):
        moved = batch.cases.add(case=summary(version=2))
        moved.case.case_id = case_id
        moved.previous_due_at.FromDatetime(NOW + timedelta(days=4))
        moved.due_at.FromDatetime(NOW + timedelta(days=5))
    moved_batch = envelope(tenant, batch)
    assert deliver(rt, moved_batch) == "processed"
    assert deliver(rt, moved_batch) == "duplicate"  # redelivered: no second correction
    due = {str(c.case_id): c.due_at for c in rows(rt, tenant, tables.open_case)}
    assert due == {CASE_ID: NOW + timedelta(days=5), other: NOW + timedelta(days=5)}
    corrected = [r for r in rows(rt, tenant, tables.notice) if r.id not in first_notices]
    assert sorted(str(c.case_id) for c in corrected) == sorted([CASE_ID, other])
    assert all(c.kind == "acceptance" and c.text.startswith("受理通知书（更正）") for c in corrected)
    assert all("更正为" in c.text for c in corrected)
    notices_before = len(rows(rt, tenant, tables.notice))
    single = events_pb2.CaseDeadlineRecomputed(case=summary(version=2))
    single.due_at.FromDatetime(NOW + timedelta(days=6))
    assert deliver(rt, envelope(tenant, single)) == "processed"
    due = {str(c.case_id): c.due_at for c in rows(rt, tenant, tables.open_case)}
    assert due == {CASE_ID: NOW + timedelta(days=6), other: NOW + timedelta(days=5)}
    assert len(rows(rt, tenant, tables.notice)) == notices_before  # no previous deadline: no correction


def test_two_moves_of_one_deadline_out_of_order_keep_the_later(rt: Runtime, tenant: str) -> None:
    """Two calendar changes in quick succession move one deadline twice at the same case version;
    delivered out of order (a retry between), the later move stays, and a newer version still wins."""
    accepted = events_pb2.CaseAccepted(case=summary(version=2))
    accepted.clock.due_at.FromDatetime(NOW + timedelta(days=4))
    assert deliver(rt, envelope(tenant, accepted)) == "processed"

    def moved(days: int) -> Message:
        batch = events_pb2.CaseDeadlinesRecomputed()
        case = batch.cases.add(case=summary(version=2))
        case.due_at.FromDatetime(NOW + timedelta(days=days))
        return batch

    first, second = moved(5), moved(6)
    assert deliver(rt, envelope(tenant, second, at=NOW + timedelta(minutes=2))) == "processed"
    assert deliver(rt, envelope(tenant, first, at=NOW + timedelta(minutes=1))) == "processed"
    [case] = rows(rt, tenant, tables.open_case)
    assert (case.version, case.due_at, case.as_of) == (2, NOW + timedelta(days=6), NOW + timedelta(minutes=2))

    assigned = events_pb2.CaseAssigned(case=summary(version=3, handler="li", state=5), handler="li")
    assert deliver(rt, envelope(tenant, assigned, at=NOW + timedelta(minutes=1))) == "processed"
    [case] = rows(rt, tenant, tables.open_case)
    assert (case.version, case.handler, case.due_at) == (3, "li", NOW + timedelta(days=6))


def test_a_contact_no_key_opens_fails_the_event_and_writes_nothing(rt: Runtime, tenant: str) -> None:
    message = events_pb2.CaseAccepted(case=summary(version=2))
    message.case.applicant_sealed = Sealer([Sealer.generate_key()]).seal(CONTACT)
    assert deliver(rt, envelope(tenant, message)) == "dead_lettered"
    assert not rows(rt, tenant, tables.notice) and not rows(rt, tenant, tables.notification)
    assert not rows(rt, tenant, tables.open_case)


def test_townships_are_kept_apart_and_reads_check_roles(rt: Runtime) -> None:
    mine, other = township(rt), township(rt)
    for tenant in (mine, other):
        assert deliver(rt, envelope(tenant, events_pb2.CaseAccepted(case=summary(version=2)))) == "processed"
        assert (
            deliver(rt, envelope(tenant, events_pb2.CaseAssigned(case=summary(), handler="wang")))
            == "processed"
        )
    [notice] = rows(rt, mine, tables.notice)
    with db.transaction(rt.sessions, None) as s:  # no township: row-level security shows nothing
        assert s.execute(sa.select(sa.func.count()).select_from(tables.notice)).scalar() == 0
    with db.transaction(rt.sessions, other) as s:
        assert s.execute(sa.select(tables.notice).where(tables.notice.c.id == notice.id)).first() is None
        with pytest.raises(sa.exc.ProgrammingError):  # nor can a row be written into another township
            s.execute(sa.insert(tables.inbox_item).values(id=uuid.uuid4(), tenant_id=mine, username="x",
                      topic="other", title="t", text="t", source_event_id="x"))  # fmt: skip

    desk = Principal("desk", frozenset({"intake_desk"}), frozenset({mine}))
    page = notices.list_notices(rt.sessions, desk, mine, CASE_ID)
    assert [v.row.id for v in page.items] == [notice.id] and page.items[0].channel == "sms"
    assert page.items[0].status == "queued"
    assert notices.get_notice(rt.sessions, desk, mine, str(notice.id)).row.kind == "acceptance"
    with pytest.raises(NotFound):
        notices.get_notice(rt.sessions, desk, other, str(notice.id))
    with pytest.raises(NotFound):
        notices.get_notice(rt.sessions, desk, mine, "not-a-uuid")
    department = Principal("dept", frozenset({"county_department"}), frozenset({"tianyang.*"}))
    with pytest.raises(Forbidden):
        notices.list_notices(rt.sessions, department, mine, CASE_ID)
    with pytest.raises(Unauthenticated):
        notices.list_notifications(rt.sessions, None, mine)
    document, filename = notices.render_notice(rt.sessions, desk, mine, str(notice.id))
    assert document.startswith(b"%PDF") and filename == "NP-20261123-0001-acceptance.pdf"
    printed = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(document)).pages)
    assert printed.count("张三丰") == 2 and "张**" not in printed  # the applicant's own copy: in full
    assert "便民受〔2026〕1号" in printed  # the township's first acceptance notice of the year

    # the inbox is the caller's own, in the townships their token may see
    wang_here = Principal("wang", frozenset({"window_staff"}), frozenset({mine}))
    inbox, unread = notices.list_inbox(rt.sessions, wang_here)
    assert [r.tenant_id for r in inbox.items] == [mine] and unread == 1
    with pytest.raises(NotFound):
        notices.mark_inbox_item_read(
            rt.sessions, Principal("li", frozenset(), frozenset({mine})), str(inbox.items[0].id)
        )
    read = notices.mark_inbox_item_read(rt.sessions, wang_here, str(inbox.items[0].id))
    assert read.read_at is not None
    assert notices.list_inbox(rt.sessions, wang_here)[1] == 0
    assert notices.list_inbox(rt.sessions, wang_here, unread_only=True)[0].items == []
    # and the database itself keeps it so: a runtime transaction acting for one user sees and
    # changes that user's items only, whatever the query asks
    items = tables.inbox_item
    with db.transaction(rt.sessions, None, user="li") as s:
        assert s.execute(sa.select(items).where(items.c.username == "wang")).all() == []
        changed = s.execute(sa.update(items).where(items.c.username == "wang").values(read_at=None))
        assert changed.rowcount == 0
    with db.transaction(rt.sessions, None, user="wang") as s:
        own = s.execute(sa.select(items)).all()
        assert mine in {r.tenant_id for r in own} and {r.username for r in own} == {"wang"}
        with pytest.raises(sa.exc.ProgrammingError):  # nor can an item be handed to someone else
            s.execute(sa.update(items).where(items.c.username == "wang").values(username="li"))


def test_a_batch_of_one_townships_events_reads_the_township_once(
    rt: Runtime, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The relay's batch in one transaction (`consume_batch`, as nameko workers and the in-process
    bus take it): each event its notice, the township's name and time zone read once for all."""
    reads: list[str] = []
    read = case_events.Township._read
    monkeypatch.setattr(
        case_events.Township, "_read", classmethod(lambda cls, s, t: reads.append(t) or read(s, t))
    )
    accepted = [
        envelope(tenant, events_pb2.CaseAccepted(case=summary(version=2), actor="desk")),
        envelope(tenant, events_pb2.CaseAccepted(case=summary(version=2), actor="desk")),
    ]
    accepted[1].data["case"]["caseId"] = other = str(uuid.uuid4())
    sub = {(s.source, s.event_type): s for s in notify_service.subscriptions()}[("intake", "case_accepted")]
    assert consume_batch(accepted, sub, rt.sessions, max_attempts=1) == ["processed", "processed"]
    assert reads == [tenant]
    notices_of = {r.case_id: r for r in rows(rt, tenant, tables.notice)}
    assert set(notices_of) == {CASE_ID, other}
    assert all("那坡镇" in n.text for n in notices_of.values())
    # the next transaction reads it afresh
    later = envelope(tenant, events_pb2.CaseAccepted(case=summary(version=2), actor="desk"))
    later.data["case"]["caseId"] = str(uuid.uuid4())
    assert consume_batch([later], sub, rt.sessions, max_attempts=1) == ["processed"]
    assert reads == [tenant, tenant]


def test_a_missing_duty_rota_warns_every_township_admin_once(rt: Runtime) -> None:
    tenant = township(rt, admins=("leader_a", "leader_b"))
    missing = appraisal_events.DutyRotaMissed(month="2026-01", last_working_day="2025-12-31")
    env = envelope(tenant, missing, source="appraisal")
    assert deliver(rt, env) == "processed"
    assert deliver(rt, env) == "duplicate"
    items = sorted((r.username, r.topic, r.title) for r in rows(rt, tenant, tables.inbox_item))
    assert items == [
        ("leader_a", "other", "2026-01 带班值班表未公布"),
        ("leader_b", "other", "2026-01 带班值班表未公布"),
    ]
