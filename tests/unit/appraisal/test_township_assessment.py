"""The county's township indicators (services/appraisal/domain/township_assessment.py): the ten
of seed 001 第一篇 with their maxima (百分制: they add up to 100), each automatic one scored from
the quarter's figures, a manual value's checks, and quarters."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.common.errors import ValidationFailed
from services.appraisal.domain import township_assessment as ta
from services.appraisal.domain.township_assessment import Figures, ManualValue

SEED = "/work/shared/seeds/001_5bbf44287eea0c10.txt"
MAXIMA = {"leadership": 5, "premises": 10, "equipment": 10, "windows": 10, "cooperation": 10,
          "completion": 15, "proxy": 10, "reports": 5, "complaints": 10, "supervision": 15}  # fmt: skip
NOW = datetime(2026, 12, 7, tzinfo=UTC)


def by_code(a: ta.Assessment) -> dict[str, ta.Scored]:
    return {s.indicator.code: s for s in a.indicators}


def test_the_ten_indicators_of_the_seed_with_their_maxima_add_up_to_100() -> None:
    assert {i.code: i.max for i in ta.INDICATORS} == MAXIMA
    assert sum(i.max for i in ta.INDICATORS) == 100
    for number, i in enumerate(ta.INDICATORS, start=1):
        assert i.clause.startswith(f"{number}、") and f"({i.max:g}分)" in i.clause


def test_completion_is_the_on_time_rate_times_15() -> None:
    i = ta.BY_CODE["completion"]
    assert ta.score_auto(i, Figures(completed=40, completed_on_time=38)).points == 14.25
    assert ta.score_auto(i, Figures(completed=3, completed_on_time=0)).points == 0
    assert ta.score_auto(i, Figures()).points == 15  # nothing completed: nothing late


def test_windows_and_proxy_are_shares_times_10() -> None:
    assert ta.score_auto(ta.BY_CODE["windows"], Figures(windows=4, windows_staffed=3)).points == 7.5
    assert ta.score_auto(ta.BY_CODE["windows"], Figures()).points == 0
    proxy = ta.score_auto(ta.BY_CODE["proxy"], Figures(villages=12, villages_with_proxy=9))
    assert proxy.points == 7.5 and "9/12" in proxy.basis
    assert ta.score_auto(ta.BY_CODE["proxy"], Figures()).points == 0


def test_reports_five_a_month_each_month_a_third() -> None:
    i = ta.BY_CODE["reports"]
    assert ta.score_auto(i, Figures(reports_by_month=(5, 7, 5))).points == 5
    assert ta.score_auto(i, Figures(reports_by_month=(5, 0, 0))).points == 1.67
    assert ta.score_auto(i, Figures(reports_by_month=(1, 2, 3))).points == 2


def test_complaints_and_supervision_all_or_nothing() -> None:
    assert ta.score_auto(ta.BY_CODE["complaints"], Figures()).points == 10
    assert ta.score_auto(ta.BY_CODE["complaints"], Figures(verified_complaints=1)).points == 0
    assert ta.score_auto(ta.BY_CODE["supervision"], Figures()).points == 15
    assert ta.score_auto(ta.BY_CODE["supervision"], Figures(supervision_findings=2)).points == 0


def test_manual_values_stand_where_the_county_may_set_them() -> None:
    manual = {
        "leadership": ManualValue(4, "分管领导任命文件", "ca", NOW),
        "supervision": ManualValue(12, "暗访记录", "ca", NOW),
    }
    a = ta.assess("c.t", "那坡镇", ta.quarter("2026Q4"), Figures(supervision_findings=0), manual)
    scored = by_code(a)
    assert scored["leadership"].points == 4 and scored["leadership"].evidence == "分管领导任命文件"
    assert scored["supervision"].points == 12  # the county's value over the automatic 15
    assert scored["premises"].points == 0  # not set yet
    assert a.total == 4 + 12 + 10 + 15  # + complaints 10 and completion 15; reports, windows, proxy 0


@pytest.mark.parametrize(
    ("code", "points", "evidence", "field"),
    [
        ("nothing", 1, "x", "code"),
        ("completion", 1, "x", "code"),  # automatic only
        ("leadership", 6, "x", "points"),
        ("leadership", -1, "x", "points"),
        ("leadership", float("nan"), "x", "points"),
        ("leadership", 3, "  ", "evidence"),
        ("leadership", 3, "长" * 2001, "evidence"),
    ],
)
def test_a_manual_value_is_checked(code: str, points: float, evidence: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        ta.manual_value(code, points, evidence)
    assert raised.value.fields["field"] == field


def test_quarters() -> None:
    q = ta.quarter("2026Q4")
    assert q.months == ("2026-10", "2026-11", "2026-12")
    start, end = q.bounds(ZoneInfo("Asia/Shanghai"))
    assert start == datetime(2026, 9, 30, 16, tzinfo=UTC) and end == datetime(2026, 12, 31, 16, tzinfo=UTC)
    for bad in ("2026Q5", "2026-Q1", "26Q1", "", "2026q1"):
        with pytest.raises(ValidationFailed):
            ta.quarter(bad)


@given(
    st.integers(0, 500).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
    st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)),
    st.integers(0, 5),
)
def test_every_indicator_stays_within_0_and_its_max(done: tuple[int, int], reports, complaints) -> None:  # type: ignore[no-untyped-def]
    f = Figures(
        completed=done[0],
        completed_on_time=done[1],
        reports_by_month=reports,
        verified_complaints=complaints,
        windows=3,
        windows_staffed=2,
        villages=5,
        villages_with_proxy=5,
    )
    a = ta.assess("c.t", "t", ta.quarter("2026Q1"), f, {})
    for s in a.indicators:
        assert 0 <= s.points <= s.indicator.max
    assert 0 <= a.total <= 100
