"""Quotas and stars on the migrated database (services/proxy/service_layer/performance.py): what
the register counts (completions by the township's local day, the county leg's carrier), the
penalties from the settings, who sees whose quota, and the jobs freezing a period once with one
event (`proxy_quota_closed`, `village_stars_awarded`); another township sees nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from libs.common import db
from libs.common.errors import Forbidden, NotFound, ValidationFailed
from libs.common.runtime import Runtime
from services.proxy.adapters import tables
from services.proxy.domain.delegation import Applicant, Confirmation
from services.proxy.entrypoints.service import SERVICE
from services.proxy.service_layer import delegations, performance
from tests.integration.proxy.test_delegations_store import (
    MONDAY,
    FakeIntake,
    agent,
    create,
    new,
    outbox,
    who,
)
from tests.integration.proxy.test_delegations_store import tenant as _store_tenant  # noqa: F401 - a fixture

pytestmark = pytest.mark.integration
JANUARY = datetime(2027, 1, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def township(request: pytest.FixtureRequest) -> str:
    """The store tests' township: agents lan, mo (nongli), wei (baiyan), huang (township)."""
    return str(request.getfixturevalue("_store_tenant"))


def decided(runtime: Runtime, township: str, intake: FakeIntake, n: int, satisfaction: str = "") -> list[str]:
    """`n` village-level delegations of lan's, decided on the spot (completed on MONDAY)."""
    ids = []
    for i in range(n):
        d = create(
            runtime, township, intake, new("village_cert", applicant=Applicant(f"张{i}", f"1381234{i:04d}"))
        )
        if satisfaction:
            card = Confirmation("signature", MONDAY, "")
            delegations.reply(runtime.sessions, agent(township), township, intake, d.id,
                              confirmation=card, satisfaction=satisfaction)  # fmt: skip
        ids.append(d.id)
    return ids


def by_agent(listing: performance.QuotaListing) -> dict[str, tuple[int, int, int, int]]:
    return {q.agent: (q.required, q.done, q.shortfall, q.penalty_fen) for q in listing.items}


def test_quotas_count_completions_and_take_the_penalties_from_the_settings(
    runtime: Runtime, township: str
) -> None:
    intake = FakeIntake()
    decided(runtime, township, intake, 1)
    create(runtime, township, intake)  # waiting for its trip: not done
    boss = who(township, "boss", "township_admin")
    listing = performance.list_quotas(runtime.sessions, boss, township, "2026-12")
    assert (listing.month, listing.closed) == ("2026-12", False)
    assert by_agent(listing) == {
        "huang": (4, 0, 4, 40000),  # a township agent: 1 a week, 100 元 each
        "lan": (2, 1, 1, 8000),
        "mo": (2, 0, 2, 16000),
        "wei": (2, 0, 2, 16000),
    }
    with db.transaction(runtime.sessions, township) as s:
        extra = {
            "proxy_penalty_fen": json.dumps({"village": 5000}),
            "proxy_quotas": json.dumps({"village": 1}),
        }
        s.execute(
            tables.settings.insert().values(tenant_id=township, other={"extra": extra}, updated_at=MONDAY)
        )
    again = by_agent(performance.list_quotas(runtime.sessions, boss, township, "2026-12"))
    assert again["lan"] == (1, 1, 0, 0) and again["wei"] == (1, 0, 1, 5000)
    assert performance.list_quotas(runtime.sessions, boss, township, "2026-11").items[0].done == 0
    mine = performance.list_quotas(runtime.sessions, agent(township), township, "2026-12")
    assert [q.agent for q in mine.items] == ["lan"]  # an agent sees its own
    with pytest.raises(ValidationFailed, match="month"):
        performance.list_quotas(runtime.sessions, boss, township, "2026-13")
    with pytest.raises(Forbidden):
        performance.list_quotas(runtime.sessions, who(township, "w", "window_staff"), township, "2026-12")
    with pytest.raises(NotFound):
        performance.list_quotas(runtime.sessions, who(f"x{uuid.uuid4().hex[:6]}.b", "boss", "township_admin"),
                                township, "2026-12")  # fmt: skip


