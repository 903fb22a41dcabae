"""Case statistics, the public board and the open-case gauges (service_layer/stats.py) on the
migrated database, with cases driven through the service layer at chosen instants of one
working week (Mon 2027-03-08 … Fri 2027-03-12, county time +08:00), so every figure of the
definitions is known by hand: the period in the county's time zone with both dates inclusive,
the cohort completion rate, on time / early against the stored deadline, immediate share,
satisfaction over the rated cases only, null rates on an empty period, the item filter, who may
read; the board masked, paged, without petitions and not for a suspended township."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY, generate_latest

from libs.common import db
from libs.common.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.intake.adapters import open_case_metrics, tables
from services.intake.domain.case import Applicant
from services.intake.domain.catalogue import as_data, catalogue_item
from services.intake.service_layer import cases, stats

pytestmark = pytest.mark.integration

TZ = ZoneInfo("Asia/Shanghai")
PROMISED = {
    "code": "dibao_apply",
    "name": "最低生活保障申请",
    "category": "civil_affairs",
    "level": "township",
    "kind": "approval",
    "statutory_days": 20,
    "promised_days": 3,
    "materials": [{"code": "id_card", "name": "居民身份证"}],
}
IMMEDIATE = PROMISED | {"code": "proof", "name": "居住证明", "kind": "registration", "statutory_days": 0,
                        "promised_days": 0, "category": "other"}  # fmt: skip
PRIVATE = PROMISED | {"code": "hiv_aid", "name": "特殊救助", "privacy_sensitive": True}
PETITION = PROMISED | {"code": "letters", "name": "信访事项", "category": "petition"}
APPLICANT = Applicant(name="张三丰", phone="13812345678", id_number="450102199001011231", address="那坡镇1号")
STAFF = Principal(username="w1", roles=frozenset({"window_staff"}), tenants=frozenset())


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of March 2027 in the county (the 8th is a Monday)."""
    return datetime(2027, 3, day, hour, minute, tzinfo=TZ)


@dataclass
class World:
    runtime: Runtime
    tenant: str
    ids: dict[int, str] = field(default_factory=dict)

    def case(
        self,
        received: datetime,
        *,
        item: str = "dibao_apply",
        accept: bool = True,
        complete: datetime | None = None,
        reply: str | None = None,
        applicant: Applicant = APPLICANT,
    ) -> str:
        kind = "immediate" if item == "proof" else "promised"
        cmd = cases.ReceiveCase(
            item_code=item,
            kind=kind,
            level="township",
            channel="walk_in",
            applicant=applicant,
            materials=("id_card",),
            accept_if_complete=accept,
        )
        case = cases.receive(self.runtime.sessions, self.tenant, "desk1", cmd, tz=TZ, now=lambda: received)
        if not accept:
            return case.id
        v = self.act(case.id, case.version, received + timedelta(minutes=1), "assign", handler="w1")
        if complete is not None:
            v = self.act(case.id, v, complete, "complete", outcome="approved")
            if reply is not None:
                self.act(case.id, v, complete + timedelta(hours=1), "reply", satisfaction=reply)
        return case.id

    def act(self, case_id: str, version: int, at: datetime, action: str, **args: Any) -> int:
        return cases.act_as(
            self.runtime.sessions, self.tenant, case_id, version, action, "w1", now=lambda: at, **args
        ).version

    def stats(self, first: str, last: str, **kw: Any) -> stats.CaseStats:
        kw.setdefault("now", lambda: local(12, 12))
        return stats.case_stats(self.runtime.sessions, STAFF, self.tenant, TZ, first, last, **kw)

    def due_at(self, case_id: str) -> datetime:
        with db.transaction(self.runtime.sessions, self.tenant) as s:
            k = tables.case_clock
            return s.execute(sa.select(k.c.due_at).where(k.c.case_id == case_id)).scalar_one()


def make_tenant(runtime: Runtime, county: str | None = None) -> str:
    county = county or f"c{uuid.uuid4().hex[:8]}"
    tenant = f"{county}.napo"
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.tenant.insert().values(
                tenant_id=tenant, county=county, code="napo", name="那坡镇", onboarded_at=datetime.now(UTC)
            )
        )
        for spec in (PROMISED, IMMEDIATE, PRIVATE, PETITION):
            item = catalogue_item(spec)
            s.execute(
                tables.catalogue_item.insert().values(
                    tenant_id=tenant,
                    **as_data(item),
                    template_promised_days=spec["promised_days"],
                    updated_by="test",
                )
            )
    return tenant


