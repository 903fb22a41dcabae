"""Petitions and complaints between the domain and `bianmin.intake.v1` protos (both ways).

Enums travel as the API's lower-case words: PETITION_KIND_COMPLAINT ↔ "complaint". The events
never carry the petitioner (DOMAIN.md §9: the identity is confidential), nor the matter's text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bianmin.common.v1 import applicant_pb2
from bianmin.intake.v1 import events_pb2
from bianmin.intake.v1 import intake_service_pb2 as spb
from bianmin.intake.v1 import petition_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common.pii import mask_text
from services.intake.domain.petition import NewPetition, Petition, Subject, new_petition


def word(enum: Any, prefix: str, value: int) -> str:
    """The API word of an enum number ("" for UNSPECIFIED or an unknown number)."""
    try:
        name = str(enum.Name(value))
    except ValueError:
        return ""
    return "" if name.endswith("_UNSPECIFIED") else name.removeprefix(prefix).lower()


def number(enum: Any, prefix: str, word: str) -> Any:
    try:
        return enum.Value(prefix + word.upper()) if word else 0
    except ValueError:
        return 0


def kind_word(value: int) -> str:
    return word(pb.PetitionKind, "PETITION_KIND_", value)


def state_word(value: int) -> str:
    return word(pb.PetitionState, "PETITION_STATE_", value)


def new_from_request(request: spb.RegisterPetitionRequest) -> NewPetition:
    """Validates (raises ValidationFailed); UNSPECIFIED enums are refused by the domain."""
    p = request.petitioner
    s = request.subject
    subject = (
        {"type": word(pb.ComplaintSubjectType, "COMPLAINT_SUBJECT_TYPE_", s.type), "id": s.id}
        if request.HasField("subject") and (s.type or s.id)
        else None
    )
    return new_petition(
        {
            "kind": kind_word(request.kind),
            "channel": request.channel,
            "petitioner": {
                "name": p.name,
                "phone": p.phone,
                "id_number": p.id_number,
                "address": p.address,
            },
            "matter": request.matter,
            "collective": request.collective,
            "leader_received": request.leader_received,
            "subject": subject,
            "ground": word(pb.ComplaintGround, "COMPLAINT_GROUND_", request.ground),
            "answer": request.answer,
        }
    )


def petition_to_pb(p: Petition) -> pb.Petition:
    n = p.new
    message = pb.Petition(
        id=p.id,
        number=p.number,
        kind=number(pb.PetitionKind, "PETITION_KIND_", n.kind),
        state=number(pb.PetitionState, "PETITION_STATE_", p.state),
        matter=n.matter,
        collective=n.collective,
        leader_received=n.leader_received,
        ground=number(pb.ComplaintGround, "COMPLAINT_GROUND_", n.ground),
        forwarded_to=p.forwarded_to,
        answer=p.answer,
        verified=bool(p.verified),
        decision_reason=p.decision_reason,
        registered_by=p.registered_by,
        case_id=p.case_id,
        version=p.version,
        on_time=p.on_time,
        days_late=p.days_late,
        answered_by=p.answered_by,
        decided_by=p.decided_by,
        channel=n.channel,
    )
    if p.identity_visible:
        who = n.petitioner
        message.petitioner.CopyFrom(
            applicant_pb2.Applicant(
                name=who.name, phone=who.phone, id_number=who.id_number, address=who.address
            )
        )
    else:  # nothing of the identity at all, only the flag that it is withheld
        message.petitioner.CopyFrom(applicant_pb2.Applicant(masked=True))
    if n.subject is not None:
        message.subject.CopyFrom(_subject(n.subject))
    _set(message.registered_at, p.registered_at)
    _set(message.answer_due_at, p.answer_due_at)
    _set(message.answered_at, p.answered_at)
    _set(message.decided_at, p.decided_at)
    return message


def registered_event(p: Petition) -> events_pb2.PetitionRegistered:
    n = p.new
    event = events_pb2.PetitionRegistered(
        petition_id=p.id,
        number=p.number,
        kind=number(pb.PetitionKind, "PETITION_KIND_", n.kind),
        collective=n.collective,
        leader_received=n.leader_received,
        ground=number(pb.ComplaintGround, "COMPLAINT_GROUND_", n.ground),
        actor=p.registered_by,
    )
    if n.subject is not None:
        event.subject.CopyFrom(_subject(n.subject))
    _set(event.answer_due_at, p.answer_due_at)
    _set(event.registered_at, p.registered_at)
    return event


def answered_event(p: Petition) -> events_pb2.PetitionAnswered:
    event = events_pb2.PetitionAnswered(
        petition_id=p.id,
        kind=number(pb.PetitionKind, "PETITION_KIND_", p.kind),
        department=p.forwarded_to,
        on_time=p.on_time,
        days_late=p.days_late,
        actor=p.answered_by,
    )
    if p.new.subject is not None:
        event.subject.CopyFrom(_subject(p.new.subject))
    _set(event.answered_at, p.answered_at)
    _set(event.answer_due_at, p.answer_due_at)
    return event


def forwarded_event(p: Petition, actor: str) -> events_pb2.ComplaintForwarded:
    event = events_pb2.ComplaintForwarded(petition_id=p.id, department=p.forwarded_to, actor=actor)
    if p.new.subject is not None:
        event.subject.CopyFrom(_subject(p.new.subject))
    _set(event.answer_due_at, p.answer_due_at)
    return event


def decided_event(p: Petition) -> events_pb2.ComplaintDecided:
    """The reason is the management office's text: phone/ID numbers in it are masked."""
    event = events_pb2.ComplaintDecided(
        petition_id=p.id,
        verified=bool(p.verified),
        ground=number(pb.ComplaintGround, "COMPLAINT_GROUND_", p.new.ground),
        reason=str(mask_text(p.decision_reason)),
        actor=p.decided_by,
    )
    if p.new.subject is not None:
        event.subject.CopyFrom(_subject(p.new.subject))
    _set(event.decided_at, p.decided_at)
    return event


def _subject(s: Subject) -> pb.ComplaintSubject:
    return pb.ComplaintSubject(
        type=number(pb.ComplaintSubjectType, "COMPLAINT_SUBJECT_TYPE_", s.type), id=s.id
    )


def _set(field: Timestamp, value: datetime | None) -> None:
    if value is not None:
        field.FromDatetime(value)
