"""Townships → `bianmin.gateway.v1` messages (township.proto, events.proto)."""

from __future__ import annotations

from datetime import datetime

from bianmin.gateway.v1 import events_pb2, township_pb2

from services.gateway.domain.directory import Township, Village


def village(v: Village) -> township_pb2.Village:
    return township_pb2.Village(
        code=v.code, name=v.name, groups=[township_pb2.Group(code=g.code, name=g.name) for g in v.groups]
    )


def township_onboarded(t: Township, at: datetime) -> events_pb2.TownshipOnboarded:
    event = events_pb2.TownshipOnboarded(
        tenant_id=t.tenant_id,
        county=t.county,
        code=t.code,
        name=t.name,
        villages=[village(v) for v in t.villages],
    )
    event.onboarded_at.FromDatetime(at)
    return event


def status_changed(
    tenant: str, status: str, at: datetime
) -> events_pb2.TownshipSuspended | events_pb2.TownshipReactivated:
    """`TownshipSuspended` when `status` is "suspended", else `TownshipReactivated`."""
    if status == "suspended":
        suspended = events_pb2.TownshipSuspended(tenant_id=tenant)
        suspended.suspended_at.FromDatetime(at)
        return suspended
    reactivated = events_pb2.TownshipReactivated(tenant_id=tenant)
    reactivated.reactivated_at.FromDatetime(at)
    return reactivated
