"""Delegations (委托, DOMAIN.md §6.2–6.3; API.md *Proxy*): registering one with its intake case,
reading them, the agent's reply (the implementation card) and filing.

Who (service_layer/access.py): a `proxy_agent` who is an active agent of the township registers
delegations for a village it acts for (its own; a township agent any); the agent and its backup
reply and file. Reading: the township's admins and case staff and the county supervisor see all
(masked), a village-level agent its village's, a township agent the township's; the applicant is
shown in full only to the delegation's agent.

Create (`create`), in this order, refusing with `validation_error` and creating nothing:
1. the caller is an agent for the village; the household (if named) is of that village; the
   consent is written and not in the future; the person is not on the exclusion list (the answer
   says "excluded", never the recorded reason — seed 002 篇6 不代办对象);
2. intake's catalogue item (over gRPC: `Intake.item`) is proxyable, not privacy-sensitive (seed 002
   "涉及个人隐私的不代办"), not one needing the applicant in person (seed 002 "需要当事人在场办理的事项，
   则由代办员带领当事人协同办理": the agent accompanies instead); a fee is the item's statutory one with
   its receipt; a village-level item (decided on the spot) has its required materials;
3. intake creates the case (level village, channel proxy, the agent the first-ask person, the
   village) under the Idempotency-Key `delegation:<id>` — the delegation's id is derived from the
   caller's own key, so a retry after any failure finds the same case, and then the same delegation;
4. a village-level item is decided on the spot in intake (accept, assign to the agent, complete);
   any other waits for the next trip day (tenant setting `trip_days`, domain/trip.py);
5. the delegation and its events are stored in one transaction.

The reply calls intake's reply (the case records the satisfaction) and then records the card;
filing archives the case, then files the delegation — each step retried is harmless (the intake
side is checked first: a case already replied/archived is not asked again)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.contact import check_phone, check_resident_id
from libs.common.errors import Forbidden, IdempotencyConflict, NotFound, ValidationFailed
from libs.common.paging import Page, PageRequest
from libs.common.tenancy import Principal, require_tenant, validate_code, validate_username
from libs.common.tenant_projection import require_known
from libs.common.text import check_one_of, clean_name
from services.proxy.adapters import agent_repository as agents_repo
from services.proxy.adapters import delegation_repository as repo
from services.proxy.adapters import household_repository as households_repo
from services.proxy.adapters import tables
from services.proxy.domain import delegation as domain
from services.proxy.domain.agent import Agent
from services.proxy.domain.delegation import Applicant, Confirmation, Consent, Delegation, Fee
from services.proxy.domain.intake_case import CaseRef, ItemFacts
from services.proxy.domain.trip import COUNTY, TOWNSHIP
from services.proxy.service_layer import access, exclusions, trips

# who reads the register (masked but for the delegation's agent)
READERS = (*access.TOWNSHIP_STAFF, "county_admin", "county_supervisor")
MAX_IDEMPOTENCY_KEY = 200
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
_IDS = uuid.UUID("6f1d3c2e-6b8a-4c1e-9a57-0d7e2b3c4a51")  # namespace of ids derived from a key


class Intake(Protocol):
    """Intake's API as proxy calls it (adapters/intake_client.py), as the calling agent."""

    def item(self, code: str) -> ItemFacts | None: ...

    def create_case(
        self, *, item_code: str, applicant: Applicant, materials: tuple[str, ...], village: str, key: str
    ) -> CaseRef: ...

    def decide(self, case: CaseRef, agent: str, outcome: str, reason: str) -> CaseRef:
        """Accept, assign to `agent` and complete — each only if not yet done."""
        ...

    def get_case(self, case_id: str) -> CaseRef: ...

    def reply(self, case: CaseRef, satisfaction: str, confirmation: str) -> CaseRef: ...

    def archive(self, case: CaseRef) -> CaseRef: ...


@dataclass(frozen=True)
class NewDelegation:
    applicant: Applicant
    item_code: str
    consent: Consent | None
    materials: tuple[str, ...] = ()
    household_id: str = ""
    village: str = ""
    fee: Fee | None = None
    outcome: str = ""
    reason: str = ""


Now = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


