"""Case details on the migrated database, through the use cases (cases, case_listing) with real principals:
the applicant's e-mail (stored, masked for those who do not handle the case), the village from
receipt, window and department from the directory projection on assignment, the `colour`
filter (always the colour the case view shows, on several instants), and a county department
that sees and acts on only the cases escalated to its department, across townships."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from libs.common import db
from libs.common.errors import Forbidden, NotFound, ValidationFailed, VersionConflict
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.intake.adapters import tables
from services.intake.domain.case import Applicant
from services.intake.domain.catalogue import as_data, catalogue_item
from services.intake.service_layer import case_listing, cases, pii_audit
from tests.integration.intake.test_case_store import COMPLETE, ITEM

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Asia/Shanghai")
# a Wednesday morning in the county (10:00 +08:00)
START = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
EMAIL_APPLICANT = Applicant(name="张三", phone="13800000000", email="zhangsan@example.com")


def onboard(runtime: Runtime, tenant: str) -> None:
    """What the township_onboarded and directory events leave in intake's projections."""
    county, code = tenant.split(".")
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.tenant.insert().values(
                tenant_id=tenant, county=county, code=code, name=code, onboarded_at=START
            )
        )
        s.execute(
            tables.catalogue_item.insert().values(
                tenant_id=tenant, **as_data(catalogue_item(ITEM)), template_promised_days=10, updated_by="t"
            )
        )
        s.execute(
            tables.window.insert().values(
                tenant_id=tenant,
                code="w_civil",
                department="minzheng",
                post_a="w_a",
                post_b="w_b",
                item_codes=[COMPLETE.item_code],  # w1's window serves the item (own window only)
            )  # fmt: skip
        )
        s.execute(
            tables.staff.insert().values(tenant_id=tenant, username="w1", window="w_civil", event_at=START)
        )
        s.execute(
            tables.village.insert().values(tenant_id=tenant, code="nongcun", name="弄村", event_at=START)
        )


@pytest.fixture
def county(runtime: Runtime) -> str:
    county = f"c{uuid.uuid4().hex[:8]}"
    for township in ("napo", "bama"):
        onboard(runtime, f"{county}.{township}")
    return county


def staff(county: str, username: str = "w1", *roles: str) -> Principal:
    return Principal(username, frozenset(roles or ("window_staff",)), frozenset({f"{county}.napo"}), county)


def county_user(county: str, role: str, department: str = "") -> Principal:
    return Principal(
        f"{role}_{department}", frozenset({role}), frozenset({f"{county}.*"}), county, department
    )


def receive(runtime: Runtime, tenant: str, at: datetime, cmd: cases.ReceiveCase = COMPLETE) -> str:
    return cases.receive(runtime.sessions, tenant, "desk", cmd, now=lambda: at).id


def act(runtime: Runtime, tenant: str, case_id: str, action: str, at: datetime, **args: object) -> None:
    version = cases.load(runtime.sessions, tenant, case_id).version
    cases.act_as(runtime.sessions, tenant, case_id, version, action, "w1", now=lambda: at, **args)


def test_email_village_window_and_department(runtime: Runtime, county: str) -> None:
    tenant = f"{county}.napo"
    cmd = replace(COMPLETE, applicant=EMAIL_APPLICANT, village="nongcun", kind="")
    view = cases.create(runtime.sessions, staff(county, "desk", "intake_desk"), tenant, cmd)
    assert view.case.applicant.email == "zhangsan@example.com" and not view.masked  # the first-ask
    assert view.case.village == "nongcun"
    seen = cases.get(runtime.sessions, staff(county, "other"), tenant, view.case.id)
    assert seen.masked and seen.case.applicant.email == "z***@example.com"

    # the handler's window and its department, from the directory projection
    after = cases.act(runtime.sessions, staff(county), tenant, view.case.id, 0, "assign", handler="w1")
    assert (after.case.window, after.case.department) == ("w_civil", "minzheng")
    # one who holds the window's B post (no window of their own): that window
    after = cases.act(runtime.sessions, staff(county), tenant, view.case.id, 0, "assign", handler="w_b")
    assert (after.case.window, after.case.department) == ("w_civil", "minzheng")
    # unknown to the directory: no window, the item's department (none here)
    after = cases.act(runtime.sessions, staff(county), tenant, view.case.id, 0, "assign", handler="x")
    assert (after.case.window, after.case.department) == (None, None)

    with pytest.raises(ValidationFailed):
        cases.create(
            runtime.sessions, staff(county, "desk", "intake_desk"), tenant, replace(cmd, village="nosuch")
        )
    assert (
        len(
            case_listing.list_cases(runtime.sessions, staff(county), tenant, TZ, case_listing.Listing()).items
        )
        == 1
    )


