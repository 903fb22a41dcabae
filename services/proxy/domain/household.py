"""Households in the agents' responsibility zones (责任区, 分片包户; DOMAIN.md §6.1; seed 002 篇10
"划分责任区，分片包户，要将鳏寡孤独、残疾、贫困家庭 … 列为重点服务对象").

Pure rules:
- a household belongs to a village (and maybe a group of it), has a head (户主) and a phone, maybe
  an address, and priority flags from FLAGS (五保, 低保, poor, seriously ill, disabled, elderly living
  alone); it is a priority household when any flag is set;
- it is identified for re-runnable imports by (village, head's name, the phone's digits);
- it is in exactly one agent's zone: an active agent who acts for its village; without one named,
  the village's active village-level agent with the fewest households (ties: by username);
- the head's name, phone and address are personal data (DOMAIN.md §11): `seen_by` masks them for
  everyone but the household's CURRENT agent — a move to another agent moves who sees them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from libs.common.contact import check_phone
from libs.common.errors import ValidationFailed
from libs.common.pii import mask_address, mask_name, mask_phone
from libs.common.tenancy import validate_code
from libs.common.text import check_text, clean_name
from services.proxy.domain.agent import VILLAGE, Agent

WUBAO, DIBAO, POOR, ILL, DISABLED, ELDERLY_ALONE = (
    "wubao",
    "dibao",
    "poor",
    "ill",
    "disabled",
    "elderly_alone",
)
FLAGS = (WUBAO, DIBAO, POOR, ILL, DISABLED, ELDERLY_ALONE)
FLAG_NAMES = {
    WUBAO: "五保",
    DIBAO: "低保",
    POOR: "贫困户",
    ILL: "重病户",
    DISABLED: "残疾",
    ELDERLY_ALONE: "独居老人",
}
MAX_ADDRESS = 300


@dataclass(frozen=True)
class NewHousehold:
    village: str
    group: str
    head_name: str
    phone: str
    address: str
    flags: tuple[str, ...]  # in FLAGS order
    agent: str  # "" : the village agent with the fewest households

    @property
    def phone_key(self) -> str:
        return phone_key(self.phone)

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.village, self.head_name, self.phone_key)


@dataclass(frozen=True)
class Household:
    id: str
    village: str
    group: str
    head_name: str
    phone: str
    address: str
    flags: tuple[str, ...]
    agent: str
    created_at: datetime
    last_visited_at: datetime | None = None
    version: int = 1
    masked: bool = False

    @property
    def priority(self) -> bool:
        return bool(self.flags)

    def seen_by(self, username: str) -> Household:
        """As `username` may see it: in full for its current agent, else masked."""
        if username == self.agent or self.masked:
            return self
        return replace(
            self,
            head_name=mask_name(self.head_name),
            phone=mask_phone(self.phone),
            address=mask_address(self.address) if self.address else "",
            masked=True,
        )


def phone_key(phone: str) -> str:
    """The digits of a phone number, without a leading +86/0086: one number, one key."""
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def check_flags(flags: Iterable[str]) -> tuple[str, ...]:
    given = list(flags)
    unknown = [f for f in given if f not in FLAGS]
    if unknown:
        raise ValidationFailed(f"flags: unknown {', '.join(map(repr, unknown))}; known: {', '.join(FLAGS)}")
    return tuple(f for f in FLAGS if f in given)


def new_household(
    *,
    village: str,
    group: str = "",
    head_name: str,
    phone: str,
    address: str = "",
    flags: Iterable[str] = (),
    agent: str = "",
    villages: Mapping[str, Iterable[str]],
) -> NewHousehold:
    """Validated; `villages`: the township's village codes → their group codes."""
    village, group = (village or "").strip(), (group or "").strip()
    validate_code(village, "village")
    if village not in villages:
        raise ValidationFailed(f"village: no village {village} in this township")
    if group:
        validate_code(group, "group")
        if group not in set(villages[village]):
            raise ValidationFailed(f"group: no group {group} in village {village}")
    name = clean_name(head_name, "head_name")
    number = check_phone(phone, "phone")
    address = (address or "").strip()
    check_text(address, "address", MAX_ADDRESS, required=False)
    return NewHousehold(village, group, name, number, address, check_flags(flags), (agent or "").strip())


def zone_agent(new: NewHousehold, agents: Iterable[Agent], households_of: Mapping[str, int]) -> str:
    """The agent whose zone the new household joins: the one named (an active agent acting for
    its village), else the village's active village-level agent with the fewest households."""
    pool = {a.username: a for a in agents}
    if new.agent:
        return check_owner(new.agent, new.village, pool)
    candidates = sorted(
        (households_of.get(a.username, 0), a.username)
        for a in pool.values()
        if a.active and a.level == VILLAGE and a.village == new.village
    )
    if not candidates:
        raise ValidationFailed(f"agent: village {new.village} has no active village agent; name the agent")
    return candidates[0][1]


def check_owner(username: str, village: str, agents: Mapping[str, Agent]) -> str:
    """`username` if it is an active agent who acts for `village`."""
    agent = agents.get(username)
    if agent is None:
        raise ValidationFailed(f"agent: {username} is not an agent of the township")
    if not agent.active:
        raise ValidationFailed(f"agent: {username} is not an active agent")
    if not agent.acts_for(village):
        raise ValidationFailed(f"agent: {username} does not act for village {village}")
    return username


def moved(household: Household, agent: str, agents: Mapping[str, Agent]) -> Household:
    """The household in `agent`'s zone (unchanged when it is there already)."""
    owner = check_owner(agent.strip(), household.village, agents)
    if owner == household.agent:
        return household
    return replace(household, agent=owner, version=household.version + 1)
