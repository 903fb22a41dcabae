"""Quotas and stars (domain/performance.py, seed 002 篇6/篇7): weeks belong to the month of
their Sunday, a township agent's shortfall is per week, village/group per month, penalties per
missing one; stars from the completion rate once satisfaction reaches 90 %."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.common.errors import ValidationFailed
from services.proxy.domain import performance as p
from services.proxy.domain.performance import Counted


def test_weeks_belong_to_the_month_of_their_sunday() -> None:
    assert p.weeks_of("2026-12") == [
        (date(2026, 11, 30), date(2026, 12, 6)),
        (date(2026, 12, 7), date(2026, 12, 13)),
        (date(2026, 12, 14), date(2026, 12, 20)),
        (date(2026, 12, 21), date(2026, 12, 27)),
    ]
    assert len(p.weeks_of("2027-01")) == 5  # Sundays 3, 10, 17, 24, 31


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_every_week_is_counted_in_exactly_one_month(year: int, month: int) -> None:
    weeks = p.weeks_of(f"{year:04d}-{month:02d}")
    assert 4 <= len(weeks) <= 5
    following = p.weeks_of(p.month_of(p.month_span(f"{year:04d}-{month:02d}")[1] + timedelta(days=1)))
    assert weeks[-1][1] + timedelta(days=7) == following[0][1]


def test_a_township_agents_idle_week_is_a_shortfall_even_after_a_busy_one() -> None:
    busy = [date(2026, 12, 8)] * 3
    q = p.quota_of("huang", "township", "2026-12", busy)
    assert (q.required, q.done, q.shortfall, q.penalty_fen) == (4, 3, 3, 30000)  # 100 元 a missing one
    every_week = [date(2026, 12, 1), date(2026, 12, 9), date(2026, 12, 16), date(2026, 12, 27)]
    assert p.quota_of("huang", "township", "2026-12", every_week).shortfall == 0
    # 31 December is in January's first week (its Sunday is 3 January)
    assert p.quota_of("huang", "township", "2026-12", [date(2026, 12, 31)]).done == 0


def test_village_and_group_quotas_are_monthly_and_petition_agents_have_none() -> None:
    village = p.quota_of("lan", "village", "2026-12", [date(2026, 12, 7), date(2026, 11, 30)])
    assert (village.required, village.done, village.shortfall, village.penalty_fen) == (2, 1, 1, 8000)
    group = p.quota_of("g", "group", "2026-12", [date(2026, 12, 1), date(2026, 12, 2)])
    assert (group.required, group.shortfall, group.penalty_fen) == (1, 0, 0)
    assert p.quota_of("x", "petition", "2026-12", []) is None


def test_the_settings_change_quotas_and_penalties_and_bad_values_keep_the_defaults() -> None:
    quotas, penalties = p.quota_settings(
        {"village": 3, "group": "two", "bogus": 1}, {"village": 5000, "township": -1}
    )
    assert quotas["village"] == ("month", 3) and quotas["group"] == ("month", 1) and "bogus" not in quotas
    assert penalties == {"township": 10000, "village": 5000, "group": 8000}
    q = p.quota_of("lan", "village", "2026-12", [], quotas=quotas, penalties=penalties)
    assert (q.required, q.penalty_fen) == (3, 15000)
    assert p.quota_settings(None, "nonsense") == (p.DEFAULT_QUOTAS, p.DEFAULT_PENALTY_FEN)


@pytest.mark.parametrize(
    ("completion", "satisfaction", "stars"),
    [(0.95, 0.95, 3), (0.90, 0.90, 3), (0.89, 0.99, 2), (0.85, 0.9, 2), (0.84, 1.0, 1), (0.80, 1.0, 1),
     (0.79, 1.0, 0), (1.0, 0.89, 0)],
)  # fmt: skip
def test_stars_follow_the_seeds_thresholds(completion: float, satisfaction: float, stars: int) -> None:
    assert p.stars_for(completion, satisfaction, 10) == stars
    assert p.stars_for(completion, satisfaction, 0) == 0  # nothing to rate


def test_village_stars_count_the_quarters_delegations_without_the_withdrawn() -> None:
    done = [Counted("v", date(2026, 11, 2), "satisfied") for _ in range(8)]
    rest = [
        Counted("v", date(2027, 1, 2), "basically_satisfied"),  # its result came after the quarter
        Counted("v", None, ""),
        Counted("v", None, "", withdrawn=True),
        Counted("other", None, ""),
    ]
    s = p.village_stars("v", "2026Q4", done + rest)
    assert (s.delegations, s.completion_rate, s.satisfaction_rate, s.stars) == (10, 0.8, 1.0, 1)
    assert p.village_stars("empty", "2026Q4", done).stars == 0


def test_periods_are_checked() -> None:
    assert p.quarter_span("2026Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert (
        p.previous_quarter(date(2027, 1, 1)) == "2026Q4" and p.previous_month(date(2027, 1, 1)) == "2026-12"
    )
    for bad in ("2026-13", "2026-1", "26-01", ""):
        with pytest.raises(ValidationFailed, match="month"):
            p.month_span(bad)
    for bad in ("2026Q5", "2026q1", "2026-Q1"):
        with pytest.raises(ValidationFailed, match="quarter"):
            p.quarter_span(bad)
