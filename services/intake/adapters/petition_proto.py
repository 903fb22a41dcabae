"""Petitions and complaints between the domain and `bianmin.intake.v1` protos (both ways).

Enums travel as the API's lower-case words: PETITION_KIND_COMPLAINT ↔ "complaint". The events
never carry the petitioner (DOMAIN.md §9: the identity is confidential), nor the matter's text."""

from __future__ import annotations

from datetime import datetime

from bianmin.common.v1 import applicant_pb2
from bianmin.intake.v1 import events_pb2
from bianmin.intake.v1 import intake_service_pb2 as spb
from bianmin.intake.v1 import petition_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common.grpc.enums import enum_number, enum_word
from libs.common.pii import mask_text
from services.intake.domain.petition import NewPetition, Petition, Subject, new_petition


def kind_word(value: int) -> str:
    return enum_word(pb.PetitionKind, "PETITION_KIND_", value, unknown="")


def state_word(value: int) -> str:
    return enum_word(pb.PetitionState, "PETITION_STATE_", value, unknown="")


def new_from_request(request: spb.RegisterPetitionRequest) -> NewPetition:
    """Validates (raises ValidationFailed); UNSPECIFIED enums are refused by the domain."""
    p = request.petitioner
    s = request.subject
    subject = (
        {
            "type": enum_word(pb.ComplaintSubjectType, "COMPLAINT_SUBJECT_TYPE_", s.type, unknown=""),
            "id": s.id,
        }
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
            "ground": enum_word(pb.ComplaintGround, "COMPLAINT_GROUND_", request.ground, unknown=""),
            "answer": request.answer,
        }
    )


def petition_to_pb(p: Petition) -> pb.Petition:
    n = p.new
    message = pb.Petition(
        id=p.id,
        number=p.number,
        kind=enum_number(pb.PetitionKind, "PETITION_KIND_", n.kind, unknown=0),
        state=enum_number(pb.PetitionState, "PETITION_STATE_", p.state, unknown=0),
        matter=n.matter,
        collective=n.collective,
        leader_received=n.leader_received,
        ground=enum_number(pb.ComplaintGround, "COMPLAINT_GROUND_", n.ground, unknown=0),
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
        kind=enum_number(pb.PetitionKind, "PETITION_KIND_", n.kind, unknown=0),
        collective=n.collective,
        leader_received=n.leader_received,
        ground=enum_number(pb.ComplaintGround, "COMPLAINT_GROUND_", n.ground, unknown=0),
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
        kind=enum_number(pb.PetitionKind, "PETITION_KIND_", p.kind, unknown=0),
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
        ground=enum_number(pb.ComplaintGround, "COMPLAINT_GROUND_", p.new.ground, unknown=0),
        reason=str(mask_text(p.decision_reason)),
        actor=p.decided_by,
    )
    if p.new.subject is not None:
        event.subject.CopyFrom(_subject(p.new.subject))
    _set(event.decided_at, p.decided_at)
    return event


def _subject(s: Subject) -> pb.ComplaintSubject:
    return pb.ComplaintSubject(
        type=enum_number(pb.ComplaintSubjectType, "COMPLAINT_SUBJECT_TYPE_", s.type, unknown=0), id=s.id
    )


def _set(field: Timestamp, value: datetime | None) -> None:
    if value is not None:
        field.FromDatetime(value)
