"""The township check of the cases use cases after it was folded into fewer transactions (README: what a
lifecycle costs): an unknown township is still not_found before anything else, for every way an
action, a read or a creation can otherwise fail; a known one still answers with the real error."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from libs.common import db
from libs.common.errors import Forbidden, NotFound, ValidationFailed, VersionConflict
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.intake.adapters import case_repository as repo
from services.intake.adapters import tables
from services.intake.service_layer import cases
from tests.integration.intake.test_case_details import onboard
from tests.integration.intake.test_case_store import COMPLETE

pytestmark = pytest.mark.integration
RECEIVED = replace(COMPLETE, accept_if_complete=False)


def _principal(tenant: str, *roles: str) -> Principal:
    county = tenant.split(".")[0]
    return Principal("w1", frozenset(roles or ("window_staff",)), frozenset({tenant}), county)


@pytest.fixture
def known(runtime: Runtime) -> str:
    tenant = f"c{uuid.uuid4().hex[:8]}.napo"
    onboard(runtime, tenant)
    return tenant


def test_an_unknown_township_is_not_found_whatever_else_is_wrong(runtime: Runtime, known: str) -> None:
    ghost = f"{known.split('.')[0]}.ghost"
    staff, reader = _principal(ghost), _principal(ghost, "petition_officer")
    case_id = str(uuid.uuid4())
    calls = [
        lambda: cases.act(runtime.sessions, staff, ghost, case_id, 1, "accept"),  # no such case
        lambda: cases.act(runtime.sessions, staff, ghost, case_id, 1, "no_such_action"),
        lambda: cases.act(runtime.sessions, staff, ghost, case_id, 1, "accept", bogus=1),
        lambda: cases.act(runtime.sessions, reader, ghost, case_id, 1, "accept"),  # wrong role
        lambda: cases.act(runtime.sessions, None, ghost, case_id, 1, "accept"),  # no token
        lambda: cases.get(runtime.sessions, None, ghost, case_id),
        lambda: cases.create(runtime.sessions, reader, ghost, COMPLETE),
    ]
    for call in calls:
        with pytest.raises(NotFound, match="not known here"):
            call()


def test_a_known_township_answers_with_the_real_error_and_acts(runtime: Runtime, known: str) -> None:
    staff = _principal(known)
    case = cases.create(runtime.sessions, _principal(known, "intake_desk"), known, RECEIVED).case
    with pytest.raises(Forbidden):
        cases.act(runtime.sessions, _principal(known, "petition_officer"), known, case.id, 1, "accept")
    with pytest.raises(ValidationFailed):
        cases.act(runtime.sessions, staff, known, case.id, case.version, "no_such_action")
    with pytest.raises(VersionConflict):
        cases.act(runtime.sessions, staff, known, case.id, case.version + 5, "accept")
    with pytest.raises(NotFound, match="no case"):
        cases.act(runtime.sessions, staff, known, str(uuid.uuid4()), 1, "accept")
    accepted = cases.act(runtime.sessions, staff, known, case.id, case.version, "accept")
    assert accepted.case.state == "accepted"
    assert accepted.clock.state == "running"
    assert cases.load(runtime.sessions, known, case.id).version == accepted.case.version
    seen = cases.get(runtime.sessions, staff, known, case.id)
    assert (seen.case.state, seen.item_name) == ("accepted", accepted.item_name)
    assert seen.item_name  # the item's name, from the one catalogue read


@pytest.mark.parametrize(
    "applicant",
    [
        COMPLETE.applicant,
        replace(COMPLETE.applicant, email="zhang@example.cn", address="那坡镇那坡村12号"),
    ],
    ids=["phone only", "with e-mail and address"],
)
def test_each_answer_is_the_case_as_a_read_finds_it(runtime: Runtime, known: str, applicant: object) -> None:
    """Create and the actions answer with the case in hand, not read back (README: what a lifecycle
    costs): the answer must be what a read of the case gives right after, field by field, for the
    handler (in full) and for a reader who sees it masked."""
    staff, reader = _principal(known), Principal("r1", frozenset({"window_staff"}), frozenset({known}), "c")
    cmd = replace(RECEIVED, applicant=applicant)  # type: ignore[arg-type]
    answer = cases.create(runtime.sessions, staff, known, cmd)
    assert answer == cases.get(runtime.sessions, staff, known, answer.case.id)
    steps = [
        ("accept", {}),
        ("assign", {"handler": "w1"}),
        ("escalate", {"to_level": "county", "reason": "需县级审批", "department": "civil"}),
        ("resume", {}),
        ("extend", {"working_days": 3, "reason": "需实地核查"}),
        ("complete", {"outcome": "approved"}),
    ]
    for action, args in steps:
        answer = cases.act(
            runtime.sessions, staff, known, answer.case.id, answer.case.version, action, **args
        )
        assert answer == cases.get(runtime.sessions, staff, known, answer.case.id), action
        assert not answer.masked and answer.case.applicant == applicant
    seen = cases.get(runtime.sessions, reader, known, answer.case.id)
    assert seen.masked and seen.case.applicant != applicant and seen.case.history == answer.case.history


def test_the_catalogue_item_is_read_once_a_transaction(runtime: Runtime, known: str) -> None:
    """A case's creation or action reads its catalogue item once (repo.catalogue_item), and never
    keeps it past the transaction: a session that runs another one reads the item again."""
    item = tables.catalogue_item
    with runtime.sessions() as s:
        with s.begin():
            db.set_local(s, db.TENANT_SETTING, known)
            first = repo.catalogue_item(s, known, RECEIVED.item_code)
            assert first is not None and repo.catalogue_item(s, known, RECEIVED.item_code) is first
            s.execute(item.update().where(item.c.code == RECEIVED.item_code).values(name="改名"))
        with s.begin():
            db.set_local(s, db.TENANT_SETTING, known)
            again = repo.catalogue_item(s, known, RECEIVED.item_code)
            assert again is not None and again["name"] == "改名" != first["name"]
