"""Dispatch (DOMAIN.md §6.4): which agent carries a delegation on its trip. Pure.

- To the township (a village item the village cannot decide): the zone's agent — the household's
  agent, else the agent who registered it —; the backup (AB岗) when that agent is away on the trip
  day (seed 002 篇6: "代办员 … 实行AB岗"; DOMAIN.md §6.1 "when the proxy is on leave, the backup takes
  new delegations"); when both are away, the active village-level agent of the same village with
  the least load who is not away (load balanced within the level); failing all, the zone's agent.
- To the county (escalated to a county department): a township agent (乡级代办员, seed 002 篇1
  "超出乡职权范围 … 由乡级'代办员'负责代办") — the active one not away with the least load, ties by
  username; all away: the one with the least load; none at all: nobody (""). Either way the
  township admins are warned (`delegation_uncarried`, service_layer/trips.plan).
Load: the open delegations an agent carries now. Who is away comes from one place
(service_layer/leaves.away_on); this module only takes the set."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from services.proxy.domain.agent import TOWNSHIP, VILLAGE_LEVELS, Agent


def _least(candidates: Collection[Agent], load: Mapping[str, int]) -> str:
    if not candidates:
        return ""
    return min(candidates, key=lambda a: (load.get(a.username, 0), a.username)).username


def to_township(
    zone_agent: str, agents: Mapping[str, Agent], away: Collection[str], load: Mapping[str, int]
) -> str:
    """The carrier to the township centre (see the module docstring)."""
    zone = agents.get(zone_agent)
    if zone is None:
        return zone_agent
    if zone.active and zone_agent not in away:
        return zone_agent
    backup = agents.get(zone.backup) if zone.backup else None
    if backup is not None and backup.active and backup.username not in away:
        return backup.username
    peers = [
        a for a in agents.values()
        if a.active and a.level in VILLAGE_LEVELS and a.village == zone.village and a.username not in away
    ]  # fmt: skip
    return _least(peers, load) or zone_agent


def to_county(agents: Mapping[str, Agent], away: Collection[str], load: Mapping[str, int]) -> str:
    """The township agent who carries to a county department ("" when the township has none)."""
    township = [a for a in agents.values() if a.active and a.level == TOWNSHIP]
    present = [a for a in township if a.username not in away]
    return _least(present, load) or _least(township, load)