def test_the_county_leg_counts_for_the_township_agent_who_carried_it(runtime: Runtime, township: str) -> None:
    intake = FakeIntake()
    d = create(runtime, township, intake)
    with db.transaction(runtime.sessions, township) as s:  # carried to the county by huang, returned
        s.execute(sa.update(tables.delegation).where(tables.delegation.c.id == d.id)
                  .values(carrier="huang", state="returned", completed_at=MONDAY))  # fmt: skip
    quotas = by_agent(
        performance.list_quotas(runtime.sessions, who(township, "b", "township_admin"), township, "2026-12")
    )
    assert quotas["huang"][1:3] == (1, 3) and quotas["lan"][1] == 1


def test_stars_per_village_from_completion_and_satisfaction(runtime: Runtime, township: str) -> None:
    intake = FakeIntake()
    decided(runtime, township, intake, 5, "satisfied")
    reader = who(township, "clerk", "window_staff")
    listing = performance.list_stars(runtime.sessions, reader, township, "2026Q4")
    stars = {
        v.village: (v.delegations, v.completion_rate, v.satisfaction_rate, v.stars) for v in listing.items
    }
    assert stars == {"nongli": (5, 1.0, 1.0, 3), "baiyan": (0, 0.0, 0.0, 0)}
    create(runtime, township, intake)  # a sixth, still waiting: 5/6 completed
    [nongli] = [v for v in performance.list_stars(runtime.sessions, reader, township, "2026Q4").items
                if v.village == "nongli"]  # fmt: skip
    assert (nongli.completion_rate, nongli.stars) == (0.8333, 1)
    with pytest.raises(ValidationFailed, match="quarter"):
        performance.list_stars(runtime.sessions, reader, township, "2026Q5")


def test_the_jobs_freeze_a_period_once_with_one_event(runtime: Runtime, township: str) -> None:
    intake = FakeIntake()
    decided(runtime, township, intake, 2, "satisfied")
    report = performance.close_months(runtime.sessions, runtime.ops_sessions, JANUARY, townships=[township])
    assert (report.townships, report.closed, report.failed) == (1, 1, 0)
    [event] = outbox(runtime, township, "proxy_quota_closed")
    assert event["month"] == "2026-12" and {q["agent"] for q in event["quotas"]} == {
        "huang",
        "lan",
        "mo",
        "wei",
    }
    assert (
        performance.close_months(runtime.sessions, runtime.ops_sessions, JANUARY, townships=[township]).closed
        == 0
    )
    assert len(outbox(runtime, township, "proxy_quota_closed")) == 1
    awarded = performance.award_quarters(
        runtime.sessions, runtime.ops_sessions, JANUARY, townships=[township]
    )
    assert awarded.closed == 1
    [stars] = outbox(runtime, township, "village_stars_awarded")
    assert stars["quarter"] == "2026Q4" and {v["village"]: v.get("stars", 0) for v in stars["stars"]} == {
        "baiyan": 0,
        "nongli": 3,
    }
    boss = who(township, "boss", "township_admin")
    before = performance.list_quotas(runtime.sessions, boss, township, "2026-12")
    frozen = performance.list_stars(runtime.sessions, boss, township, "2026Q4")
    assert frozen.awarded and {v.village: v.stars for v in frozen.items} == {"baiyan": 0, "nongli": 3}
    assert (
        performance.award_quarters(
            runtime.sessions, runtime.ops_sessions, JANUARY, townships=[township]
        ).closed
        == 0
    )
    assert {"close-proxy-month", "award-village-stars"} <= {j.name for j in SERVICE.jobs}
    with db.transaction(runtime.sessions, township) as s:  # a late change moves no closed period
        s.execute(sa.update(tables.delegation).values(completed_at=None, satisfaction=""))
    after = performance.list_quotas(runtime.sessions, boss, township, "2026-12")
    assert after.closed and after.items == before.items and by_agent(after)["lan"] == (2, 2, 0, 0)
    assert performance.list_stars(runtime.sessions, boss, township, "2026Q4").items == frozen.items
    assert performance.list_quotas(runtime.sessions, boss, township, "2027-01").closed is False
