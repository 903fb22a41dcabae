"""Petitions (信访) and complaints (投诉), DOMAIN.md §9. Pure: no database, no protos.

**Petition.** Registered by the petition officer; answered on the spot (an answer given at
registration) or within **3 days**, a petition received by a leader (领导接待) within **a week**.
These are *calendar* days: the seed (004 第二篇 六 信访接待制度 ⒉答复) says "在三日内给予答复 …
领导接待一般一周内给予答复" — 三日/一周, where the same seeds say 工作日 whenever they mean working
days — and a citizen's petition does not wait over a holiday. The answer is due at the end of
the N-th local day after the day of registration. A **collective** petition (集体上访) is flagged so
that the leader on duty is alerted at once (the `PetitionRegistered` event, seed 004 六.五).

**Complaint.** About a window or a staff member (attitude, quality, efficiency, discipline …);
registered at the complaint desk or online. It may be forwarded to a department, which owes an
answer within N *working* days (the tenant's calendar: a department works office days; default
3, like the petition). An answer after the deadline is late by the calendar days begun since the
deadline (−1 per day late, W-DIS-06 → `days_late`). The management office then decides it:
verified (feeds appraisal, W-DIS-08 / S-DE-03) or groundless, with a reason.

States: petition registered → answered; complaint registered → forwarded → answered → decided,
or registered → decided directly. Anything else is refused (`InvalidTransition`), nothing changes.

**Identity.** The petitioner's name, phone, ID number and address are confidential (seed 004
六.七 为群众的控告、检举保守秘密): in full only for the township's petition officers; for everyone
else who may read petitions they are absent, and the matter's free text is scanned for phone
and ID numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from libs.common.contact import check_resident_id
from libs.common.errors import InvalidTransition, ValidationFailed
from libs.common.pii import mask_text
from libs.common.tenancy import validate_code
from libs.common.text import check_one_of, check_text, clean_name, trimmed

PETITION, COMPLAINT = "petition", "complaint"
KINDS = (PETITION, COMPLAINT)
# desk: in person at the reception / complaint desk (来访); letter (来信); phone (举报电话); online
CHANNELS = ("desk", "letter", "phone", "online")
SUBJECT_TYPES = ("window", "staff")
GROUNDS = ("attitude", "quality", "efficiency", "discipline", "other")
REGISTERED, FORWARDED, ANSWERED, DECIDED = "registered", "forwarded", "answered", "decided"
STATES = (REGISTERED, FORWARDED, ANSWERED, DECIDED)

PETITION_ANSWER_DAYS = 3  # calendar days (seed 004: 三日内给予答复)
LEADER_ANSWER_DAYS = 7  # calendar days (seed 004: 领导接待一般一周内给予答复)
DEFAULT_FORWARD_DAYS = 3  # working days a department has to answer a forwarded complaint
MAX_FORWARD_DAYS = 30
MAX_NAME, MAX_PHONE, MAX_ID, MAX_ADDRESS = 100, 50, 30, 300
MAX_MATTER, MAX_ANSWER, MAX_REASON, MAX_CODE = 4000, 4000, 2000, 100


@dataclass(frozen=True)
class Petitioner:
    """Who petitions or complains. Personal data: never on the bus, never in logs."""

    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""

    def __post_init__(self) -> None:
        check_text(self.name, "petitioner.name", MAX_NAME)
        check_text(self.phone, "petitioner.phone", MAX_PHONE, required=False)
        check_text(self.id_number, "petitioner.id_number", MAX_ID, required=False)
        check_text(self.address, "petitioner.address", MAX_ADDRESS, required=False)


@dataclass(frozen=True)
class Subject:
    """What a complaint is about: a window (its code) or a staff member (their username)."""

    type: str
    id: str

    def __post_init__(self) -> None:
        check_one_of(self.type, SUBJECT_TYPES, "subject.type")
        check_text(self.id, "subject.id", MAX_CODE)


@dataclass(frozen=True)
class NewPetition:
    """A petition or complaint as it is being registered (no id, time or officer yet: those are
    the service's). Always valid: the constructor enforces every rule."""

    kind: str
    channel: str
    petitioner: Petitioner
    matter: str
    collective: bool = False
    leader_received: bool = False
    subject: Subject | None = None
    ground: str = ""
    answer: str = ""  # answered on the spot (当场答复): a petition only

    def __post_init__(self) -> None:
        check_one_of(self.kind, KINDS, "kind")
        check_one_of(self.channel, CHANNELS, "channel")
        check_text(self.matter, "matter", MAX_MATTER)
        check_text(self.answer, "answer", MAX_ANSWER, required=False)
        if self.kind == COMPLAINT:
            if self.subject is None:
                raise ValidationFailed("a complaint must say which window or staff member it is about")
            check_one_of(self.ground, GROUNDS, "ground")
            if self.collective or self.leader_received:
                raise ValidationFailed("collective and leader_received are for petitions, not complaints")
            if self.answer:
                raise ValidationFailed("a complaint is answered by the department it is forwarded to")
        else:
            if self.subject is not None or self.ground:
                raise ValidationFailed("subject and ground are for complaints, not petitions")


@dataclass(frozen=True)
class Petition:
    """A petition or complaint as stored."""

    id: str
    number: str
    new: NewPetition
    state: str
    registered_at: datetime
    registered_by: str
    version: int = 1
    answer_due_at: datetime | None = None
    answer: str = ""
    answered_at: datetime | None = None
    answered_by: str = ""
    days_late: int = 0
    forwarded_to: str = ""
    verified: bool | None = None
    decision_reason: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    case_id: str = ""
    identity_visible: bool = field(default=True, compare=False)

    @property
    def kind(self) -> str:
        return self.new.kind

    @property
    def on_time(self) -> bool:
        return self.answered_at is not None and self.days_late == 0

    def seen_by(self, full_identity: bool) -> Petition:
        """As a reader may see it: in full for the township's petition officers; for everyone
        else without the petitioner and with phone/ID numbers in free text masked."""
        if full_identity:
            return self
        new = replace(
            self.new,
            petitioner=HIDDEN,
            matter=str(mask_text(self.new.matter)),
            answer=str(mask_text(self.new.answer)),
        )
        return replace(
            self,
            new=new,
            answer=str(mask_text(self.answer)),
            decision_reason=str(mask_text(self.decision_reason)),
            identity_visible=False,
        )

    # --- transitions (each returns the next state of the petition; refusals change nothing) ---

    def answered(self, answer: str, by: str, at: datetime) -> Petition:
        check_text(answer, "answer", MAX_ANSWER)
        allowed = (REGISTERED,) if self.kind == PETITION else (FORWARDED,)
        self._require(allowed, "answer")
        return replace(
            self,
            state=ANSWERED,
            answer=answer,
            answered_at=at,
            answered_by=by,
            days_late=days_late(self.answer_due_at, at),
            version=self.version + 1,
        )

    def forwarded(self, department: str, due_at: datetime) -> Petition:
        if self.kind != COMPLAINT:
            raise InvalidTransition("only a complaint is forwarded to a department")
        validate_code(department, "department")
        self._require((REGISTERED,), "forward")
        return replace(
            self, state=FORWARDED, forwarded_to=department, answer_due_at=due_at, version=self.version + 1
        )

    def decided(self, verified: bool, reason: str, by: str, at: datetime) -> Petition:
        if self.kind != COMPLAINT:
            raise InvalidTransition("only a complaint is decided (verified or not)")
        check_text(reason, "reason", MAX_REASON)
        self._require((REGISTERED, ANSWERED), "decide")
        return replace(
            self,
            state=DECIDED,
            verified=verified,
            decision_reason=reason,
            decided_by=by,
            decided_at=at,
            version=self.version + 1,
        )

    def _require(self, allowed: tuple[str, ...], action: str) -> None:
        if self.state not in allowed:
            raise InvalidTransition(
                f"a {self.kind} in state {self.state} cannot be {_PAST.get(action, action)} "
                f"(only from {', '.join(allowed)})"
            )


_PAST = {"answer": "answered", "forward": "forwarded", "decide": "decided"}


def to_register(new: NewPetition) -> NewPetition:
    """A registration as it may be taken: a petitioner's ID number, when given, is a resident ID
    number with its check digit (kept in its standard form). Checked here, not in `Petitioner`:
    rows registered before the check are rebuilt through it and must still read."""
    if not new.petitioner.id_number:
        return new
    checked = check_resident_id(new.petitioner.id_number, "petitioner.id_number")
    return replace(new, petitioner=replace(new.petitioner, id_number=checked))


def registered(new: NewPetition, *, id: str, number: str, by: str, at: datetime, tz: ZoneInfo) -> Petition:
    """A new registration as stored: a petition gets its answer deadline at once, and one
    answered on the spot is answered (in time) at registration. A complaint's deadline comes
    with its forwarding."""
    petition = Petition(id=id, number=number, new=new, state=REGISTERED, registered_at=at, registered_by=by)
    if new.kind == COMPLAINT:
        return petition
    petition = replace(petition, answer_due_at=petition_due(at, new.leader_received, tz))
    if new.answer:
        petition = replace(petition, state=ANSWERED, answer=new.answer, answered_at=at, answered_by=by)
    return petition


def petition_due(registered_at: datetime, leader_received: bool, tz: ZoneInfo) -> datetime:
    """The end (23:59:59 local) of the 3rd — for a leader-received petition the 7th — calendar
    day after the local day of registration."""
    days = LEADER_ANSWER_DAYS if leader_received else PETITION_ANSWER_DAYS
    day: date = registered_at.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, time(23, 59, 59), tz).astimezone(UTC)


