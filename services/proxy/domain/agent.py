"""Proxy agents (代办员, DOMAIN.md §6.1; seed 002 篇6 二(二): "乡、村、组'三类'干部 … 全部明确为村官
代办员", 篇1 信访代办员): four levels, an AB backup, an active flag.

Pure rules of one agent of a township:
- `level` is one of LEVELS: `village` (村级), `group` (组级), `petition` (信访代办员, one per village)
  carry for their village and name it; `township` (乡级, carries cases to the county departments)
  acts for the whole township and names no village;
- a `group` agent names a group of its village, no other level names a group;
- the user is an active staff member of the township holding the role `proxy_agent` (`StaffFacts`,
  read by the service layer from proxy's projection of the gateway's directory);
- the backup (AB岗, DOMAIN.md §6.1 "each proxy has a backup") is another, active agent of the
  township, never the agent itself.
Which villages and groups exist and who is staff is the service layer's question; it passes the
facts in. Whether an agent is away on a day is `leave.py`'s."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from libs.common.errors import ValidationFailed
from libs.common.tenancy import validate_code, validate_username
from libs.common.text import check_one_of

VILLAGE, TOWNSHIP, GROUP, PETITION = "village", "township", "group", "petition"
LEVELS = (VILLAGE, TOWNSHIP, GROUP, PETITION)
# the levels that act for one village (DOMAIN.md §6.1; API.md: "village, group and petition agents
# name their village")
VILLAGE_LEVELS = (VILLAGE, GROUP, PETITION)
ROLE = "proxy_agent"


@dataclass(frozen=True)
class StaffFacts:
    """What the directory says of a user in this township."""

    name: str
    roles: frozenset[str]
    active: bool


@dataclass(frozen=True)
class Agent:
    username: str
    name: str
    level: str
    village: str  # "" for township agents
    group: str  # "" but for group agents
    backup: str  # "" when none
    active: bool
    created_at: datetime
    created_by: str
    version: int = 1

    @property
    def township_wide(self) -> bool:
        return self.level == TOWNSHIP

    def acts_for(self, village: str) -> bool:
        """May this agent carry for `village`? Township agents for every village."""
        return self.township_wide or self.village == village


def require_staff(username: str, staff: StaffFacts | None) -> StaffFacts:
    if staff is None:
        raise ValidationFailed(f"username: {username} is not a staff member of the township")
    if not staff.active:
        raise ValidationFailed(f"username: {username} is not an active staff member of the township")
    if ROLE not in staff.roles:
        raise ValidationFailed(f"username: {username} does not hold the role {ROLE}")
    return staff


def new_agent(
    username: str,
    level: str,
    village: str,
    group: str,
    backup: str,
    *,
    staff: StaffFacts | None,
    villages: Mapping[str, Collection[str]],
    agents: Mapping[str, bool],
    at: datetime,
    by: str,
) -> Agent:
    """A new agent. `villages`: the township's village codes → their group codes; `agents`: the
    township's existing agents → active."""
    validate_username(username)
    check_one_of(level, LEVELS, "level")
    facts = require_staff(username, staff)
    village, group = (village or "").strip(), (group or "").strip()
    if level in VILLAGE_LEVELS:
        if not village:
            raise ValidationFailed(f"village: a {level} agent names its village")
        validate_code(village, "village")
        if village not in villages:
            raise ValidationFailed(f"village: no village {village} in this township")
    elif village:
        raise ValidationFailed("village: a township agent acts for the whole township and names no village")
    if level == GROUP:
        if not group:
            raise ValidationFailed("group: a group agent names its village group")
        validate_code(group, "group")
        if group not in villages[village]:
            raise ValidationFailed(f"group: no group {group} in village {village}")
    elif group:
        raise ValidationFailed(f"group: only a group agent names a group, not a {level} agent")
    backup = check_backup(username, backup, agents)
    return Agent(username, facts.name, level, village, group, backup, True, at, by)


def check_backup(username: str, backup: str | None, agents: Mapping[str, bool]) -> str:
    """The backup as kept ("" for none): another, active agent of the township."""
    backup = (backup or "").strip()
    if not backup:
        return ""
    if backup == username:
        raise ValidationFailed("backup: an agent cannot be its own backup")
    if backup not in agents:
        raise ValidationFailed(f"backup: {backup} is not an agent of the township")
    if not agents[backup]:
        raise ValidationFailed(f"backup: {backup} is not an active agent")
    return backup


def updated(agent: Agent, *, backup: str | None, active: bool | None, agents: Mapping[str, bool]) -> Agent:
    """`agent` with a new backup ("" removes it) and/or active flag (None: unchanged). An
    unchanged agent keeps its version."""
    new = agent
    if backup is not None:
        new = replace(new, backup=check_backup(agent.username, backup, agents))
    if active is not None:
        new = replace(new, active=active)
    return agent if new == agent else replace(new, version=agent.version + 1)
