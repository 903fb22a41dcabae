"""Households, exclusions and visits (services/proxy/domain): validation, the zone's agent,
masking for all but the current agent, exclusion matching and the visit round."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.common.errors import ValidationFailed
from services.proxy.domain import exclusion, household, visit
from services.proxy.domain.agent import Agent
from services.proxy.domain.household import Household

AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
VILLAGES = {"nongli": {"g1"}, "baiyan": set()}


def agent(username: str, level: str = "village", village: str = "nongli", active: bool = True) -> Agent:
    return Agent(username, username, level, village, "", "", active, AT, "admin")


AGENTS = [agent("lan"), agent("mo"), agent("gone", active=False), agent("wei", "petition"),
          agent("huang", "township", village=""), agent("bai", village="baiyan")]  # fmt: skip


def new(**kw: object) -> household.NewHousehold:
    body: dict = {
        "village": "nongli",
        "head_name": " 张三丰 ",
        "phone": "13812345678",
        "villages": VILLAGES,
    } | kw
    return household.new_household(**body)


def test_a_new_household_is_validated_and_normalised() -> None:
    h = new(flags=["ill", "wubao", "ill"], group="g1", address=" 龙华路3号 ")
    assert (h.head_name, h.flags, h.group, h.address) == ("张三丰", ("wubao", "ill"), "g1", "龙华路3号")
    assert h.identity == ("nongli", "张三丰", "13812345678")
    for kw, field in [({"village": "nosuch"}, "village"), ({"group": "g9"}, "group"),
                      ({"head_name": " "}, "head_name"), ({"phone": "12"}, "phone"),
                      ({"flags": ["rich"]}, "flags"), ({"address": "x" * 301}, "address")]:  # fmt: skip
        with pytest.raises(ValidationFailed, match=field):
            new(**kw)


@pytest.mark.parametrize("typed", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "0086 13812345678"])
def test_one_phone_one_key(typed: str) -> None:
    assert household.phone_key(typed) == "13812345678"


def test_the_zone_agent_is_the_one_named_or_the_village_agent_with_the_fewest() -> None:
    assert household.zone_agent(new(), AGENTS, {"lan": 3, "mo": 2}) == "mo"
    assert household.zone_agent(new(), AGENTS, {"lan": 2, "mo": 2}) == "lan"  # ties by username
    assert household.zone_agent(new(agent="huang"), AGENTS, {}) == "huang"  # a township agent acts anywhere
    assert household.zone_agent(new(agent="wei"), AGENTS, {}) == "wei"
    with pytest.raises(ValidationFailed, match="agent: gone is not an active agent"):
        household.zone_agent(new(agent="gone"), AGENTS, {})
    with pytest.raises(ValidationFailed, match="agent: bai does not act for village nongli"):
        household.zone_agent(new(agent="bai"), AGENTS, {})
    with pytest.raises(ValidationFailed, match="agent: nobody is not an agent"):
        household.zone_agent(new(agent="nobody"), AGENTS, {})
    with pytest.raises(ValidationFailed, match="no active village agent"):
        household.zone_agent(new(village="baiyan"), [agent("huang", "township", village="")], {})


def stored(owner: str = "lan") -> Household:
    return Household(
        "h1", "nongli", "", "张三丰", "13812345678", "那坡县城厢镇龙华路3号", ("dibao",), owner, AT
    )


def test_only_the_current_agent_sees_the_household_in_full() -> None:
    h = stored()
    assert h.seen_by("lan") == h and h.priority
    masked = h.seen_by("mo")
    assert (masked.head_name, masked.phone, masked.masked) == ("张**", "138****5678", True)
    assert "龙华路" not in masked.address
    assert masked.seen_by("lan") == masked  # masked stays masked
    by = {a.username: a for a in AGENTS}
    moved = household.moved(h, "mo", by)
    assert (moved.agent, moved.version) == ("mo", 2)
    assert moved.seen_by("mo").head_name == "张三丰" and moved.seen_by("lan").masked
    assert household.moved(h, "lan", by) is h


@given(owner=st.sampled_from(["lan", "mo", "huang"]), reader=st.sampled_from(["lan", "mo", "huang", "boss"]))
def test_masking_depends_on_the_current_owner_only(owner: str, reader: str) -> None:
    seen = stored(owner).seen_by(reader)
    assert seen.masked == (reader != owner)
    assert ("张三丰" in seen.head_name) == (reader == owner)


# --- exclusions ------------------------------------------------------------------------------

P = exclusion.person


def test_exclusion_matching() -> None:
    assert exclusion.matches(P("王五", phone="13900139000"), P("王五", phone="+86 139 0013 9000"))
    assert not exclusion.matches(P("王五", phone="13900139000"), P("王五", phone="13900139001"))
    assert exclusion.matches(P("王五", phone="13900139000"), P("王五"))  # nothing else to compare
    assert exclusion.matches(P("王五"), P("王五", "11010519491231002X", "13900139000"))  # a name-only entry
    assert exclusion.matches(P("赵六", "11010519491231002X"), P("赵小六", "11010519491231002x"))
    assert not exclusion.matches(P("赵六", "11010519491231002X"), P("赵六", "110105194912310021"))
    assert not exclusion.matches(P("王五"), P("王六"))


names = st.sampled_from(["王五", "赵六", "李四"])
ids = st.sampled_from(["", "11010519491231002X", "110105194912310021"])
phones = st.sampled_from(["", "13900139000", "13900139001"])


@given(name=names, id_number=ids, phone=phones)
def test_everyone_matches_their_own_entry(name: str, id_number: str, phone: str) -> None:
    assert exclusion.matches(P(name, id_number, phone), P(name, id_number.lower(), phone))


@given(a=st.tuples(names, ids, phones), b=st.tuples(names, ids, phones))
def test_a_different_id_number_is_never_the_same_person(a: tuple, b: tuple) -> None:
    if a[1] and b[1] and a[1] != b[1]:
        assert not exclusion.matches(P(*a), P(*b))


def test_a_new_exclusion_needs_a_reason_and_valid_identifiers() -> None:
    assert exclusion.new_exclusion(" 王五 ", "", "139 0013 9000", " 涉恶 ") == (
        "王五",
        "",
        "139 0013 9000",
        "涉恶",
    )
    with pytest.raises(ValidationFailed, match="reason"):
        exclusion.new_exclusion("王五", "", "", "")
    with pytest.raises(ValidationFailed, match="id_number"):
        exclusion.new_exclusion("王五", "1234", "", "x")


# --- visits ----------------------------------------------------------------------------------


def test_a_visit_is_in_the_past_with_short_needs() -> None:
    assert visit.checked(AT, [" 低保年审 "], " 好 ", AT) == (("低保年审",), "好")
    assert visit.checked(AT + timedelta(minutes=4), [], "", AT)  # a phone's clock a little ahead
    for at, needs, what in [(AT + timedelta(hours=1), [], "future"), (AT - timedelta(days=400), [], "year"),
                            (AT, ["x"] * 21, "needs"), (AT, [" "], "a need")]:  # fmt: skip
        with pytest.raises(ValidationFailed, match=what):
            visit.checked(at, needs, "", AT)
    with pytest.raises(ValidationFailed, match="offset"):
        visit.checked(datetime(2026, 12, 7), [], "", AT)


def test_the_round_and_what_is_due() -> None:
    assert (
        visit.round_days(None) == visit.round_days("7") == visit.round_days(0) == visit.round_days(True) == 14
    )
    assert visit.round_days(7) == 7
    day = date(2026, 12, 21)
    last = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 09:00 on the 7th in the county
    assert visit.days_since(last, day, TZ) == 14 and visit.is_due(last, day, 14, TZ)  # the round is over
    assert not visit.is_due(last, day - timedelta(days=1), 14, TZ)
    assert visit.is_due(None, day, 14, TZ) and visit.days_since(None, day, TZ) is None
    late = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)  # 01:00 on the 7th locally, not the 6th
    assert visit.days_since(late, day, TZ) == 14


@given(since=st.integers(0, 60), rounds=st.integers(1, 30))
def test_due_exactly_when_the_round_has_passed(since: int, rounds: int) -> None:
    day = date(2026, 12, 31)
    last = datetime(2026, 12, 31, 4, 0, tzinfo=UTC) - timedelta(days=since)
    assert visit.is_due(last, day, rounds, TZ) == (since >= rounds)
