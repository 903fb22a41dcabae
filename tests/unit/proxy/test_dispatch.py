"""Dispatch (services/proxy/domain/dispatch.py, DOMAIN.md §6.4): the zone's agent, its backup when
away, the least-loaded peer of the village; a township agent for the county, load balanced."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from services.proxy.domain.agent import Agent
from services.proxy.domain.dispatch import to_county, to_township

T = datetime(2026, 12, 7, tzinfo=UTC)


def agent(
    username: str, level: str = "village", village: str = "v1", backup: str = "", active: bool = True
) -> Agent:
    return Agent(
        username, username, level, village if level != "township" else "", "", backup, active, T, "boss"
    )


AGENTS = {
    a.username: a
    for a in (
        agent("lan", backup="mo"),
        agent("mo"),
        agent("wei"),
        agent("far", village="v2"),
        agent("huang", "township"),
        agent("qin", "township"),
        agent("old", "township", active=False),
    )
}


def test_the_zone_agent_then_the_backup_then_the_least_loaded_peer() -> None:
    assert to_township("lan", AGENTS, set(), {}) == "lan"
    assert to_township("lan", AGENTS, {"lan"}, {}) == "mo"
    assert to_township("lan", AGENTS, {"lan", "mo"}, {"wei": 3}) == "wei"  # not far: another village
    assert to_township("lan", AGENTS, {"lan", "mo", "wei"}, {}) == "lan"  # nobody: stays with the zone
    assert to_township("nobody", AGENTS, set(), {}) == "nobody"


def test_a_township_agent_carries_to_the_county_load_balanced() -> None:
    assert to_county(AGENTS, set(), {"huang": 2, "qin": 1}) == "qin"
    assert to_county(AGENTS, set(), {}) == "huang"  # a tie: by username
    assert to_county(AGENTS, {"huang"}, {"qin": 9}) == "qin"
    assert to_county(AGENTS, {"huang", "qin"}, {"qin": 1}) == "huang"  # all away: still carried
    assert to_county({"lan": AGENTS["lan"]}, set(), {}) == ""


@given(
    away=st.sets(st.sampled_from(sorted(AGENTS))),
    load=st.dictionaries(st.sampled_from(sorted(AGENTS)), st.integers(0, 9)),
)
def test_dispatch_picks_an_active_agent_of_the_right_level(away: set[str], load: dict[str, int]) -> None:
    county = to_county(AGENTS, away, load)
    assert AGENTS[county].level == "township" and AGENTS[county].active
    present = [a for a in ("huang", "qin") if a not in away]
    if present:
        assert county in present and load.get(county, 0) == min(load.get(a, 0) for a in present)
    carrier = to_township("lan", AGENTS, away, load)
    assert AGENTS[carrier].village == "v1" and (carrier not in away or carrier == "lan")
