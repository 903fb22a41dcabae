"""The delegation (委托, DOMAIN.md §6.2–6.3; API.md *Proxy*) as a pure aggregate: a villager's
matter written in the proxy register (代办记录簿) and carried ask → accept → carry → reply → file.
Pure: no database, no protos, no clock — every action takes the instant `at` from its caller.

Rules from seed 002:
- consent: "代办事项必须由群众委托，群众不愿代办或涉及个人隐私的不代办" — a written consent
  (signature or thumbprint), when, by whom; its time is not in the future (`MAX_CLOCK_SKEW`);
- free: "村民事务代办实行无偿服务，不收取任何手续费、代办费，群众只需缴纳按政策规定收取的费用，如工本费等"
  — only the item's statutory fee passes through, never more, with its receipt number;
- on the spot: "代办员在职权范围内可以当场办理的，给予当场办理" — a village-level item is decided
  by the agent at once (`decide`), anything else waits for the next trip day (`await_trip`).
Which items may be proxied at all (privacy, in person, proxyable) and who is excluded is the
service layer's check before `register`; this module takes the item's level as a fact.

State machine (an action not listed for the state raises `InvalidTransition`, nothing changes)::

    action        from                                         to
    ------------  -------------------------------------------  -------------
    register      —                                            accepted
    decide        accepted (village-level item)                decided
    await_trip    accepted (not a village-level item)          awaiting_trip
    deliver       awaiting_trip                                at_township
    carry         awaiting_trip, at_county                     (unchanged: dispatch's carrier)
    reply         decided, returned (replied without its card)     replied
    file          replied                                      filed

and the steps of its intake case (`follow`, the worker; never refused — a step that does not
apply, or is older than what the delegation already knows by the case's version, is ignored and
changes nothing)::

    case step           from                                         to
    ------------------  -------------------------------------------  -------------
    accepted            awaiting_trip                                at_township
    escalated (county)  awaiting_trip, at_township                   at_county
    resumed             at_county                                    at_township
    completed           awaiting_trip, at_township, at_county        returned
    replied             decided, returned, awaiting_trip,            replied
                        at_township, at_county
    archived            decided, returned, replied, …open            filed
    withdrawn           accepted, awaiting_trip, at_township,        withdrawn
                        at_county

Every transition is one history entry (actor, time, action, state), one event, version + 1.
Intake's events of different types travel on different queues, so they may arrive out of order:
the case's version (`case_version`) orders them, an older one is ignored."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TypedDict

from libs.common.errors import InvalidTransition, ValidationFailed, VersionConflict
from libs.common.pii import mask_address, mask_id_number, mask_name, mask_phone
from libs.common.text import check_one_of, check_text, clean_name

ACCEPTED = "accepted"
DECIDED = "decided"
AWAITING_TRIP = "awaiting_trip"
AT_TOWNSHIP = "at_township"
AT_COUNTY = "at_county"
RETURNED = "returned"
REPLIED = "replied"
FILED = "filed"
WITHDRAWN = "withdrawn"
STATES = (ACCEPTED, DECIDED, AWAITING_TRIP, AT_TOWNSHIP, AT_COUNTY, RETURNED, REPLIED, FILED, WITHDRAWN)
OPEN_STATES = frozenset({ACCEPTED, AWAITING_TRIP, AT_TOWNSHIP, AT_COUNTY})
TERMINAL_STATES = frozenset({FILED, WITHDRAWN})
RESULT_STATES = frozenset({DECIDED, RETURNED})  # the result came back to the village

METHODS = ("signature", "thumbprint")
OUTCOMES = ("approved", "denied")
SATISFACTIONS = ("satisfied", "basically_satisfied", "dissatisfied")
VILLAGE_LEVEL = "village"
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_RECEIPT, MAX_REASON = 64, 500

ALLOWED: dict[str, frozenset[str]] = {
    "decide": frozenset({ACCEPTED}),
    "await_trip": frozenset({ACCEPTED}),
    "deliver": frozenset({AWAITING_TRIP}),
    "carry": frozenset({AWAITING_TRIP, AT_COUNTY}),
    "reply": frozenset({DECIDED, RETURNED}),
    "file": frozenset({REPLIED}),
}
ACTIONS = tuple(ALLOWED)

# the intake case's steps the worker follows: step → (the states it moves from, the state it moves to)
CASE_STEPS: dict[str, tuple[frozenset[str], str]] = {
    "accepted": (frozenset({AWAITING_TRIP}), AT_TOWNSHIP),
    "escalated": (frozenset({AWAITING_TRIP, AT_TOWNSHIP}), AT_COUNTY),
    "resumed": (frozenset({AT_COUNTY}), AT_TOWNSHIP),
    "completed": (frozenset({AWAITING_TRIP, AT_TOWNSHIP, AT_COUNTY}), RETURNED),
    "replied": (frozenset({DECIDED, RETURNED, AWAITING_TRIP, AT_TOWNSHIP, AT_COUNTY}), REPLIED),
    "archived": (frozenset({DECIDED, RETURNED, REPLIED, AWAITING_TRIP, AT_TOWNSHIP, AT_COUNTY}), FILED),
    "withdrawn": (OPEN_STATES, WITHDRAWN),
    # the township did not accept it (不予受理, with where to turn instead) or returned it (退件:
    # prohibited, not in line with policy): the answer is back with the village agent, who tells
    # the applicant on the implementation card — a result, the outcome denied with the reason
    "refused": (frozenset({AWAITING_TRIP, AT_TOWNSHIP}), RETURNED),
    "returned": (frozenset({AWAITING_TRIP, AT_TOWNSHIP, AT_COUNTY}), RETURNED),
}
DENIALS = frozenset({"refused", "returned"})


# --------------------------------------------------------------------------------------------
# Value objects


@dataclass(frozen=True)
class Consent:
    """The signed entrustment form (代办委托单): how, when, by whom (the applicant by default)."""

    method: str
    signed_at: datetime
    signed_by: str


@dataclass(frozen=True)
class Confirmation:
    """The implementation card (代办事项落实卡): how the applicant confirmed, when, who witnessed."""

    method: str
    at: datetime
    witnessed_by: str


@dataclass(frozen=True)
class Fee:
    """A statutory fee passed through (工本费 …) in fen, with its receipt number."""

    amount_fen: int
    receipt: str


@dataclass(frozen=True)
class Applicant:
    name: str
    phone: str
    id_number: str = ""
    address: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    state: str
    reason: str = ""


# --------------------------------------------------------------------------------------------
# Events (one per transition; names follow proto/bianmin/proxy/v1/events.proto)


@dataclass(frozen=True, kw_only=True)
class DelegationEvent:
    delegation_id: str
    tenant: str
    agent: str
    actor: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class DelegationRegistered(DelegationEvent):
    case_id: str
    item_code: str
    village: str


@dataclass(frozen=True, kw_only=True)
class DelegationMoved(DelegationEvent):
    """Any step but the registration, the reply and the filing: decided, awaiting_trip, at_township,
    at_county, returned, withdrawn (`action` says which step made it)."""

    case_id: str
    action: str
    from_state: str
    to_state: str
    trip_date: date | None = None
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class DelegationReassigned(DelegationEvent):
    """Dispatch chose who carries it on which trip."""

    case_id: str
    carrier: str
    previous_carrier: str
    trip_date: date
    trip_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class DelegationReplied(DelegationEvent):
    case_id: str
    method: str
    satisfaction: str


@dataclass(frozen=True, kw_only=True)
class DelegationArchived(DelegationEvent):
    case_id: str


class _Base(TypedDict):
    delegation_id: str
    tenant: str
    agent: str
    actor: str
    at: datetime


# --------------------------------------------------------------------------------------------
# The aggregate


@dataclass
class Delegation:
    """A delegation. Build it with `Delegation.register`; move it only with its methods."""

    id: str
    tenant: str
    agent: str
    village: str
    household_id: str
    applicant: Applicant
    item_code: str
    item_level: str  # the catalogue's handling level: village | township | county
    consent: Consent
    materials: tuple[str, ...]
    case_id: str
    case_number: str
    created_at: datetime
    fee: Fee | None = None
    state: str = ACCEPTED
    case_version: int = 0  # the newest version of the intake case this delegation followed
    trip_date: date | None = None
    carrier: str = ""  # the agent who carries it on its trip (dispatch); "" while not carried
    trip_id: str = ""
    outcome: str = ""
    outcome_reason: str = ""
    confirmation: Confirmation | None = None
    satisfaction: str = ""
    version: int = 0
    history: list[HistoryEntry] = field(default_factory=list)
    events: list[DelegationEvent] = field(default_factory=list)

    @property
    def decided_in_village(self) -> bool:
        return self.item_level == VILLAGE_LEVEL

    @property
    def completed_at(self) -> datetime | None:
        """When its result came back — decided on the spot, or returned from the township or the
        county: the first step into either (what quotas and stars count, domain/performance.py)."""
        return next((h.at for h in self.history if h.state in RESULT_STATES), None)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def can(self, action: str) -> bool:
        return self.state in ALLOWED[action]

    def seen_by(self, username: str) -> tuple[Applicant, bool]:
        """The applicant as `username` may see them (DOMAIN.md §11): in full for the delegation's
        agent, else masked; and whether masked."""
        if username == self.agent:
            return self.applicant, False
        a = self.applicant
        return (
            Applicant(
                mask_name(a.name), mask_phone(a.phone), mask_id_number(a.id_number) if a.id_number else "",
                mask_address(a.address) if a.address else "",
            ),
            True,
        )  # fmt: skip

    def check_version(self, expected: int) -> None:
        if expected and expected != self.version:
            raise VersionConflict(
                f"delegation {self.id} is at version {self.version}, not {expected}",
                expected=expected,
                actual=self.version,
            )

    # ---- registering

    @classmethod
    def register(
        cls,
        *,
        id: str,
        tenant: str,
        agent: str,
        village: str,
        household_id: str,
        applicant: Applicant,
        item_code: str,
        item_level: str,
        statutory_fee_fen: int,
        consent: Consent,
        materials: tuple[str, ...],
        case_id: str,
        case_number: str,
        fee: Fee | None,
        at: datetime,
    ) -> Delegation:
        """Write the delegation in the register (accepted), for the intake case just created."""
        _check_at(at)
        _required(agent, "agent")
        _required(case_id, "case_id")
        applicant = replace(applicant, name=clean_name(applicant.name, "applicant name"))
        _required(applicant.phone, "applicant phone")
        consent = check_consent(consent, at)
        fee = check_fee(fee, statutory_fee_fen)
        delegation = cls(
            id=id, tenant=tenant, agent=agent, village=village, household_id=household_id,
            applicant=applicant, item_code=item_code, item_level=item_level, consent=consent,
            materials=tuple(materials), case_id=case_id, case_number=case_number, created_at=at, fee=fee,
        )  # fmt: skip
        event = DelegationRegistered(
            case_id=case_id, item_code=item_code, village=village, **delegation._e(agent, at)
        )
        delegation._record("register", ACCEPTED, agent, at, "", event)
        return delegation

    # ---- the agent's actions

    def decide(self, actor: str, at: datetime, outcome: str = "approved", reason: str = "") -> None:
        """Decided on the spot (当场办理): only a village-level item; denied needs the reason."""
        self._guard("decide", actor, at)
        if not self.decided_in_village:
            raise ValidationFailed(
                f"item {self.item_code} is decided at the {self.item_level}, not on the spot in the village"
            )
        check_one_of(outcome, OUTCOMES, "outcome")
        reason = (reason or "").strip()
        if outcome == "denied" and not reason:
            raise ValidationFailed("a denial needs a reason", field="reason")
        check_text(reason, "reason", MAX_REASON, required=False)
        self.outcome, self.outcome_reason = outcome, reason
        self._move("decide", DECIDED, actor, at, reason)

    def await_trip(
        self, actor: str, at: datetime, trip_date: date, *, carrier: str = "", trip_id: str = ""
    ) -> None:
        """Waits for the next trip day to be carried to the township (by `carrier`, default its agent)."""
        self._guard("await_trip", actor, at)
        if self.decided_in_village:
            raise ValidationFailed(f"item {self.item_code} is decided in the village: no trip")
        _check_trip_date(trip_date, at)
        self.trip_date, self.carrier, self.trip_id = trip_date, carrier or self.agent, trip_id
        self._move("await_trip", AWAITING_TRIP, actor, at, "", trip_date=trip_date)

    def carry(
        self, actor: str, at: datetime, carrier: str, trip_date: date, trip_id: str, reason: str
    ) -> None:
        """Dispatch (DOMAIN.md §6.4): `carrier` carries it on the trip of `trip_date` — a township
        agent to the county, a backup for an agent away, the next trip after a missed one. The
        state stays; the step is in the history (action `carry`, the reason) with its event."""
        self._guard("carry", actor, at)
        _check_trip_date(trip_date, at)
        previous = self.carrier
        self.carrier, self.trip_date, self.trip_id = carrier, trip_date, trip_id
        event = DelegationReassigned(
            case_id=self.case_id, carrier=carrier, previous_carrier=previous, trip_date=trip_date,
            trip_id=trip_id, reason=reason, **self._e(actor, at),
        )  # fmt: skip
        self._record("carry", self.state, actor, at, reason, event)

    def deliver(self, actor: str, at: datetime) -> None:
        """The trip delivered it to the township centre."""
        self._guard("deliver", actor, at)
        self._move("deliver", AT_TOWNSHIP, actor, at, "")

    def reply(self, actor: str, at: datetime, confirmation: Confirmation, satisfaction: str) -> None:
        """The implementation card signed (or thumbprinted) and the satisfaction rated. Also once
        the worker saw the case replied before the card was recorded (a race with its own reply):
        the card is still recorded, once."""
        if self.state == REPLIED and self.confirmation is None:
            _required(actor, "actor")
            _check_at(at)
        else:
            self._guard("reply", actor, at)
        check_one_of(satisfaction, SATISFACTIONS, "satisfaction")
        confirmation = check_confirmation(confirmation, at, self.created_at)
        self.confirmation, self.satisfaction = confirmation, satisfaction
        event = DelegationReplied(
            case_id=self.case_id, method=confirmation.method, satisfaction=satisfaction, **self._e(actor, at)
        )
        self._record("reply", REPLIED, actor, at, "", event)

    def file(self, actor: str, at: datetime) -> None:
        """Closed and filed (建档)."""
        self._guard("file", actor, at)
        self._record(
            "file", FILED, actor, at, "", DelegationArchived(case_id=self.case_id, **self._e(actor, at))
        )

    # ---- following the intake case (the worker)

    def follow(
        self, step: str, case_version: int, actor: str, at: datetime, *, to_level: str = "", reason: str = ""
    ) -> bool:
        """The intake case took `step` (at its version `case_version`): move along if it applies
        and is news. Returns whether anything changed."""
        if step not in CASE_STEPS:
            raise ValueError(f"not a case step: {step!r}")
        _check_at(at)
        if case_version <= self.case_version:
            return False  # a redelivery or a step overtaken by a newer one
        self.case_version = case_version
        sources, to = CASE_STEPS[step]
        if step == "escalated" and to_level != "county":
            return False  # escalated within the township: it stays where it is
        if self.state not in sources:
            return False
        actor = (actor or "system").strip() or "system"
        if step == "replied":
            self._record(
                "case_replied", REPLIED, actor, at, "",
                DelegationMoved(case_id=self.case_id, action="case_replied", from_state=self.state,
                                to_state=REPLIED, **self._e(actor, at)),
            )  # fmt: skip
        elif step == "archived":
            self._record(
                "case_archived",
                FILED,
                actor,
                at,
                "",
                DelegationArchived(case_id=self.case_id, **self._e(actor, at)),
            )
        else:
            if step in DENIALS:
                self.outcome, self.outcome_reason = "denied", (reason or "").strip()[:MAX_REASON]
            self._move(f"case_{step}", to, actor, at, (reason or "").strip())
        return True

    # ---- internals

    def _guard(self, action: str, actor: str, at: datetime) -> None:
        if self.state not in ALLOWED[action]:
            allowed = ", ".join(s for s in STATES if s in ALLOWED[action])
            raise InvalidTransition(
                f"cannot {action.replace('_', ' ')} delegation {self.id} in state {self.state} "
                f"(allowed from: {allowed})",
                action=action,
                state=self.state,
            )
        _required(actor, "actor")
        _check_at(at)

    def _e(self, actor: str, at: datetime) -> _Base:
        return {
            "delegation_id": self.id,
            "tenant": self.tenant,
            "agent": self.agent,
            "actor": actor.strip(),
            "at": at,
        }

    def _move(
        self, action: str, to: str, actor: str, at: datetime, reason: str, *, trip_date: date | None = None
    ) -> None:
        event = DelegationMoved(
            case_id=self.case_id, action=action, from_state=self.state, to_state=to, trip_date=trip_date,
            reason=reason, **self._e(actor, at),
        )  # fmt: skip
        self._record(action, to, actor, at, reason, event)

    def _record(
        self, action: str, to: str, actor: str, at: datetime, reason: str, event: DelegationEvent
    ) -> None:
        self.history.append(HistoryEntry(at, actor.strip(), action, to, reason))
        self.state = to
        self.version += 1
        self.events.append(event)


# --------------------------------------------------------------------------------------------
# Checks


def check_consent(consent: Consent | None, at: datetime) -> Consent:
    """Written consent: a method, a time with its offset not after `at` (clock skew aside), a signer."""
    if consent is None:
        raise ValidationFailed(
            "consent: the applicant's signed entrustment form is required", field="consent"
        )
    check_one_of(consent.method, METHODS, "consent method")
    if not isinstance(consent.signed_at, datetime) or consent.signed_at.utcoffset() is None:
        raise ValidationFailed("consent signed_at: a time with its offset", field="consent")
    if consent.signed_at > at + MAX_CLOCK_SKEW:
        raise ValidationFailed("consent signed_at is in the future: consent is given before", field="consent")
    return replace(consent, signed_by=clean_name(consent.signed_by, "consent signed_by"))


def check_confirmation(confirmation: Confirmation | None, at: datetime, since: datetime) -> Confirmation:
    if confirmation is None:
        raise ValidationFailed(
            "confirmation: the signed implementation card is required", field="confirmation"
        )
    check_one_of(confirmation.method, METHODS, "confirmation method")
    if not isinstance(confirmation.at, datetime) or confirmation.at.utcoffset() is None:
        raise ValidationFailed("confirmation at: a time with its offset", field="confirmation")
    if confirmation.at > at + MAX_CLOCK_SKEW:
        raise ValidationFailed("confirmation at is in the future", field="confirmation")
    if confirmation.at < since - MAX_CLOCK_SKEW:
        raise ValidationFailed(
            "confirmation at is before the delegation was registered", field="confirmation"
        )
    _required(confirmation.witnessed_by, "confirmation witness")
    return confirmation


def check_fee(fee: Fee | None, statutory_fee_fen: int) -> Fee | None:
    """Only the statutory fee passes through, with a receipt; the proxying is free (无偿原则)."""
    if fee is None or fee.amount_fen == 0:
        return None
    if isinstance(fee.amount_fen, bool) or not isinstance(fee.amount_fen, int) or fee.amount_fen < 0:
        raise ValidationFailed("fee amount must be a non-negative amount", field="fee")
    if fee.amount_fen > statutory_fee_fen:
        raise ValidationFailed(
            f"fee: proxying is free; only the item's statutory fee ({statutory_fee_fen / 100:.2f} yuan) "
            "passes through",
            field="fee",
        )
    receipt = (fee.receipt or "").strip()
    if not receipt:
        raise ValidationFailed("fee: a statutory fee is recorded with its receipt number", field="fee")
    check_text(receipt, "fee receipt", MAX_RECEIPT)
    return Fee(fee.amount_fen, receipt)


def _check_trip_date(trip_date: object, at: datetime) -> None:
    if not isinstance(trip_date, date) or trip_date < at.date() - timedelta(days=1):
        raise ValidationFailed("trip_date: the next trip day, not one past")


def _required(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{what} is required")
    return value.strip()


def _check_at(at: object) -> None:
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise ValidationFailed("the instant must be a timezone-aware datetime")
