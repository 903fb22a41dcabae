"""The default rulebook holds every rule of seed 001 第十二–二十七條 with the seed's points (the
table below is transcribed from the seed's text, article by article, independently of the YAML),
and a rulebook file is checked whole: every problem listed in one validation_error."""

from __future__ import annotations

import copy

import pytest

from libs.common.errors import ValidationFailed
from services.appraisal.adapters import rulebook_files
from services.appraisal.domain import conditions, rulebook

# code: (clause, points or {variant: points}, source)
SEED: dict[str, tuple[str, float | dict[str, float], str]] = {
    # 第十二條
    "W-APR-01": ("第十二條（一）", -0.5, "manual"),
    "W-APR-02": ("第十二條（二）", -0.2, "manual"),
    "W-APR-03": ("第十二條（三）", -0.5, "manual"),
    "W-APR-04": ("第十二條（四）", -0.5, "manual"),
    "W-APR-05": ("第十二條（五）", -1, "manual"),
    # 第十三條
    "W-CEN-01": ("第十三條（一）", -0.5, "manual"),
    "W-CEN-02": ("第十三條（二）", -0.5, "manual"),
    "W-CEN-03": ("第十三條（三）", -1, "manual"),
    "W-CEN-04": ("第十三條（四）", -2, "auto"),
    # 第十四條
    "W-STF-01": ("第十四條（一）", {"under_quarter": -2, "under_year": -1}, "manual"),
    "W-STF-02": ("第十四條（二）", -0.5, "manual"),
    "W-STF-03": ("第十四條（三）", -2, "manual"),
    "W-STF-04": (
        "第十四條（四）",
        {"late": -0.5, "early": -0.5, "off_post": -0.5, "absent_half_day": -1},
        "auto",
    ),
    "W-STF-05": ("第十四條（五）", {"uncivil": -0.5, "forbidden_words": -2}, "manual"),
    "W-STF-06": ("第十四條（六）", -1, "manual"),
    "W-STF-07": ("第十四條（七）", -0.2, "manual"),
    "W-STF-08": ("第十四條（八）", -1, "manual"),
    "W-STF-09": ("第十四條（九）", -1, "manual"),
    # 第十五條
    "W-SVC-01": ("第十五條（一）", -0.5, "manual"),
    "W-SVC-02": ("第十五條（二）", -1, "auto"),
    "W-SVC-03": ("第十五條（三）", -1, "auto"),
    "W-SVC-04": ("第十五條（四）", -2, "manual"),
    "W-SVC-05": ("第十五條（五）", -2, "manual"),
    "W-SVC-06": ("第十五條（六）", -2, "manual"),
    "W-SVC-07": ("第十五條（七）", -10, "auto"),
    "W-SVC-08": ("第十五條（八）", -1, "manual"),
    "W-SVC-09": ("第十五條（九）", -1, "manual"),
    # 第十六條
    "W-FEE-01": ("第十六條（一）", {"unlicensed": -2, "licence_not_shown": -1}, "manual"),
    "W-FEE-02": ("第十六條（二）", -2, "manual"),
    # 第十七條
    "W-EQP-01": ("第十七條（一）", -2, "manual"),
    "W-EQP-02": (
        "第十七條（二）",
        {"found": -1, "centre": -5, "county": -8, "city": -10, "region": -15},
        "manual",
    ),
    "W-EQP-03": ("第十七條（三）", -0.5, "manual"),
    "W-EQP-04": ("第十七條（四）", -1, "manual"),
    # 第十八條
    "W-DIS-01": ("第十八條（一）", -2, "manual"),
    "W-DIS-02": ("第十八條（二）", -2, "manual"),
    "W-DIS-03": ("第十八條（三）", -2, "manual"),
    "W-DIS-04": ("第十八條（四）", -1, "manual"),
    "W-DIS-05": ("第十八條（五）", -2, "auto"),
    "W-DIS-06": ("第十八條（六）", -1, "auto"),
    "W-DIS-07": ("第十八條（七）", -5, "manual"),
    "W-DIS-08": ("第十八條（八）", -2, "auto"),
    # 第十九條
    "W-BON-01": ("第十九條（一）", 2, "manual"),
    "W-BON-02": ("第十九條（二）", 2, "manual"),
    "W-BON-03": ("第十九條（三）", 1, "auto"),
    "W-BON-04": ("第十九條（四）", 2, "manual"),
    "W-BON-05": ("第十九條（五）", 1, "auto"),
    "W-BON-06": ("第十九條（六）", 2, "auto"),
    "W-BON-07": ("第十九條（七）", {"county": 2, "city": 5, "province": 8, "national": 10}, "manual"),
    "W-BON-08": ("第十九條（八）", 5, "manual"),
    "W-BON-09": ("第十九條（九）", 2, "manual"),
    # 第二十一條 德
    "S-DE-01": ("第二十一條（一）", -0.2, "manual"),
    "S-DE-02": ("第二十一條（二）", {"no_mandarin": -0.5, "forbidden_words": -2}, "manual"),
    "S-DE-03": ("第二十一條（三）", -2, "auto"),
    "S-DE-04": ("第二十一條（四）", -2, "manual"),
    "S-DE-05": ("第二十一條（五）", -2, "manual"),
    # 第二十二條 能
    "S-NENG-01": ("第二十二條（一）", -2, "manual"),
    "S-NENG-02": ("第二十二條（二）", -0.5, "auto"),
    "S-NENG-03": ("第二十二條（三）", {"not_recorded": -1, "not_explained": -1}, "manual"),
    "S-NENG-04": ("第二十二條（四）", -2, "manual"),
    "S-NENG-05": ("第二十二條（五）", -1, "manual"),
    "S-NENG-06": ("第二十二條（六）", -1, "manual"),
    "S-NENG-07": ("第二十二條（七）", -1, "manual"),
    # 第二十三條 勤
    "S-QIN-01": ("第二十三條（一）", {"late": -0.2, "early": -0.2, "off_post": -0.5}, "auto"),
    "S-QIN-02": ("第二十三條（二）", -1, "manual"),
    "S-QIN-03": ("第二十三條（三）", -1, "manual"),
    "S-QIN-04": ("第二十三條（四）", -2, "manual"),
    "S-QIN-05": ("第二十三條（五）", -1, "auto"),
    "W-QIN-05": ("第二十三條（五）", -1, "auto"),
    "S-QIN-06": (
        "第二十三條（六）",
        {"found": -1, "centre": -5, "county": -8, "city": -10, "region": -15},
        "manual",
    ),
    "S-QIN-07": ("第二十三條（七）", -10, "manual"),
    "S-QIN-08": ("第二十三條（八）", -10, "manual"),
    "S-QIN-09": ("第二十三條（九）", -5, "manual"),
    # 第二十四條 績
    "S-JI-01": ("第二十四條（一）", -10, "auto"),
    "S-JI-02": ("第二十四條（二）", -2, "manual"),
    "S-JI-03": ("第二十四條（三）", -2, "auto"),
    "S-JI-04": ("第二十四條（四）", -2, "manual"),
    "S-JI-05": ("第二十四條（五）", -5, "manual"),
    # 第二十五條 加分
    "S-BON-01": ("第二十五條（一）", {"typical": 2, "notable": 5}, "manual"),
    "S-BON-02": ("第二十五條（二）", 2, "manual"),
    "S-BON-03": ("第二十五條（三）", 5, "manual"),
    "S-BON-04": ("第二十五條（四）", 2, "manual"),
    "S-BON-05": ("第二十五條（五）", {"county": 2, "city": 5, "region": 8, "national": 10}, "manual"),
    "S-BON-06": ("第二十五條（六）", {"window_excellent": 2, "staff_excellent": 2}, "manual"),
}