def test_extension_days_survive_a_later_re_derivation(runtime: Runtime, county: str) -> None:
    """extend 3, escalate, resume: the deadline stored on resume still has the 3 days; a second
    extension of 2 adds up to 5 (before migration 0007 both replayed earlier extensions as 0)."""
    from services.intake.domain import clock
    from services.intake.domain.case import ClockIntent
    from services.intake.service_layer.calendar import tenant_calendar

    tenant = f"{county}.napo"
    at = iter(START + timedelta(hours=n) for n in range(1, 100))
    case_id = receive(runtime, tenant, START)
    act(runtime, tenant, case_id, "assign", next(at), handler="w1")
    act(runtime, tenant, case_id, "extend", extended := next(at), working_days=3, reason="需实地核查")
    act(runtime, tenant, case_id, "escalate", paused := next(at), to_level="township", reason="需镇审批")
    act(runtime, tenant, case_id, "resume", resumed := next(at))
    with db.transaction(runtime.sessions, tenant) as s:
        calendar = tenant_calendar(s, tenant)
    pause = [ClockIntent("pause", paused), ClockIntent("resume", resumed)]

    def due(*extensions: int) -> datetime | None:
        intents = [ClockIntent("start", START), *(ClockIntent("extend", extended, n) for n in extensions)]
        return clock.derive([*intents, *pause], calendar, 10).due_at

    stored = cases.get(runtime.sessions, staff(county), tenant, case_id).clock
    assert stored.due_at == due(3) and stored.due_at != due() and stored.extensions == 1
    act(runtime, tenant, case_id, "extend", next(at), working_days=2, reason="需补充调查")
    stored = cases.get(runtime.sessions, staff(county), tenant, case_id).clock
    assert stored.due_at == due(5) and stored.extensions == 2


def test_the_colour_filter_is_the_colour_the_view_shows(runtime: Runtime, county: str) -> None:
    tenant = f"{county}.napo"
    day = timedelta(days=1)
    running = receive(runtime, tenant, START)
    later = receive(runtime, tenant, START + 7 * day)
    paused = receive(runtime, tenant, START)
    act(runtime, tenant, paused, "assign", START + day, handler="w1")
    act(
        runtime,
        tenant,
        paused,
        "escalate",
        START + 2 * day,
        to_level="county",
        reason="县级",
        department="civil",
    )
    done = receive(runtime, tenant, START)
    act(runtime, tenant, done, "assign", START + day, handler="w1")
    act(runtime, tenant, done, "complete", START + 2 * day, outcome="approved")
    late = receive(runtime, tenant, START - 30 * day)
    act(runtime, tenant, late, "assign", START - 29 * day, handler="w1")
    act(runtime, tenant, late, "complete", START + day, outcome="approved")  # after its deadline
    waiting = receive(runtime, tenant, START, replace(COMPLETE, accept_if_complete=False))
    every = {running, later, paused, done, late, waiting}

    due = cases.get(runtime.sessions, staff(county), tenant, running).clock
    assert due.due_at is not None and due.warn_at is not None
    due_morning = datetime.combine(due.due_at.astimezone(TZ).date(), datetime.min.time(), TZ) + timedelta(
        hours=9
    )
    expected = {  # instant → the colour of `running` then
        START + timedelta(hours=1): "green",
        due.warn_at + timedelta(minutes=1): "yellow",
        due_morning: "red",
        due.due_at + 2 * day: "overdue",
    }
    assert due.warn_at + timedelta(minutes=1) < due_morning  # the yellow instant is not the due day
    for instant, colour_of_running in expected.items():
        views = {
            v.case.id: v.clock.colour
            for v in case_listing.list_cases(
                runtime.sessions, staff(county), tenant, TZ, case_listing.Listing(), now=lambda i=instant: i
            ).items
        }
        assert views.keys() == every
        assert views[running] == colour_of_running
        assert views[waiting] == views[done] == "green" and views[late] == "overdue"
        for colour in ("green", "yellow", "red", "overdue"):
            listing = case_listing.Listing(colour=colour, page_size=1)
            found: list[str] = []
            while True:  # page by page, one case a page
                page = case_listing.list_cases(
                    runtime.sessions, staff(county), tenant, TZ, listing, now=lambda i=instant: i
                )
                found += [v.case.id for v in page.items]
                if not page.next_page_token:
                    break
                listing = replace(listing, page_token=page.next_page_token)
            assert sorted(found) == sorted(i for i, c in views.items() if c == colour), (instant, colour)
    with pytest.raises(ValidationFailed):
        case_listing.list_cases(
            runtime.sessions, staff(county), tenant, TZ, case_listing.Listing(colour="blue")
        )


