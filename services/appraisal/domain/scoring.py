"""Scores, ranks, grades, vetoes and consequences of one period (DOMAIN.md §7.1, §7.3, §7.4) —
pure: the service layer hands in one SQL aggregate of the period's active events and gets the
table back.

- **Score** = `base_points` (100) + Σ over the rules of the subject's points in the period,
  each rule's sum held to its `cap` (the most it adds) and `floor` (the most it deducts).
- **Rank**: among the subjects of one type, by score (1 = best; equal scores share a rank).
  Quotas count positions, not ranks — the order is (score ↓, subject id) — so ties never let a
  quota be exceeded.
- **Grades** (第九條): windows excellent = among the period's top `excellent.top` (3) positions,
  score ≥ 95 and no veto against excellence; qualified ≥ 75; else unqualified. Staff excellent =
  ≥ 95, no veto, and within the first ⌊20 % × staff⌋ positions (第四條); competent ≥ 75;
  basically competent ≥ 70; else incompetent. An `unqualified` veto (第二十條) makes a window
  unqualified in a month and keeps it from excellent in the quarter and the year.
- **Vetoes** (rulebook.Veto) fire on the period's events (counts, a fact's value, points over
  the year to date, a count within N working days of each other), on grades or ranks of
  consecutive periods (`history`), or manually (an event recorded under the veto's code).
  Every veto shown carries its code, its consequence and its reason (the rule's text).
- **Annual title** (第七條): a year with ≥ 3 excellent quarters (`excellent_quarters`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.appraisal.domain.periods import MONTH, YEAR, Period
from services.appraisal.domain.rulebook import Rulebook, Veto

EXCELLENT, QUALIFIED, UNQUALIFIED = "excellent", "qualified", "unqualified"
COMPETENT, BASICALLY_COMPETENT, INCOMPETENT = "competent", "basically_competent", "incompetent"
BLOCKS_EXCELLENT = ("not_excellent", "unqualified")


@dataclass(frozen=True, order=True)
class Subject:
    type: str
    id: str


@dataclass(frozen=True)
class Total:
    """One row of the period's aggregate: a subject's active events of one rule (and variant)
    counted in one month. `facts` holds the largest value of each numeric fact seen."""

    subject: Subject
    rule_code: str
    month: str
    points: float
    count: int
    variant: str = ""
    facts: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Dated:
    """An event of a rule some veto counts within N working days: its day and count."""

    subject: Subject
    rule_code: str
    day: date
    count: int


@dataclass(frozen=True)
class Past:
    """A subject's result in an earlier period of the same kind (for consecutive conditions)."""

    grade: str
    from_bottom: int  # 1 = last position


@dataclass(frozen=True)
class VetoHit:
    code: str
    consequence: str
    reason: str


@dataclass(frozen=True)
class Result:
    subject: Subject
    period: str
    score: float
    grade: str
    rank: int
    position: int  # 1-based, in (score ↓, id) order among the subject type
    from_bottom: int
    vetoes: tuple[VetoHit, ...]
    rule_points: Mapping[str, float]
    title: str = ""

    @property
    def consequences(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.consequence for v in self.vetoes))