# --- create -----------------------------------------------------------------------------------


def create(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    intake: Intake,
    cmd: NewDelegation,
    *,
    idempotency_key: str = "",
    now: Now = _utcnow,
) -> Delegation:
    """Register a delegation and its intake case (module docstring); the answer is as the caller
    (its agent) sees it."""
    scope = require_tenant(tenant)
    if len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
        raise ValidationFailed(f"Idempotency-Key: at most {MAX_IDEMPOTENCY_KEY} characters")
    at = now()
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, access.AGENT)
        delegation_id = (
            str(uuid.uuid5(_IDS, f"{scope}\n{who.username}\n{idempotency_key}"))
            if idempotency_key
            else str(uuid.uuid4())
        )
        earlier = repo.find(s, delegation_id)
        if earlier is not None:
            return _same_request(earlier, cmd)
        me = _acting_agent(s, who.username)
        village = _village(s, me, cmd.village)
        household = _household(s, cmd.household_id, village)
        applicant = _applicant(cmd.applicant)
        given = cmd.consent
        if given is not None and not (given.signed_by or "").strip():
            given = replace(given, signed_by=applicant.name)  # the applicant signs, by default
        consent = domain.check_consent(given, at)
        if exclusions.is_excluded(s, applicant.name, applicant.id_number, applicant.phone):
            raise ValidationFailed(
                "applicant: excluded — the person is on the township's list of people no delegation is "
                "taken for (不代办对象)",
                field="applicant",
            )
    item = intake.item(cmd.item_code)
    materials = tuple(dict.fromkeys(cmd.materials))
    fee = _checked_item(item, cmd, materials)
    assert item is not None
    case = intake.create_case(
        item_code=item.code, applicant=applicant, materials=materials, village=village,
        key=f"delegation:{delegation_id}",
    )  # fmt: skip
    outcome = cmd.outcome or "approved"
    if item.level == domain.VILLAGE_LEVEL:
        case = intake.decide(case, who.username, outcome, cmd.reason)
    with db.transaction(sessions, scope) as s:
        delegation = Delegation.register(
            id=delegation_id, tenant=scope, agent=who.username, village=village, household_id=household,
            applicant=applicant, item_code=item.code, item_level=item.level, statutory_fee_fen=item.fee_fen,
            consent=consent, materials=materials, case_id=case.id, case_number=case.number, fee=fee, at=at,
        )  # fmt: skip
        if item.level == domain.VILLAGE_LEVEL:
            delegation.decide(who.username, at, outcome, cmd.reason)
        else:  # on its carrier's trip of the next trip day at once (dispatch)
            trips.plan(s, delegation, destination=TOWNSHIP, actor=who.username, at=at)
        delegation.case_version = case.version
        if not repo.add(s, delegation, idempotency_key=idempotency_key):
            return _same_request(repo.get(s, delegation_id), cmd)  # a concurrent retry won
    return delegation


def _checked_item(item: ItemFacts | None, cmd: NewDelegation, materials: tuple[str, ...]) -> Fee | None:
    if item is None:
        raise ValidationFailed(
            f"item_code: {cmd.item_code!r} is not in the township's catalogue", field="item_code"
        )
    if item.privacy_sensitive:
        raise ValidationFailed(
            f"item_code: {item.code} concerns personal privacy (涉及个人隐私) and is never proxied",
            field="item_code",
        )
    if item.in_person:
        raise ValidationFailed(
            f"item_code: {item.code} needs the applicant in person (需本人到场): the agent accompanies the "
            "applicant instead (协同办理), no delegation",
            field="item_code",
        )
    if not item.proxyable:
        raise ValidationFailed(
            f"item_code: {item.code} is not an item agents may carry (可代办)", field="item_code"
        )
    fee = domain.check_fee(cmd.fee, item.fee_fen)
    if cmd.outcome:
        check_one_of(cmd.outcome, domain.OUTCOMES, "outcome")
        if item.level != domain.VILLAGE_LEVEL:
            raise ValidationFailed(
                f"outcome: item {item.code} is decided at the {item.level}, not on the spot", field="outcome"
            )
        if cmd.outcome == "denied" and not cmd.reason.strip():
            raise ValidationFailed("reason: a denial on the spot needs its reason", field="reason")
    if item.level == domain.VILLAGE_LEVEL:
        missing = [m for m in item.required_materials if m not in materials]
        if missing:
            raise ValidationFailed(
                f"materials: decided on the spot once complete; missing {', '.join(missing)}",
                field="materials",
            )
    return fee


