"""The directory projections of intake, proxy, appraisal and notify (libs.common.directory_projection),
fed through `consume()` with each service's real subscriptions on its migrated schema: rows,
duplicates, older events after newer ones, tenant isolation, suspension."""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from bianmin.gateway.v1 import events_pb2, organisation_pb2, settings_pb2, staff_pb2, township_pb2
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common import db
from libs.common.messaging import (
    DUPLICATE,
    PROCESSED,
    Envelope,
    Subscription,
    consume,
    data_of,
    event_type_of,
)
from libs.common.runtime import Runtime

COUNTY = "tianyang"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

# what each service keeps (besides its tenant projection)
KEEPS = {
    "intake": {"staff", "window", "department", "village", "settings"},
    "proxy": {"staff", "village", "settings"},
    "appraisal": {"staff", "window", "department", "village", "settings"},
    "notify": {"staff", "settings"},
}
SERVICES = sorted(KEEPS)
EVENTS_OF_KIND = {
    "staff": {"staff_saved"},
    "window": {"window_saved", "window_posts_assigned"},
    "department": {"department_created"},
    "village": {"village_saved"},
    "settings": {"settings_changed"},
}
TOWNSHIP_EVENTS = {"township_onboarded", "township_suspended", "township_reactivated"}
# gateway events a service keeps in projections of its own (not the directory's)
OWN_EVENTS = {
    "intake": {"national_calendar_imported", "calendar_day_changed"},
    "notify": {"national_calendar_imported", "calendar_day_changed"},
    "appraisal": {"national_calendar_imported", "calendar_day_changed"},  # workforce's working days
}


def tables_of(service: str) -> ModuleType:
    return importlib.import_module(f"services.{service}.adapters.tables")


def subscriptions_of(service: str) -> dict[str, Subscription]:
    module = importlib.import_module(f"services.{service}.entrypoints.service")
    subs = module.SERVICE.subscriptions()
    return {s.event_type: s for s in subs if s.source == "gateway"}


def new_township() -> str:
    return f"{COUNTY}.t{uuid.uuid4().hex[:10]}"


def event(tenant: str, message: Message, at: datetime) -> Envelope:
    return Envelope.new(
        source="gateway",
        event_type=event_type_of(message),
        tenant_id=tenant,
        data=data_of(message),
        occurred_at=at,
    )


def deliver(service: str, envelope: Envelope, runtime: Runtime) -> str:
    return consume(envelope, subscriptions_of(service)[envelope.event_type], runtime.sessions)


def rows(runtime: Runtime, tenant: str | None, table: sa.Table) -> list[Any]:
    with db.transaction(runtime.sessions, tenant) as s:
        return list(s.execute(sa.select(table)).mappings().all())


