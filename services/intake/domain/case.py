"""The case (办件, DOMAIN.md §3) as a pure aggregate: its states, the actions that move it, the
one-time supplement notice (§4) and supervision presses (§9). Pure: no database, no protos, no
clock — every action takes the instant `at` (timezone-aware) from its caller.

State machine (an action not listed for the current state raises `InvalidTransition` and
changes nothing: no version bump, no history entry, no event)::

    action              from                                        to
    ------------------  ------------------------------------------  ---------------------
    receive (factory)   —                                           received
    accept              received (materials complete)               accepted
    request_supplement  received (something missing)                supplement_requested
    submit_materials    received, supplement_requested              received
    refuse              received, supplement_requested              not_accepted
    assign              accepted                                    in_progress
                        in_progress, escalated (re-assignment)      (unchanged)
    escalate            in_progress                                 escalated
    resume              escalated                                   in_progress
    extend              in_progress                                 in_progress (extensions+1)
    complete            in_progress                                 completed
    return_             accepted, in_progress                       returned
    reply               completed                                   replied
    archive             replied                                     archived
    withdraw            any open state                              withdrawn
    press               any open state                              (unchanged; presses+1)

Open states: received, supplement_requested, accepted, in_progress, escalated. Terminal states
(no action at all): not_accepted, returned, archived, withdrawn. completed and replied are
closed (no withdraw, no press) but still move on to replied / archived.

Modelling choices:
- **Extension is not a state.** DOMAIN §3.1 draws `extended` next to in_progress, but an
  extended case is still being handled (it can be escalated, extended again or completed). The
  case stays `in_progress`, `extensions` counts the extensions and a `CaseExtended` event and
  an `extend` clock intent are recorded; the extension's working days are kept on its history
  entry (`HistoryEntry.working_days`), so the clock re-derives from the history alone.
  `CASE_STATE_EXTENDED` in case.proto is never used.
- **Every successful action is one transition**: state (possibly unchanged), one history entry,
  one event, version + 1 — so `version == len(history)` always. `receive` is version 1.
  `accept_if_complete` (on receive and submit_materials) is a second transition: accept when
  complete, else the one-time supplement notice.
- **Materials**: the item's materials are copied at receipt. A material is *missing* when it is
  not received and it is required or a notice asked for it. Acceptance is blocked by the missing
  ones except those the item lets the applicant supply after acceptance (`supply_later`).
- **One-time notice** (§4): a supplement notice lists every missing material. The first notice's
  list is kept (`first_notice`); a later notice listing anything the first did not is allowed
  but flagged `second_request=True` with the `unlisted` codes (a recorded violation). A notice
  may ask `also` for materials not yet missing (an optional one, or a received one found
  defective, which then counts as not received).
- **Where a case is**: `village` (from receipt), `window` and `department` (the handler's, set
  on assignment; the caller looks them up) — DOMAIN §3.4. Escalation has its own target:
  `escalated_to` and `escalated_department` (required for the county: a county department is
  who then sees and returns the case), cleared on resume.
- **Clock intents**: the clock is computed elsewhere; actions that affect it append a
  `ClockIntent` (start on accept, pause on escalate, resume, extend, stop on complete/return/
  withdraw once started) to `clock_intents`.
- Events are domain dataclasses named after proto/bianmin/intake/v1/events.proto; they carry
  codes, not the case summary (the service layer builds the wire message).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypedDict

from libs.common.contact import check_phone, check_resident_id
from libs.common.errors import InvalidTransition, MaterialsIncomplete, ValidationFailed, VersionConflict
from libs.common.tenancy import validate_code
from libs.common.text import check_one_of, clean_name
from services.intake.domain.catalogue import MAX_DAYS, CatalogueItem, Material

RECEIVED = "received"
SUPPLEMENT_REQUESTED = "supplement_requested"
NOT_ACCEPTED = "not_accepted"
ACCEPTED = "accepted"
IN_PROGRESS = "in_progress"
ESCALATED = "escalated"
COMPLETED = "completed"
RETURNED = "returned"
REPLIED = "replied"
ARCHIVED = "archived"
WITHDRAWN = "withdrawn"

STATES = (
    RECEIVED,
    SUPPLEMENT_REQUESTED,
    NOT_ACCEPTED,
    ACCEPTED,
    IN_PROGRESS,
    ESCALATED,
    COMPLETED,
    RETURNED,
    REPLIED,
    ARCHIVED,
    WITHDRAWN,
)
OPEN_STATES = frozenset({RECEIVED, SUPPLEMENT_REQUESTED, ACCEPTED, IN_PROGRESS, ESCALATED})
TERMINAL_STATES = frozenset({NOT_ACCEPTED, RETURNED, ARCHIVED, WITHDRAWN})
# the clock runs (or is paused) in these states: leaving them stops it
CLOCKED_STATES = frozenset({ACCEPTED, IN_PROGRESS, ESCALATED})

CASE_KINDS = ("immediate", "promised", "joint", "escalated", "special", "returned")
INTAKE_LEVELS = ("hall", "township", "village")
CHANNELS = ("walk_in", "phone", "proxy", "online")
ESCALATION_LEVELS = ("township", "county")
OUTCOMES = ("approved", "denied")
SATISFACTIONS = ("satisfied", "basically_satisfied", "dissatisfied")

# action → the states it may be taken from (the table of the module docstring)
ALLOWED: dict[str, frozenset[str]] = {
    "accept": frozenset({RECEIVED}),
    "request_supplement": frozenset({RECEIVED}),
    "submit_materials": frozenset({RECEIVED, SUPPLEMENT_REQUESTED}),
    "refuse": frozenset({RECEIVED, SUPPLEMENT_REQUESTED}),
    "assign": frozenset({ACCEPTED, IN_PROGRESS, ESCALATED}),
    "escalate": frozenset({IN_PROGRESS}),
    "resume": frozenset({ESCALATED}),
    "extend": frozenset({IN_PROGRESS}),
    "complete": frozenset({IN_PROGRESS}),
    "return": frozenset({ACCEPTED, IN_PROGRESS}),
    "reply": frozenset({COMPLETED}),
    "archive": frozenset({REPLIED}),
    "withdraw": OPEN_STATES,
    "press": OPEN_STATES,
}
ACTIONS = tuple(ALLOWED)


# --------------------------------------------------------------------------------------------
# Value objects


@dataclass(frozen=True)
class Applicant:
    """The applicant (personal data, DOMAIN §11): name and phone required."""

    name: str
    phone: str
    id_number: str | None = None
    address: str | None = None
    email: str | None = None  # where e-mail notices go (notify)

    def __post_init__(self) -> None:
        _required(self.name, "applicant name")
        _required(self.phone, "applicant phone")
        if self.email is not None:
            check_email(self.email)


@dataclass(frozen=True)
class HistoryEntry:
    """One transition: who, when, what, from which state to which, and why."""

    at: datetime
    actor: str
    action: str
    from_state: str | None  # None for receive
    to_state: str
    reason: str = ""
    working_days: int = 0  # an extension's working days (0 for every other action)


@dataclass(frozen=True)
class ClockIntent:
    """What the clock should do, recorded as data; the clock work computes the deadlines."""

    action: str  # start | pause | resume | extend | stop
    at: datetime
    working_days: int = 0  # extend only


# --------------------------------------------------------------------------------------------
# Events (past tense; one per transition). Names follow proto/bianmin/intake/v1/events.proto.


@dataclass(frozen=True, kw_only=True)
class CaseEvent:
    case_id: str
    tenant: str
    actor: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class CaseReceived(CaseEvent):
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CaseAccepted(CaseEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class CaseSupplementRequested(CaseEvent):
    missing: tuple[str, ...]  # every missing material, in the item's order
    note: str = ""
    second_request: bool = False
    unlisted: tuple[str, ...] = ()  # asked for now, not listed by the first notice


@dataclass(frozen=True, kw_only=True)
class CaseMaterialsSubmitted(CaseEvent):
    materials: tuple[str, ...]
    missing: tuple[str, ...]  # still missing after this submission


@dataclass(frozen=True, kw_only=True)
class CaseRefused(CaseEvent):
    reason: str
    refer_to: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseAssigned(CaseEvent):
    handler: str
    previous_handler: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseEscalated(CaseEvent):
    to_level: str
    reason: str
    department: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseResumed(CaseEvent):
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseExtended(CaseEvent):
    working_days: int
    reason: str
    extensions: int


@dataclass(frozen=True, kw_only=True)
class CaseCompleted(CaseEvent):
    outcome: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseReplied(CaseEvent):
    satisfaction: str
    confirmation: str = ""


@dataclass(frozen=True, kw_only=True)
class CaseArchived(CaseEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class CaseReturned(CaseEvent):
    reason: str


@dataclass(frozen=True, kw_only=True)
class CaseWithdrawn(CaseEvent):
    reason: str


@dataclass(frozen=True, kw_only=True)
class CasePressed(CaseEvent):
    note: str
    presses: int


class _EventBase(TypedDict):
    case_id: str
    tenant: str
    actor: str
    at: datetime


# --------------------------------------------------------------------------------------------
# The aggregate


@dataclass
class Case:
    """A case. Build it with `Case.receive`; move it only with its action methods."""

    id: str
    number: str
    tenant: str
    item_code: str
    kind: str
    level: str
    channel: str
    applicant: Applicant
    materials: tuple[Material, ...]  # the item's materials at receipt, in the item's order
    first_ask: str
    received_at: datetime
    village: str | None = None  # the village the case comes from (DOMAIN §3.4)
    state: str = RECEIVED
    received: dict[str, datetime] = field(default_factory=dict)  # code → when supplied
    requested: tuple[str, ...] = ()  # codes any supplement notice asked for
    first_notice: tuple[str, ...] | None = None  # what the first supplement notice listed
    handler: str | None = None
    window: str | None = None  # the handler's window, set on assignment
    department: str | None = None  # the department handling it (the window's or the item's)
    escalated_to: str | None = None  # township | county while escalated
    escalated_department: str | None = None  # the higher level's department while escalated
    outcome: str | None = None
    satisfaction: str | None = None
    extensions: int = 0
    presses: int = 0
    version: int = 0
    history: list[HistoryEntry] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    clock_intents: list[ClockIntent] = field(default_factory=list)

    # ---- reading

    @property
    def missing_materials(self) -> tuple[str, ...]:
        """Every material still to be supplied, in the item's order."""
        return _missing(self.materials, self.received, self.requested)

    @property
    def blocking_materials(self) -> tuple[str, ...]:
        """The missing materials that prevent acceptance (all but the supply-later ones)."""
        later = {m.code for m in self.materials if m.supply_later}
        return tuple(code for code in self.missing_materials if code not in later)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def can(self, action: str) -> bool:
        """Whether the state machine allows `action` now (arguments aside)."""
        return self.state in ALLOWED[action]

    def check_version(self, expected: int) -> None:
        """Optimistic concurrency: the caller's `If-Match` version must be the current one."""
        if expected != self.version:
            raise VersionConflict(
                f"case {self.number} is at version {self.version}, not {expected}",
                expected=expected,
                actual=self.version,
            )

    # ---- receiving

    @classmethod
    def receive(
        cls,
        *,
        id: str,
        number: str,
        tenant: str,
        item: CatalogueItem,
        kind: str,
        level: str,
        channel: str,
        applicant: Applicant,
        materials: Iterable[str],
        actor: str,
        at: datetime,
        first_ask: str | None = None,
        accept_if_complete: bool = False,
        village: str | None = None,
    ) -> Case:
        """Receive a case (收件). With `accept_if_complete` it is then accepted when its
        materials are complete, or gets the one-time supplement notice when they are not."""
        _required(id, "case id")
        _required(number, "case number")
        _required(tenant, "tenant")
        check_one_of(kind, CASE_KINDS, "kind")
        check_one_of(level, INTAKE_LEVELS, "level")
        check_one_of(channel, CHANNELS, "channel")
        _check_actor(actor)
        _check_at(at)
        # notices go to it; checked here, not in Applicant, which views also build masked (138****5678)
        check_phone(applicant.phone, "applicant phone")
        applicant = replace(applicant, name=clean_name(applicant.name, "applicant name"))
        if applicant.id_number:
            applicant = replace(
                applicant, id_number=check_resident_id(applicant.id_number, "applicant id_number")
            )
        codes = _material_codes(materials, item.materials, allow_empty=True)
        case = cls(
            id=id,
            number=number,
            tenant=tenant,
            item_code=item.code,
            kind=kind,
            level=level,
            channel=channel,
            applicant=applicant,
            materials=item.materials,
            first_ask=(first_ask or actor).strip(),
            received_at=at,
            village=_optional_code(village, "village"),
            received=dict.fromkeys(codes, at),
        )
        case._record(
            "receive",
            RECEIVED,
            actor,
            at,
            "",
            CaseReceived(missing=case.missing_materials, **case._e(actor, at)),
        )
        if accept_if_complete:
            case._accept_or_request(actor, at)
        elif kind == "immediate" and not case.blocking_materials:
            # §3.3: an immediate case's clock starts when it is entered (complete: decided on the spot)
            case.accept(actor, at)
        return case

    def submit_materials(
        self, actor: str, at: datetime, materials: Iterable[str], *, accept_if_complete: bool = False
    ) -> None:
        """Materials supplied (补齐): back to received, completeness re-checked."""
        self._guard("submit_materials", actor, at)
        codes = _material_codes(materials, self.materials, allow_empty=False)
        for code in codes:
            self.received[code] = at
        event = CaseMaterialsSubmitted(materials=codes, missing=self.missing_materials, **self._e(actor, at))
        self._record("submit_materials", RECEIVED, actor, at, "", event)
        if accept_if_complete:
            self._accept_or_request(actor, at)

    def accept(self, actor: str, at: datetime) -> None:
        """Accept (受理): the acceptance notice is due and the clock starts."""
        waiting = self.missing_materials if self.state == SUPPLEMENT_REQUESTED else ()
        if not waiting:  # a case waiting for materials (补件) is told which, not its state
            self._guard("accept", actor, at)
        blocking = waiting or self.blocking_materials
        if blocking:
            raise MaterialsIncomplete(
                f"case {self.number} cannot be accepted; missing: {', '.join(blocking)}",
                missing=list(blocking),
            )
        self.clock_intents.append(ClockIntent("start", at))
        self._record("accept", ACCEPTED, actor, at, "", CaseAccepted(**self._e(actor, at)))

    def request_supplement(
        self, actor: str, at: datetime, *, also: Sequence[str] = (), note: str = ""
    ) -> None:
        """The supplement notice (补件): ONE notice listing every missing material. `also` asks
        for materials not otherwise missing (optional ones, or received ones found defective)."""
        self._guard("request_supplement", actor, at)
        extra = _material_codes(also, self.materials, allow_empty=True)
        requested = tuple(dict.fromkeys((*self.requested, *extra)))
        received = {code: when for code, when in self.received.items() if code not in extra}
        listed = _missing(self.materials, received, requested)
        if not listed:
            raise ValidationFailed(f"case {self.number}: no material is missing; nothing to request")
        unlisted = () if self.first_notice is None else tuple(c for c in listed if c not in self.first_notice)
        self.requested, self.received = requested, received
        if self.first_notice is None:
            self.first_notice = listed
        event = CaseSupplementRequested(
            missing=listed,
            note=note.strip(),
            second_request=bool(unlisted),
            unlisted=unlisted,
            **self._e(actor, at),
        )
        self._record("request_supplement", SUPPLEMENT_REQUESTED, actor, at, note.strip(), event)

    def refuse(self, actor: str, at: datetime, reason: str, *, refer_to: str = "") -> None:
        """Not accepted (不予受理): the reason is required; `refer_to` says where to go."""
        self._guard("refuse", actor, at)
        reason = _reason(reason, "a refusal")
        event = CaseRefused(reason=reason, refer_to=refer_to.strip(), **self._e(actor, at))
        self._record("refuse", NOT_ACCEPTED, actor, at, reason, event)

    # ---- handling

    def assign(
        self,
        actor: str,
        at: datetime,
        handler: str,
        *,
        window: str | None = None,
        department: str | None = None,
    ) -> None:
        """Assign the responsible handler (全程承办人): an accepted case goes in progress; an
        in-progress or escalated one changes handler. `window` and `department` are the
        handler's (the caller looks them up); they replace the previous handler's."""
        self._guard("assign", actor, at)
        handler = _required(handler, "handler")
        if handler == self.handler:
            raise ValidationFailed(f"{handler} already handles case {self.number}")
        previous = self.handler
        to = IN_PROGRESS if self.state == ACCEPTED else self.state
        self.handler = handler
        self.window = _optional_code(window, "window")
        self.department = _optional_code(department, "department")
        event = CaseAssigned(handler=handler, previous_handler=previous, **self._e(actor, at))
        self._record("assign", to, actor, at, "", event)

    def escalate(self, actor: str, at: datetime, to_level: str, reason: str, *, department: str = "") -> None:
        """Escalate (上报) to a higher level; the clock pauses. To the county it goes to one
        county department (who alone then sees it), so the department is required."""
        self._guard("escalate", actor, at)
        check_one_of(to_level, ESCALATION_LEVELS, "to_level")
        reason = _reason(reason, "an escalation")
        department = _optional_code(department, "department") or ""
        if to_level == "county" and not department:
            raise ValidationFailed("an escalation to the county needs the department", field="department")
        self.escalated_to, self.escalated_department = to_level, department or None
        self.clock_intents.append(ClockIntent("pause", at))
        event = CaseEscalated(to_level=to_level, reason=reason, department=department, **self._e(actor, at))
        self._record("escalate", ESCALATED, actor, at, reason, event)

    def resume(self, actor: str, at: datetime, *, note: str = "") -> None:
        """Back from the higher level; the clock resumes."""
        self._guard("resume", actor, at)
        self.escalated_to = self.escalated_department = None
        self.clock_intents.append(ClockIntent("resume", at))
        self._record(
            "resume",
            IN_PROGRESS,
            actor,
            at,
            note.strip(),
            CaseResumed(note=note.strip(), **self._e(actor, at)),
        )

    def extend(self, actor: str, at: datetime, working_days: int, reason: str) -> None:
        """Extend (延期) the deadline by `working_days`; counted. The case stays in progress."""
        self._guard("extend", actor, at)
        if (
            isinstance(working_days, bool)
            or not isinstance(working_days, int)
            or not 1 <= working_days <= MAX_DAYS
        ):
            raise ValidationFailed(f"working_days must be a whole number from 1 to {MAX_DAYS}")
        reason = _reason(reason, "an extension")
        self.extensions += 1
        self.clock_intents.append(ClockIntent("extend", at, working_days))
        event = CaseExtended(
            working_days=working_days, reason=reason, extensions=self.extensions, **self._e(actor, at)
        )
        self._record("extend", IN_PROGRESS, actor, at, reason, event, working_days=working_days)

    def complete(self, actor: str, at: datetime, outcome: str, reason: str = "") -> None:
        """Complete (办结): approved, or denied with a reason; the clock stops."""
        self._guard("complete", actor, at)
        check_one_of(outcome, OUTCOMES, "outcome")
        reason = _reason(reason, "a denial") if outcome == "denied" else reason.strip()
        self.outcome = outcome
        self.clock_intents.append(ClockIntent("stop", at))
        event = CaseCompleted(outcome=outcome, reason=reason, **self._e(actor, at))
        self._record("complete", COMPLETED, actor, at, reason, event)

    def return_(self, actor: str, at: datetime, reason: str) -> None:
        """Return (退件, e.g. prohibited by law): the reason is required; the clock stops.
        (Action name `return`; the trailing underscore only dodges the keyword.)"""
        self._guard("return", actor, at)
        reason = _reason(reason, "a return")
        self.clock_intents.append(ClockIntent("stop", at))
        self._record("return", RETURNED, actor, at, reason, CaseReturned(reason=reason, **self._e(actor, at)))

    # ---- closing

    def reply(self, actor: str, at: datetime, satisfaction: str, *, confirmation: str = "") -> None:
        """Tell the applicant the outcome (回复) and record their satisfaction."""
        self._guard("reply", actor, at)
        check_one_of(satisfaction, SATISFACTIONS, "satisfaction")
        self.satisfaction = satisfaction
        event = CaseReplied(
            satisfaction=satisfaction, confirmation=confirmation.strip(), **self._e(actor, at)
        )
        self._record("reply", REPLIED, actor, at, "", event)

    def archive(self, actor: str, at: datetime) -> None:
        """File the case (建档)."""
        self._guard("archive", actor, at)
        self._record("archive", ARCHIVED, actor, at, "", CaseArchived(**self._e(actor, at)))

    def withdraw(self, actor: str, at: datetime, reason: str) -> None:
        """The applicant withdraws an open case; the reason is required."""
        self._guard("withdraw", actor, at)
        reason = _reason(reason, "a withdrawal")
        if self.state in CLOCKED_STATES:
            self.clock_intents.append(ClockIntent("stop", at))
        self._record(
            "withdraw", WITHDRAWN, actor, at, reason, CaseWithdrawn(reason=reason, **self._e(actor, at))
        )

    def press(self, actor: str, at: datetime, note: str) -> None:
        """Supervision (督办/催办, DOMAIN §9): counted; the state does not change."""
        self._guard("press", actor, at)
        note = _reason(note, "a press", what="note")
        self.presses += 1
        event = CasePressed(note=note, presses=self.presses, **self._e(actor, at))
        self._record("press", self.state, actor, at, note, event)

    # ---- internals

    def _accept_or_request(self, actor: str, at: datetime) -> None:
        if self.blocking_materials:
            self.request_supplement(actor, at)
        else:
            self.accept(actor, at)

    def _guard(self, action: str, actor: str, at: datetime) -> None:
        if self.state not in ALLOWED[action]:
            allowed = ", ".join(s for s in STATES if s in ALLOWED[action])
            raise InvalidTransition(
                f"cannot {action.replace('_', ' ')} case {self.number} in state {self.state} "
                f"(allowed from: {allowed})",
                action=action,
                state=self.state,
            )
        _check_actor(actor)
        _check_at(at)

    def _e(self, actor: str, at: datetime) -> _EventBase:
        return {"case_id": self.id, "tenant": self.tenant, "actor": actor.strip(), "at": at}

    def _record(
        self,
        action: str,
        to: str,
        actor: str,
        at: datetime,
        reason: str,
        event: CaseEvent,
        *,
        working_days: int = 0,
    ) -> None:
        from_state = self.state if self.history else None
        self.history.append(HistoryEntry(at, actor.strip(), action, from_state, to, reason, working_days))
        self.state = to
        self.version += 1
        self.events.append(event)