# the vetoes and consequences: code → (clause, consequence)
SEED_VETOES = {
    "W-VETO-A1": ("第二十條（一）", "not_excellent"),
    "W-VETO-A2": ("第二十條（二）", "not_excellent"),
    "W-VETO-A3": ("第二十條（三）", "not_excellent"),
    **{f"W-VETO-0{i}": (f"第二十條（{n}）", "unqualified") for i, n in enumerate("一二三四五六七", start=1)},
    "S-VETO-Q9": ("第二十三條（九）", "not_excellent"),
    **{
        f"S-VETO-0{i}": (f"第二十六條（{n}）", "not_excellent") for i, n in enumerate("一二三四五六", start=1)
    },
    **{f"S-RET-0{i}": (f"第二十七條（{n}）", "return_to_unit") for i, n in enumerate("一二三", start=1)},
    "S-NOTE-01": ("第二十三條（一）", "notify_unit"),
}


@pytest.fixture(scope="module")
def book() -> rulebook.Rulebook:
    return rulebook_files.packaged("default")


def test_every_rule_of_the_seed_is_in_the_default_rulebook_with_its_points(book: rulebook.Rulebook) -> None:
    assert {r.code for r in book.rules} == set(SEED)
    for code, (clause, points, source) in SEED.items():
        rule = book.rule(code)
        assert rule is not None
        assert rule.clause == clause, code
        assert rule.source == source, code
        assert rule.subject == ("window" if code.startswith("W-") else "staff"), code
        if isinstance(points, dict):
            assert dict(rule.variants) == points, code
        else:
            assert rule.points_at("2026-03") == points, code
        assert rule.description and rule.unit in rulebook.UNITS


