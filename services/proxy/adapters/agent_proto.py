"""Agents between the domain and `bianmin.proxy.v1` protos: `Agent` and the `AgentSaved` event.
Levels travel as the API's words: AGENT_LEVEL_TOWNSHIP ↔ "township"."""

from __future__ import annotations

from bianmin.proxy.v1 import agent_pb2 as pb
from bianmin.proxy.v1 import events_pb2

from libs.common.grpc.enums import enum_number, enum_word
from services.proxy.domain.agent import Agent

PREFIX = "AGENT_LEVEL_"


def level_word(value: int) -> str:
    """ "" for UNSPECIFIED or a number this side does not know (the domain refuses it)."""
    return enum_word(pb.AgentLevel, PREFIX, value, unknown="")


def level_number(word: str) -> int:
    return enum_number(pb.AgentLevel, PREFIX, word, unknown=0)


def agent_to_pb(agent: Agent, *, on_leave: bool = False) -> pb.Agent:
    message = pb.Agent(
        username=agent.username,
        name=agent.name,
        level=level_number(agent.level),
        village=agent.village,
        group=agent.group,
        backup=agent.backup,
        on_leave=on_leave,
        active=agent.active,
        version=agent.version,
    )
    message.created_at.FromDatetime(agent.created_at)
    return message


def saved_event(agent: Agent) -> events_pb2.AgentSaved:
    """Registered or changed (backup, active flag); `on_leave` is not the agent's own state."""
    return events_pb2.AgentSaved(agent=agent_to_pb(agent))
