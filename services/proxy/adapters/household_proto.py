"""Households, visits and exclusions between the domain and `bianmin.proxy.v1` protos, and their
events (`HouseholdAssigned`, `VisitRecorded`: no personal data). Flags travel as the API's words:
HOUSEHOLD_FLAG_ELDERLY_ALONE ↔ "elderly_alone"."""

from __future__ import annotations

from collections.abc import Iterable

from bianmin.proxy.v1 import events_pb2
from bianmin.proxy.v1 import household_pb2 as pb

from libs.common.grpc.enums import enum_number, enum_word
from libs.common.pii import mask_id_number, mask_name, mask_phone
from services.proxy.domain.exclusion import Exclusion
from services.proxy.domain.household import Household
from services.proxy.domain.visit import Visit

FLAG = "HOUSEHOLD_FLAG_"


def flag_words(values: Iterable[int]) -> list[str]:
    """Unknown numbers read as "?" so that the domain refuses them by name."""
    return [enum_word(pb.HouseholdFlag, FLAG, v, unknown="?") or "?" for v in values]


def flag_numbers(words: Iterable[str]) -> list[int]:
    return [enum_number(pb.HouseholdFlag, FLAG, w, unknown=0) for w in words]


def household_to_pb(h: Household) -> pb.Household:
    message = pb.Household(
        id=h.id,
        village=h.village,
        group=h.group,
        head_name=h.head_name,
        phone=h.phone,
        address=h.address,
        flags=flag_numbers(h.flags),
        agent=h.agent,
        priority=h.priority,
        masked=h.masked,
        version=h.version,
    )
    message.created_at.FromDatetime(h.created_at)
    if h.last_visited_at is not None:
        message.last_visited_at.FromDatetime(h.last_visited_at)
    return message


def assigned_event(h: Household, previous_agent: str = "") -> events_pb2.HouseholdAssigned:
    return events_pb2.HouseholdAssigned(
        household_id=h.id,
        village=h.village,
        agent=h.agent,
        previous_agent=previous_agent,
        priority=h.priority,
    )


def visit_to_pb(v: Visit) -> pb.Visit:
    message = pb.Visit(id=v.id, household_id=v.household_id, agent=v.agent, needs=list(v.needs), note=v.note)
    message.at.FromDatetime(v.at)
    message.recorded_at.FromDatetime(v.recorded_at)
    return message


def visit_event(v: Visit, priority: bool) -> events_pb2.VisitRecorded:
    message = events_pb2.VisitRecorded(
        visit_id=v.id, household_id=v.household_id, agent=v.agent, priority=priority
    )
    message.at.FromDatetime(v.at)
    return message


def exclusion_to_pb(e: Exclusion, *, with_reason: bool = False) -> pb.Exclusion:
    """Always masked (DOMAIN.md §11); the reason only in the answer to its creation."""
    message = pb.Exclusion(
        id=e.id,
        name=mask_name(e.name),
        id_number=mask_id_number(e.id_number) if e.id_number else "",
        phone=mask_phone(e.phone) if e.phone else "",
        reason=e.reason if with_reason else "",
        created_by=e.created_by,
    )
    message.created_at.FromDatetime(e.created_at)
    return message