def ts(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def onboard(service: str, tenant: str, runtime: Runtime, at: datetime = T0) -> None:
    code = tenant.split(".")[1]
    message = events_pb2.TownshipOnboarded(
        tenant_id=tenant, county=COUNTY, code=code, name="那坡镇", onboarded_at=ts(at)
    )
    assert deliver(service, event(tenant, message, at), runtime) == PROCESSED


def staff_saved(name: str = "黄秀英", **kw: Any) -> events_pb2.StaffSaved:
    fields: dict[str, Any] = {
        "username": "huang",
        "name": name,
        "roles": [staff_pb2.ROLE_WINDOW_STAFF, staff_pb2.ROLE_INTAKE_DESK],
        "window": "w01",
        "active": True,
    }
    fields.update(kw)
    return events_pb2.StaffSaved(**fields)


def window_saved(
    name: str = "民政窗口", posts: tuple[str, str] | None = ("huang", "li")
) -> events_pb2.WindowSaved:
    window = organisation_pb2.Window(code="w01", name=name, department="mz", item_codes=["mz-001", "mz-002"])
    if posts is not None:
        window.posts.CopyFrom(organisation_pb2.WindowPosts(a=posts[0], b=posts[1]))
    return events_pb2.WindowSaved(window=window)


def posts_assigned(a: str, b: str) -> events_pb2.WindowPostsAssigned:
    return events_pb2.WindowPostsAssigned(window="w01", posts=organisation_pb2.WindowPosts(a=a, b=b))


def settings_changed(warn_ratio: float = 0.75) -> events_pb2.SettingsChanged:
    settings = settings_pb2.TenantSettings(
        office_hours=[
            settings_pb2.OfficeHours(start="09:00", end="12:00"),
            settings_pb2.OfficeHours(start="14:00", end="17:30"),
        ],
        time_zone="Asia/Shanghai",
        trip_days=["wed", "sun"],
        warn_ratio=warn_ratio,
        locale="zh-CN",
    )
    return events_pb2.SettingsChanged(settings=settings)


def village_saved(tenant: str, name: str = "那坡村") -> events_pb2.VillageSaved:
    village = township_pb2.Village(
        code="v01",
        name=name,
        groups=[township_pb2.Group(code="g1", name="一组"), township_pb2.Group(code="g2")],
    )
    return events_pb2.VillageSaved(tenant_id=tenant, village=village)


def department_created(name: str = "民政办") -> events_pb2.DepartmentCreated:
    return events_pb2.DepartmentCreated(department=organisation_pb2.Department(code="mz", name=name))


def one_message_per_kind(tenant: str) -> dict[str, list[Message]]:
    return {
        "staff": [staff_saved()],
        "window": [window_saved()],
        "department": [department_created()],
        "village": [village_saved(tenant)],
        "settings": [settings_changed()],
    }


# --- wiring ------------------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_subscribes_to_what_it_keeps(service: str) -> None:
    expected = TOWNSHIP_EVENTS.union(
        *(EVENTS_OF_KIND[k] for k in KEEPS[service]), OWN_EVENTS.get(service, set())
    )
    assert set(subscriptions_of(service)) == expected
    module = tables_of(service)
    kept = {name for name in EVENTS_OF_KIND if isinstance(getattr(module, name, None), sa.Table)}
    assert kept == KEEPS[service]


@pytest.mark.parametrize("service", SERVICES)
def test_migrated_tables_match_the_declared_ones(service: str, runtime: Runtime) -> None:
    """Migration 0002 creates exactly the columns the service's tables.py declares."""
    module = tables_of(service)
    with db.transaction(runtime.ops_sessions, None) as s:
        for name in [*KEEPS[service], "tenant"]:
            table: sa.Table = getattr(module, name)
            columns = s.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = :schema AND table_name = :table"
                ),
                {"schema": service, "table": name},
            ).scalars()
            assert set(columns) == set(table.c.keys()), f"{service}.{name}"
            pk = [c.name for c in table.primary_key.columns]
            assert pk[0] == "tenant_id"


# --- rows --------------------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_events_become_rows(service: str, runtime: Runtime) -> None:
    tenant = new_township()
    onboard(service, tenant, runtime)
    module = tables_of(service)
    at = T0 + timedelta(minutes=1)
    for kind in sorted(KEEPS[service]):
        for message in one_message_per_kind(tenant)[kind]:
            assert deliver(service, event(tenant, message, at), runtime) == PROCESSED

    if "staff" in KEEPS[service]:
        (staff,) = rows(runtime, tenant, module.staff)
        assert (staff["username"], staff["name"], staff["roles"]) == (
            "huang",
            "黄秀英",
            ["window_staff", "intake_desk"],
        )
        assert (staff["window"], staff["village"], staff["active"], staff["event_at"]) == (
            "w01",
            None,
            True,
            at,
        )
        # personal data: only notify keeps a phone column at all
        assert ("phone" in staff) == (service == "notify")
    if "window" in KEEPS[service]:
        (window,) = rows(runtime, tenant, module.window)
        assert (window["code"], window["name"], window["department"]) == ("w01", "民政窗口", "mz")
        assert (window["item_codes"], window["post_a"], window["post_b"]) == (
            ["mz-001", "mz-002"],
            "huang",
            "li",
        )
    if "department" in KEEPS[service]:
        (department,) = rows(runtime, tenant, module.department)
        assert (department["code"], department["name"], department["county"]) == ("mz", "民政办", False)
    if "village" in KEEPS[service]:
        (village,) = rows(runtime, tenant, module.village)
        assert (village["code"], village["name"]) == ("v01", "那坡村")
        assert village["groups"] == [{"code": "g1", "name": "一组"}, {"code": "g2", "name": ""}]
    if "settings" in KEEPS[service]:
        (settings,) = rows(runtime, tenant, module.settings)
        assert settings["office_hours"] == [
            {"start": "09:00", "end": "12:00"},
            {"start": "14:00", "end": "17:30"},
        ]
        assert (settings["trip_days"], settings["warn_ratio"], settings["timezone"]) == (
            ["wed", "sun"],
            0.75,
            "Asia/Shanghai",
        )
        assert settings["other"] == {"locale": "zh-CN"} and settings["updated_at"] == at