@pytest.fixture(scope="module")
def week(runtime: Runtime) -> Iterator[World]:
    """The week of the module docstring (the numbers in the comments are the cases')."""
    w = World(runtime, make_tenant(runtime))
    ids = w.ids
    # 1: accepted Mon, completed Tue (early: due Thu), satisfied
    ids[1] = w.case(local(8, 10), complete=local(9, 10), reply="satisfied")
    # 2: accepted Mon, completed Thu afternoon, the deadline's own day: on time, not early; dissatisfied
    ids[2] = w.case(local(8, 10, 5), complete=local(11, 16), reply="dissatisfied")
    # 3: accepted Mon, still open: overdue from Thu 17:30
    ids[3] = w.case(local(8, 10, 10))
    # 4: immediate, taken in and completed Tue, not rated
    ids[4] = w.case(local(9, 11), item="proof", complete=local(9, 15))
    # 5: accepted the Friday before (due Wed), completed Thu: late; basically satisfied
    ids[5] = w.case(local(5, 10), complete=local(11, 9, 30), reply="basically_satisfied")
    # 6: received Wed, materials incomplete: received only
    ids[6] = w.case(local(10, 10), accept=False)
    # 7: Mon 00:30 in the county (Sunday in UTC): in the period
    ids[7] = w.case(local(8, 0, 30), accept=False)
    # 8: Sat 07:00 in the county (Friday in UTC): not in the period
    ids[8] = w.case(local(13, 7), accept=False)
    yield w


def test_the_deadlines_the_expectations_rest_on(week: World) -> None:
    ids = week.ids
    assert week.due_at(ids[1]) == local(11, 17, 30)  # Mon + 3 working days, at close of office
    assert week.due_at(ids[5]) == local(10, 17, 30)  # Fri + 3 working days (the weekend skipped)
    assert week.due_at(ids[4]) == local(9, 17, 30)  # immediate: the day it was taken in


def test_the_figures_of_the_week(week: World) -> None:
    figures = week.stats("2027-03-08", "2027-03-12")
    assert figures == stats.CaseStats(
        received=6,  # 1, 2, 3, 4, 6, 7 (not 5: the week before; not 8: Saturday in the county)
        accepted=4,  # 1, 2, 3, 4
        completed=4,  # 1, 2, 4, 5
        completion_rate=3 / 4,  # of the accepted 1, 2, 3, 4: all but 3
        on_time_rate=3 / 4,  # 5 was late
        immediate_share=1 / 4,  # 4
        early_completion_rate=1 / 3,  # of 1, 2, 5: only 1
        satisfaction_rate=2 / 3,  # of the rated 1, 2, 5: 1 and 5
        overdue_open=1,  # 3, at Fri 12:00
    )


def test_one_day_rates_with_nothing_to_divide_by_are_none_and_zero_is_zero(week: World) -> None:
    monday = week.stats("2027-03-08", "2027-03-08")
    assert (monday.received, monday.accepted, monday.completed) == (4, 3, 0)
    assert monday.completion_rate == 0.0  # three accepted, none completed by Monday's end
    assert monday.on_time_rate is None and monday.immediate_share is None
    assert monday.early_completion_rate is None and monday.satisfaction_rate is None
    empty = week.stats("2028-01-01", "2028-01-31")
    assert (empty.received, empty.accepted, empty.completed, empty.completion_rate) == (0, 0, 0, None)


def test_overdue_open_is_counted_now_whatever_the_period(week: World) -> None:
    assert week.stats("2028-01-01", "2028-01-31").overdue_open == 1
    assert (
        week.stats("2028-01-01", "2028-01-31", now=lambda: local(11, 17, 0)).overdue_open == 0
    )  # not yet due


def test_the_item_filter(week: World) -> None:
    only = week.stats("2027-03-08", "2027-03-12", item_code="proof")
    assert (only.received, only.accepted, only.completed) == (1, 1, 1)
    assert only.immediate_share == 1.0 and only.early_completion_rate is None
    assert week.stats("2027-03-08", "2027-03-12", item_code="nothing").received == 0


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("2027-03-12", "2027-03-08"),
        ("2027-13-01", "2027-03-08"),
        ("", "2027-03-08"),
        ("2000-01-01", "2030-01-01"),
    ],
)
def test_a_bad_period_is_a_validation_error(week: World, first: str, last: str) -> None:
    with pytest.raises(ValidationFailed):
        week.stats(first, last)