def score_period(
    book: Rulebook,
    period: Period,
    subjects: Iterable[Subject],
    totals: Iterable[Total],
    *,
    dated: Iterable[Dated] = (),
    is_working: Callable[[date], bool] = lambda d: d.weekday() < 5,
    history: Mapping[Subject, Sequence[Past]] | None = None,
    excellent_quarters: Mapping[Subject, int] | None = None,
) -> list[Result]:
    """The table of `period`: one Result per subject (every subject given, events or not).
    `totals` may reach back to the start of the year (year-to-date conditions); only the
    period's months count in the score."""
    history = history or {}
    by_subject: dict[Subject, list[Total]] = defaultdict(list)
    for t in totals:
        by_subject[t.subject].append(t)
    dated_by: dict[Subject, list[Dated]] = defaultdict(list)
    for d in dated:
        dated_by[d.subject].append(d)
    everyone = sorted(set(subjects) | set(by_subject))
    months = set(period.months)
    scores: dict[Subject, float] = {}
    rule_points: dict[Subject, dict[str, float]] = {}
    vetoes: dict[Subject, list[VetoHit]] = {}
    named = {v.code: _rules_named(v) for v in book.vetoes}  # a veto looks only at these rules' events
    for subject in everyone:
        sums: dict[str, float] = defaultdict(float)
        for t in by_subject.get(subject, ()):
            if t.month in months and book.rule(t.rule_code) is not None:
                sums[t.rule_code] += t.points
        clamped = {code: round(_clamp(book, code, value), 4) for code, value in sums.items()}
        rule_points[subject] = clamped
        scores[subject] = round(book.base_points + sum(clamped.values()), 4)
        has = {t.rule_code for t in by_subject.get(subject, ())} | {
            d.rule_code for d in dated_by.get(subject, ())
        }
        vetoes[subject] = [
            VetoHit(v.code, v.consequence, v.description)
            for v in book.vetoes
            if v.subject == subject.type
            and not has.isdisjoint(named[v.code])
            and _event_veto(v, period, by_subject.get(subject, ()), dated_by.get(subject, ()), is_working)
        ]
    return _ranked(book, period, everyone, scores, rule_points, vetoes, history, excellent_quarters)


def rescore(
    book: Rulebook,
    period: Period,
    previous: Sequence[Result],
    subject: Subject,
    totals: Iterable[Total],
    *,
    dated: Iterable[Dated] = (),
    is_working: Callable[[date], bool] = lambda d: d.weekday() < 5,
    history: Mapping[Subject, Sequence[Past]] | None = None,
    excellent_quarters: Mapping[Subject, int] | None = None,
) -> list[Result]:
    """The table again after one subject's events changed (an upheld appeal): that subject's
    sums and event vetoes from `totals` and `dated` (its own), everyone else's as `previous` had
    them; ranks, grades and standing vetoes anew for all. Equal to `score_period` over everyone's
    totals (tested), without reading them."""
    fresh = score_period(book, period, [subject], totals, dated=dated, is_working=is_working)
    own = next((r for r in fresh if r.subject == subject), None)
    named = {v.code: _rules_named(v) for v in book.vetoes}
    scores: dict[Subject, float] = {}
    rule_points: dict[Subject, dict[str, float]] = {}
    vetoes: dict[Subject, list[VetoHit]] = {}
    for r in previous:
        scores[r.subject], rule_points[r.subject] = r.score, dict(r.rule_points)
        vetoes[r.subject] = [v for v in r.vetoes if named.get(v.code)]  # the event vetoes only
    if own is not None:
        scores[subject], rule_points[subject] = own.score, dict(own.rule_points)
        vetoes[subject] = [v for v in own.vetoes if named.get(v.code)]
    return _ranked(
        book, period, sorted(scores), scores, rule_points, vetoes, history or {}, excellent_quarters
    )


def _ranked(
    book: Rulebook,
    period: Period,
    everyone: Sequence[Subject],
    scores: Mapping[Subject, float],
    rule_points: Mapping[Subject, Mapping[str, float]],
    vetoes: Mapping[Subject, Sequence[VetoHit]],
    history: Mapping[Subject, Sequence[Past]],
    excellent_quarters: Mapping[Subject, int] | None,
) -> list[Result]:
    """Ranks, quota-bound grades and standing vetoes of each subject type, from the scores."""
    results: list[Result] = []
    for kind in sorted({s.type for s in everyone}):
        group = sorted((s for s in everyone if s.type == kind), key=lambda s: (-scores[s], s.id))
        n = len(group)
        grades = _grades(book, kind, period, group, scores, vetoes)
        rank, previous = 0, None
        for position, subject in enumerate(group, start=1):
            if scores[subject] != previous:  # in score order: equal scores share the first one's rank
                rank, previous = position, scores[subject]
            from_bottom = n - position + 1
            hits = list(vetoes[subject])
            hits += _standing_vetoes(
                book, kind, period, grades[subject], from_bottom, history.get(subject, ())
            )
            title = ""
            title = _title(book, kind, period, excellent_quarters, subject)
            results.append(
                Result(
                    subject,
                    period.code,
                    scores[subject],
                    grades[subject],
                    rank,
                    position,
                    from_bottom,
                    tuple(hits),
                    rule_points[subject],
                    title,
                )  # fmt: skip
            )
    return results


