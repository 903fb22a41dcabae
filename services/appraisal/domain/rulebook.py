"""The rulebook (考核細則, DOMAIN.md §7.2) as data: point rules, grade scales, vetoes and
consequences, checked whole.

A rulebook is a mapping (YAML, JSON, or rows of a workbook turned into one — the CLI's import)
shaped as `rulebooks/default.yaml`, the seed's rulebook (seed 001 第二篇). `load` checks it WHOLE
and raises one `ValidationFailed` listing every problem (`problems=[…]`), so a county fixing its
file sees all its mistakes at once.

- **Rules**: `code` (unique), `subject` (window|staff|proxy|village|township), `description`
  (Chinese), `points` (negative deducts) or `variants` (one item with several values, e.g.
  praise by county/city/province/national), `unit` (case|time|day|item|person_time), `source`
  (auto|manual), `clause` (the article it comes from), optional `cap` (the most a rule adds per
  subject and period) and `floor` (the most it deducts, as a negative number). `points` may be
  dated: a list of `{from: YYYY-MM, points}` — the value in force in the month an event counts
  in is the one it takes (OpenFisca's dated parameters), so a value changed in July never
  rescores March. An auto rule has a `trigger`: the platform event (`intake.case_completed` …,
  see TRIGGERS), a condition `when` over that event's facts (`conditions.py`), the `subjects`
  it falls on (roles the event names: window, handler, window_head …), optionally a `count`
  (a fact: W-DIS-06's working days late), a `variant` (a fact naming the variant) and `per`
  (what one source is: the case, the complaint … — the event's `ref`).
- **Grades** per subject type: windows `excellent {min, top}`, `qualified {min}`; staff
  `excellent {min, max_share}`, `competent`, `basically_competent` (DOMAIN.md §7.3).
  `grading_period` is `quarter` (the seed) or `month` (seed 001 第五篇's monthly ranking).
- **Vetoes and consequences** (一票否決, DOMAIN.md §7.4): `code`, `subject`, `consequence`
  (CONSEQUENCES), `description`, `clause` and a condition `when` (scoring.py evaluates it), or
  none — a manual veto, entered like a manual event under the veto's code, with evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from libs.common.errors import ValidationFailed
from services.appraisal.domain import conditions

SUBJECT_TYPES = ("window", "staff", "proxy", "village", "township")
UNITS = ("case", "time", "day", "item", "person_time")
SOURCES = ("auto", "manual")
CONSEQUENCES = ("not_excellent", "unqualified", "return_to_unit", "notify_unit", "talk", "replacement")
GRADING_PERIODS = ("month", "quarter")
CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+\Z")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])\Z")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
MAX_RULES = 1000
PERIOD_WITHINS = ("period", "month", "quarter", "year")
WORKING_DAYS_RE = re.compile(r"^(\d{1,3})_working_days\Z")


@dataclass(frozen=True)
class Trigger:
    """The platform event that fires an auto rule, and how (see the module doc)."""

    event: str
    subjects: tuple[str, ...]
    when: str = ""
    count: str = ""
    variant: str = ""
    per: str = "event"


@dataclass(frozen=True)
class Rule:
    code: str
    subject: str
    description: str
    unit: str
    source: str
    clause: str
    points: tuple[tuple[str, float], ...] = ()  # (from month, points), ascending; empty with variants
    variants: Mapping[str, float] = field(default_factory=dict)
    cap: float | None = None
    floor: float | None = None
    trigger: Trigger | None = None

    def points_at(self, month: str, variant: str = "") -> float:
        """The points of one count in `month` ("YYYY-MM"), of `variant` for a rule with variants."""
        if self.variants:
            if variant not in self.variants:
                raise ValidationFailed(
                    f"rule {self.code} needs a variant, one of: {', '.join(self.variants)}",
                    field="variant",
                )
            return float(self.variants[variant])
        value = self.points[0][1]
        for start, points in self.points:
            if start <= month:
                value = points
        return value

    @property
    def current_points(self) -> float | None:
        return self.points[-1][1] if self.points else None


@dataclass(frozen=True)
class GradeScale:
    subject: str
    excellent_min: float
    qualified_min: float  # windows: qualified; staff: competent
    basically_competent_min: float | None = None  # staff only
    excellent_top: int | None = None  # windows: the period's top N
    excellent_max_share: float | None = None  # staff: at most this share, by rank
    clause: str = ""


@dataclass(frozen=True)
class Veto:
    code: str
    subject: str
    consequence: str
    description: str
    clause: str
    when: Mapping[str, Any] | None = None  # None: manual

    @property
    def manual(self) -> bool:
        return self.when is None


@dataclass(frozen=True)
class AnnualTitle:
    excellent_quarters: int
    names: Mapping[str, str]


@dataclass(frozen=True)
class Rulebook:
    id: str
    name: str
    effective_from: str
    rules: tuple[Rule, ...]
    vetoes: tuple[Veto, ...]
    grades: Mapping[str, GradeScale]
    base_points: float = 100.0
    appeal_days: int = 5
    grading_period: str = "quarter"
    annual_title: AnnualTitle | None = None
    source: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def rule(self, code: str) -> Rule | None:
        return self._rules.get(code)

    def veto(self, code: str) -> Veto | None:
        return self._vetoes.get(code)

    @cached_property  # built once a rulebook: scoring asks for a rule per row of the aggregate
    def _rules(self) -> dict[str, Rule]:
        return {r.code: r for r in self.rules}

    @cached_property
    def _vetoes(self) -> dict[str, Veto]:
        return {v.code: v for v in self.vetoes}

    def triggered_by(self, event: str) -> list[Rule]:
        return [r for r in self.rules if r.trigger is not None and r.trigger.event == event]


# --- the platform events auto rules may name: their facts, subjects and sources --------------


@dataclass(frozen=True)
class TriggerKind:
    facts: Mapping[str, type]
    subjects: tuple[str, ...]
    pers: tuple[str, ...]


TRIGGERS: dict[str, TriggerKind] = {
    "intake.case_completed": TriggerKind(
        {"overdue": bool, "working_days_late": int, "early": bool, "outcome": str},
        ("window", "handler", "window_head"),
        ("case", "event"),
    ),
    "intake.case_supplement_requested": TriggerKind(
        {"second_request": bool}, ("window", "actor", "handler"), ("case", "transition", "event")
    ),
    "intake.case_returned": TriggerKind(
        {"reason_detailed": bool}, ("window", "actor", "handler"), ("case", "event")
    ),
    "intake.complaint_decided": TriggerKind(
        {"verified": bool, "subject_type": str, "ground": str}, ("subject", "window"), ("complaint", "event")
    ),
    "intake.petition_answered": TriggerKind(
        {"forwarded": bool, "on_time": bool, "days_late": int, "working_days_late": int, "kind": str},
        ("window",),
        ("complaint", "event"),
    ),
    "intake.catalogue_item_saved": TriggerKind(
        {
            "converted_to_immediate": bool,
            "promised_cut_by_half": bool,
            "promised_days": int,
            "statutory_days": int,
        },
        ("windows",),
        ("item", "event"),
    ),  # fmt: skip
    "appraisal.attendance_judged": TriggerKind(
        {"status": str, "late_minutes": int, "early_minutes": int}, ("staff", "window"), ("event",)
    ),
    "appraisal.window_unstaffed": TriggerKind({"minutes": int}, ("window",), ("event",)),
    "appraisal.leave_rule_broken": TriggerKind(
        {"department_approved": bool}, ("staff", "window"), ("event",)
    ),
}


# --- loading ---------------------------------------------------------------------------------


def load(data: object) -> Rulebook:
    """A rulebook from its mapping, checked whole: every problem in one ValidationFailed."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise ValidationFailed("a rulebook is a mapping with id, name, rules …", problems=["not a mapping"])
    book_id = data.get("id", "")
    if not isinstance(book_id, str) or not ID_RE.match(book_id):
        problems.append(f"id: lower-case letters, digits, - or _ (at most 64), got {book_id!r}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("name: required")
    effective = str(data.get("effective_from", "2000-01"))
    if not MONTH_RE.match(effective):
        problems.append(f"effective_from: YYYY-MM, got {effective!r}")
    base = _number(data.get("base_points", 100), "base_points", problems)
    appeal_days = data.get("appeal_days", 5)
    if not isinstance(appeal_days, int) or isinstance(appeal_days, bool) or not 1 <= appeal_days <= 60:
        problems.append(f"appeal_days: a whole number of working days from 1 to 60, got {appeal_days!r}")
        appeal_days = 5
    grading_period = data.get("grading_period", "quarter")
    if grading_period not in GRADING_PERIODS:
        problems.append(f"grading_period: one of {', '.join(GRADING_PERIODS)}, got {grading_period!r}")
    raw_rules = data.get("rules")
    rules: list[Rule] = []
    if not isinstance(raw_rules, Sequence) or isinstance(raw_rules, str) or not raw_rules:
        problems.append("rules: a non-empty list")
        raw_rules = []
    elif len(raw_rules) > MAX_RULES:
        problems.append(f"rules: at most {MAX_RULES}")
        raw_rules = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules):
        rule = _rule(raw, f"rules[{i}]", problems)
        if rule is None:
            continue
        if rule.code in seen:
            problems.append(f"rules[{i}]: code {rule.code} appears twice")
        seen.add(rule.code)
        rules.append(rule)
    grades = _grades(data.get("grades"), problems)
    vetoes: list[Veto] = []
    raw_vetoes = data.get("vetoes") or []
    if not isinstance(raw_vetoes, Sequence) or isinstance(raw_vetoes, str):
        problems.append("vetoes: a list")
        raw_vetoes = []
    for i, raw in enumerate(raw_vetoes):
        veto = _veto(raw, f"vetoes[{i}]", problems, seen)
        if veto is None:
            continue
        if veto.code in seen:
            problems.append(f"vetoes[{i}]: code {veto.code} is already a rule's or a veto's")
        seen.add(veto.code)
        vetoes.append(veto)
    title = _annual_title(data.get("annual_title"), problems)
    if problems:
        raise ValidationFailed(
            f"the rulebook has {len(problems)} problem(s): " + "; ".join(problems[:20]), problems=problems
        )
    return Rulebook(
        id=book_id,
        name=str(name).strip(),
        effective_from=effective,
        rules=tuple(rules),
        vetoes=tuple(vetoes),
        grades=grades,
        base_points=base if base is not None else 100.0,
        appeal_days=appeal_days,
        grading_period=str(grading_period),
        annual_title=title,
        source=dict(data),
    )


