"""Intake's gRPC API as proxy's service layer calls it (`delegations.Intake`): the catalogue item,
creating the delegation's case, deciding a village-level one on the spot, reply and archive.

Calls carry the caller's token and township (the client interceptor forwards what the server
interceptor made ambient), so intake checks the agent's own rights. A failed call raises the
domain error intake raised (`status_to_error`). The channel comes from the runtime's channel
factory, else one made from the settings on first use (all-in-one and distributed alike)."""

from __future__ import annotations

from typing import Any

import grpc
from bianmin.common.v1 import applicant_pb2, satisfaction_pb2
from bianmin.intake.v1 import case_pb2, catalogue_pb2
from bianmin.intake.v1 import intake_service_pb2 as pb
from bianmin.intake.v1 import intake_service_pb2_grpc as pb_grpc

from libs.common.errors import NotFound, ValidationFailed
from libs.common.grpc.client import ChannelFactory, status_to_error
from libs.common.grpc.enums import enum_number, enum_word
from services.proxy.domain.delegation import Applicant
from services.proxy.domain.intake_case import CaseRef, ItemFacts


class GrpcIntake:
    def __init__(self, channels: Any) -> None:
        self._channels = channels
        self._stub: pb_grpc.IntakeServiceStub | None = None

    @classmethod
    def of(cls, runtime: Any) -> GrpcIntake:
        return cls(runtime.channels or ChannelFactory(runtime.settings))

    @property
    def stub(self) -> pb_grpc.IntakeServiceStub:
        if self._stub is None:
            self._stub = pb_grpc.IntakeServiceStub(self._channels.channel("intake"))
        return self._stub

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request)
        except grpc.RpcError as exc:
            raise status_to_error(exc) from None

    def item(self, code: str) -> ItemFacts | None:
        try:
            item = self._call("GetCatalogueItem", pb.GetCatalogueItemRequest(code=code)).item
        except (NotFound, ValidationFailed):
            return None
        return ItemFacts(
            code=item.code,
            level=enum_word(catalogue_pb2.HandlingLevel, "HANDLING_LEVEL_", item.level, unknown=""),
            proxyable=item.proxyable,
            in_person=item.in_person,
            privacy_sensitive=item.privacy_sensitive,
            fee_fen=item.fee_fen,
            required_materials=tuple(m.code for m in item.materials if m.required and not m.supply_later),
            name=item.name,
        )

    def create_case(
        self, *, item_code: str, applicant: Applicant, materials: tuple[str, ...], village: str, key: str
    ) -> CaseRef:
        request = pb.CreateCaseRequest(
            item_code=item_code,
            level=case_pb2.INTAKE_LEVEL_VILLAGE,
            channel=case_pb2.CASE_CHANNEL_PROXY,
            applicant=applicant_pb2.Applicant(
                name=applicant.name,
                phone=applicant.phone,
                id_number=applicant.id_number,
                address=applicant.address,
            ),  # fmt: skip
            materials=list(materials),
            village=village,
            idempotency_key=key,
        )
        return _ref(self._call("CreateCase", request).case)

    def decide(self, case: CaseRef, agent: str, outcome: str, reason: str) -> CaseRef:
        if case.state == "received":
            case = _ref(
                self._call(
                    "AcceptCase", pb.AcceptCaseRequest(case_id=case.id, expected_version=case.version)
                ).case
            )
        if case.state == "accepted":
            request = pb.AssignCaseRequest(case_id=case.id, expected_version=case.version, handler=agent)
            case = _ref(self._call("AssignCase", request).case)
        if case.state == "in_progress":
            request = pb.CompleteCaseRequest(
                case_id=case.id, expected_version=case.version, reason=reason,
                outcome=enum_number(case_pb2.CaseOutcome, "CASE_OUTCOME_", outcome),
            )  # fmt: skip
            case = _ref(self._call("CompleteCase", request).case)
        return case

    def get_case(self, case_id: str) -> CaseRef:
        return _ref(self._call("GetCase", pb.GetCaseRequest(case_id=case_id)).case)

    def reply(self, case: CaseRef, satisfaction: str, confirmation: str) -> CaseRef:
        request = pb.ReplyCaseRequest(
            case_id=case.id, expected_version=case.version, confirmation=confirmation,
            satisfaction=enum_number(satisfaction_pb2.Satisfaction, "SATISFACTION_", satisfaction),
        )  # fmt: skip
        return _ref(self._call("ReplyCase", request).case)

    def archive(self, case: CaseRef) -> CaseRef:
        request = pb.ArchiveCaseRequest(case_id=case.id, expected_version=case.version)
        return _ref(self._call("ArchiveCase", request).case)


def _ref(case: case_pb2.Case) -> CaseRef:
    state = enum_word(case_pb2.CaseState, "CASE_STATE_", case.state, unknown="")
    return CaseRef(id=case.id, number=case.number, state=state, version=case.version)
