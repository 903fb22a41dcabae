"""Score events, scores, appeals and rulebooks in protobuf (proto/bianmin/appraisal/v1): the one
place that maps the domain's values to messages and back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from bianmin.appraisal.v1 import appeal_pb2, events_pb2, rulebook_pb2, score_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common.grpc.enums import enum_number, enum_word
from services.appraisal.domain.appeal import Appeal
from services.appraisal.domain.rulebook import Rulebook
from services.appraisal.domain.score_event import ACTIVE, Explained, ScoreEvent
from services.appraisal.domain.scoring import Result, Subject


def stamp(at: datetime | None) -> Timestamp | None:
    if at is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(at.astimezone(UTC))
    return ts


def at_of(ts: Timestamp) -> datetime | None:
    return ts.ToDatetime(tzinfo=UTC) if ts.seconds or ts.nanos else None


def subject_type_number(word: str) -> int:
    return enum_number(rulebook_pb2.SubjectType, "SUBJECT_TYPE_", word, unknown=0)


def subject_type_word(number: int) -> str:
    return enum_word(rulebook_pb2.SubjectType, "SUBJECT_TYPE_", number, unknown="")


def subject_to_pb(subject: Subject) -> score_pb2.Subject:
    return score_pb2.Subject(type=subject_type_number(subject.type), id=subject.id)


def subject_of(message: score_pb2.Subject) -> Subject:
    return Subject(subject_type_word(message.type), message.id)


def event_to_pb(e: ScoreEvent) -> score_pb2.ScoreEvent:
    return score_pb2.ScoreEvent(
        id=e.id,
        subject=subject_to_pb(e.subject),
        rule_code=e.rule_code,
        points=e.points,
        count=e.count,
        source=enum_number(rulebook_pb2.RuleSource, "RULE_SOURCE_", e.source),
        evidence=e.evidence,
        ref=e.ref,
        occurred_at=stamp(e.occurred_at),
        period=e.month,
        recorded_by=e.recorded_by,
        voided=e.status != ACTIVE,
        recorded_at=stamp(e.recorded_at),
        variant=e.variant,
        facts_json=json.dumps(dict(e.facts), ensure_ascii=False, sort_keys=True) if e.facts else "",
        withdrawn_by=e.withdrawn_by,
        rulebook_id=e.rulebook_id,
    )


def recorded_event(e: ScoreEvent) -> events_pb2.ScoreEventRecorded:
    return events_pb2.ScoreEventRecorded(event=event_to_pb(e))


def withdrawn_event(e: ScoreEvent, appeal_id: str) -> events_pb2.ScoreEventCorrected:
    return events_pb2.ScoreEventCorrected(
        event_id=e.id, previous_points=e.points, points=0, voided=True, appeal_id=appeal_id
    )


GRADE_PREFIX = "GRADE_"


def explained_to_pb(e: Explained) -> score_pb2.ScoreEvent:
    return score_pb2.ScoreEvent(
        id=e.id, subject=subject_to_pb(e.subject), rule_code=e.rule_code, points=e.points, count=e.times,
        source=_SOURCES.get(e.source, 0), ref=e.ref, occurred_at=stamp(e.occurred_at),
    )  # fmt: skip


_SOURCES = {"auto": rulebook_pb2.RULE_SOURCE_AUTO, "manual": rulebook_pb2.RULE_SOURCE_MANUAL}


def score_to_pb(
    r: Result, events: Iterable[Explained], *, name: str = "", final: bool = False, run: int = 0
) -> score_pb2.Score:
    return score_pb2.Score(
        subject=subject_to_pb(r.subject),
        period=r.period,
        score=r.score,
        grade=enum_number(score_pb2.Grade, GRADE_PREFIX, r.grade, unknown=0),
        vetoes=[
            score_pb2.Veto(code=v.code, description=v.reason, consequence=v.consequence) for v in r.vetoes
        ],
        events=[explained_to_pb(e) for e in events],
        rank=r.rank,
        final=final,
        name=name,
        title=r.title,
        consequences=list(r.consequences),
        run=run,
    )


def grade_word(number: int) -> str:
    return enum_word(score_pb2.Grade, GRADE_PREFIX, number, unknown="")


_APPEAL_STATES = {"pending": 1, "upheld": 2, "rejected": 3}


def appeal_state_number(word: str) -> int:
    return _APPEAL_STATES.get(word, 0)


def appeal_state_word(number: int) -> str:
    return enum_word(appeal_pb2.AppealState, "APPEAL_STATE_", number, unknown="")


def appeal_to_pb(a: Appeal) -> appeal_pb2.Appeal:
    return appeal_pb2.Appeal(
        id=a.id,
        event_id=a.event_id,
        reason=a.reason,
        state=appeal_state_number(a.state),
        decision_reason=a.decision_reason,
        filed_by=a.filed_by,
        filed_at=stamp(a.filed_at),
        decided_by=a.decided_by,
        decided_at=stamp(a.decided_at),
    )


def appeal_filed(a: Appeal) -> events_pb2.AppealFiled:
    return events_pb2.AppealFiled(appeal=appeal_to_pb(a))


def appeal_decided(a: Appeal) -> events_pb2.AppealDecided:
    return events_pb2.AppealDecided(appeal=appeal_to_pb(a))


def rulebook_to_pb(
    book: Rulebook, *, county: str = "", version: int = 0, updated_at: datetime | None = None,
    read_only: bool = False,
) -> rulebook_pb2.Rulebook:  # fmt: skip
    rules = []
    for r in book.rules:
        rules.append(
            rulebook_pb2.Rule(
                code=r.code,
                subject_type=subject_type_number(r.subject),
                description=r.description,
                points=r.current_points or 0.0,
                unit=enum_number(rulebook_pb2.RuleUnit, "RULE_UNIT_", r.unit),
                source=enum_number(rulebook_pb2.RuleSource, "RULE_SOURCE_", r.source),
                cap=r.cap or 0.0,
                trigger=r.trigger.event if r.trigger else "",
                condition=r.trigger.when if r.trigger else "",
                variants=dict(r.variants),
            )
        )
    vetoes = [
        rulebook_pb2.VetoRule(
            code=v.code,
            subject_type=subject_type_number(v.subject),
            description=v.description,
            condition=json.dumps(v.when, ensure_ascii=False) if v.when is not None else "",
            consequence=v.consequence,
        )
        for v in book.vetoes
    ]
    grades = [
        rulebook_pb2.GradeScale(
            subject_type=subject_type_number(g.subject),
            excellent_min=g.excellent_min,
            excellent_top=g.excellent_top or 0,
            excellent_max_share=g.excellent_max_share or 0.0,
            qualified_min=g.qualified_min,
            basically_competent_min=g.basically_competent_min or 0.0,
        )
        for g in book.grades.values()
    ]
    return rulebook_pb2.Rulebook(
        id=book.id,
        county=county,
        name=book.name,
        rules=rules,
        vetoes=vetoes,
        grades=grades,
        base_points=book.base_points,
        version=version,
        updated_at=stamp(updated_at),
        document_json=json.dumps(_plain(book.source), ensure_ascii=False),
        effective_from=book.effective_from,
        read_only=read_only,
    )


def document_of(message: rulebook_pb2.Rulebook) -> Any:
    """The rulebook document a PutRulebook carries (its `document_json`); not JSON → a string
    the domain's `load` refuses with its own message."""
    try:
        return json.loads(message.document_json or "null")
    except ValueError:
        return message.document_json


def _plain(value: Any) -> Any:
    """A YAML-loaded mapping as JSON can hold it (dates and the like as text)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def stored_to_pb(stored: Any) -> rulebook_pb2.Rulebook:
    """A `rulebooks.Stored` (the book, its version, when, read-only)."""
    return rulebook_to_pb(stored.book, version=stored.version, updated_at=stored.updated_at,
                          read_only=stored.read_only)  # fmt: skip


def row_to_pb(row: Any) -> score_pb2.Score:
    """A `scores.Row` (a subject's result, its name, the events that explain it)."""
    return score_to_pb(row.result, row.events, name=row.name, final=row.final, run=row.run)


def period_closed(period: str, rows: Iterable[Any], at: datetime) -> events_pb2.PeriodClosed:
    """The event of a closed month: every subject's score, grade, vetoes and consequences (the
    events explaining them are left out: the subject reads them from the API)."""
    return events_pb2.PeriodClosed(
        period=period,
        scores=[score_to_pb(r.result, (), name=r.name, final=True, run=r.run) for r in rows],
        closed_at=stamp(at),
    )