# --------------------------------------------------------------------------------------------
# Checks


def _missing(
    materials: Sequence[Material], received: dict[str, datetime], requested: Sequence[str]
) -> tuple[str, ...]:
    return tuple(m.code for m in materials if m.code not in received and (m.required or m.code in requested))


def _material_codes(
    codes: Iterable[str], materials: Sequence[Material], *, allow_empty: bool
) -> tuple[str, ...]:
    if isinstance(codes, str):
        raise ValidationFailed("materials must be a list of material codes")
    codes = tuple(dict.fromkeys(codes))
    known = {m.code for m in materials}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationFailed(f"not materials of this item: {', '.join(map(str, unknown))}", unknown=unknown)
    if not codes and not allow_empty:
        raise ValidationFailed("name at least one material")
    return codes


def _required(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{what} is required")
    return value.strip()


# deliberately plain: one @, no spaces, a dot in the domain (what a notice can be sent to)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
MAX_EMAIL = 254


def check_email(value: object) -> str:
    """An e-mail address as notify can use it (ValidationFailed otherwise)."""
    if not isinstance(value, str) or len(value) > MAX_EMAIL or not _EMAIL.fullmatch(value):
        raise ValidationFailed("applicant email must be an address like name@example.com", field="email")
    return value


def _optional_code(value: object, what: str) -> str | None:
    """A directory code (village, window, department) or None for empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{what} must be a code", field=what)
    return validate_code(value.strip(), what)


def _reason(value: object, action: str, *, what: str = "reason") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{action} needs a {what}", field=what)
    return value.strip()


def _check_actor(actor: object) -> None:
    _required(actor, "actor")


def _check_at(at: object) -> None:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValidationFailed("the instant must be a timezone-aware datetime")
