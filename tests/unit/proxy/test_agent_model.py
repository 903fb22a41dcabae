"""The rules of a proxy agent (services/proxy/domain/agent.py): levels, villages and groups, the
staff member behind it, the AB backup, and changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.common.errors import ValidationFailed
from services.proxy.domain import agent as domain
from services.proxy.domain.agent import StaffFacts

AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
VILLAGES = {"nongli": {"g1", "g2"}, "baiyan": set()}
STAFF = StaffFacts("黄代办", frozenset({"proxy_agent"}), True)
AGENTS = {"lan": True, "mo": False}


def make(level: str = "village", village: str = "nongli", group: str = "", backup: str = "", **kw):  # type: ignore[no-untyped-def]
    facts = kw.pop("staff", STAFF)
    return domain.new_agent(
        kw.pop("username", "huang"), level, village, group, backup,
        staff=facts, villages=VILLAGES, agents=AGENTS, at=AT, by="admin",
    )  # fmt: skip


def test_a_village_agent_names_its_village_and_takes_the_directory_name() -> None:
    a = make()
    assert (a.level, a.village, a.group, a.backup, a.active, a.name) == (
        "village",
        "nongli",
        "",
        "",
        True,
        "黄代办",
    )
    assert a.acts_for("nongli") and not a.acts_for("baiyan")


def test_a_township_agent_acts_for_every_village_and_names_none() -> None:
    a = make("township", village="")
    assert a.township_wide and a.acts_for("nongli") and a.acts_for("baiyan")
    with pytest.raises(ValidationFailed, match="village: a township agent"):
        make("township")


@pytest.mark.parametrize("level", ["village", "group", "petition"])
def test_village_levels_need_a_village_of_the_township(level: str) -> None:
    group = "g1" if level == "group" else ""
    with pytest.raises(ValidationFailed, match="village: a .* agent names its village"):
        make(level, village="", group=group)
    with pytest.raises(ValidationFailed, match="village: no village"):
        make(level, village="nosuch", group=group)


def test_a_group_agent_names_a_group_of_its_village_and_only_it() -> None:
    assert make("group", group="g2").group == "g2"
    with pytest.raises(ValidationFailed, match="group: a group agent names"):
        make("group")
    with pytest.raises(ValidationFailed, match="group: no group g1 in village baiyan"):
        make("group", village="baiyan", group="g1")
    with pytest.raises(ValidationFailed, match="group: only a group agent"):
        make("village", group="g1")


def test_unknown_level_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="level must be one of"):
        make("county")
    with pytest.raises(ValidationFailed, match="level must be one of"):
        make("")


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (None, "is not a staff member"),
        (StaffFacts("x", frozenset({"proxy_agent"}), False), "is not an active staff member"),
        (StaffFacts("x", frozenset({"window_staff"}), True), "does not hold the role proxy_agent"),
    ],
)
def test_the_user_is_an_active_staff_member_with_the_role(facts: StaffFacts | None, reason: str) -> None:
    with pytest.raises(ValidationFailed, match=f"username: huang {reason}"):
        make(staff=facts)


def test_a_bad_username_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="username"):
        make(username="Not A Name")


def test_the_backup_is_another_active_agent() -> None:
    assert make(backup="lan").backup == "lan"
    with pytest.raises(ValidationFailed, match="backup: an agent cannot be its own"):
        make(backup="huang")
    with pytest.raises(ValidationFailed, match="backup: nobody is not an agent"):
        make(backup="nobody")
    with pytest.raises(ValidationFailed, match="backup: mo is not an active agent"):
        make(backup="mo")


def test_updates_bump_the_version_and_no_change_keeps_it() -> None:
    a = make()
    assert domain.updated(a, backup=None, active=None, agents=AGENTS) is a
    assert domain.updated(a, backup="", active=True, agents=AGENTS) is a
    b = domain.updated(a, backup="lan", active=None, agents=AGENTS)
    assert (b.backup, b.version) == ("lan", 2)
    c = domain.updated(b, backup="", active=False, agents=AGENTS)
    assert (c.backup, c.active, c.version) == ("", False, 3)
    with pytest.raises(ValidationFailed, match="backup"):
        domain.updated(a, backup="mo", active=None, agents=AGENTS)


@given(
    level=st.sampled_from(domain.LEVELS),
    village=st.sampled_from(["", "nongli", "baiyan", "nosuch"]),
    group=st.sampled_from(["", "g1", "g2"]),
)
def test_every_agent_made_keeps_the_level_rules(level: str, village: str, group: str) -> None:
    try:
        a = make(level, village=village, group=group)
    except ValidationFailed:
        return
    assert (a.village != "") == (level in domain.VILLAGE_LEVELS)
    assert (a.group != "") == (level == domain.GROUP)
    assert a.village in ("", *VILLAGES)
    assert not a.group or a.group in VILLAGES[a.village]