def test_a_county_department_sees_and_acts_on_only_its_escalated_cases(runtime: Runtime, county: str) -> None:
    napo, bama = f"{county}.napo", f"{county}.bama"
    civil, land = (
        county_user(county, "county_department", "civil"),
        county_user(county, "county_department", "land"),
    )
    ids = {}
    for tenant, name, department in (
        (napo, "civil_napo", "civil"),
        (bama, "civil_bama", "civil"),
        (napo, "land", "land"),
    ):
        ids[name] = receive(runtime, tenant, START, replace(COMPLETE, applicant=EMAIL_APPLICANT))
        act(runtime, tenant, ids[name], "assign", START + timedelta(hours=1), handler="w1")
        act(runtime, tenant, ids[name], "escalate", START + timedelta(hours=2), to_level="county",
            reason="需县级审批", department=department)  # fmt: skip
    ids["township"] = receive(runtime, napo, START)
    act(runtime, napo, ids["township"], "assign", START + timedelta(hours=1), handler="w1")
    act(
        runtime,
        napo,
        ids["township"],
        "escalate",
        START + timedelta(hours=2),
        to_level="township",
        reason="镇审批",
    )
    ids["open"] = receive(runtime, napo, START)

    # their cases, in full (they handle them), with where the escalation went
    seen = cases.get(runtime.sessions, civil, napo, ids["civil_napo"])
    assert not seen.masked and seen.case.applicant.email == "zhangsan@example.com"
    assert seen.escalation is not None and (seen.escalation.to_level, seen.escalation.department) == (
        "county",
        "civil",
    )
    # anything else does not exist for them: not forbidden, not found
    for tenant, other in ((napo, "land"), (napo, "township"), (napo, "open")):
        with pytest.raises(NotFound):
            cases.get(runtime.sessions, civil, tenant, ids[other])
        with pytest.raises(NotFound):
            cases.act(runtime.sessions, civil, tenant, ids[other], 0, "resume", note="x")
    listed = case_listing.list_cases(runtime.sessions, civil, napo, TZ, case_listing.Listing())
    assert [v.case.id for v in listed.items] == [ids["civil_napo"]]
    assert [
        v.case.id
        for v in case_listing.list_cases(runtime.sessions, land, bama, TZ, case_listing.Listing()).items
    ] == []

    # their work list across the county's townships
    work = case_listing.list_cases(
        runtime.sessions, civil, None, TZ, case_listing.Listing(tenants=(napo, bama))
    )
    assert {v.case.id for v in work.items} == {ids["civil_napo"], ids["civil_bama"]}
    page = case_listing.list_cases(
        runtime.sessions, civil, None, TZ, case_listing.Listing(tenants=(napo, bama), page_size=1)
    )
    rest = case_listing.list_cases(
        runtime.sessions,
        civil,
        None,
        TZ,
        case_listing.Listing(tenants=(napo, bama), page_size=1, page_token=page.next_page_token),
    )
    assert {page.items[0].case.id, rest.items[0].case.id} == {ids["civil_napo"], ids["civil_bama"]}
    assert not rest.next_page_token
    land_work = case_listing.list_cases(
        runtime.sessions, land, None, TZ, case_listing.Listing(tenants=(napo, bama))
    )
    assert [v.case.id for v in land_work.items] == [ids["land"]]
    with pytest.raises(NotFound):  # a township outside their county
        case_listing.list_cases(
            runtime.sessions, civil, None, TZ, case_listing.Listing(tenants=("other.napo",))
        )
    with pytest.raises(Forbidden):  # the county-wide work list is a county department's
        case_listing.list_cases(
            runtime.sessions, staff(county), None, TZ, case_listing.Listing(tenants=(napo,))
        )

    # they return it (resume, with their note); nothing else
    with pytest.raises(Forbidden):
        cases.act(runtime.sessions, civil, napo, ids["civil_napo"], 0, "complete", outcome="approved")
    with pytest.raises(VersionConflict):  # an If-Match of an older version (not escalated then)
        cases.act(runtime.sessions, civil, napo, ids["civil_napo"], 1, "resume", note="x")
    back = cases.act(runtime.sessions, civil, napo, ids["civil_napo"], 0, "resume", note="县民政局已审批")
    assert back.case.state == "in_progress" and back.case.history[-1].actor == civil.username
    assert back.case.history[-1].reason == "县民政局已审批" and back.escalation is None
    with pytest.raises(NotFound):  # back at the township: out of their sight
        cases.get(runtime.sessions, civil, napo, ids["civil_napo"])
    # a department user without a department sees nothing
    nobody = county_user(county, "county_department")
    assert (
        case_listing.list_cases(
            runtime.sessions, nobody, None, TZ, case_listing.Listing(tenants=(napo, bama))
        ).items
        == []
    )


def test_showing_the_applicant_in_full_is_logged_masked_views_are_not(runtime: Runtime, county: str) -> None:
    """DOMAIN.md §11: access to a full record is audited — who, which case, which fields, never the
    values; a masked view leaves no row."""
    tenant = f"{county}.napo"
    cmd = replace(COMPLETE, applicant=EMAIL_APPLICANT, kind="")
    desk = staff(county, "desk", "intake_desk")
    view = cases.create(runtime.sessions, desk, tenant, cmd)
    cases.get(runtime.sessions, staff(county, "other"), tenant, view.case.id)  # masked
    cases.get(runtime.sessions, desk, tenant, view.case.id)  # the first-ask person: in full

    admin = staff(county, "boss", "township_admin")
    log = pii_audit.list_accesses(runtime.sessions, admin, tenant, TZ, subject_id=view.case.id).items
    assert [(e.actor, e.subject) for e in log] == [("desk", "applicant")] * 2  # create + get
    assert set(log[0].fields) == {"name", "phone", "email"}
    assert "13800000000" not in repr(log) and "zhangsan" not in repr(log)