def _same_request(earlier: Delegation, cmd: NewDelegation) -> Delegation:
    if (earlier.item_code, earlier.applicant.name) != (cmd.item_code, (cmd.applicant.name or "").strip()):
        raise IdempotencyConflict("this Idempotency-Key was used for a different delegation")
    return earlier


def _acting_agent(s: Session, username: str) -> Agent:
    me = agents_repo.find(s, username)
    if me is None or not me.active:
        raise Forbidden(f"{username} is not an active agent of this township")
    return me


def _village(s: Session, me: Agent, village: str) -> str:
    village = (village or "").strip() or me.village
    if not village:
        raise ValidationFailed("village: a township agent names the village the delegation comes from")
    validate_code(village, "village")
    if village not in agents_repo.villages(s):
        raise ValidationFailed(f"village: no village {village} in this township", field="village")
    if not me.acts_for(village):
        raise Forbidden(f"{me.username} does not act for village {village}")
    return village


def _household(s: Session, household_id: str, village: str) -> str:
    household_id = (household_id or "").strip()
    if not household_id:
        return ""
    try:
        uuid.UUID(household_id)
        found = households_repo.get(s, household_id)
    except (ValueError, NotFound):
        raise ValidationFailed(f"household: no household {household_id!r} in this township") from None
    if found.village != village:
        raise ValidationFailed(f"household: {household_id} is not of village {village}", field="household")
    return household_id


def _applicant(a: Applicant) -> Applicant:
    name = clean_name(a.name, "applicant name")
    phone = check_phone(a.phone, "applicant phone")
    id_number = check_resident_id(a.id_number, "applicant id_number") if a.id_number else ""
    return Applicant(name, phone, id_number, (a.address or "").strip())


# --- reading ----------------------------------------------------------------------------------


def get(
    sessions: sessionmaker[Session], principal: Principal | None, tenant: str | None, delegation_id: str
) -> Delegation:
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *READERS)
        found = repo.find(s, _checked_id(delegation_id))
        villages = _villages_of(s, who)
        if found is None or (villages is not None and found.village not in villages):
            raise NotFound(f"no delegation {delegation_id!r} in this township")
    return found


def list_delegations(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    *,
    state: str = "",
    agent: str = "",
    village: str = "",
    page_size: int = 0,
    page_token: str = "",
) -> Page[Delegation]:
    if state:
        check_one_of(state, domain.STATES, "state")
    if agent:
        validate_username(agent, "agent")
    if village:
        validate_code(village, "village")
    request = PageRequest.of(page_size, page_token)
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, *READERS)
        rows = repo.page(
            s, state=state, agent=agent, village=village, villages=_villages_of(s, who),
            after=request.after, limit=request.size + 1,
        )  # fmt: skip
        items, token = paging.split(rows, request.size, lambda last: paging.key_token(last.id))
    return Page(items, token)


def _villages_of(s: Session, who: Principal) -> list[str] | None:
    """The villages whose delegations `who` may read (None: all): someone who only holds
    proxy_agent its agent's village (all as a township agent), none when not an agent."""
    if who.has_role(*(r for r in READERS if r != access.AGENT)):
        return None
    me = agents_repo.find(s, who.username)
    if me is None:
        return []
    return None if me.township_wide else [me.village]


def _checked_id(delegation_id: str) -> str:
    try:
        uuid.UUID(delegation_id)
    except (ValueError, TypeError, AttributeError):
        raise NotFound(f"no delegation {delegation_id!r} in this township") from None
    return delegation_id


# --- the agent's reply and filing ---------------------------------------------------------------


