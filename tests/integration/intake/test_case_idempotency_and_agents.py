"""What intake lets a proxy agent do, and the idempotent create (migration intake 0017), on the
migrated database: a retried CreateCase with the same Idempotency-Key returns the first case (and a
different case under the key is a conflict); a proxy agent decides its own village-level
delegation cases on the spot and brings results back (reply, archive), and acts on nothing else."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from libs.common import db
from libs.common.errors import Forbidden, IdempotencyConflict
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.intake.adapters import tables
from services.intake.domain.catalogue import as_data, catalogue_item
from services.intake.service_layer import cases
from tests.integration.intake.test_case_details import onboard
from tests.integration.intake.test_case_store import COMPLETE, ITEM

pytestmark = pytest.mark.integration

PROXY = replace(
    COMPLETE, channel="proxy", level="village", accept_if_complete=False, kind="", village="nongcun"
)


def _principal(tenant: str, username: str, *roles: str) -> Principal:
    return Principal(username, frozenset(roles), frozenset({tenant}), tenant.split(".")[0])


@pytest.fixture
def known(runtime: Runtime) -> str:
    tenant = f"c{uuid.uuid4().hex[:8]}.napo"
    onboard(runtime, tenant)
    village_item = catalogue_item(
        {
            **ITEM,
            "code": "cert",
            "level": "village",
            "kind": "registration",
            "statutory_days": 0,
            "promised_days": 0,
        }
    )
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            tables.catalogue_item.insert().values(
                tenant_id=tenant, **as_data(village_item), template_promised_days=0, updated_by="t"
            )
        )
    return tenant


def test_a_retried_create_returns_the_first_case(runtime: Runtime, known: str) -> None:
    agent = _principal(known, "lan", "proxy_agent")
    first = cases.create(runtime.sessions, agent, known, PROXY, "delegation:1")
    again = cases.create(runtime.sessions, agent, known, PROXY, "delegation:1")
    assert again.case.id == first.case.id and again.case.number == first.case.number
    other = cases.create(
        runtime.sessions, _principal(known, "mo", "proxy_agent"), known, PROXY, "delegation:1"
    )
    assert other.case.id != first.case.id  # a key is its creator's
    with pytest.raises(IdempotencyConflict):
        cases.create(runtime.sessions, agent, known, replace(PROXY, item_code="cert"), "delegation:1")
    assert cases.create(runtime.sessions, agent, known, PROXY).case.id != first.case.id  # no key: a new case


def test_an_agent_decides_its_own_village_case_and_brings_results_back(runtime: Runtime, known: str) -> None:
    agent = _principal(known, "lan", "proxy_agent")
    case = cases.create(runtime.sessions, agent, known, replace(PROXY, item_code="cert")).case
    assert case.state == "accepted"  # an immediate case entered complete runs from its entry (§3.3)
    for action, args in (
        ("assign", {"handler": "lan"}),
        ("complete", {"outcome": "approved"}),
        ("reply", {"satisfaction": "satisfied"}),
        ("archive", {}),
    ):
        case = cases.act(runtime.sessions, agent, known, case.id, case.version, action, **args).case
    assert case.state == "archived" and case.first_ask == "lan" and case.handler == "lan"


def test_an_agent_acts_on_nothing_else(runtime: Runtime, known: str) -> None:
    agent, other = _principal(known, "lan", "proxy_agent"), _principal(known, "mo", "proxy_agent")
    township = cases.create(runtime.sessions, agent, known, PROXY).case  # a township item
    with pytest.raises(Forbidden, match="township handles it"):
        cases.act(runtime.sessions, agent, known, township.id, township.version, "accept")
    village = cases.create(runtime.sessions, agent, known, replace(PROXY, item_code="cert")).case
    with pytest.raises(Forbidden, match="own delegations"):
        cases.act(runtime.sessions, other, known, village.id, village.version, "accept")
    walk_in = cases.create(
        runtime.sessions,
        _principal(known, "w1", "window_staff"),
        known,
        replace(PROXY, item_code="cert", channel="walk_in"),
    ).case
    with pytest.raises(Forbidden):
        cases.act(runtime.sessions, agent, known, walk_in.id, walk_in.version, "accept")
    with pytest.raises(Forbidden):  # not one of the agent's actions
        cases.act(
            runtime.sessions,
            agent,
            known,
            village.id,
            village.version,
            "escalate",
            to_level="township",
            reason="x",
        )
    staff = _principal(known, "w1", "window_staff")
    assert (
        cases.act(runtime.sessions, staff, known, township.id, township.version, "accept").case.state
        == "accepted"
    )
