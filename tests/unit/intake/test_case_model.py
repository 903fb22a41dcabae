"""The case model (services/intake/domain/case.py, DOMAIN.md §3, §4, §9): every (state, action)
pair, the reasons the domain requires, the one-time supplement notice, and random action
sequences keeping the invariants. Pure: no database, no clock."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libs.common.errors import (
    BianminError,
    InvalidTransition,
    MaterialsIncomplete,
    ValidationFailed,
    VersionConflict,
)
from services.intake.domain import case as m
from services.intake.domain.case import Applicant, Case, ClockIntent
from services.intake.domain.catalogue import CatalogueItem, Material

CST = timezone(timedelta(hours=8))
T0 = datetime(2025, 2, 5, 9, 0, tzinfo=CST)
_ticks = count(1)


def now() -> datetime:
    """A fresh, later instant for each action (the domain never reads the clock)."""
    return T0 + timedelta(minutes=next(_ticks))


ITEM = CatalogueItem(
    code="dibao_apply",
    name="最低生活保障申请",
    category="civil_affairs",
    level="township",
    kind="approval",
    statutory_days=20,
    promised_days=10,
    materials=(
        Material("id_card", "居民身份证"),
        Material("hukou_book", "户口簿"),
        Material("photo", "照片", required=False),
        Material("income_proof", "收入证明", supply_later=True),
    ),
)
ALL_REQUIRED = ["id_card", "hukou_book", "income_proof"]
APPLICANT = Applicant(name="张三", phone="13800000000")


def received(materials: list[str] | None = None, *, accept_if_complete: bool = False) -> Case:
    return Case.receive(
        id="c-1",
        number="2025-0001",
        tenant="demo.napo",
        item=ITEM,
        kind="promised",
        level="hall",
        channel="walk_in",
        applicant=APPLICANT,
        materials=ALL_REQUIRED if materials is None else materials,
        actor="clerk",
        at=T0,
        accept_if_complete=accept_if_complete,
    )


# How to reach each state, by real transitions (the materials are complete).
def _accept(c: Case) -> None:
    c.accept("clerk", now())


def _assign(c: Case) -> None:
    c.assign("lead", now(), "wang")


def _complete(c: Case) -> None:
    c.complete("wang", now(), "approved")


def _reply(c: Case) -> None:
    c.reply("clerk", now(), "satisfied")


PATH: dict[str, list[Callable[[Case], None]]] = {
    m.RECEIVED: [],
    m.SUPPLEMENT_REQUESTED: [lambda c: c.request_supplement("clerk", now(), also=["photo"])],
    m.NOT_ACCEPTED: [lambda c: c.refuse("clerk", now(), "不属本中心办理")],
    m.ACCEPTED: [_accept],
    m.IN_PROGRESS: [_accept, _assign],
    m.ESCALATED: [
        _accept,
        _assign,
        lambda c: c.escalate("wang", now(), "county", "需县民政局审批", department="civil"),
    ],
    m.COMPLETED: [_accept, _assign, _complete],
    m.RETURNED: [_accept, lambda c: c.return_("clerk", now(), "政策禁止办理")],
    m.REPLIED: [_accept, _assign, _complete, _reply],
    m.ARCHIVED: [_accept, _assign, _complete, _reply, lambda c: c.archive("clerk", now())],
    m.WITHDRAWN: [lambda c: c.withdraw("applicant", now(), "申请人撤回")],
}


def reach(state: str) -> Case:
    c = received()
    for step in PATH[state]:
        step(c)
    assert c.state == state
    return c


# Each action with valid arguments.
ACT: dict[str, Callable[[Case], None]] = {
    "accept": lambda c: c.accept("clerk", now()),
    "request_supplement": lambda c: c.request_supplement("clerk", now(), also=["photo"], note="请补照片"),
    "submit_materials": lambda c: c.submit_materials("applicant", now(), ["photo"]),
    "refuse": lambda c: c.refuse("clerk", now(), "不属本中心办理", refer_to="县民政局"),
    "assign": lambda c: c.assign("lead", now(), "li"),
    "escalate": lambda c: c.escalate("wang", now(), "county", "需县级审批", department="civil"),
    "resume": lambda c: c.resume("wang", now(), note="县里已批"),
    "extend": lambda c: c.extend("wang", now(), 3, "需入户调查"),
    "complete": lambda c: c.complete("wang", now(), "denied", "收入超过标准"),
    "return": lambda c: c.return_("clerk", now(), "政策禁止办理"),
    "reply": lambda c: c.reply("clerk", now(), "basically_satisfied", confirmation="电话确认"),
    "archive": lambda c: c.archive("clerk", now()),
    "withdraw": lambda c: c.withdraw("applicant", now(), "不再需要"),
    "press": lambda c: c.press("supervisor", now(), "请尽快办理"),
}
EVENT = {
    "accept": m.CaseAccepted,
    "request_supplement": m.CaseSupplementRequested,
    "submit_materials": m.CaseMaterialsSubmitted,
    "refuse": m.CaseRefused,
    "assign": m.CaseAssigned,
    "escalate": m.CaseEscalated,
    "resume": m.CaseResumed,
    "extend": m.CaseExtended,
    "complete": m.CaseCompleted,
    "return": m.CaseReturned,
    "reply": m.CaseReplied,
    "archive": m.CaseArchived,
    "withdraw": m.CaseWithdrawn,
    "press": m.CasePressed,
}
OPEN = [m.RECEIVED, m.SUPPLEMENT_REQUESTED, m.ACCEPTED, m.IN_PROGRESS, m.ESCALATED]
CLOSED = [s for s in m.STATES if s not in OPEN]

# The expected state machine, written out independently of the module's table.
LANDS: dict[tuple[str, str], str] = {
    (m.RECEIVED, "accept"): m.ACCEPTED,
    (m.RECEIVED, "request_supplement"): m.SUPPLEMENT_REQUESTED,
    (m.RECEIVED, "submit_materials"): m.RECEIVED,
    (m.SUPPLEMENT_REQUESTED, "submit_materials"): m.RECEIVED,
    (m.RECEIVED, "refuse"): m.NOT_ACCEPTED,
    (m.SUPPLEMENT_REQUESTED, "refuse"): m.NOT_ACCEPTED,
    (m.ACCEPTED, "assign"): m.IN_PROGRESS,
    (m.IN_PROGRESS, "assign"): m.IN_PROGRESS,
    (m.ESCALATED, "assign"): m.ESCALATED,
    (m.IN_PROGRESS, "escalate"): m.ESCALATED,
    (m.ESCALATED, "resume"): m.IN_PROGRESS,
    (m.IN_PROGRESS, "extend"): m.IN_PROGRESS,
    (m.IN_PROGRESS, "complete"): m.COMPLETED,
    (m.ACCEPTED, "return"): m.RETURNED,
    (m.IN_PROGRESS, "return"): m.RETURNED,
    (m.COMPLETED, "reply"): m.REPLIED,
    (m.REPLIED, "archive"): m.ARCHIVED,
    **{(s, "withdraw"): m.WITHDRAWN for s in OPEN},
    **{(s, "press"): s for s in OPEN},
}
PAIRS = [(s, a) for s in m.STATES for a in m.ACTIONS]


def test_the_tables_agree() -> None:
    assert set(ACT) == set(EVENT) == set(m.ACTIONS)
    assert {(s, a) for s, a in PAIRS if s in m.ALLOWED[a]} == set(LANDS)
    assert "extended" not in m.STATES  # an extension keeps the case in progress (see the docstring)


@pytest.mark.parametrize(("state", "action"), [p for p in PAIRS if p in LANDS])
def test_an_allowed_action_is_one_transition(state: str, action: str) -> None:
    c = reach(state)
    before = copy.deepcopy(c)
    ACT[action](c)
    assert c.state == LANDS[state, action]
    assert c.version == before.version + 1 == len(c.history)
    assert c.history[:-1] == before.history and c.events[:-1] == before.events
    entry = c.history[-1]
    assert (entry.action, entry.from_state, entry.to_state) == (action, state, c.state)
    assert entry.at > before.history[-1].at and entry.at.tzinfo is not None
    assert type(c.events[-1]) is EVENT[action]
    assert c.events[-1].case_id == "c-1" and c.events[-1].at == entry.at


# accepting a case that waits for materials answers which (MaterialsIncomplete, tested below)
REFUSED = [p for p in PAIRS if p not in LANDS and p != (m.SUPPLEMENT_REQUESTED, "accept")]


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_a_disallowed_action_is_refused_and_changes_nothing(state: str, action: str) -> None:
    c = reach(state)
    before = copy.deepcopy(c)
    with pytest.raises(InvalidTransition) as raised:
        ACT[action](c)
    assert c == before
    message = str(raised.value)
    assert state in message and action.replace("_", " ") in message
    assert raised.value.fields == {"action": action, "state": state}


# (state, the call with a missing or invalid argument)
BAD_ARGUMENTS: list[tuple[str, str, Callable[[Case], None]]] = [
    (m.RECEIVED, "refuse without reason", lambda c: c.refuse("clerk", now(), "  ")),
    (m.SUPPLEMENT_REQUESTED, "refuse without reason", lambda c: c.refuse("clerk", now(), "")),
    (m.ACCEPTED, "assign nobody", lambda c: c.assign("lead", now(), " ")),
    (m.IN_PROGRESS, "assign the same handler", lambda c: c.assign("lead", now(), "wang")),
    (m.IN_PROGRESS, "escalate without reason", lambda c: c.escalate("wang", now(), "county", "")),
    (m.IN_PROGRESS, "escalate to a village", lambda c: c.escalate("wang", now(), "village", "why")),
    (m.IN_PROGRESS, "extend without reason", lambda c: c.extend("wang", now(), 2, " ")),
    (m.IN_PROGRESS, "extend by 0 days", lambda c: c.extend("wang", now(), 0, "why")),
    (m.IN_PROGRESS, "extend by True days", lambda c: c.extend("wang", now(), True, "why")),
    (m.IN_PROGRESS, "deny without reason", lambda c: c.complete("wang", now(), "denied")),
    (m.IN_PROGRESS, "unknown outcome", lambda c: c.complete("wang", now(), "maybe", "x")),
    (m.ACCEPTED, "return without reason", lambda c: c.return_("clerk", now(), "")),
    (m.IN_PROGRESS, "return without reason", lambda c: c.return_("clerk", now(), "\t")),
    (m.COMPLETED, "reply without satisfaction", lambda c: c.reply("clerk", now(), "")),
    (m.ESCALATED, "withdraw without reason", lambda c: c.withdraw("applicant", now(), "")),
    (m.RECEIVED, "press without note", lambda c: c.press("supervisor", now(), " ")),
    (m.RECEIVED, "request with nothing missing", lambda c: c.request_supplement("clerk", now())),
    (m.RECEIVED, "request an unknown material", lambda c: c.request_supplement("clerk", now(), also=["x"])),
    (m.SUPPLEMENT_REQUESTED, "submit nothing", lambda c: c.submit_materials("applicant", now(), [])),
    (m.SUPPLEMENT_REQUESTED, "submit a stranger", lambda c: c.submit_materials("a", now(), ["passport"])),
    (m.RECEIVED, "a naive instant", lambda c: c.accept("clerk", datetime(2025, 2, 5, 9))),
    (m.RECEIVED, "no actor", lambda c: c.accept(" ", now())),
]


@pytest.mark.parametrize(("state", "what", "call"), BAD_ARGUMENTS, ids=[b[1] for b in BAD_ARGUMENTS])
def test_missing_or_invalid_arguments_are_refused_and_change_nothing(
    state: str, what: str, call: Callable[[Case], None]
) -> None:
    c = reach(state)
    before = copy.deepcopy(c)
    with pytest.raises(ValidationFailed):
        call(c)
    assert c == before


def test_approval_needs_no_reason_and_reasons_are_kept_trimmed() -> None:
    c = reach(m.IN_PROGRESS)
    c.complete("wang", now(), "approved")
    assert c.outcome == "approved" and c.history[-1].reason == ""
    r = reach(m.RECEIVED)
    r.refuse("clerk", now(), "  不属本中心办理 ", refer_to=" 县民政局 ")
    assert r.history[-1].reason == "不属本中心办理"
    assert r.events[-1] == m.CaseRefused(
        case_id="c-1",
        tenant="demo.napo",
        actor="clerk",
        at=r.history[-1].at,
        reason="不属本中心办理",
        refer_to="县民政局",
    )


@pytest.mark.parametrize("state", m.STATES)
def test_withdraw_from_every_open_state_and_from_no_closed_one(state: str) -> None:
    c = reach(state)
    if state in OPEN:
        c.withdraw("applicant", now(), "不再需要")
        assert c.state == m.WITHDRAWN and c.history[-1].reason == "不再需要"
        stopped = c.clock_intents[-1:] == [ClockIntent("stop", c.history[-1].at)]
        assert stopped == (state in (m.ACCEPTED, m.IN_PROGRESS, m.ESCALATED))
    else:
        before = copy.deepcopy(c)
        with pytest.raises(InvalidTransition):
            c.withdraw("applicant", now(), "不再需要")
        assert c == before


def test_accept_with_missing_materials_lists_them_and_changes_nothing() -> None:
    c = received(["hukou_book"])
    before = copy.deepcopy(c)
    with pytest.raises(MaterialsIncomplete) as raised:
        c.accept("clerk", now())
    # the supply-later income proof does not block acceptance
    assert raised.value.fields["missing"] == ["id_card"]
    assert "id_card" in str(raised.value)
    assert c == before
    assert c.missing_materials == ("id_card", "income_proof")


def test_accepting_a_case_waiting_for_materials_names_them_and_changes_nothing() -> None:
    c = reach(m.SUPPLEMENT_REQUESTED)
    before = copy.deepcopy(c)
    with pytest.raises(MaterialsIncomplete) as raised:
        c.accept("clerk", now())
    assert raised.value.fields["missing"] == ["photo"] and "photo" in str(raised.value)
    assert c == before


def immediate(materials: list[str]) -> Case:
    return Case.receive(
        id="c-1", number="2025-0001", tenant="demo.napo", item=ITEM, kind="immediate", level="hall",
        channel="walk_in", applicant=APPLICANT, materials=materials, actor="clerk", at=T0,
    )  # fmt: skip


def test_an_immediate_case_entered_complete_starts_its_clock_when_entered() -> None:
    c = immediate(ALL_REQUIRED)  # §3.3: 即办件, the clock starts when the case is entered
    assert c.state == m.ACCEPTED and c.clock_intents == [ClockIntent("start", T0)]
    assert [(h.action, h.at) for h in c.history] == [("receive", T0), ("accept", T0)]


def test_an_immediate_case_entered_incomplete_waits_for_its_materials() -> None:
    c = immediate(["hukou_book"])  # the supplement period never counts: no clock yet
    assert c.state == m.RECEIVED and c.clock_intents == []


def test_supply_later_materials_do_not_block_acceptance() -> None:
    c = received(["id_card", "hukou_book"], accept_if_complete=True)
    assert c.state == m.ACCEPTED and c.missing_materials == ("income_proof",)
    assert [type(e) for e in c.events] == [m.CaseReceived, m.CaseAccepted]
    assert c.clock_intents == [ClockIntent("start", T0)]


def test_receive_complete_with_accept_is_accepted_at_once() -> None:
    c = received(accept_if_complete=True)
    assert c.state == m.ACCEPTED and c.version == 2
    assert [(h.action, h.from_state, h.to_state) for h in c.history] == [
        ("receive", None, m.RECEIVED),
        ("accept", m.RECEIVED, m.ACCEPTED),
    ]


def test_receive_without_accept_stays_received() -> None:
    c = received([])
    assert c.state == m.RECEIVED and c.version == 1 and c.first_ask == "clerk"
    assert c.events == [
        m.CaseReceived(case_id="c-1", tenant="demo.napo", actor="clerk", at=T0, missing=tuple(ALL_REQUIRED))
    ]
    assert c.clock_intents == []


def test_the_one_time_notice_lists_every_missing_material() -> None:
    c = received(["id_card"], accept_if_complete=True)
    assert c.state == m.SUPPLEMENT_REQUESTED
    notice = c.events[-1]
    assert isinstance(notice, m.CaseSupplementRequested)
    assert notice.missing == ("hukou_book", "income_proof") and not notice.second_request
    assert c.first_notice == ("hukou_book", "income_proof")
    assert c.clock_intents == []  # the supplement period never counts

    # supplied in part: back to received, still incomplete → a further notice, but nothing new in it
    c.submit_materials("applicant", now(), ["income_proof"], accept_if_complete=True)
    assert [type(e) for e in c.events[-2:]] == [m.CaseMaterialsSubmitted, m.CaseSupplementRequested]
    submitted, again = c.events[-2:]
    assert isinstance(submitted, m.CaseMaterialsSubmitted) and submitted.missing == ("hukou_book",)
    assert isinstance(again, m.CaseSupplementRequested)
    assert again.missing == ("hukou_book",) and not again.second_request and again.unlisted == ()
    assert c.first_notice == ("hukou_book", "income_proof")

    # completed: accepted; the clock starts only now
    c.submit_materials("applicant", now(), ["hukou_book"], accept_if_complete=True)
    assert c.state == m.ACCEPTED and c.missing_materials == ()
    assert c.clock_intents == [ClockIntent("start", c.history[-1].at)]
    assert c.version == len(c.history) == len(c.events) == 6


def test_a_second_request_for_something_unlisted_is_allowed_but_flagged() -> None:
    c = received(["id_card"])
    c.request_supplement("clerk", now())
    c.submit_materials("applicant", now(), ["hukou_book", "income_proof"])
    # the id card turns out to be expired, and the clerk wants a photo too
    c.request_supplement("clerk", now(), also=["id_card", "photo"], note="身份证过期")
    notice = c.events[-1]
    assert isinstance(notice, m.CaseSupplementRequested)
    assert notice.second_request and notice.unlisted == ("id_card", "photo")
    assert notice.missing == ("id_card", "photo") and notice.note == "身份证过期"
    assert c.first_notice == ("hukou_book", "income_proof")  # the first notice is what is kept
    assert c.state == m.SUPPLEMENT_REQUESTED and "id_card" not in c.received
    with pytest.raises(MaterialsIncomplete) as waiting:  # waiting for materials: named, not the state
        c.accept("clerk", now())
    assert waiting.value.fields["missing"] == ["id_card", "photo"]
    c.submit_materials("applicant", now(), ["id_card"])
    with pytest.raises(MaterialsIncomplete) as raised:  # the photo was asked for, so it is needed
        c.accept("clerk", now())
    assert raised.value.fields["missing"] == ["photo"]


def test_the_full_happy_path() -> None:
    c = received(accept_if_complete=True)
    c.assign("lead", now(), "wang")
    c.escalate("wang", now(), "county", "需县民政局审批", department="civil")
    assert (c.escalated_to, c.escalated_department) == ("county", "civil")
    c.resume("wang", now(), note="县民政局已审批")
    assert (c.escalated_to, c.escalated_department) == (None, None)
    c.extend("wang", now(), 2, "需入户调查")
    c.press("supervisor", now(), "请尽快办理")
    c.complete("wang", now(), "approved")
    c.reply("clerk", now(), "satisfied")
    c.archive("clerk", now())
    assert [(h.action, h.to_state) for h in c.history] == [
        ("receive", m.RECEIVED),
        ("accept", m.ACCEPTED),
        ("assign", m.IN_PROGRESS),
        ("escalate", m.ESCALATED),
        ("resume", m.IN_PROGRESS),
        ("extend", m.IN_PROGRESS),
        ("press", m.IN_PROGRESS),
        ("complete", m.COMPLETED),
        ("reply", m.REPLIED),
        ("archive", m.ARCHIVED),
    ]
    assert c.version == 10 and (c.handler, c.outcome, c.satisfaction) == ("wang", "approved", "satisfied")
    assert (c.extensions, c.presses) == (1, 1)
    assert [i.action for i in c.clock_intents] == ["start", "pause", "resume", "extend", "stop"]
    assert c.clock_intents[3].working_days == 2
    extended = c.events[5]
    assert isinstance(extended, m.CaseExtended) and extended.extensions == 1


def test_extensions_and_presses_are_counted() -> None:
    c = reach(m.IN_PROGRESS)
    c.extend("wang", now(), 1, "a")
    c.extend("wang", now(), 5, "b")
    c.press("supervisor", now(), "催办")
    c.escalate("wang", now(), "township", "c")
    c.press("supervisor", now(), "再催")
    assert (c.extensions, c.presses, c.state) == (2, 2, m.ESCALATED)
    last = c.events[-1]
    assert isinstance(last, m.CasePressed) and last.presses == 2
    with pytest.raises(InvalidTransition):  # not while escalated
        c.extend("wang", now(), 1, "d")


def test_reassignment_names_the_previous_handler() -> None:
    c = reach(m.ESCALATED)
    c.assign("lead", now(), "li")
    assert c.events[-1] == m.CaseAssigned(
        case_id="c-1",
        tenant="demo.napo",
        actor="lead",
        at=c.history[-1].at,
        handler="li",
        previous_handler="wang",
    )
    assert (c.handler, c.state) == ("li", m.ESCALATED)


def test_check_version() -> None:
    c = reach(m.ACCEPTED)
    c.check_version(2)
    with pytest.raises(VersionConflict) as raised:
        c.check_version(1)
    assert raised.value.fields == {"expected": 1, "actual": 2}


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "urgent"},
        {"level": "county"},
        {"channel": "fax"},
        {"materials": ["passport"]},
        {"at": T0.replace(tzinfo=None)},
        {"applicant": Applicant(name="张三", phone="123")},  # too short for any number
        {"applicant": Applicant(name="张三", phone="call me")},
        {"applicant": Applicant(name="张三", phone="13800138000", id_number="12345")},
        {"applicant": Applicant(name="张\u202e三", phone="13800138000")},  # shows reversed
        {
            "applicant": Applicant(name="张三", phone="13800138000", id_number="450102199001011235")
        },  # check digit
        {
            "applicant": Applicant(name="张三", phone="13800138000", id_number="450102199013011234")
        },  # 13th month
    ],
)
def test_receive_validates(overrides: dict[str, object]) -> None:
    kwargs: dict[str, object] = {
        "id": "c-1",
        "number": "2025-0001",
        "tenant": "demo.napo",
        "item": ITEM,
        "kind": "immediate",
        "level": "village",
        "channel": "proxy",
        "applicant": APPLICANT,
        "materials": [],
        "actor": "clerk",
        "at": T0,
    }
    Case.receive(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        Case.receive(**{**kwargs, **overrides})  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        Applicant(name="张三", phone=" ")


def test_an_applicants_id_number_is_kept_in_its_standard_form() -> None:
    applicant = Applicant(name="张三", phone="13800138000", id_number="11010519491231002x")
    case = Case.receive(
        id="c-1", number="2025-0001", tenant="demo.napo", item=ITEM, kind="immediate", level="village",
        channel="proxy", applicant=applicant, materials=[], actor="clerk", at=T0,
    )  # fmt: skip
    assert case.applicant.id_number == "11010519491231002X"


# --------------------------------------------------------------------------------------------
# Random sequences of actions


def sloppy(action: str) -> Callable[[Case], None]:
    """The action with its required argument missing (or, where none is required, as usual)."""
    return {
        "refuse": lambda c: c.refuse("clerk", now(), ""),
        "assign": lambda c: c.assign("lead", now(), ""),
        "escalate": lambda c: c.escalate("wang", now(), "county", ""),
        "extend": lambda c: c.extend("wang", now(), 0, "x"),
        "complete": lambda c: c.complete("wang", now(), "denied"),
        "return": lambda c: c.return_("clerk", now(), ""),
        "reply": lambda c: c.reply("clerk", now(), "meh"),
        "withdraw": lambda c: c.withdraw("applicant", now(), ""),
        "press": lambda c: c.press("supervisor", now(), ""),
        "submit_materials": lambda c: c.submit_materials(
            "applicant", now(), ["id_card"], accept_if_complete=True
        ),
        "request_supplement": lambda c: c.request_supplement("clerk", now()),
    }.get(action, ACT[action])


@settings(max_examples=300, deadline=None)
@given(
    materials=st.lists(st.sampled_from(["id_card", "hukou_book", "photo", "income_proof"]), unique=True),
    accept_if_complete=st.booleans(),
    steps=st.lists(st.tuples(st.sampled_from(m.ACTIONS), st.booleans()), max_size=40),
)
def test_random_sequences_keep_the_invariants(
    materials: list[str], accept_if_complete: bool, steps: list[tuple[str, bool]]
) -> None:
    c = received(materials, accept_if_complete=accept_if_complete)
    for action, careful in steps:
        before = copy.deepcopy(c)
        try:
            (ACT[action] if careful else sloppy(action))(c)
        except BianminError as error:
            assert isinstance(error, InvalidTransition | ValidationFailed | MaterialsIncomplete)
            assert c == before  # a refused action changes nothing
            if (before.state, action) in REFUSED:
                assert isinstance(error, InvalidTransition)
            continue
        assert before.state in m.ALLOWED[action]
        assert before.state not in m.TERMINAL_STATES  # terminal states absorb
        if before.state not in OPEN:
            assert c.state not in OPEN  # a closed case never reopens
        assert c.version > before.version
        assert c.history[: len(before.history)] == before.history  # history is append-only
    assert c.state in m.STATES
    assert c.version == len(c.history) == len(c.events)
    assert c.history[0].from_state is None
    for earlier, later in zip(c.history, c.history[1:], strict=False):
        assert later.from_state == earlier.to_state and later.at >= earlier.at
    assert c.history[-1].to_state == c.state
    assert c.extensions == sum(h.action == "extend" for h in c.history)
    assert c.presses == sum(h.action == "press" for h in c.history)


# --- case details: e-mail, village/window/department, escalation target, extension days -------


def test_the_applicant_email_is_optional_and_validated() -> None:
    assert Applicant(name="张三", phone="138", email="zhang.san@example.com").email == "zhang.san@example.com"
    assert Applicant(name="张三", phone="138").email is None
    for bad in (
        "zhang",
        "zhang@",
        "@example.com",
        "a b@example.com",
        "a@example",
        "a@@b.cn",
        "x" * 250 + "@a.cn",
    ):
        with pytest.raises(ValidationFailed):
            Applicant(name="张三", phone="138", email=bad)


def test_the_village_is_kept_from_receipt_and_must_be_a_code() -> None:
    case = Case.receive(
        id="c-2", number="2025-0002", tenant="demo.napo", item=ITEM, kind="promised", level="village",
        channel="proxy", applicant=APPLICANT, materials=[], actor="clerk", at=T0, village="nongcun",
    )  # fmt: skip
    assert case.village == "nongcun"
    with pytest.raises(ValidationFailed):
        Case.receive(
            id="c-3", number="2025-0003", tenant="demo.napo", item=ITEM, kind="promised", level="village",
            channel="proxy", applicant=APPLICANT, materials=[], actor="clerk", at=T0, village="Not A Code",
        )  # fmt: skip


def test_assignment_sets_the_window_and_department_and_a_reassignment_replaces_them() -> None:
    c = reach(m.ACCEPTED)
    c.assign("lead", now(), "wang", window="w1", department="minzheng")
    assert (c.handler, c.window, c.department) == ("wang", "w1", "minzheng")
    c.assign("lead", now(), "li")  # a handler without a window: nothing of wang's stays
    assert (c.handler, c.window, c.department) == ("li", None, None)


def test_an_escalation_to_the_county_needs_the_department_and_changes_nothing_without() -> None:
    c = reach(m.IN_PROGRESS)
    before = copy.deepcopy(c)
    with pytest.raises(ValidationFailed):
        c.escalate("wang", now(), "county", "需县级审批")
    assert c == before
    c.escalate("wang", now(), "county", "需县级审批", department="civil")
    assert (c.state, c.escalated_to, c.escalated_department) == (m.ESCALATED, "county", "civil")
    assert c.events[-1].department == "civil"  # type: ignore[attr-defined]
    c.resume("civil_officer", now(), note="已审批")
    c.escalate("wang", now(), "township", "需镇领导批示")  # the township: no department needed
    assert (c.escalated_to, c.escalated_department) == ("township", None)


def test_each_extension_keeps_its_working_days_on_its_history_entry() -> None:
    c = reach(m.IN_PROGRESS)
    c.extend("wang", now(), 3, "需实地核查")
    c.extend("wang", now(), 2, "需补充调查")
    extends = [e for e in c.history if e.action == "extend"]
    assert [e.working_days for e in extends] == [3, 2]
    assert all(e.working_days == 0 for e in c.history if e.action != "extend")


def test_the_history_alone_re_derives_the_clock_with_every_extension() -> None:
    """extend 3, escalate, resume, extend 2: the intents read back from the history (what a
    later action or a calendar sweep replays) give the same deadline as the live intents, and
    that deadline is 5 working days after the unextended one."""
    from libs.common.calendar import tenant_calendar
    from services.intake.domain import clock
    from services.intake.service_layer.case_clock import history_intents

    calendar = tenant_calendar(2025, 2026)
    c = reach(m.IN_PROGRESS)
    c.extend("wang", now(), 3, "需实地核查")
    c.escalate("wang", now(), "county", "需县级审批", department="civil")
    c.resume("civil_officer", now())
    c.extend("wang", now(), 2, "需补充调查")
    replayed = history_intents(c.history)
    assert [(i.action, i.working_days) for i in replayed] == [
        ("start", 0), ("extend", 3), ("pause", 0), ("resume", 0), ("extend", 2),
    ]  # fmt: skip
    live = clock.derive(c.clock_intents, calendar, 10)
    again = clock.derive(replayed, calendar, 10)
    assert again.due_at == live.due_at and again.extension_days == 5
    unextended = clock.derive([i for i in replayed if i.action != "extend"], calendar, 10)
    assert unextended.due_at is not None and again.due_at is not None
    assert calendar.due_by_working_days(unextended.due_at, 5) <= again.due_at
