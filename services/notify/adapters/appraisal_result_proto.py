"""`bianmin.appraisal.v1.PeriodClosed` (an event's JSON data) → plain results, one a subject."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bianmin.appraisal.v1 import events_pb2, rulebook_pb2, score_pb2

from libs.common.grpc.enums import enum_word
from libs.common.messaging import message_of


@dataclass(frozen=True)
class Result:
    subject_type: str  # window | staff | proxy | village | township
    subject_id: str
    name: str
    score: float
    grade: str
    rank: int
    vetoes: tuple[tuple[str, str], ...]  # (code, reason)
    consequences: tuple[str, ...]


def closed_period(data: dict[str, Any]) -> tuple[str, list[Result]]:
    m = message_of(data, events_pb2.PeriodClosed)
    results = [
        Result(
            enum_word(rulebook_pb2.SubjectType, "SUBJECT_TYPE_", s.subject.type, unknown=""),
            s.subject.id,
            s.name,
            s.score,
            enum_word(score_pb2.Grade, "GRADE_", s.grade, unknown=""),
            s.rank,
            tuple((v.code, v.description) for v in s.vetoes),
            tuple(s.consequences),
        )
        for s in m.scores
    ]
    return m.period, results
