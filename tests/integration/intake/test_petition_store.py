"""Petitions and complaints on the migrated database (services/intake/service_layer/petitions.py):
each change and its event in one transaction (a refused one writes neither), numbering, the
Idempotency-Key, optimistic concurrency, the forwarded complaint's deadline in the tenant's working
calendar (a township day off moves it), who sees the petitioner, and row-level security."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from libs.common import db
from libs.common.errors import (
    Forbidden,
    IdempotencyConflict,
    InvalidTransition,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from libs.common.messaging import tables_for
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.intake.adapters import tables
from services.intake.domain.petition import new_petition
from services.intake.service_layer import petitions

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Asia/Shanghai")
PETITION = new_petition(
    {
        "kind": "petition",
        "channel": "letter",
        "petitioner": {"name": "张三丰", "phone": "13812345678"},
        "matter": "反映村道损坏",
    }
)
COMPLAINT_DATA = {
    "kind": "complaint",
    "channel": "desk",
    "petitioner": {"name": "李四", "phone": "13900001111"},
    "matter": "窗口人员态度生硬",
    "subject": {"type": "staff", "id": "w1"},
    "ground": "attitude",
}
COMPLAINT = new_petition(COMPLAINT_DATA)


def who(tenant: str, *roles: str, name: str = "") -> Principal:
    return Principal(username=name or roles[0], roles=frozenset(roles), tenants=frozenset({tenant}))


@pytest.fixture
def tenant(runtime: Runtime) -> str:
    tenant = f"c{uuid.uuid4().hex[:8]}.napo"
    county, code = tenant.split(".")
    now = datetime.now(UTC)
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(tables.tenant.insert().values(tenant_id=tenant, county=county, code=code, name=code,
                                                onboarded_at=now))  # fmt: skip
        s.execute(
            tables.department.insert().values(tenant_id=tenant, code="civil", name="民政所", event_at=now)
        )
        s.execute(tables.staff.insert().values(tenant_id=tenant, username="w1", event_at=now))
    return tenant


def events(runtime: Runtime, tenant: str, petition_id: str) -> list[str]:
    outbox = tables_for("intake").outbox
    query = (
        sa.select(outbox.c.event_type)
        .where(outbox.c.payload["petition_id"].astext == petition_id)
        .order_by(outbox.c.id)
    )
    with db.transaction(runtime.sessions, tenant) as s:
        return list(s.execute(query).scalars())


def test_a_petition_and_its_event_commit_together_numbered_per_day(runtime: Runtime, tenant: str) -> None:
    officer = who(tenant, "petition_officer")
    first = petitions.register(runtime.sessions, officer, tenant, PETITION, TZ)
    second = petitions.register(runtime.sessions, officer, tenant, PETITION, TZ)
    today = datetime.now(TZ).strftime("%Y%m%d")
    assert (first.number, second.number) == (f"XF-{today}-0001", f"XF-{today}-0002")
    assert events(runtime, tenant, first.id) == ["petition_registered"]
    c = petitions.register(runtime.sessions, officer, tenant, COMPLAINT, TZ)
    assert c.number == f"TS-{today}-0001"  # complaints have their own sequence
    stored = petitions.get(runtime.sessions, officer, tenant, first.id)
    assert stored == first and stored.new.petitioner.name == "张三丰"


def test_a_wrong_petitioner_id_number_is_refused_and_nothing_stored(runtime: Runtime, tenant: str) -> None:
    officer = who(tenant, "petition_officer")
    wrong = replace(PETITION, petitioner=replace(PETITION.petitioner, id_number="12345"))
    with pytest.raises(ValidationFailed, match="resident ID number"):
        petitions.register(runtime.sessions, officer, tenant, wrong, TZ)
    assert petitions.list_petitions(runtime.sessions, officer, tenant, TZ).items == []
    right = replace(PETITION, petitioner=replace(PETITION.petitioner, id_number="11010519491231002x"))
    stored = petitions.register(runtime.sessions, officer, tenant, right, TZ)
    assert stored.new.petitioner.id_number == "11010519491231002X"


def test_the_idempotency_key_returns_the_first_and_refuses_another_body(
    runtime: Runtime, tenant: str
) -> None:
    officer = who(tenant, "petition_officer")
    first = petitions.register(runtime.sessions, officer, tenant, PETITION, TZ, "k-1")
    again = petitions.register(runtime.sessions, officer, tenant, PETITION, TZ, "k-1")
    assert again.id == first.id
    with pytest.raises(IdempotencyConflict):
        petitions.register(runtime.sessions, officer, tenant, COMPLAINT, TZ, "k-1")
    assert len(petitions.list_petitions(runtime.sessions, officer, tenant, TZ).items) == 1


def test_readers_other_than_the_officer_never_get_the_petitioner(runtime: Runtime, tenant: str) -> None:
    officer = who(tenant, "petition_officer")
    p = petitions.register(runtime.sessions, officer, tenant, PETITION, TZ)
    county = f"{tenant.split('.')[0]}.*"
    supervisor = Principal("sup", frozenset({"county_supervisor"}), frozenset({county}))
    # a county-scoped petition_officer role is not the township's own officer
    county_officer = Principal(
        "co", frozenset({"county_supervisor", "petition_officer"}), frozenset({county})
    )
    for reader in (who(tenant, "township_admin"), supervisor, county_officer):
        seen = petitions.get(runtime.sessions, reader, tenant, p.id)
        assert not seen.identity_visible and "张三丰" not in repr(seen), reader
        listed = petitions.list_petitions(runtime.sessions, reader, tenant, TZ).items
        assert "13812345678" not in repr(listed)
    for outsider in ("window_staff", "intake_desk", "county_admin", "ops", "proxy_agent"):
        with pytest.raises(Forbidden):
            petitions.get(runtime.sessions, who(tenant, outsider), tenant, p.id)


def test_a_forwarded_complaint_is_due_in_the_tenants_working_days(runtime: Runtime, tenant: str) -> None:
    office = who(tenant, "township_admin", name="office")
    c = petitions.register(runtime.sessions, office, tenant, COMPLAINT, TZ)
    # the tenant's calendar: weekends off (no national year imported) and one township day off
    today = datetime.now(TZ).date()
    weekdays = [d for d in (today + timedelta(n) for n in range(1, 30)) if d.weekday() < 5]
    with db.transaction(runtime.sessions, tenant) as s:
        day_off = {"day": weekdays[0], "working": False, "reason": "本地节日", "version": 1}
        s.execute(tables.calendar_day.insert().values(tenant_id=tenant, level="township", **day_off))
        s.execute(tables.calendar_version.insert().values(tenant_id=tenant, level="township", version=1))
    f = petitions.forward(runtime.sessions, office, tenant, c.id, "civil", 2, expected_version=1)
    assert f.answer_due_at is not None
    due = f.answer_due_at.astimezone(TZ)
    # the 2nd working day after today, skipping the township's day off: the 3rd weekday
    assert (due.date(), due.strftime("%H:%M")) == (weekdays[2], "17:30")
    assert events(runtime, tenant, c.id) == ["petition_registered", "complaint_forwarded"]


def test_refusals_change_nothing_and_write_no_event(runtime: Runtime, tenant: str) -> None:
    office = who(tenant, "township_admin", name="office")
    officer = who(tenant, "petition_officer")
    c = petitions.register(runtime.sessions, office, tenant, COMPLAINT, TZ)
    with pytest.raises(ValidationFailed, match="department"):
        petitions.forward(runtime.sessions, office, tenant, c.id, "nowhere")
    with pytest.raises(VersionConflict):
        petitions.forward(runtime.sessions, office, tenant, c.id, "civil", expected_version=5)
    with pytest.raises(InvalidTransition):
        petitions.answer(runtime.sessions, officer, tenant, c.id, "先答复")
    with pytest.raises(Forbidden):
        petitions.decide(runtime.sessions, officer, tenant, c.id, True, "属实")
    with pytest.raises(NotFound):
        petitions.decide(runtime.sessions, office, tenant, str(uuid.uuid4()), True, "属实")
    with pytest.raises(NotFound):
        petitions.get(runtime.sessions, office, tenant, "not-a-uuid")
    with pytest.raises(ValidationFailed, match="not one of the township's"):
        petitions.register(runtime.sessions, office, tenant, new_petition(
            {**COMPLAINT_DATA, "subject": {"type": "window", "id": "no_such"}}), TZ)  # fmt: skip
    with pytest.raises(Forbidden):  # a petition is the officer's to register
        petitions.register(runtime.sessions, office, tenant, PETITION, TZ)
    stored = petitions.get(runtime.sessions, office, tenant, c.id)
    assert (stored.state, stored.version) == ("registered", 1)
    assert events(runtime, tenant, c.id) == ["petition_registered"]
    # then the whole way: forward, the department's answer late, the decision
    petitions.forward(runtime.sessions, office, tenant, c.id, "civil", 1, expected_version=1)
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(sa.update(tables.petition).where(tables.petition.c.id == c.id)
                  .values(answer_due_at=datetime.now(UTC) - timedelta(hours=30)))  # fmt: skip
    a = petitions.answer(runtime.sessions, office, tenant, c.id, "已整改", expected_version=2)
    assert (a.state, a.days_late, a.on_time, a.version) == ("answered", 2, False, 3)
    d = petitions.decide(runtime.sessions, office, tenant, c.id, True, "经核实属实", expected_version=3)
    assert (d.state, d.verified, d.decided_by) == ("decided", True, "office")
    assert events(runtime, tenant, c.id) == [
        "petition_registered",
        "complaint_forwarded",
        "petition_answered",
        "complaint_decided",
    ]


def test_another_township_sees_none_of_it(runtime: Runtime, tenant: str) -> None:
    p = petitions.register(runtime.sessions, who(tenant, "petition_officer"), tenant, PETITION, TZ)
    with db.transaction(runtime.sessions, "other.township") as s:
        assert s.execute(sa.select(tables.petition.c.id).where(tables.petition.c.id == p.id)).first() is None
    with pytest.raises(NotFound):  # a township intake does not know
        petitions.get(runtime.sessions, who("other.township", "petition_officer"), "other.township", p.id)


def test_list_filters_and_pages(runtime: Runtime, tenant: str) -> None:
    officer = who(tenant, "petition_officer")
    ids = [petitions.register(runtime.sessions, officer, tenant, PETITION, TZ).id for _ in range(3)]
    c = petitions.register(runtime.sessions, officer, tenant, COMPLAINT, TZ)
    page = petitions.list_petitions(runtime.sessions, officer, tenant, TZ, kind="petition", page_size=2)
    assert [p.id for p in page.items] == ids[:2] and page.next_page_token
    rest = petitions.list_petitions(
        runtime.sessions, officer, tenant, TZ, kind="petition", page_size=2, page_token=page.next_page_token
    )
    assert [p.id for p in rest.items] == ids[2:] and rest.next_page_token == ""
    complaints = petitions.list_petitions(runtime.sessions, officer, tenant, TZ, kind="complaint")
    assert [p.id for p in complaints.items] == [c.id]
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    old = petitions.list_petitions(
        runtime.sessions, officer, tenant, TZ, from_date=yesterday, to_date=yesterday
    )
    assert old.items == []
    for bad in ({"kind": "letter"}, {"state": "closed"}, {"page_token": "x"}, {"page_size": -1}):
        with pytest.raises(ValidationFailed):
            petitions.list_petitions(runtime.sessions, officer, tenant, TZ, **bad)  # type: ignore[arg-type]
