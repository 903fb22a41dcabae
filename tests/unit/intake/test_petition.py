"""Petitions and complaints (services/intake/domain/petition.py, DOMAIN.md §9): what a valid
registration is, the answer deadlines (3 / 7 calendar days, end of the local day), lateness in
days (W-DIS-06), the state machine of each kind, and the confidential identity. Pure: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from libs.common.errors import InvalidTransition, ValidationFailed
from services.intake.domain.petition import (
    ANSWERED,
    DECIDED,
    FORWARDED,
    HIDDEN,
    REGISTERED,
    NewPetition,
    Petition,
    days_late,
    forward_days,
    new_petition,
    petition_due,
    registered,
    to_register,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2 March 2026, 09:30 in Shanghai
MONDAY = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def data(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "petition",
        "channel": "desk",
        "petitioner": {"name": " 张三丰 ", "phone": "13812345678", "id_number": "450121199001011234"},
        "matter": " 反映村道损坏,电话13812345678 ",
    }
    return {**base, **overrides}


def complaint(**overrides: Any) -> dict[str, Any]:
    base = {"kind": "complaint", "subject": {"type": "window", "id": "civil"}, "ground": "attitude"}
    return data(**{**base, **overrides})


def stored(new: NewPetition, at: datetime = MONDAY) -> Petition:
    return registered(new, id="p-1", number="XF-20260302-0001", by="officer", at=at, tz=SHANGHAI)


def test_a_valid_petition_is_trimmed_and_due_in_three_calendar_days() -> None:
    p = stored(new_petition(data()))
    assert (p.new.petitioner.name, p.new.matter) == ("张三丰", "反映村道损坏,电话13812345678")
    assert p.state == REGISTERED and p.version == 1
    # Monday → Thursday, end of the local day (calendar days: the weekend would count too)
    assert p.answer_due_at == datetime(2026, 3, 5, 23, 59, 59, tzinfo=SHANGHAI)


def test_a_leader_received_petition_is_due_within_a_week() -> None:
    p = stored(new_petition(data(leader_received=True)))
    assert p.answer_due_at == datetime(2026, 3, 9, 23, 59, 59, tzinfo=SHANGHAI)


def test_the_deadline_counts_from_the_local_day() -> None:
    """23:30 UTC on Sunday is already Monday in Shanghai."""
    late_sunday_utc = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert petition_due(late_sunday_utc, False, SHANGHAI) == datetime(2026, 3, 5, 23, 59, 59, tzinfo=SHANGHAI)


def test_a_petition_answered_on_the_spot_is_answered_in_time_at_registration() -> None:
    p = stored(new_petition(data(answer="当场解释政策")))
    assert (p.state, p.answer, p.answered_at, p.answered_by) == (ANSWERED, "当场解释政策", MONDAY, "officer")
    assert p.on_time and p.days_late == 0


def test_a_petition_answered_late_counts_the_days_begun_since_the_deadline() -> None:
    p = stored(new_petition(data()))
    assert p.answer_due_at is not None
    in_time = p.answered("已答复", "officer", p.answer_due_at)
    assert (in_time.state, in_time.on_time, in_time.days_late, in_time.version) == (ANSWERED, True, 0, 2)
    one_second = p.answered("已答复", "officer", p.answer_due_at + timedelta(seconds=1))
    assert (one_second.on_time, one_second.days_late) == (False, 1)
    three = p.answered("已答复", "officer", p.answer_due_at + timedelta(days=2, hours=1))
    assert three.days_late == 3


def test_days_late_without_a_deadline_is_zero() -> None:
    assert days_late(None, MONDAY) == 0
    assert days_late(MONDAY, MONDAY - timedelta(days=5)) == 0
    assert days_late(MONDAY, MONDAY + timedelta(days=1)) == 1


def test_a_petition_is_answered_once_and_never_forwarded_or_decided() -> None:
    p = stored(new_petition(data()))
    done = p.answered("已答复", "officer", MONDAY)
    with pytest.raises(InvalidTransition, match="cannot be answered"):
        done.answered("again", "officer", MONDAY)
    with pytest.raises(InvalidTransition, match="only a complaint"):
        p.forwarded("civil", MONDAY)
    with pytest.raises(InvalidTransition, match="only a complaint"):
        p.decided(True, "属实", "admin", MONDAY)
    with pytest.raises(ValidationFailed, match="answer"):
        p.answered("  ", "officer", MONDAY)


def test_a_complaint_is_forwarded_answered_and_decided() -> None:
    c = stored(new_petition(complaint()))
    assert c.state == REGISTERED and c.answer_due_at is None  # the deadline comes with forwarding
    with pytest.raises(InvalidTransition, match="cannot be answered"):
        c.answered("先答", "officer", MONDAY)  # not forwarded: nobody owes an answer yet
    due = MONDAY + timedelta(days=3)
    f = c.forwarded("civil_affairs", due)
    assert (f.state, f.forwarded_to, f.answer_due_at, f.version) == (FORWARDED, "civil_affairs", due, 2)
    with pytest.raises(InvalidTransition, match="cannot be decided"):
        f.decided(True, "属实", "admin", MONDAY)  # the department's answer first
    with pytest.raises(InvalidTransition, match="cannot be forwarded"):
        f.forwarded("land", due)
    a = f.answered("已整改", "officer", due + timedelta(days=1, minutes=1))
    assert (a.state, a.days_late, a.on_time) == (ANSWERED, 2, False)
    d = a.decided(True, "经核实属实", "admin", due + timedelta(days=3))
    assert (d.state, d.verified, d.decision_reason, d.decided_by, d.version) == (
        DECIDED,
        True,
        "经核实属实",
        "admin",
        4,
    )
    with pytest.raises(InvalidTransition):
        d.decided(False, "改判", "admin", MONDAY)


def test_a_complaint_may_be_decided_without_forwarding_and_needs_a_reason() -> None:
    c = stored(new_petition(complaint()))
    with pytest.raises(ValidationFailed, match="reason"):
        c.decided(False, " ", "admin", MONDAY)
    d = c.decided(False, "经查不属实", "admin", MONDAY)
    assert (d.state, d.verified) == (DECIDED, False)


def test_forward_days_default_and_bounds() -> None:
    assert forward_days(0) == 3
    assert forward_days(10) == 10
    for bad in (-1, 31):
        with pytest.raises(ValidationFailed, match="answer_days"):
            forward_days(bad)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (data(kind="letter"), "kind"),
        (data(channel="fax"), "channel"),
        (data(petitioner={"name": " "}), "petitioner.name"),
        (data(matter=""), "matter"),
        (data(matter="x" * 4001), "matter"),
        (data(subject={"type": "window", "id": "civil"}), "for complaints"),
        (data(ground="attitude"), "for complaints"),
        (complaint(subject=None), "which window or staff"),
        (data(kind="complaint", subject={"type": "window", "id": "civil"}), "ground"),
        (data(kind="complaint", subject={"type": "village", "id": "x"}, ground="attitude"), "subject.type"),
        (complaint(collective=True), "for petitions"),
        (complaint(answer="当场"), "forwarded"),
        (data(matter="a\x00b"), "NUL"),
        ({"kind": "petition", "channel": "desk", "petitioner": {"name": "张"}}, "'matter'"),
    ],
)
def test_invalid_registrations_are_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        new_petition(raw)


def test_the_identity_is_withheld_from_everyone_but_the_petition_officer() -> None:
    p = stored(new_petition(data(answer="已答复,回电13812345678")))
    assert p.seen_by(True) is p
    seen = p.seen_by(False)
    assert seen.new.petitioner == HIDDEN and not seen.identity_visible
    text = repr(seen)
    for personal in ("张三丰", "13812345678", "450121199001011234"):
        assert personal not in text
    assert seen.new.matter == "反映村道损坏,电话138****5678"  # the matter stays readable
    assert (seen.state, seen.answer_due_at, seen.number) == (p.state, p.answer_due_at, p.number)


def test_a_registration_checks_the_petitioners_id_number() -> None:
    lower = new_petition(data(petitioner={"name": "张三丰", "id_number": "11010519491231002x"}))
    assert to_register(lower).petitioner.id_number == "11010519491231002X"  # its standard form
    assert to_register(new_petition(data(petitioner={"name": "张三丰"}))).petitioner.id_number == ""
    for wrong in ("12345", "450121199001011234"):  # too short; a wrong check digit
        with pytest.raises(ValidationFailed, match="petitioner.id_number"):
            to_register(new_petition(data(petitioner={"name": "张三丰", "id_number": wrong})))
    # a row stored before the check still reads: the builder itself does not refuse it
    assert new_petition(data()).petitioner.id_number == "450121199001011234"