def _number(value: object, what: str, problems: list[str]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{what}: a number, got {value!r}")
        return None
    if abs(value) > 1000:
        problems.append(f"{what}: at most 1000 in size, got {value!r}")
        return None
    return float(value)


def _text(raw: Mapping[str, Any], key: str, where: str, problems: list[str], *, limit: int = 500) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {key} required")
        return ""
    if len(value) > limit:
        problems.append(f"{where}: {key} longer than {limit} characters")
    return value.strip()


def _rule(raw: object, where: str, problems: list[str]) -> Rule | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: a mapping")
        return None
    before = len(problems)
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        problems.append(f"{where}: code like W-SVC-07, got {code!r}")
        code = str(code)
    where = f"{where} ({code})"
    subject = raw.get("subject")
    if subject not in SUBJECT_TYPES:
        problems.append(f"{where}: subject one of {', '.join(SUBJECT_TYPES)}, got {subject!r}")
    unit = raw.get("unit")
    if unit not in UNITS:
        problems.append(f"{where}: unit one of {', '.join(UNITS)}, got {unit!r}")
    source = raw.get("source")
    if source not in SOURCES:
        problems.append(f"{where}: source auto or manual, got {source!r}")
    description = _text(raw, "description", where, problems)
    clause = _text(raw, "clause", where, problems, limit=100)
    points: list[tuple[str, float]] = []
    variants: dict[str, float] = {}
    raw_points, raw_variants = raw.get("points"), raw.get("variants")
    if (raw_points is None) == (raw_variants is None):
        problems.append(f"{where}: points or variants (exactly one)")
    elif raw_variants is not None:
        if not isinstance(raw_variants, Mapping) or not raw_variants:
            problems.append(f"{where}: variants a mapping of name to points")
        else:
            for k, v in raw_variants.items():
                n = _number(v, f"{where}: variant {k}", problems)
                if not isinstance(k, str) or not ID_RE.match(k):
                    problems.append(f"{where}: variant name {k!r} (lower-case letters, digits, _)")
                elif n is not None:
                    variants[k] = n
    elif isinstance(raw_points, list):
        for j, dated in enumerate(raw_points):
            start = str(dated.get("from", "")) if isinstance(dated, Mapping) else ""
            if not MONTH_RE.match(start):
                problems.append(f"{where}: points[{j}] needs from: YYYY-MM")
                continue
            n = _number(dated.get("points"), f"{where}: points[{j}]", problems)
            if n is not None:
                points.append((start, n))
        points.sort()
        if not points:
            problems.append(f"{where}: dated points need at least one value")
        elif len({p[0] for p in points}) < len(points):
            problems.append(f"{where}: two dated values from the same month")
    else:
        n = _number(raw_points, f"{where}: points", problems)
        if n is not None:
            points.append(("0000-01", n))
    cap = None if raw.get("cap") is None else _number(raw.get("cap"), f"{where}: cap", problems)
    floor = None if raw.get("floor") is None else _number(raw.get("floor"), f"{where}: floor", problems)
    if cap is not None and cap < 0:
        problems.append(f"{where}: cap is the most a rule adds (≥ 0)")
    if floor is not None and floor > 0:
        problems.append(f"{where}: floor is the most a rule deducts (≤ 0)")
    trigger = None
    if raw.get("trigger") is not None:
        trigger = _trigger(raw["trigger"], where, problems)
        if source != "auto":
            problems.append(f"{where}: a trigger needs source auto")
        if trigger is not None and trigger.variant and not variants:
            problems.append(f"{where}: a trigger's variant needs the rule's variants")
    elif source == "auto":
        problems.append(f"{where}: an auto rule needs a trigger (the event that fires it)")
    unknown = set(raw) - {"code", "subject", "description", "points", "variants", "unit", "source", "clause",
                          "cap", "floor", "trigger"}  # fmt: skip
    if unknown:
        problems.append(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    if len(problems) > before:
        return None
    return Rule(
        code=code,
        subject=str(subject),
        description=description,
        unit=str(unit),
        source=str(source),
        clause=clause,
        points=tuple(points),
        variants=variants,
        cap=cap,
        floor=floor,
        trigger=trigger,
    )


def _trigger(raw: object, where: str, problems: list[str]) -> Trigger | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: trigger a mapping with event and subjects")
        return None
    event = raw.get("event")
    kind = TRIGGERS.get(str(event))
    if kind is None:
        problems.append(f"{where}: trigger event one of {', '.join(TRIGGERS)}, got {event!r}")
        return None
    subjects = raw.get("subjects")
    if not isinstance(subjects, list) or not subjects or any(s not in kind.subjects for s in subjects):
        problems.append(f"{where}: trigger subjects a list of {', '.join(kind.subjects)}, got {subjects!r}")
        return None
    when = raw.get("when", "")
    if isinstance(when, bool):
        problems.append(f"{where}: trigger when is a condition over the facts, not {when!r}")
        return None
    when = str(when or "")
    if when:
        try:
            conditions.check(when, kind.facts)
        except ValueError as exc:
            problems.append(f"{where}: trigger when {when!r}: {exc}")
            return None
    count = str(raw.get("count") or "")
    if count and kind.facts.get(count) is not int:
        problems.append(f"{where}: trigger count must name a whole-number fact of {event}, got {count!r}")
    variant = str(raw.get("variant") or "")
    if variant and kind.facts.get(variant) is not str:
        problems.append(f"{where}: trigger variant must name a text fact of {event}, got {variant!r}")
    per = str(raw.get("per") or "event")
    if per not in kind.pers:
        problems.append(f"{where}: trigger per one of {', '.join(kind.pers)}, got {per!r}")
    unknown = set(raw) - {"event", "subjects", "when", "count", "variant", "per"}
    if unknown:
        problems.append(f"{where}: trigger has unknown keys {', '.join(sorted(map(str, unknown)))}")
    return Trigger(str(event), tuple(subjects), when, count, variant, per)


def _grades(raw: object, problems: list[str]) -> dict[str, GradeScale]:
    if not isinstance(raw, Mapping) or not raw:
        problems.append("grades: a mapping of subject type to its scale")
        return {}
    scales: dict[str, GradeScale] = {}
    for subject, scale in raw.items():
        where = f"grades.{subject}"
        if subject not in SUBJECT_TYPES:
            problems.append(f"{where}: not a subject type")
            continue
        if not isinstance(scale, Mapping):
            problems.append(f"{where}: a mapping")
            continue
        excellent = _mapping(scale.get("excellent"), f"{where}.excellent", problems)
        middle_name = "competent" if subject == "staff" else "qualified"
        middle = _mapping(scale.get(middle_name), f"{where}.{middle_name}", problems)
        ex_min = _number(excellent.get("min"), f"{where}.excellent.min", problems)
        q_min = _number(middle.get("min"), f"{where}.{middle_name}.min", problems)
        basic = None
        if subject == "staff":
            lowest = _mapping(scale.get("basically_competent"), f"{where}.basically_competent", problems)
            basic = _number(lowest.get("min"), f"{where}.basically_competent.min", problems)
        top, share = excellent.get("top"), excellent.get("max_share")
        if top is not None and (not isinstance(top, int) or isinstance(top, bool) or top < 1):
            problems.append(f"{where}.excellent.top: a whole number ≥ 1")
            top = None
        if share is not None and (isinstance(share, bool) or not isinstance(share, int | float)
                                  or not 0 < share <= 1):  # fmt: skip
            problems.append(f"{where}.excellent.max_share: a share above 0, at most 1")
            share = None
        if ex_min is None or q_min is None or (subject == "staff" and basic is None):
            continue
        if ex_min < q_min or (basic is not None and q_min < basic):
            problems.append(f"{where}: the thresholds must not rise as the grades fall")
            continue
        scales[subject] = GradeScale(
            subject,
            ex_min,
            q_min,
            basic,
            top,
            None if share is None else float(share),
            str(scale.get("clause", "")),
        )
    return scales


def _mapping(value: object, where: str, problems: list[str]) -> Mapping[str, Any]:
    """`value` if a mapping; absent is an empty one; anything else is a problem (and empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(f"{where}: a mapping")
        return {}
    return value


def _veto(raw: object, where: str, problems: list[str], rule_codes: set[str]) -> Veto | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: a mapping")
        return None
    before = len(problems)
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        problems.append(f"{where}: code like W-VETO-01, got {code!r}")
        code = str(code)
    where = f"{where} ({code})"
    subject = raw.get("subject")
    if subject not in SUBJECT_TYPES:
        problems.append(f"{where}: subject one of {', '.join(SUBJECT_TYPES)}")
    consequence = raw.get("consequence")
    if consequence not in CONSEQUENCES:
        problems.append(f"{where}: consequence one of {', '.join(CONSEQUENCES)}, got {consequence!r}")
    description = _text(raw, "description", where, problems)
    clause = _text(raw, "clause", where, problems, limit=100)
    when = raw.get("when")
    if when is not None:
        _check_when(when, where, problems, rule_codes)
    if len(problems) > before:
        return None
    return Veto(str(code), str(subject), str(consequence), description, clause, when)


def _check_when(when: object, where: str, problems: list[str], rule_codes: set[str]) -> None:
    if not isinstance(when, Mapping) or len(when) != 1:
        problems.append(f"{where}: when is one of any, events, fact, points, grade, rank")
        return
    [(kind, spec)] = when.items()
    if kind == "any":
        if not isinstance(spec, list) or not spec:
            problems.append(f"{where}: any is a list of conditions")
            return
        for part in spec:
            _check_when(part, where, problems, rule_codes)
        return
    if not isinstance(spec, Mapping):
        problems.append(f"{where}: {kind} is a mapping")
        return
    if kind in ("events", "fact", "points"):
        rules = spec.get("rules")
        if not isinstance(rules, list) or not rules:
            problems.append(f"{where}: {kind}.rules a list of rule codes")
        else:
            missing = [r for r in rules if r not in rule_codes]
            if missing:
                problems.append(f"{where}: {kind}.rules names no rule: {', '.join(map(str, missing))}")
    if kind == "events":
        if not isinstance(spec.get("at_least"), int) or spec["at_least"] < 1:
            problems.append(f"{where}: events.at_least a whole number ≥ 1")
        within = str(spec.get("within", "period"))
        if within not in PERIOD_WITHINS and not WORKING_DAYS_RE.match(within):
            problems.append(f"{where}: events.within period, month, quarter, year or <n>_working_days")
    elif kind == "fact":
        if (
            not isinstance(spec.get("name"), str)
            or _number(spec.get("above"), f"{where}: fact.above", problems) is None
        ):
            problems.append(f"{where}: fact needs name and above")
    elif kind == "points":
        _number(spec.get("at_least"), f"{where}: points.at_least", problems)
        if spec.get("over", "period") not in ("period", "year_to_date"):
            problems.append(f"{where}: points.over period or year_to_date")
    elif kind == "grade":
        if spec.get("is") not in ("excellent", "qualified", "unqualified", "competent", "basically_competent",
                                  "incompetent"):  # fmt: skip
            problems.append(f"{where}: grade.is a grade")
        consecutive = spec.get("consecutive", 1)
        if not isinstance(consecutive, int) or not 1 <= consecutive <= 12:
            problems.append(f"{where}: grade.consecutive from 1 to 12")
    elif kind == "rank":
        bottom, consecutive = spec.get("bottom"), spec.get("consecutive", 1)
        if not isinstance(bottom, int) or bottom < 1:
            problems.append(f"{where}: rank.bottom a whole number ≥ 1")
        if not isinstance(consecutive, int) or not 1 <= consecutive <= 12:
            problems.append(f"{where}: rank.consecutive from 1 to 12")
    else:
        problems.append(f"{where}: unknown condition {kind!r}")


def _annual_title(raw: object, problems: list[str]) -> AnnualTitle | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("excellent_quarters"), int):
        problems.append("annual_title: excellent_quarters (a whole number) and the title per subject type")
        return None
    names = {k: str(v) for k, v in raw.items() if k in SUBJECT_TYPES}
    return AnnualTitle(int(raw["excellent_quarters"]), names)