@pytest.mark.parametrize("service", [s for s in SERVICES if "village" in KEEPS[s]])
def test_villages_named_at_onboarding_are_kept(service: str, runtime: Runtime) -> None:
    """Villages named in the onboarding request come with `township_onboarded` (no `village_saved`
    of their own); a later `village_saved` of the same village updates it."""
    tenant = new_township()
    village = township_pb2.Village(
        code="v07", name="弄村", groups=[township_pb2.Group(code="g1", name="一组")]
    )
    message = events_pb2.TownshipOnboarded(
        tenant_id=tenant,
        county=COUNTY,
        code=tenant.split(".")[1],
        name="那坡镇",
        villages=[village],
        onboarded_at=ts(T0),
    )
    assert deliver(service, event(tenant, message, T0), runtime) == PROCESSED
    renamed = village_saved(tenant, name="新弄村")
    renamed.village.code = "v07"
    assert deliver(service, event(tenant, renamed, T0 + timedelta(minutes=1)), runtime) == PROCESSED
    (row,) = rows(runtime, tenant, tables_of(service).village)
    assert (row["code"], row["name"]) == ("v07", "新弄村")


def test_notify_keeps_a_phone_when_the_event_carries_one(runtime: Runtime) -> None:
    """StaffSaved carries the staff member's work phone; only notify keeps it."""
    tenant = new_township()
    data = {**data_of(staff_saved()), "phone": "13812345678"}
    env = Envelope.new(
        source="gateway", event_type="staff_saved", tenant_id=tenant, data=data, occurred_at=T0
    )
    assert deliver("notify", env, runtime) == PROCESSED
    (staff,) = rows(runtime, tenant, tables_of("notify").staff)
    assert staff["phone"] == "13812345678"
    # intake drops it: it has no phone column
    assert deliver("intake", env, runtime) == PROCESSED
    (staff,) = rows(runtime, tenant, tables_of("intake").staff)
    assert "phone" not in staff and staff["name"] == "黄秀英"


def test_an_inactive_staff_user_is_stored_as_inactive(runtime: Runtime) -> None:
    """proto3 JSON leaves out `active: false`; the projection must not read that as active."""
    tenant = new_township()
    assert deliver("appraisal", event(tenant, staff_saved(), T0), runtime) == PROCESSED
    later = event(tenant, staff_saved(active=False, roles=[]), T0 + timedelta(seconds=1))
    assert "active" not in later.data
    assert deliver("appraisal", later, runtime) == PROCESSED
    (staff,) = rows(runtime, tenant, tables_of("appraisal").staff)
    assert (staff["active"], staff["roles"]) == (False, [])