def _title(
    book: Rulebook,
    kind: str,
    period: Period,
    excellent_quarters: Mapping[Subject, int] | None,
    subject: Subject,
) -> str:
    title = book.annual_title
    if period.kind != YEAR or title is None or excellent_quarters is None:
        return ""
    return title.names.get(kind, "") if excellent_quarters.get(subject, 0) >= title.excellent_quarters else ""


def _clamp(book: Rulebook, code: str, value: float) -> float:
    rule = book.rule(code)
    if rule is None:
        return value
    if rule.cap is not None:
        value = min(value, rule.cap)
    if rule.floor is not None:
        value = max(value, rule.floor)
    return value


def _grades(
    book: Rulebook,
    kind: str,
    period: Period,
    ordered: Sequence[Subject],
    scores: Mapping[Subject, float],
    vetoes: Mapping[Subject, Sequence[VetoHit]],
) -> dict[Subject, str]:
    scale = book.grades.get(kind)
    grades: dict[Subject, str] = {}
    if scale is None:
        return {s: "" for s in ordered}
    quota = len(ordered)
    if scale.excellent_top is not None:
        quota = min(quota, scale.excellent_top)
    if scale.excellent_max_share is not None:
        quota = min(quota, math.floor(scale.excellent_max_share * len(ordered) + 1e-9))
    for position, subject in enumerate(ordered, start=1):
        score, hits = scores[subject], {v.consequence for v in vetoes[subject]}
        blocked = bool(hits.intersection(BLOCKS_EXCELLENT))
        if score >= scale.excellent_min and position <= quota and not blocked:
            grade = EXCELLENT
        elif score >= scale.qualified_min:
            grade = COMPETENT if kind == "staff" else QUALIFIED
        elif scale.basically_competent_min is not None and score >= scale.basically_competent_min:
            grade = BASICALLY_COMPETENT
        else:
            grade = INCOMPETENT if kind == "staff" else UNQUALIFIED
        if "unqualified" in hits and period.kind == MONTH and kind != "staff":
            grade = UNQUALIFIED
        grades[subject] = grade
    return grades


def _rules_named(veto: Veto) -> frozenset[str]:
    """The rules whose events a veto's condition counts (a manual veto: its own code); grade and
    rank conditions name none (they are standing conditions, judged after grading)."""
    if veto.manual:
        return frozenset({veto.code})
    found: set[str] = set()

    def walk(when: Mapping[str, Any]) -> None:
        for kind, spec in when.items():
            if kind == "any":
                for part in spec:
                    walk(part)
            elif isinstance(spec, Mapping):
                found.update(spec.get("rules") or ())

    walk(veto.when or {})
    return frozenset(found)


def _event_veto(
    veto: Veto,
    period: Period,
    totals: Sequence[Total],
    dated: Sequence[Dated],
    is_working: Callable[[date], bool],
) -> bool:
    if veto.manual:  # recorded as an event under the veto's own code
        return any(t.rule_code == veto.code and t.month in period.months for t in totals)
    return _holds(veto.when or {}, period, totals, dated, is_working)