def test_who_may_read_the_figures(week: World, runtime: Runtime) -> None:
    def as_(principal: Principal | None, tenant: str = week.tenant) -> stats.CaseStats:
        return stats.case_stats(runtime.sessions, principal, tenant, TZ, "2027-03-08", "2027-03-12")

    for role in ("ops", "county_admin", "county_supervisor", "petition_officer", "proxy_agent"):
        assert as_(Principal(username="x", roles=frozenset({role}))).received == 6
    with pytest.raises(Forbidden):
        as_(Principal(username="public", roles=frozenset({"public"})))
    with pytest.raises(Unauthenticated):
        as_(None)
    with pytest.raises(NotFound):
        as_(STAFF, "nowhere.napo")


# --- the public board --------------------------------------------------------------------------


def test_the_board_lists_completed_cases_latest_first_masked(week: World, runtime: Runtime) -> None:
    page = stats.board(runtime.sessions, week.tenant, TZ)
    assert [(e.completed_date, e.on_time) for e in page.items] == [
        ("2027-03-11", True),  # 2
        ("2027-03-11", False),  # 5: late
        ("2027-03-09", True),  # 4
        ("2027-03-09", True),  # 1
    ]
    assert page.next_page_token == ""
    first = page.items[0]
    assert (first.item_code, first.item_name, first.outcome) == (
        "dibao_apply",
        "最低生活保障申请",
        "approved",
    )
    assert {e.applicant_name for e in page.items} == {"张**"}
    text = repr(page)
    for personal in ("三丰", "13812345678", "5678", "450102199001011231", "1231", "那坡镇1号"):
        assert personal not in text


def test_the_board_hides_names_of_private_items_and_never_shows_petitions(runtime: Runtime) -> None:
    w = World(runtime, make_tenant(runtime))
    w.case(local(8, 10), item="hiv_aid", complete=local(8, 15))
    w.case(local(8, 10), item="letters", complete=local(8, 16))
    w.case(local(8, 10), applicant=replace(APPLICANT, name="欧阳娜娜"), complete=local(8, 17))
    entries = stats.board(runtime.sessions, w.tenant, TZ).items
    assert [(e.item_code, e.applicant_name) for e in entries] == [("dibao_apply", "欧**"), ("hiv_aid", "")]


def test_board_pages_cover_every_case_once(runtime: Runtime) -> None:
    w = World(runtime, make_tenant(runtime))
    done = local(9, 10)  # five completions at the same instant: the case id breaks the tie
    for n in range(7):
        w.case(local(8, 10, n), complete=done if n < 5 else local(9, 11 + n))
    seen: list[str] = []
    token = ""
    for _ in range(10):
        page = stats.board(runtime.sessions, w.tenant, TZ, page_size=2, page_token=token)
        seen += [e.number for e in page.items]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 7 == len(set(seen))
    with pytest.raises(ValidationFailed):
        stats.board(runtime.sessions, w.tenant, TZ, page_token="garbage")
    with pytest.raises(ValidationFailed):
        stats.board(runtime.sessions, w.tenant, TZ, page_size=-1)


def test_the_board_of_a_suspended_or_unknown_township_is_not_found(runtime: Runtime) -> None:
    w = World(runtime, make_tenant(runtime))
    w.case(local(8, 10), complete=local(8, 15))
    assert len(stats.board(runtime.sessions, w.tenant, TZ).items) == 1
    with db.transaction(runtime.sessions, w.tenant) as s:
        s.execute(tables.tenant.update().values(status="suspended"))
    with pytest.raises(NotFound):
        stats.board(runtime.sessions, w.tenant, TZ)
    with pytest.raises(NotFound):
        stats.board(runtime.sessions, "nowhere.napo", TZ)


# --- the gauges --------------------------------------------------------------------------------


