"""The leader-on-duty rota on the migrated database (services/appraisal/service_layer/duty_rota.py):
a month's rows and its one `duty_rota_published` event commit together, a second publication
replaces the month (and tells it all again), a refused one changes nothing, who may publish and
read, reading a range, and row-level security between townships."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from libs.common import db
from libs.common.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from libs.common.messaging import tables_for
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.appraisal.adapters import tables
from services.appraisal.domain.duty_rota import DutyDay, Rota
from services.appraisal.service_layer import duty_rota

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 22)  # the county's date the tests publish on
DECEMBER = [("2026-12-01", "leader_a"), ("2026-12-02", "leader_b"), ("2026-12-03", "leader_a")]


def who(tenant: str, *roles: str) -> Principal:
    return Principal(username=roles[0], roles=frozenset(roles), tenants=frozenset({tenant}))


def county_admin(tenant: str) -> Principal:
    return Principal("ca", frozenset({"county_admin"}), frozenset({f"{tenant.split('.')[0]}.*"}))


def _township(runtime: Runtime, tenant: str) -> str:
    county, code = tenant.split(".")
    now = datetime.now(UTC)
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(tables.tenant.insert().values(tenant_id=tenant, county=county, code=code, name=code,
                                                onboarded_at=now))  # fmt: skip
        for username, active in (("leader_a", True), ("leader_b", True), ("leader_gone", False)):
            s.execute(
                tables.staff.insert().values(
                    tenant_id=tenant, username=username, roles=["township_admin"], active=active, event_at=now
                )
            )
    return tenant


@pytest.fixture
def tenant(runtime: Runtime) -> str:
    return _township(runtime, f"c{uuid.uuid4().hex[:8]}.napo")


def put(
    runtime: Runtime, tenant: str, month: str, days: list[tuple[str, str]], who_: Principal | None = None
) -> Rota:
    principal = who_ or who(tenant, "township_admin")
    return duty_rota.put_rota(runtime.sessions, principal, tenant, month, days, tz=TZ, today=TODAY)


def rows(runtime: Runtime, tenant: str) -> list[tuple[date, str]]:
    t = tables.duty_day
    with db.transaction(runtime.sessions, tenant) as s:
        return [(r.day, r.username) for r in s.execute(sa.select(t.c.day, t.c.username).order_by(t.c.day))]


def events(runtime: Runtime, tenant: str) -> list[dict]:
    outbox = tables_for("appraisal").outbox
    query = sa.select(outbox.c.tenant_id, outbox.c.source, outbox.c.event_type, outbox.c.payload).order_by(
        outbox.c.id
    )
    with db.transaction(runtime.sessions, tenant) as s:
        return [dict(r) for r in s.execute(query).mappings()]


def test_a_published_month_and_its_one_event_commit_together(runtime: Runtime, tenant: str) -> None:
    rota = put(runtime, tenant, "2026-12", DECEMBER)
    assert [(d.day.isoformat(), d.username) for d in rota.days] == DECEMBER
    assert rows(runtime, tenant) == [(date.fromisoformat(d), u) for d, u in DECEMBER]
    [event] = events(runtime, tenant)
    assert event["tenant_id"] == tenant and event["source"] == "appraisal"
    assert event["event_type"] == "duty_rota_published"
    assert event["payload"] == {"month": "2026-12", "days": [{"date": d, "username": u} for d, u in DECEMBER]}
    t = tables.duty_day
    with db.transaction(runtime.sessions, tenant) as s:
        stamps = s.execute(sa.select(t.c.published_by, t.c.published_at)).all()
    assert {by for by, _ in stamps} == {"township_admin"} and all(at is not None for _, at in stamps)


def test_a_second_publication_replaces_the_month_only_and_tells_it_all_again(
    runtime: Runtime, tenant: str
) -> None:
    put(runtime, tenant, "2026-12", DECEMBER)
    put(runtime, tenant, "2027-01", [("2027-01-04", "leader_b")])
    corrected = [("2026-12-02", "leader_a"), ("2026-12-31", "leader_b")]
    put(runtime, tenant, "2026-12", corrected, county_admin(tenant))  # the county admin may, too
    assert rows(runtime, tenant) == [
        (date(2026, 12, 2), "leader_a"),
        (date(2026, 12, 31), "leader_b"),
        (date(2027, 1, 4), "leader_b"),  # another month: untouched
    ]
    published = [e["payload"] for e in events(runtime, tenant)]
    assert len(published) == 3
    assert published[-1] == {"month": "2026-12", "days": [{"date": d, "username": u} for d, u in corrected]}


@pytest.mark.parametrize(
    ("days", "named"),
    [
        ([("2026-12-01", "leader_a"), ("2026-12-02", "stranger")], "stranger"),
        ([("2026-12-01", "leader_gone")], "leader_gone"),  # no longer active
    ],
)
def test_a_leader_who_is_not_active_staff_is_refused_and_nothing_changes(
    runtime: Runtime, tenant: str, days: list[tuple[str, str]], named: str
) -> None:
    put(runtime, tenant, "2026-12", DECEMBER)
    before_rows, before_events = rows(runtime, tenant), events(runtime, tenant)
    with pytest.raises(ValidationFailed, match=named):
        put(runtime, tenant, "2026-12", days)
    assert rows(runtime, tenant) == before_rows
    assert events(runtime, tenant) == before_events


def test_invalid_rotas_and_past_months_change_nothing(runtime: Runtime, tenant: str) -> None:
    for month, days in (
        ("2026-12", [("2027-01-01", "leader_a")]),  # outside the month
        ("2026-12", [("2026-12-01", "leader_a"), ("2026-12-01", "leader_b")]),  # twice
        ("2026-10", [("2026-10-01", "leader_a")]),  # past
    ):
        with pytest.raises(ValidationFailed):
            put(runtime, tenant, month, days)
    assert rows(runtime, tenant) == [] and events(runtime, tenant) == []


def test_the_current_month_follows_the_county_clock(runtime: Runtime, tenant: str) -> None:
    """Without `today`, the month is judged by now in the county's zone: last month is refused,
    this month is accepted."""
    today = datetime.now(TZ).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    admin = who(tenant, "township_admin")
    with pytest.raises(ValidationFailed, match="in advance"):
        duty_rota.put_rota(runtime.sessions, admin, tenant, f"{last_month:%Y-%m}",
                           [(last_month.isoformat(), "leader_a")], tz=TZ)  # fmt: skip
    rota = duty_rota.put_rota(runtime.sessions, admin, tenant, f"{today:%Y-%m}",
                              [(today.isoformat(), "leader_a")], tz=TZ)  # fmt: skip
    assert rota.days == (DutyDay(today, "leader_a"),)


@pytest.mark.parametrize(
    "role", ["window_staff", "intake_desk", "petition_officer", "county_supervisor", "ops"]
)
def test_only_the_township_admin_or_the_county_admin_publishes(
    runtime: Runtime, tenant: str, role: str
) -> None:
    with pytest.raises(Forbidden):
        put(runtime, tenant, "2026-12", DECEMBER, who(tenant, role))
    with pytest.raises(Unauthenticated):
        duty_rota.put_rota(runtime.sessions, None, tenant, "2026-12", DECEMBER, tz=TZ, today=TODAY)
    assert rows(runtime, tenant) == [] and events(runtime, tenant) == []


def test_a_township_admin_of_another_township_or_an_unknown_township_is_not_found(
    runtime: Runtime, tenant: str
) -> None:
    stranger = who(f"c{uuid.uuid4().hex[:8]}.other", "township_admin")
    with pytest.raises(NotFound):
        put(runtime, tenant, "2026-12", DECEMBER, stranger)
    unknown = f"{tenant.split('.')[0]}.nosuch"
    with pytest.raises(NotFound):
        put(runtime, unknown, "2026-12", DECEMBER, county_admin(tenant))
    assert rows(runtime, tenant) == []


def test_reading_a_range(runtime: Runtime, tenant: str) -> None:
    put(runtime, tenant, "2026-12", DECEMBER)
    put(runtime, tenant, "2027-01", [("2027-01-04", "leader_b")])
    for reader in (
        who(tenant, "window_staff"),
        who(tenant, "proxy_agent"),
        county_admin(tenant),
        Principal("sup", frozenset({"county_supervisor"}), frozenset({f"{tenant.split('.')[0]}.*"})),
    ):
        days = duty_rota.list_days(runtime.sessions, reader, tenant, "2026-12-02", "2027-01-04")
        assert days == [
            DutyDay(date(2026, 12, 2), "leader_b"),
            DutyDay(date(2026, 12, 3), "leader_a"),
            DutyDay(date(2027, 1, 4), "leader_b"),
        ], reader
    with pytest.raises(Forbidden):
        duty_rota.list_days(runtime.sessions, who(tenant, "ops"), tenant, "2026-12-01", "2026-12-31")
    with pytest.raises(ValidationFailed, match="366"):
        duty_rota.list_days(runtime.sessions, who(tenant, "window_staff"), tenant, "2026-01-01", "2027-01-02")
    with pytest.raises(ValidationFailed):
        duty_rota.list_days(runtime.sessions, who(tenant, "window_staff"), tenant, "2026-12-31", "2026-12-01")


def test_another_township_sees_none_of_the_rota(runtime: Runtime, tenant: str) -> None:
    put(runtime, tenant, "2026-12", DECEMBER)
    other = _township(runtime, f"{tenant.split('.')[0]}.other{uuid.uuid4().hex[:6]}")
    assert (
        duty_rota.list_days(runtime.sessions, who(other, "window_staff"), other, "2026-12-01", "2026-12-31")
        == []
    )
    assert rows(runtime, other) == [] and events(runtime, other) == []
    # and its own rota does not touch the first township's
    put(runtime, other, "2026-12", [("2026-12-01", "leader_b")])
    assert rows(runtime, tenant) == [(date.fromisoformat(d), u) for d, u in DECEMBER]
    assert rows(runtime, other) == [(date(2026, 12, 1), "leader_b")]