def forward_days(requested: int) -> int:
    """Working days a department gets for a forwarded complaint (0: the default)."""
    if requested == 0:
        return DEFAULT_FORWARD_DAYS
    if not 1 <= requested <= MAX_FORWARD_DAYS:
        raise ValidationFailed(f"answer_days must be 1-{MAX_FORWARD_DAYS} working days")
    return requested


def days_late(due_at: datetime | None, answered_at: datetime) -> int:
    """Calendar days begun since the deadline (0 when in time or when there is no deadline)."""
    if due_at is None or answered_at <= due_at:
        return 0
    return math.ceil((answered_at - due_at) / timedelta(days=1))


def new_petition(data: Mapping[str, Any]) -> NewPetition:
    """Build a registration from plain data (a request, a stored row): texts trimmed, an empty
    subject meaning none."""
    try:
        who = data["petitioner"] or {}
        subject = data.get("subject") or {}
        return NewPetition(
            kind=data["kind"],
            channel=data["channel"],
            petitioner=Petitioner(
                name=clean_name(who.get("name", ""), "petitioner.name", MAX_NAME),
                phone=trimmed(who.get("phone") or ""),
                id_number=trimmed(who.get("id_number") or ""),
                address=trimmed(who.get("address") or ""),
            ),
            matter=trimmed(data["matter"]),
            collective=bool(data.get("collective", False)),
            leader_received=bool(data.get("leader_received", False)),
            subject=Subject(subject.get("type", ""), trimmed(subject.get("id", ""))) if subject else None,
            ground=data.get("ground") or "",
            answer=trimmed(data.get("answer") or ""),
        )
    except KeyError as exc:
        raise ValidationFailed(f"a petition needs {exc.args[0]!r}") from None


def petitioner_data(p: Petitioner) -> dict[str, str]:
    return {"name": p.name, "phone": p.phone, "id_number": p.id_number, "address": p.address}


# what a reader without the right sees in place of the petitioner (adapters send nothing at all)
HIDDEN = Petitioner(name="*")