def test_open_cases_by_colour_per_township_and_category(runtime: Runtime) -> None:
    county = f"g{uuid.uuid4().hex[:8]}"
    w = World(runtime, make_tenant(runtime, county))
    w.case(local(8, 10))  # due Thu 17:30: overdue at Fri noon
    w.case(local(11, 10))  # due Tue 16th: green on Friday
    w.case(local(9, 10))  # due Fri 17:30: red (due today)
    w.case(local(12, 9), item="proof")  # immediate, due today: red
    escalated = w.case(local(8, 10))
    w.act(
        escalated, 3, local(8, 11), "escalate", to_level="county", reason="需县级审批", department="minzheng"
    )
    own = w.case(local(8, 10))  # escalated within the township: paused, not waiting at the county
    w.act(own, 3, local(8, 11), "escalate", to_level="township", reason="需镇领导审批")
    w.case(local(8, 10), complete=local(9, 10))  # completed: not open
    w.case(local(8, 10), accept=False)  # clock not started: not counted
    rows = [
        r[1:]
        for r in open_case_metrics.open_cases_by_colour(runtime.ops_sessions, TZ, at=local(12, 12))
        if r.county == county
    ]
    assert rows == [
        ("napo", "civil_affairs", "green", False, 1),
        ("napo", "civil_affairs", "overdue", False, 1),
        ("napo", "civil_affairs", "paused", False, 1),
        ("napo", "civil_affairs", "paused", True, 1),
        ("napo", "civil_affairs", "red", False, 1),
        ("napo", "other", "red", False, 1),
    ]


def test_the_gauge_is_served_at_scrape_time(runtime: Runtime) -> None:
    county = f"m{uuid.uuid4().hex[:8]}"
    w = World(runtime, make_tenant(runtime, county))
    open_case_metrics.export_metrics(runtime.ops_sessions, "Asia/Shanghai")
    open_case_metrics.export_metrics(
        runtime.ops_sessions, "Asia/Shanghai"
    )  # once per process: no duplicate error
    assert f'county="{county}"' not in generate_latest(REGISTRY).decode()
    w.case(datetime.now(UTC) - timedelta(days=60))  # long overdue now
    w.case(datetime.now(UTC) - timedelta(days=1))  # due later
    text = generate_latest(REGISTRY).decode()
    place = f'county="{county}",township="napo"'  # the township label is the tenant id's township code
    assert f'bianmin_cases_open{{category="civil_affairs",colour="overdue",{place}}} 1.0' in text
    assert f"bianmin_cases_overdue{{{place}}} 1.0" in text
    assert f"bianmin_escalations_waiting_county{{{place}}} 0.0" in text
    # time to deadline (a gauge histogram): one past it, both within +Inf
    at = f'county="{county}",le="%s",township="napo"'
    assert f"bianmin_cases_time_to_deadline_seconds_bucket{{{at % 0}}} 1.0" in text
    assert f"bianmin_cases_time_to_deadline_seconds_bucket{{{at % '+Inf'}}} 2.0" in text
    assert f"bianmin_cases_time_to_deadline_seconds_gcount{{{place}}} 2.0" in text
    assert f"{county}.napo" not in text  # never the whole tenant id


def test_transitions_are_counted_per_township_once_committed(runtime: Runtime) -> None:
    county = f"k{uuid.uuid4().hex[:8]}"
    w = World(runtime, make_tenant(runtime, county))

    def counted() -> tuple[float | None, ...]:
        place = {"county": county, "township": "napo"}
        names = ("received", "accepted", "completed")
        return tuple(REGISTRY.get_sample_value(f"bianmin_cases_{n}_total", place) for n in names)

    w.case(local(8, 10), accept=False)
    assert counted() == (1.0, None, None)
    w.case(local(8, 10), complete=local(9, 10))  # received and accepted at once, then completed
    assert counted() == (2.0, 1.0, 1.0)
    started = w.case(local(8, 10))
    with pytest.raises(RuntimeError), db.transaction(runtime.sessions, w.tenant) as s:
        cases.act_in(s, started, 3, "complete", "w1", now=lambda: local(9, 10), outcome="approved")
        raise RuntimeError("the transaction rolls back: nothing counted")
    assert counted() == (3.0, 2.0, 1.0)


def test_a_failing_gauge_query_does_not_take_metrics_down(runtime: Runtime) -> None:
    nowhere = db.make_engine("postgresql://nobody@127.0.0.1:1/nothing", pool_size=1)
    try:
        open_case_metrics.export_metrics(db.make_sessions(nowhere), "Asia/Shanghai")
        text = generate_latest(REGISTRY).decode()
        assert "# TYPE bianmin_cases_open gauge" in text and "bianmin_cases_open{" not in text
        assert "bianmin_http_requests" in text  # the others are still there
    finally:
        open_case_metrics.export_metrics(runtime.ops_sessions, "Asia/Shanghai")
        nowhere.dispose()
