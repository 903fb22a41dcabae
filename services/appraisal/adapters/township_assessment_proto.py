"""The county's township assessment in protobuf (proto/bianmin/appraisal/v1/indicator.proto)."""

from __future__ import annotations

from bianmin.appraisal.v1 import indicator_pb2, rulebook_pb2

from services.appraisal.domain.township_assessment import Assessment


def _source(word: str) -> int:
    # "auto_manual" (auto with the county's correction) reads as auto on the wire; `basis` says more
    return rulebook_pb2.RULE_SOURCE_MANUAL if word == "manual" else rulebook_pb2.RULE_SOURCE_AUTO


def assessment_to_pb(a: Assessment) -> indicator_pb2.TownshipAssessment:
    return indicator_pb2.TownshipAssessment(
        tenant_id=a.tenant,
        township_name=a.name,
        quarter=a.quarter,
        indicators=[
            indicator_pb2.TownshipIndicator(
                code=s.indicator.code,
                name=s.indicator.name,
                max_points=s.indicator.max,
                points=s.points,
                source=_source(s.indicator.source),
                basis=s.basis,
                evidence=s.evidence,
            )
            for s in a.indicators
        ],
        total=a.total,
    )
