"""Score events (DOMAIN.md §7.1–7.2): points added or deducted by a rule, automatic from what the
platform records or manual with evidence — pure.

- `fire(book, occurrence, month)`: the events one platform event makes under a rulebook. Each
  rule whose trigger names the event and whose condition holds over the event's facts falls on
  each subject its trigger names (a case completed late: the window, and the handler AND the
  window head). Each carries a `ref` to its source (`case:<id>`, `complaint:<id>`,
  `item:<code>` …: the trigger's `per`) and the facts it fired on (the snapshot). One source
  makes a rule's event on a subject at most once: the store is unique on (ref, rule, subject),
  so a redelivered or re-published event changes nothing.
- `manual(…)`: a manual event — the rule's source must be `manual` (or a manual veto's code),
  evidence is required, the count a whole number from 1 to 100, the variant one of the rule's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from libs.common.errors import ValidationFailed
from services.appraisal.domain import conditions
from services.appraisal.domain.rulebook import Rulebook
from services.appraisal.domain.scoring import Subject

ACTIVE, WITHDRAWN = "active", "withdrawn"
AUTO, MANUAL = "auto", "manual"
MAX_COUNT = 100
MAX_EVIDENCE = 2000


@dataclass(frozen=True)
class Occurrence:
    """A platform event as the rules see it: its facts, the subjects it names by role, and the
    refs of its sources by `per` (case, complaint, item, transition, event)."""

    event: str  # "intake.case_completed"
    facts: Mapping[str, Any]
    subjects: Mapping[str, tuple[Subject, ...]]
    refs: Mapping[str, str]
    occurred_at: datetime


@dataclass(frozen=True)
class NewEvent:
    subject: Subject
    rule_code: str
    points: float
    count: int
    source: str
    ref: str
    evidence: str
    occurred_at: datetime
    month: str
    variant: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)


def fire(book: Rulebook, occurrence: Occurrence, month: str) -> list[NewEvent]:
    """The score events `occurrence` makes under `book`, counted in `month`."""
    made: list[NewEvent] = []
    for rule in book.triggered_by(occurrence.event):
        trigger = rule.trigger
        assert trigger is not None
        if not conditions.evaluate(trigger.when, occurrence.facts):
            continue
        count = int(occurrence.facts.get(trigger.count) or 0) if trigger.count else 1
        if count <= 0:
            continue
        variant = str(occurrence.facts.get(trigger.variant) or "") if trigger.variant else ""
        if rule.variants and variant not in rule.variants:
            continue
        points = rule.points_at(month, variant) * count
        ref = occurrence.refs.get(trigger.per) or occurrence.refs["event"]
        seen: set[Subject] = set()
        for role in trigger.subjects:
            for subject in occurrence.subjects.get(role, ()):
                if subject in seen or subject.type != rule.subject or not subject.id:
                    continue
                seen.add(subject)
                made.append(
                    NewEvent(
                        subject,
                        rule.code,
                        round(points, 4),
                        count,
                        AUTO,
                        ref,
                        _evidence(rule.description, occurrence),
                        occurrence.occurred_at,
                        month,
                        variant,
                        dict(occurrence.facts) | {"role": role},
                    )  # fmt: skip
                )
    return made


def _evidence(description: str, occurrence: Occurrence) -> str:
    shown = "，".join(f"{k}={v}" for k, v in sorted(occurrence.facts.items()))
    return f"系統自動生成（{occurrence.event}：{shown}）"


def manual(
    book: Rulebook,
    subject: Subject,
    rule_code: str,
    *,
    count: int,
    variant: str,
    evidence: str,
    occurred_at: datetime,
    month: str,
    ref: str,
) -> NewEvent:
    """A manual event, checked (every problem of the request in one ValidationFailed)."""
    problems: list[str] = []
    rule = book.rule(rule_code)
    veto = book.veto(rule_code)
    points = 0.0
    if rule is None and veto is None:
        problems.append(f"rule_code: {rule_code!r} is no rule of the rulebook {book.id}")
    elif rule is not None and rule.source != MANUAL:
        problems.append(f"rule_code: {rule_code} is an automatic rule (from the platform's data)")
    elif veto is not None and not veto.manual:
        problems.append(f"rule_code: the veto {rule_code} is decided from the platform's data")
    subject_type = rule.subject if rule is not None else veto.subject if veto is not None else subject.type
    if subject.type != subject_type:
        problems.append(f"subject.type: {rule_code} appraises a {subject_type}, not a {subject.type}")
    if not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        problems.append(f"count: a whole number from 1 to {MAX_COUNT}")
    if not isinstance(evidence, str) or not evidence.strip():
        problems.append("evidence: required for a manual event (what was found, where it is kept)")
    elif len(evidence) > MAX_EVIDENCE:
        problems.append(f"evidence: at most {MAX_EVIDENCE} characters")
    if rule is not None and not problems:
        if rule.variants and variant not in rule.variants:
            problems.append(f"variant: {rule_code} needs one of {', '.join(rule.variants)}")
        elif not rule.variants and variant:
            problems.append(f"variant: {rule_code} has no variants")
        else:
            points = rule.points_at(month, variant) * count
    if problems:
        raise ValidationFailed("; ".join(problems), problems=problems)
    return NewEvent(subject, rule_code, round(points, 4), count, MANUAL, ref, evidence.strip(), occurred_at,
                    month, variant)  # fmt: skip


@dataclass(frozen=True)
class ScoreEvent:
    """A score event as stored: what `fire` or `manual` made, with its id, who recorded it and
    whether an upheld appeal withdrew it."""

    id: str
    subject: Subject
    rule_code: str
    points: float
    count: int
    source: str
    ref: str
    evidence: str
    occurred_at: datetime
    month: str
    rulebook_id: str
    recorded_by: str
    recorded_at: datetime
    variant: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)
    status: str = ACTIVE
    withdrawn_by: str = ""

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


class Explained(NamedTuple):
    """A score event as a table explains a point with it (a county month has 10⁵ of them)."""

    id: str
    subject: Subject
    rule_code: str
    points: float
    times: int  # the event's count (`count` is a tuple's method)
    source: str
    ref: str
    occurred_at: datetime
