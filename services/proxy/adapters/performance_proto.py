"""Quotas and stars between the domain and `bianmin.proxy.v1` protos: the `Quota` and
`VillageStars` messages and the `ProxyQuotaClosed` / `VillageStarsAwarded` events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bianmin.proxy.v1 import agent_pb2, events_pb2
from bianmin.proxy.v1 import performance_pb2 as pb

from libs.common.grpc.enums import enum_number
from services.proxy.domain.performance import Quota, VillageStars


def quota_to_pb(q: Quota) -> pb.Quota:
    return pb.Quota(
        agent=q.agent, level=enum_number(agent_pb2.AgentLevel, "AGENT_LEVEL_", q.level), month=q.month,
        required=q.required, done=q.done, shortfall=q.shortfall, penalty_fen=q.penalty_fen,
    )  # fmt: skip


def stars_to_pb(v: VillageStars) -> pb.VillageStars:
    return pb.VillageStars(
        village=v.village, quarter=v.quarter, satisfaction_rate=v.satisfaction_rate,
        completion_rate=v.completion_rate, stars=v.stars, delegations=v.delegations,
    )  # fmt: skip


def quota_closed_event(month: str, quotas: Iterable[Quota], at: datetime) -> events_pb2.ProxyQuotaClosed:
    message = events_pb2.ProxyQuotaClosed(month=month, quotas=[quota_to_pb(q) for q in quotas])
    message.closed_at.FromDatetime(at)
    return message


def stars_awarded_event(
    quarter: str, stars: Iterable[VillageStars], at: datetime
) -> events_pb2.VillageStarsAwarded:
    message = events_pb2.VillageStarsAwarded(quarter=quarter, stars=[stars_to_pb(v) for v in stars])
    message.awarded_at.FromDatetime(at)
    return message