def test_the_default_rulebook_grades_vetoes_and_title_are_the_seeds(book: rulebook.Rulebook) -> None:
    assert {v.code: (v.clause, v.consequence) for v in book.vetoes} == SEED_VETOES
    window, staff = book.grades["window"], book.grades["staff"]
    assert (window.excellent_min, window.excellent_top, window.qualified_min) == (95, 3, 75)  # 第九、十條
    assert (staff.excellent_min, staff.excellent_max_share) == (95, 0.2)  # 第九、四條
    assert (staff.qualified_min, staff.basically_competent_min) == (75, 70)
    assert book.base_points == 100 and book.appeal_days == 5 and book.grading_period == "quarter"
    assert book.annual_title is not None and book.annual_title.excellent_quarters == 3  # 第七條


def test_every_auto_rule_has_a_trigger_over_known_facts(book: rulebook.Rulebook) -> None:
    for rule in book.rules:
        assert (rule.trigger is not None) == (rule.source == "auto"), rule.code
    [overdue_staff] = [r for r in book.rules if r.code == "S-JI-01"]
    assert overdue_staff.trigger is not None
    assert overdue_staff.trigger.subjects == ("handler", "window_head")  # both, 第二十四條（一）


def test_a_value_changed_in_july_does_not_change_march() -> None:
    data = rulebook_files.read("default")
    for raw in data["rules"]:
        if raw["code"] == "W-SVC-07":
            raw["points"] = [{"from": "2009-01", "points": -10}, {"from": "2026-07", "points": -5}]
    rule = rulebook.load(data).rule("W-SVC-07")
    assert rule is not None
    assert (rule.points_at("2026-03"), rule.points_at("2026-07"), rule.points_at("2027-01")) == (-10, -5, -5)


def test_a_broken_file_lists_every_problem_at_once() -> None:
    data = copy.deepcopy(rulebook_files.read("default"))
    data["rules"][0]["points"] = "much"
    data["rules"][1]["unit"] = "hour"
    data["rules"][2]["code"] = data["rules"][3]["code"]
    data["rules"][4]["source"] = "auto"  # an auto rule without a trigger
    data["rules"][8]["trigger"]["when"] = "__import__('os')"
    data["vetoes"][3]["when"] = {"events": {"rules": ["X-NONE-1"], "at_least": 2}}
    data["grades"]["staff"]["excellent"]["max_share"] = 3
    with pytest.raises(ValidationFailed) as caught:
        rulebook.load(data)
    problems = caught.value.fields["problems"]
    assert len(problems) == 7, problems
    joined = "\n".join(problems)
    for needle in (
        "W-APR-01",
        "hour",
        "appears twice",
        "needs a trigger",
        "not allowed",
        "X-NONE-1",
        "max_share",
    ):
        assert needle in joined


def test_conditions_are_a_closed_language() -> None:
    facts = {"verified": bool, "ground": str, "working_days_late": int}
    conditions.check("verified and ground in ('attitude', 'quality')", facts)
    assert conditions.evaluate(
        "verified and ground in ('attitude', 'quality')", {"verified": True, "ground": "quality"}
    )
    assert not conditions.evaluate("working_days_late > 3", {"working_days_late": 3})
    assert not conditions.evaluate("working_days_late > 3", {})  # a missing fact is not met
    for bad in ("open('x')", "ground.upper() == 'A'", "facts[0]", "lambda: 1", "ground ==", "nosuch"):
        with pytest.raises(ValueError):
            conditions.check(bad, facts)


def test_the_fifth_article_variant_loads() -> None:
    book = rulebook_files.packaged("tongshan")
    assert book.grading_period == "month"
    assert {v.consequence for v in book.vetoes} == {"talk", "replacement"}
    assert book.grades["window"].excellent_top == 8 and book.grades["staff"].excellent_top == 20