def _holds(
    when: Mapping[str, Any],
    period: Period,
    totals: Sequence[Total],
    dated: Sequence[Dated],
    is_working: Callable[[date], bool],
) -> bool:
    [(kind, spec)] = when.items()
    if kind == "any":
        return any(_holds(part, period, totals, dated, is_working) for part in spec)
    in_period = [t for t in totals if t.month in period.months]
    if kind == "events":
        rules, at_least = set(spec["rules"]), int(spec["at_least"])
        variant = spec.get("variant")
        chosen = [t for t in totals if t.rule_code in rules and (variant is None or t.variant == variant)]
        within = str(spec.get("within", "period"))
        if within.endswith("_working_days"):
            days = int(within.split("_", 1)[0])
            picked = [d for d in dated if d.rule_code in rules and period.start <= d.day <= period.end]
            return _within_working_days(picked, days, at_least, is_working)
        if within == "month":
            per_month: dict[str, int] = defaultdict(int)
            for t in chosen:
                if t.month in period.months:
                    per_month[t.month] += t.count
            return any(n >= at_least for n in per_month.values())
        if within == "year":
            last = period.months[-1]
            return sum(t.count for t in chosen if t.month[:4] == last[:4] and t.month <= last) >= at_least
        return sum(t.count for t in chosen if t.month in period.months) >= at_least
    if kind == "fact":
        rules, name, above = set(spec["rules"]), spec["name"], float(spec["above"])
        return any(t.facts.get(name, -math.inf) > above for t in in_period if t.rule_code in rules)
    if kind == "points":
        rules, threshold = set(spec["rules"]), float(spec["at_least"])
        last = period.months[-1]
        if spec.get("over", "period") == "year_to_date":
            chosen = [t for t in totals if t.month[:4] == last[:4] and t.month <= last]
        else:
            chosen = in_period
        return abs(sum(t.points for t in chosen if t.rule_code in rules)) >= threshold
    return False  # grade and rank conditions are standing conditions (after grading)


def _within_working_days(
    picked: Sequence[Dated], days: int, at_least: int, is_working: Callable[[date], bool]
) -> bool:
    """Do `at_least` counts fall within `days` working days of each other (a sliding window)?"""
    ordered = sorted(picked, key=lambda d: d.day)
    for i, first in enumerate(ordered):
        total, day, seen = 0, first.day, 0
        for other in ordered[i:]:
            while day < other.day:
                day = date.fromordinal(day.toordinal() + 1)
                if is_working(day):
                    seen += 1
            if seen >= days:
                break
            total += other.count
            if total >= at_least:
                return True
    return False


def _standing_vetoes(
    book: Rulebook, kind: str, period: Period, grade: str, from_bottom: int, past: Sequence[Past]
) -> list[VetoHit]:
    """Consequences of grades and ranks, in periods of the grading period's kind (and years,
    for grades): `consecutive` counts this period and the ones before it (`past`, latest first)."""
    hits = []
    for v in book.vetoes:
        if v.subject != kind or v.when is None:
            continue
        if _standing(v.when, book, period, grade, from_bottom, past):
            hits.append(VetoHit(v.code, v.consequence, v.description))
    return hits


def _standing(
    when: Mapping[str, Any],
    book: Rulebook,
    period: Period,
    grade: str,
    from_bottom: int,
    past: Sequence[Past],
) -> bool:
    [(kind, spec)] = when.items()
    if kind == "any":
        return any(_standing(part, book, period, grade, from_bottom, past) for part in spec)
    graded = period.kind == book.grading_period or (kind == "grade" and period.kind == YEAR)
    if kind not in ("grade", "rank") or not graded:
        return False
    consecutive = int(spec.get("consecutive", 1))
    if len(past) < consecutive - 1:
        return False
    if kind == "grade":
        return grade == spec["is"] and all(p.grade == spec["is"] for p in past[: consecutive - 1])
    bottom = int(spec["bottom"])
    return from_bottom <= bottom and all(p.from_bottom <= bottom for p in past[: consecutive - 1])