# --- idempotency and order ---------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_a_duplicate_changes_nothing(service: str, runtime: Runtime) -> None:
    tenant = new_township()
    module = tables_of(service)
    for kind in sorted(KEEPS[service]):
        for message in one_message_per_kind(tenant)[kind]:
            env = event(tenant, message, T0)
            assert deliver(service, env, runtime) == PROCESSED
            table = getattr(module, kind)
            before = rows(runtime, tenant, table)
            # the same delivery again: the inbox stops it
            assert deliver(service, env, runtime) == DUPLICATE
            # the same event re-published under a new id (e.g. a replayed outbox row): same row
            again = Envelope.new(
                source="gateway", event_type=env.event_type, tenant_id=tenant, data=env.data, occurred_at=T0
            )
            assert deliver(service, again, runtime) == PROCESSED
            assert rows(runtime, tenant, table) == before and len(before) == 1


@pytest.mark.parametrize(
    ("service", "kind", "old", "new", "column", "expected"),
    [
        ("intake", "staff", staff_saved(name="旧名"), staff_saved(name="新名"), "name", "新名"),
        ("notify", "staff", staff_saved(window="w01"), staff_saved(window="w02"), "window", "w02"),
        ("appraisal", "department", department_created("旧"), department_created("新"), "name", "新"),
        ("intake", "settings", settings_changed(0.5), settings_changed(0.9), "warn_ratio", 0.9),
        ("appraisal", "window", window_saved("旧窗口"), window_saved("新窗口"), "name", "新窗口"),
        ("intake", "window", posts_assigned("a1", "b1"), posts_assigned("a2", "b2"), "post_a", "a2"),
    ],
)
def test_an_older_event_after_a_newer_one_is_ignored(
    service: str, kind: str, old: Message, new: Message, column: str, expected: Any, runtime: Runtime
) -> None:
    tenant = new_township()
    table = getattr(tables_of(service), kind)
    assert deliver(service, event(tenant, new, T0 + timedelta(hours=1)), runtime) == PROCESSED
    assert deliver(service, event(tenant, old, T0), runtime) == PROCESSED  # consumed, but no effect
    (row,) = rows(runtime, tenant, table)
    assert row[column] == expected


def test_older_village_after_newer_is_ignored(runtime: Runtime) -> None:
    tenant = new_township()
    newer = event(tenant, village_saved(tenant, "新村"), T0 + timedelta(hours=1))
    assert deliver("proxy", newer, runtime) == PROCESSED
    assert deliver("proxy", event(tenant, village_saved(tenant, "旧村"), T0), runtime) == PROCESSED
    (row,) = rows(runtime, tenant, tables_of("proxy").village)
    assert row["name"] == "新村" and row["event_at"] == T0 + timedelta(hours=1)


def test_window_posts_and_window_details_are_ordered_separately(runtime: Runtime) -> None:
    """Posts assigned (newer) arrive before the window itself (older, with its first posts): the
    window's name and items are taken, its stale posts are not."""
    tenant = new_township()
    table = tables_of("intake").window
    posts = event(tenant, posts_assigned("zhao", "qian"), T0 + timedelta(hours=1))
    assert deliver("intake", posts, runtime) == PROCESSED
    (row,) = rows(runtime, tenant, table)
    assert (row["name"], row["post_a"], row["event_at"]) == ("", "zhao", None)

    assert deliver("intake", event(tenant, window_saved(posts=("huang", "li")), T0), runtime) == PROCESSED
    (row,) = rows(runtime, tenant, table)
    assert (row["name"], row["item_codes"], row["post_a"], row["post_b"]) == (
        "民政窗口",
        ["mz-001", "mz-002"],
        "zhao",
        "qian",
    )
    # a newer window edit without posts leaves the posts alone
    edit = event(tenant, window_saved("改名窗口", posts=None), T0 + timedelta(hours=2))
    assert deliver("intake", edit, runtime) == PROCESSED
    (row,) = rows(runtime, tenant, table)
    assert (row["name"], row["post_a"], row["post_b"]) == ("改名窗口", "zhao", "qian")


