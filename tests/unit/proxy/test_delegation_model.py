"""The delegation model (services/proxy/domain/delegation.py, DOMAIN.md §6.2–6.3, API.md *Proxy*):
every (state, action) pair and every (state, case step), consent, the statutory fee, the on-the-spot
decision, and random sequences of actions and case steps keeping the invariants. Pure."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libs.common.errors import BianminError, InvalidTransition, ValidationFailed, VersionConflict
from services.proxy.domain import delegation as m
from services.proxy.domain.delegation import Applicant, Confirmation, Consent, Delegation, Fee

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=CST)
TRIP = date(2026, 12, 9)  # a Wednesday
_ticks = count(1)


def now() -> datetime:
    return T0 + timedelta(minutes=next(_ticks))


def registered(level: str = "township", *, fee: Fee | None = None, statutory: int = 0) -> Delegation:
    return Delegation.register(
        id="d-1", tenant="demo.napo", agent="li", village="v1", household_id="", item_code="dibao",
        item_level=level, statutory_fee_fen=statutory, applicant=Applicant("张三", "13800000000"),
        consent=Consent("thumbprint", T0 - timedelta(hours=1), "张三"), materials=("id_card",),
        case_id="c-1", case_number="napo-20261207-0001", fee=fee, at=T0,
    )  # fmt: skip


def card() -> Confirmation:
    return Confirmation("signature", now(), "li")


# how to bring a fresh delegation into each state (township item unless decided)
def in_state(state: str) -> Delegation:
    village = state in (m.DECIDED, m.REPLIED, m.FILED)
    d = registered("village" if village else "county")
    v = count(2)
    path: dict[str, list[Callable[[Delegation], object]]] = {
        m.ACCEPTED: [],
        m.DECIDED: [lambda d: d.decide("li", now())],
        m.AWAITING_TRIP: [lambda d: d.await_trip("li", now(), TRIP)],
        m.AT_TOWNSHIP: [lambda d: d.await_trip("li", now(), TRIP), lambda d: d.deliver("li", now())],
        m.AT_COUNTY: [
            lambda d: d.await_trip("li", now(), TRIP),
            lambda d: d.follow("escalated", next(v), "wang", now(), to_level="county"),
        ],
        m.RETURNED: [
            lambda d: d.await_trip("li", now(), TRIP),
            lambda d: d.follow("completed", next(v), "wang", now()),
        ],
        m.REPLIED: [lambda d: d.decide("li", now()), lambda d: d.reply("li", now(), card(), "satisfied")],
        m.FILED: [
            lambda d: d.decide("li", now()),
            lambda d: d.reply("li", now(), card(), "satisfied"),
            lambda d: d.file("li", now()),
        ],
        m.WITHDRAWN: [lambda d: d.follow("withdrawn", next(v), "wang", now(), reason="不办了")],
    }
    for step in path[state]:
        step(d)
    assert d.state == state
    return d


ACTION_CALLS: dict[str, Callable[[Delegation], None]] = {
    "decide": lambda d: d.decide("li", now()),
    "await_trip": lambda d: d.await_trip("li", now(), TRIP),
    "deliver": lambda d: d.deliver("li", now()),
    "carry": lambda d: d.carry("system", now(), "huang", TRIP, "t-1", "county item"),
    "reply": lambda d: d.reply("li", now(), card(), "satisfied"),
    "file": lambda d: d.file("li", now()),
}
EXPECTED_TO: dict[str, str | None] = {
    "carry": None,
    "decide": m.DECIDED,
    "await_trip": m.AWAITING_TRIP,
    "deliver": m.AT_TOWNSHIP,
    "reply": m.REPLIED,
    "file": m.FILED,
}


@pytest.mark.parametrize("state", m.STATES)
@pytest.mark.parametrize("action", m.ACTIONS)
def test_every_state_and_action(state: str, action: str) -> None:
    d = in_state(state)
    before = copy.deepcopy(d)
    village_only = action == "decide"
    if d.state in m.ALLOWED[action]:
        if state == m.ACCEPTED and village_only:  # the item's level decides the way out of accepted
            d = registered("village")
            before = copy.deepcopy(d)
        ACTION_CALLS[action](d)
        assert d.state == (EXPECTED_TO[action] or before.state)
        assert d.version == before.version + 1 == len(d.history)
        assert len(d.events) == len(before.events) + 1
        assert d.history[-1].actor in ("li", "system") and d.history[-1].state == d.state
    else:
        with pytest.raises(InvalidTransition):
            ACTION_CALLS[action](d)
        assert d == before  # nothing changed


@pytest.mark.parametrize("state", m.STATES)
@pytest.mark.parametrize("step", list(m.CASE_STEPS))
def test_every_state_and_case_step(state: str, step: str) -> None:
    d = in_state(state)
    before = copy.deepcopy(d)
    sources, to = m.CASE_STEPS[step]
    changed = d.follow(step, 100, "wang", now(), to_level="county", reason="x")
    assert changed == (state in sources)
    if changed:
        assert d.state == to and d.version == before.version + 1 and d.history[-1].actor == "wang"
    else:
        assert (d.state, d.version, d.history) == (before.state, before.version, before.history)
    assert d.case_version == 100
    # the same step again (a redelivery) or an older one changes nothing
    again = copy.deepcopy(d)
    assert not d.follow(step, 100, "wang", now(), to_level="county")
    assert not d.follow(step, 50, "wang", now(), to_level="county")
    assert d == again


def test_escalation_within_the_township_keeps_it_there() -> None:
    d = in_state(m.AT_TOWNSHIP)
    assert not d.follow("escalated", 10, "wang", now(), to_level="township")
    assert d.state == m.AT_TOWNSHIP


def test_out_of_order_steps_follow_the_case_version() -> None:
    d = in_state(m.AWAITING_TRIP)
    assert d.follow("completed", 7, "wang", now())  # overtook accepted (v3) and escalated (v5)
    assert not d.follow("accepted", 3, "wang", now())
    assert not d.follow("escalated", 5, "wang", now(), to_level="county")
    assert d.state == m.RETURNED


def test_a_county_round_trip() -> None:
    d = in_state(m.AWAITING_TRIP)
    d.deliver("li", now())
    d.follow("accepted", 3, "desk", now())  # already at the township: nothing
    d.follow("escalated", 5, "desk", now(), to_level="county")
    d.follow("resumed", 6, "county_dept", now())
    d.follow("completed", 8, "desk", now())
    d.reply("li", now(), card(), "basically_satisfied")
    d.follow("replied", 9, "li", now())
    d.follow("archived", 10, "li", now())
    assert [h.state for h in d.history] == [
        m.ACCEPTED, m.AWAITING_TRIP, m.AT_TOWNSHIP, m.AT_COUNTY,
        m.AT_TOWNSHIP, m.RETURNED, m.REPLIED, m.FILED,
    ]  # fmt: skip
    assert d.satisfaction == "basically_satisfied" and d.confirmation is not None


def test_register_records_consent_and_is_version_one() -> None:
    d = registered()
    assert (d.state, d.version, d.consent.method, d.consent.signed_by) == (
        m.ACCEPTED,
        1,
        "thumbprint",
        "张三",
    )
    assert isinstance(d.events[0], m.DelegationRegistered) and d.history[0].action == "register"


@pytest.mark.parametrize(
    "consent",
    [
        None,
        Consent("stamp", T0, "张三"),
        Consent("signature", T0 + timedelta(hours=1), "张三"),  # in the future
        Consent("signature", datetime(2026, 12, 7, 8, 0), "张三"),  # no offset
        Consent("signature", T0, " "),
    ],
)
def test_consent_is_required_written_and_not_in_the_future(consent: Consent | None) -> None:
    with pytest.raises(ValidationFailed):
        Delegation.register(
            id="d", tenant="demo.napo", agent="li", village="v1", household_id="", item_code="x",
            item_level="township", statutory_fee_fen=0, applicant=Applicant("张三", "13800000000"),
            consent=consent, materials=(), case_id="c", case_number="n", fee=None, at=T0,  # type: ignore[arg-type]
        )  # fmt: skip


def test_only_the_statutory_fee_passes_through_with_a_receipt() -> None:
    assert registered(fee=Fee(1000, "R-1"), statutory=1000).fee == Fee(1000, "R-1")
    assert registered(fee=Fee(0, ""), statutory=0).fee is None
    with pytest.raises(ValidationFailed, match="free"):
        registered(fee=Fee(500, "R-1"), statutory=0)  # a proxying fee
    with pytest.raises(ValidationFailed, match="receipt"):
        registered(fee=Fee(1000, " "), statutory=1000)
    with pytest.raises(ValidationFailed):
        registered(fee=Fee(-1, "R"), statutory=1000)


def test_only_a_village_item_is_decided_on_the_spot() -> None:
    township = registered("township")
    with pytest.raises(ValidationFailed):
        township.decide("li", now())
    village = registered("village")
    with pytest.raises(ValidationFailed):
        village.await_trip("li", now(), TRIP)
    with pytest.raises(ValidationFailed, match="reason"):
        village.decide("li", now(), "denied")
    assert village.version == 1  # refused: nothing changed
    village.decide("li", now(), "denied", "不符合条件")
    assert (village.outcome, village.outcome_reason) == ("denied", "不符合条件")


def test_reply_checks_the_card() -> None:
    d = in_state(m.RETURNED)
    with pytest.raises(ValidationFailed):
        d.reply("li", now(), card(), "happy")
    with pytest.raises(ValidationFailed):
        d.reply("li", now(), Confirmation("signature", now() + timedelta(days=1), "li"), "satisfied")
    with pytest.raises(ValidationFailed):
        d.reply("li", now(), Confirmation("signature", T0 - timedelta(days=1), "li"), "satisfied")
    assert d.state == m.RETURNED


def test_carry_names_the_carrier_and_its_trip() -> None:
    d = in_state(m.AWAITING_TRIP)
    assert d.carrier == "li"  # its own agent by default
    d.carry("system", now(), "mo", TRIP + timedelta(days=4), "t-2", "li is away: the backup")
    assert (d.carrier, d.trip_id, d.trip_date, d.state) == (
        "mo",
        "t-2",
        TRIP + timedelta(days=4),
        m.AWAITING_TRIP,
    )
    assert isinstance(d.events[-1], m.DelegationReassigned) and d.events[-1].previous_carrier == "li"
    with pytest.raises(ValidationFailed):
        d.carry("system", now(), "mo", date(2026, 1, 1), "t-3", "a past day")


def test_the_card_is_recorded_after_the_worker_saw_the_case_replied() -> None:
    d = in_state(m.RETURNED)
    d.follow("replied", 50, "li", now())  # the case replied before the card was recorded
    assert d.state == m.REPLIED and d.confirmation is None
    d.reply("li", now(), card(), "satisfied")
    assert d.confirmation is not None and d.history[-1].action == "reply"
    with pytest.raises(InvalidTransition):  # once
        d.reply("li", now(), card(), "satisfied")


def test_check_version() -> None:
    d = registered()
    d.check_version(1)
    d.check_version(0)  # no If-Match
    with pytest.raises(VersionConflict):
        d.check_version(2)


# --- random sequences ---------------------------------------------------------------------

moves = st.one_of(
    st.sampled_from([("action", a) for a in m.ACTIONS]),
    st.tuples(
        st.just("step"),
        st.sampled_from(list(m.CASE_STEPS)),
        st.integers(0, 30),
        st.sampled_from(["county", "township"]),
    ),
)


@settings(max_examples=300, deadline=None)
@given(level=st.sampled_from(["village", "township", "county"]), sequence=st.lists(moves, max_size=25))
def test_random_sequences_keep_the_invariants(level: str, sequence: list[tuple]) -> None:
    d = registered(level)
    for move in sequence:
        before = copy.deepcopy(d)
        if move[0] == "action":
            try:
                ACTION_CALLS[move[1]](d)
            except BianminError:
                assert (d.state, d.version, d.history, d.events) == (
                    before.state,
                    before.version,
                    before.history,
                    before.events,
                )
                continue
        else:
            _, step, version, to_level = move
            d.follow(step, version, "wang", now(), to_level=to_level)
            assert d.case_version == max(before.case_version, version)
        assert d.state in m.STATES
        assert before.state not in m.TERMINAL_STATES or d.state == before.state  # filed/withdrawn stay
        assert d.version == len(d.history) == len(d.events)
        if level == "village":
            assert m.AWAITING_TRIP not in {h.state for h in d.history}
        else:
            assert m.DECIDED not in {h.state for h in d.history}
        if d.state == m.REPLIED and d.history[-1].action == "reply":
            assert d.satisfaction and d.confirmation is not None


@pytest.mark.parametrize("step", ["refused", "returned"])
def test_a_refusal_or_a_return_is_a_denied_result_back_with_the_agent(step: str) -> None:
    d = in_state(m.AT_TOWNSHIP)
    assert d.follow(step, 100, "desk", now(), reason="  不符合政策  ")
    assert (d.state, d.outcome, d.outcome_reason, d.history[-1].action) == (
        m.RETURNED, "denied", "不符合政策", f"case_{step}",
    )  # fmt: skip
    assert d.completed_at == d.history[-1].at and d.can("reply")
