"""The case history's hash chain (case_repository.verify_chain) on plain rows, and the event
mapping: every domain case event has its events.proto message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bianmin.intake.v1 import events_pb2

from libs.common.messaging.envelope import event_type_of
from services.intake.adapters import case_repository as repo
from services.intake.adapters.case_proto import event_message
from services.intake.domain import case as d
from services.intake.domain.case import Applicant, Case, HistoryEntry
from services.intake.domain.catalogue import CatalogueItem, Material

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
TENANT, CASE_ID = "tianyang.napo", "6f1c1f38-8f0e-4f0e-9a53-3b1e1c7d8a01"


def chain(n: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows, prev = [], repo.genesis_hash(TENANT, CASE_ID)
    for seq in range(1, n + 1):
        entry = HistoryEntry(T0 + timedelta(minutes=seq), "u", f"a{seq}", None if seq == 1 else "s", "s", "")
        digest = repo.entry_hash(prev, TENANT, CASE_ID, seq, entry)
        rows.append({**entry.__dict__, "seq": seq, "prev_hash": prev, "hash": digest})
        prev = digest
    case_row = {"tenant_id": TENANT, "id": CASE_ID, "number": "napo-1", "version": n, "history_head": prev}
    return case_row, rows


def test_an_intact_chain_has_no_problem() -> None:
    assert repo.verify_chain(*chain(4)) == []


def test_an_edited_entry_is_found() -> None:
    case_row, rows = chain(4)
    rows[1]["reason"] = "changed"
    assert [(p.seq, "edited" in p.problem) for p in repo.verify_chain(case_row, rows)] == [(2, True)]


def test_an_edited_entry_with_its_hash_recomputed_breaks_the_next_link() -> None:
    case_row, rows = chain(4)
    rows[1]["actor"] = "other"
    rows[1]["hash"] = repo.entry_hash(rows[1]["prev_hash"], TENANT, CASE_ID, 2, repo._entry(rows[1]))
    assert [p.seq for p in repo.verify_chain(case_row, rows)] == [3]


def test_removed_and_cut_entries_are_found() -> None:
    case_row, rows = chain(4)
    problems = repo.verify_chain(case_row, rows[:1] + rows[2:])
    assert problems[0].seq == 3 and "missing" in problems[0].problem
    assert {p.seq for p in repo.verify_chain(case_row, rows[:3])} == {None}


def test_an_entry_of_another_case_does_not_fit() -> None:
    case_row, rows = chain(2)
    assert repo.verify_chain({**case_row, "id": "00000000-0000-0000-0000-000000000000"}, rows)


def test_every_domain_event_maps_to_its_proto_message() -> None:
    item = CatalogueItem(
        code="dibao",
        name="低保",
        category="civil_affairs",
        level="township",
        kind="approval",
        statutory_days=5,
        promised_days=3,
        materials=(Material("id_card", "身份证"),),
    )
    at = iter(T0 + timedelta(minutes=i) for i in range(100))
    case = Case.receive(
        id=CASE_ID,
        number="napo-1",
        tenant=TENANT,
        item=item,
        kind="promised",
        level="township",
        channel="walk_in",
        applicant=Applicant("张三", "13800000000"),
        materials=[],
        actor="u",
        at=next(at),
    )
    case.request_supplement("u", next(at))
    case.submit_materials("u", next(at), ["id_card"])
    case.accept("u", next(at))
    case.assign("u", next(at), "h")
    case.escalate("u", next(at), "county", "r", department="civil")
    case.resume("u", next(at))
    case.extend("u", next(at), 2, "r")
    case.press("u", next(at), "n")
    case.complete("u", next(at), "denied", "不符合条件")
    case.reply("u", next(at), "satisfied")
    case.archive("u", next(at))
    kinds = {type(e) for e in case.events}
    for event_cls in (d.CaseRefused, d.CaseReturned, d.CaseWithdrawn):
        kinds.add(event_cls)
    assert kinds == set(d.CaseEvent.__subclasses__())
    for version, event in enumerate(case.events, start=1):
        message = event_message(case, event, state=case.history[version - 1].to_state, version=version)
        assert type(message) is getattr(events_pb2, type(event).__name__)
        assert message.case.version == version and message.actor == "u"
    accepted = event_message(case, case.events[3], state="accepted", version=4)
    assert event_type_of(accepted) == "case_accepted"
    s = accepted.case  # every enum travels as its value, none left UNSPECIFIED
    assert (s.kind, s.state, s.level, s.channel) == (2, 4, 2, 1)
    assert not s.HasField("applicant")  # personal data travels only sealed (applicant_sealed)
    escalated = event_message(case, case.events[5], state="escalated", version=6)
    assert escalated.to_level == 3  # HANDLING_LEVEL_COUNTY
    refused = d.CaseRefused(case_id=CASE_ID, tenant=TENANT, actor="u", at=T0, reason="r", refer_to="县局")
    assert event_message(case, refused, state="not_accepted", version=1).refer_to == "县局"
    returned = d.CaseReturned(
        case_id=CASE_ID, tenant=TENANT, actor="u", at=T0, reason="法律禁止的事项不予办理"
    )
    assert event_message(case, returned, state="returned", version=1).reason_detailed
    withdrawn = d.CaseWithdrawn(case_id=CASE_ID, tenant=TENANT, actor="u", at=T0, reason="r")
    assert event_message(case, withdrawn, state="withdrawn", version=1).withdrawn_at.seconds


def test_an_extensions_days_are_chained_and_older_entries_keep_their_hashes() -> None:
    plain = HistoryEntry(T0, "u", "accept", "received", "accepted", "")
    assert "working_days" not in repo.canonical_entry(TENANT, CASE_ID, 1, plain)  # as before 0007
    case_row, rows = chain(3)
    extend = HistoryEntry(T0 + timedelta(hours=1), "u", "extend", "s", "s", "需实地核查", 3)
    digest = repo.entry_hash(rows[-1]["hash"], TENANT, CASE_ID, 4, extend)
    rows.append({**extend.__dict__, "seq": 4, "prev_hash": rows[-1]["hash"], "hash": digest})
    case_row = {**case_row, "version": 4, "history_head": digest}
    assert repo.verify_chain(case_row, rows) == []
    rows[-1]["working_days"] = 30  # a longer extension written in afterwards
    assert [(p.seq, "edited" in p.problem) for p in repo.verify_chain(case_row, rows)] == [(4, True)]