# --- tenants -----------------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_rows_of_one_township_are_invisible_to_another(service: str, runtime: Runtime) -> None:
    napo, baixin = new_township(), new_township()
    module = tables_of(service)
    for kind in sorted(KEEPS[service]):
        for message in one_message_per_kind(napo)[kind]:
            assert deliver(service, event(napo, message, T0), runtime) == PROCESSED
    for kind in KEEPS[service]:
        table = getattr(module, kind)
        assert {r["tenant_id"] for r in rows(runtime, napo, table)} == {napo}
        assert rows(runtime, baixin, table) == []
        assert rows(runtime, None, table) == []  # no tenant: nothing at all


def test_the_same_key_in_two_townships_is_two_rows(runtime: Runtime) -> None:
    napo, baixin = new_township(), new_township()
    assert deliver("intake", event(napo, staff_saved(name="那坡的"), T0), runtime) == PROCESSED
    assert deliver("intake", event(baixin, staff_saved(name="百信的"), T0), runtime) == PROCESSED
    staff = tables_of("intake").staff
    assert [r["name"] for r in rows(runtime, napo, staff)] == ["那坡的"]
    assert [r["name"] for r in rows(runtime, baixin, staff)] == ["百信的"]


def test_a_village_event_about_another_township_is_refused(runtime: Runtime) -> None:
    napo, baixin = new_township(), new_township()
    env = event(napo, village_saved(baixin), T0)
    assert deliver("proxy", env, runtime) != PROCESSED
    assert rows(runtime, napo, tables_of("proxy").village) == []
    with db.transaction(runtime.ops_sessions, None) as s:  # clean up the recorded failure
        failed = tables_of("proxy").messaging.failed_event
        s.execute(failed.delete().where(failed.c.event_id == env.event_id))


# --- suspension --------------------------------------------------------------------------------


def suspended(tenant: str, at: datetime) -> Envelope:
    return event(
        tenant, events_pb2.TownshipSuspended(tenant_id=tenant, reason="整顿", suspended_at=ts(at)), at
    )


def reactivated(tenant: str, at: datetime) -> Envelope:
    return event(tenant, events_pb2.TownshipReactivated(tenant_id=tenant, reactivated_at=ts(at)), at)


def status(runtime: Runtime, service: str, tenant: str) -> str:
    (row,) = rows(runtime, tenant, tables_of(service).tenant)
    return str(row["status"])


@pytest.mark.parametrize("service", SERVICES)
def test_suspension_and_reactivation_set_the_status(service: str, runtime: Runtime) -> None:
    tenant, other = new_township(), new_township()
    onboard(service, tenant, runtime)
    onboard(service, other, runtime)
    assert status(runtime, service, tenant) == "active"

    env = suspended(tenant, T0 + timedelta(days=1))
    assert deliver(service, env, runtime) == PROCESSED
    assert deliver(service, env, runtime) == DUPLICATE
    assert status(runtime, service, tenant) == "suspended"
    assert status(runtime, service, other) == "active"

    assert deliver(service, reactivated(tenant, T0 + timedelta(days=2)), runtime) == PROCESSED
    assert status(runtime, service, tenant) == "active"
    # the suspension delivered again under a new id (older than the reactivation): ignored
    assert deliver(service, suspended(tenant, T0 + timedelta(days=1)), runtime) == PROCESSED
    assert status(runtime, service, tenant) == "active"
    # a replayed onboarding does not reset the status either
    assert deliver(service, suspended(tenant, T0 + timedelta(days=3)), runtime) == PROCESSED
    onboard(service, tenant, runtime)
    assert status(runtime, service, tenant) == "suspended"


def test_a_suspension_that_overtakes_the_onboarding_is_kept(runtime: Runtime) -> None:
    tenant = new_township()
    assert deliver("notify", suspended(tenant, T0 + timedelta(days=1)), runtime) == PROCESSED
    (row,) = rows(runtime, tenant, tables_of("notify").tenant)
    assert (row["status"], row["code"], row["county"]) == ("suspended", tenant.split(".")[1], COUNTY)
    onboard("notify", tenant, runtime)
    (row,) = rows(runtime, tenant, tables_of("notify").tenant)
    assert (row["status"], row["name"], row["onboarded_at"]) == ("suspended", "那坡镇", T0)