def reply(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    intake: Intake,
    delegation_id: str,
    *,
    confirmation: Confirmation | None,
    satisfaction: str,
    expected_version: int = 0,
    now: Now = _utcnow,
) -> Delegation:
    """The implementation card (代办事项落实卡) signed: only once the case is completed (decided or
    returned, else invalid_transition); intake's case records the satisfaction."""
    at = now()
    scope = require_tenant(tenant)
    current = _for_agent(sessions, principal, scope, delegation_id, expected_version)
    check = replace(current, events=[], history=list(current.history))
    if confirmation is not None:
        confirmation = replace(confirmation, witnessed_by=confirmation.witnessed_by or _username(principal))
    check.reply(_username(principal), at, confirmation, satisfaction)  # type: ignore[arg-type]  # refuses before intake
    assert check.confirmation is not None
    case = intake.get_case(current.case_id)
    if case.state == "completed":
        intake.reply(case, satisfaction, f"{check.confirmation.method} {check.confirmation.at.isoformat()}")
    return _save_step(sessions, scope, delegation_id, current.version, lambda d: d.reply(
        _username(principal), at, confirmation, satisfaction))  # type: ignore[arg-type]  # fmt: skip


def file(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    intake: Intake,
    delegation_id: str,
    *,
    expected_version: int = 0,
    now: Now = _utcnow,
) -> Delegation:
    """Close and file (建档): the case is archived."""
    at = now()
    scope = require_tenant(tenant)
    current = _for_agent(sessions, principal, scope, delegation_id, expected_version)
    check = replace(current, events=[], history=list(current.history))
    check.file(_username(principal), at)
    case = intake.get_case(current.case_id)
    if case.state == "replied":
        intake.archive(case)
    return _save_step(
        sessions, scope, delegation_id, current.version, lambda d: d.file(_username(principal), at),
        done=lambda d: d.state == domain.FILED,  # the worker saw the case archived first
    )  # fmt: skip


def _username(principal: Principal | None) -> str:
    return principal.username if principal is not None else ""


def _for_agent(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    scope: str,
    delegation_id: str,
    expected: int,
) -> Delegation:
    """The delegation, if the caller is its agent or that agent's backup (AB岗)."""
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = access.require(principal, scope, access.AGENT)
        found = repo.find(s, _checked_id(delegation_id))
        if found is None:
            raise NotFound(f"no delegation {delegation_id!r} in this township")
        if who.username != found.agent:
            owner = agents_repo.find(s, found.agent)
            if owner is None or owner.backup != who.username:
                villages = _villages_of(s, who)
                if villages is not None and found.village not in villages:
                    raise NotFound(f"no delegation {delegation_id!r} in this township")
                raise Forbidden("only the delegation's agent or its backup replies and files")
        found.check_version(expected)
    return found


def _save_step(
    sessions: sessionmaker[Session],
    scope: str,
    delegation_id: str,
    expected: int,
    step: Callable[[Delegation], None],
    *,
    done: Callable[[Delegation], bool] = lambda d: False,
) -> Delegation:
    """`step` on the delegation as it is now. The worker may have moved it since it was checked (it
    follows the case proxy has just changed in intake): when that did what `step` does already
    (`done`), the delegation as it is."""
    with db.transaction(sessions, scope) as s:
        d = repo.get(s, delegation_id, lock=True)
        if done(d):
            return d
        expected = d.version  # checked against the caller's If-Match before intake was asked
        step(d)
        repo.save(s, d, expected)
    return d


# --- following the intake case (the worker) ----------------------------------------------------


def follow_case(
    s: Session, case_id: str, step: str, case_version: int, actor: str, at: datetime, *, to_level: str = "",
    reason: str = "",
) -> bool:  # fmt: skip
    """The intake case of a delegation took `step`: record it on the delegation (if any; a case that
    is not a delegation's is not proxy's business), in the consumer's transaction."""
    d = repo.find_by_case(s, case_id, lock=True)
    if d is None:
        return False
    before = d.version
    known = d.case_version
    changed = d.follow(step, case_version, actor, at, to_level=to_level, reason=reason)
    if changed and d.state == domain.AT_COUNTY and step == "escalated":  # a township agent carries it
        trips.plan(s, d, destination=COUNTY, actor="system", at=at,
                   reason="escalated to a county department: a township agent carries it")  # fmt: skip
    if changed or d.case_version != known:
        repo.save(s, d, before)
    return changed
