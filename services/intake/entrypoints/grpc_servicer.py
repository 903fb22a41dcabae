"""IntakeService over gRPC: translates protos to calls of the service layer, decides nothing."""

from collections.abc import Callable
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from bianmin.common.v1 import satisfaction_pb2
from bianmin.intake.v1 import case_pb2, catalogue_pb2, stats_pb2
from bianmin.intake.v1 import intake_service_pb2 as pb
from bianmin.intake.v1 import intake_service_pb2_grpc as pb_grpc

from libs.common import tenant_projection
from libs.common.grpc.enums import enum_number, enum_word
from libs.common.runtime import Runtime
from libs.common.tenancy import current_principal, current_tenant
from services.intake.adapters import open_case_metrics, tables
from services.intake.adapters.case_proto import case_to_pb
from services.intake.adapters.catalogue_proto import guide_to_pb, item_from_pb, stored_item_to_pb, word
from services.intake.adapters.inquiry_proto import inquiry_from_request, inquiry_to_pb
from services.intake.adapters.petition_proto import kind_word, new_from_request, petition_to_pb, state_word
from services.intake.domain.case import Applicant
from services.intake.service_layer import case_listing, cases, catalogue, inquiry, petitions, pii_audit, stats
from services.intake.service_layer.cases import ReceiveCase


def _action_rpc(action: str, args: Callable[[Any], dict[str, Any]], response: Any) -> Any:
    """A case action RPC: the generic `cases.act` with the action's arguments from the request."""

    def rpc(self: "IntakeServicer", request: Any, context: object) -> Any:
        view = cases.act(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.case_id,
            request.expected_version,
            action,
            **args(request),
        )
        return response(case=case_to_pb(view))

    rpc.__name__ = response.__name__.removesuffix("Response")
    return rpc


def _no_args(r: Any) -> dict[str, Any]:
    return {}


class IntakeServicer(pb_grpc.IntakeServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        # the open-case gauges on this process's /metrics, queried at scrape time
        open_case_metrics.export_metrics(runtime.ops_sessions, runtime.settings.timezone)

    def GetTenant(self, request: pb.GetTenantRequest, context: object) -> pb.GetTenantResponse:
        return tenant_projection.get_tenant_response(pb, tables.tenant, self.runtime.sessions)

    # --- catalogue (the county template is scoped by the caller's token, the rest by x-tenant-id)

    def CreateCatalogueTemplateItem(
        self, request: pb.CreateCatalogueTemplateItemRequest, context: object
    ) -> pb.CreateCatalogueTemplateItemResponse:
        stored = catalogue.create_template_item(
            self.runtime.sessions, current_principal(), item_from_pb(request.item), request.idempotency_key
        )
        return pb.CreateCatalogueTemplateItemResponse(item=stored_item_to_pb(stored))

    def UpdateCatalogueTemplateItem(
        self, request: pb.UpdateCatalogueTemplateItemRequest, context: object
    ) -> pb.UpdateCatalogueTemplateItemResponse:
        stored = catalogue.update_template_item(
            self.runtime.sessions, current_principal(), item_from_pb(request.item), request.expected_version
        )
        return pb.UpdateCatalogueTemplateItemResponse(item=stored_item_to_pb(stored))

    def ListCatalogueTemplateItems(
        self, request: pb.ListCatalogueTemplateItemsRequest, context: object
    ) -> pb.ListCatalogueTemplateItemsResponse:
        page = catalogue.list_template_items(
            self.runtime.sessions, current_principal(), request.page_size, request.page_token
        )
        return pb.ListCatalogueTemplateItemsResponse(
            items=[stored_item_to_pb(s) for s in page.items], next_page_token=page.next_page_token
        )

    def GetCatalogueItem(
        self, request: pb.GetCatalogueItemRequest, context: object
    ) -> pb.GetCatalogueItemResponse:
        stored = catalogue.get_item(
            self.runtime.sessions, current_principal(), current_tenant(), request.code
        )
        return pb.GetCatalogueItemResponse(item=stored_item_to_pb(stored))

    def ListCatalogueItems(
        self, request: pb.ListCatalogueItemsRequest, context: object
    ) -> pb.ListCatalogueItemsResponse:
        page = catalogue.list_items(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            page_size=request.page_size,
            page_token=request.page_token,
            category=word("category", request.category),
            level=word("level", request.level),
        )
        return pb.ListCatalogueItemsResponse(
            items=[stored_item_to_pb(s) for s in page.items], next_page_token=page.next_page_token
        )

    def UpdateCatalogueItem(
        self, request: pb.UpdateCatalogueItemRequest, context: object
    ) -> pb.UpdateCatalogueItemResponse:
        stored = catalogue.update_promised_days(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.code,
            request.promised_days,
            request.expected_version,
        )
        return pb.UpdateCatalogueItemResponse(item=stored_item_to_pb(stored))

    def GetServiceGuide(
        self, request: pb.GetServiceGuideRequest, context: object
    ) -> pb.GetServiceGuideResponse:
        guide = catalogue.get_guide(self.runtime.sessions, current_tenant(), request.item_code)
        return pb.GetServiceGuideResponse(guide=guide_to_pb(guide))

    def ListServiceGuides(
        self, request: pb.ListServiceGuidesRequest, context: object
    ) -> pb.ListServiceGuidesResponse:
        guides, token = catalogue.list_guides(
            self.runtime.sessions, current_tenant(), request.page_size, request.page_token
        )
        return pb.ListServiceGuidesResponse(guides=[guide_to_pb(g) for g in guides], next_page_token=token)

    def ListBoardEntries(
        self, request: pb.ListBoardEntriesRequest, context: object
    ) -> pb.ListBoardEntriesResponse:
        page = stats.board(
            self.runtime.sessions,
            current_tenant(),
            ZoneInfo(self.runtime.settings.timezone),
            request.page_size,
            request.page_token,
        )
        entries = [
            stats_pb2.BoardEntry(
                number=e.number,
                item_code=e.item_code,
                item_name=e.item_name,
                applicant_name=e.applicant_name,
                completed_date=e.completed_date,
                on_time=e.on_time,
                outcome=enum_number(case_pb2.CaseOutcome, "CASE_OUTCOME_", e.outcome),
            )
            for e in page.items
        ]
        return pb.ListBoardEntriesResponse(entries=entries, next_page_token=page.next_page_token)

    # --- the first-ask register (the caller is the first-ask person; x-tenant-id the township)

    def RegisterInquiry(
        self, request: pb.RegisterInquiryRequest, context: object
    ) -> pb.RegisterInquiryResponse:
        entry = inquiry.register(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            inquiry_from_request(request),
            request.idempotency_key,
        )
        return pb.RegisterInquiryResponse(inquiry=inquiry_to_pb(entry))

    def ListInquiries(self, request: pb.ListInquiriesRequest, context: object) -> pb.ListInquiriesResponse:
        page = inquiry.list_inquiries(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            ZoneInfo(self.runtime.settings.timezone),
            from_date=request.from_date,
            to_date=request.to_date,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.ListInquiriesResponse(
            inquiries=[inquiry_to_pb(i) for i in page.items], next_page_token=page.next_page_token
        )

    # --- cases (the caller is the actor; x-tenant-id the township)

    def CreateCase(self, request: pb.CreateCaseRequest, context: object) -> pb.CreateCaseResponse:
        a = request.applicant
        applicant = Applicant(
            name=a.name,
            phone=a.phone,
            id_number=a.id_number or None,
            address=a.address or None,
            email=a.email or None,
        )
        cmd = ReceiveCase(
            item_code=request.item_code,
            kind="",
            level=enum_word(case_pb2.IntakeLevel, "INTAKE_LEVEL_", request.level),
            channel=enum_word(case_pb2.CaseChannel, "CASE_CHANNEL_", request.channel),
            applicant=applicant,
            materials=tuple(request.materials),
            accept_if_complete=request.accept,
            village=request.village or None,
        )
        view = cases.create(
            self.runtime.sessions, current_principal(), current_tenant(), cmd, request.idempotency_key
        )
        return pb.CreateCaseResponse(case=case_to_pb(view))

    def GetCase(self, request: pb.GetCaseRequest, context: object) -> pb.GetCaseResponse:
        view = cases.get(self.runtime.sessions, current_principal(), current_tenant(), request.case_id)
        return pb.GetCaseResponse(case=case_to_pb(view))

    def ListCases(self, request: pb.ListCasesRequest, context: object) -> pb.ListCasesResponse:
        listing = case_listing.Listing(
            state=enum_word(case_pb2.CaseState, "CASE_STATE_", request.state),
            item_code=request.item_code,
            handler=request.handler,
            from_date=request.from_date,
            to_date=request.to_date,
            page_size=request.page_size,
            page_token=request.page_token,
            colour=enum_word(case_pb2.ClockColour, "CLOCK_COLOUR_", request.colour),
            tenants=tuple(request.tenant_ids),
            number=request.number,
            applicant=request.applicant,
        )
        page = case_listing.list_cases(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            ZoneInfo(self.runtime.settings.timezone),
            listing,
        )
        return pb.ListCasesResponse(
            cases=[case_to_pb(v) for v in page.items], next_page_token=page.next_page_token
        )

    def GetCaseStats(self, request: pb.GetCaseStatsRequest, context: object) -> pb.GetCaseStatsResponse:
        figures = stats.case_stats(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            ZoneInfo(self.runtime.settings.timezone),
            request.from_date,
            request.to_date,
            request.item_code,
        )
        rates = {k: v for k, v in vars(figures).items() if v is not None}  # None: the field stays unset
        return pb.GetCaseStatsResponse(stats=stats_pb2.CaseStats(**rates))

    AcceptCase = _action_rpc("accept", _no_args, pb.AcceptCaseResponse)
    RequestSupplement = _action_rpc(
        "request_supplement",
        lambda r: {"note": r.note, "also": tuple(r.extra_missing)},
        pb.RequestSupplementResponse,
    )
    SubmitMaterials = _action_rpc(
        "submit_materials", lambda r: {"materials": tuple(r.materials)}, pb.SubmitMaterialsResponse
    )
    RefuseCase = _action_rpc(
        "refuse", lambda r: {"reason": r.reason, "refer_to": r.refer_to}, pb.RefuseCaseResponse
    )
    AssignCase = _action_rpc("assign", lambda r: {"handler": r.handler}, pb.AssignCaseResponse)
    EscalateCase = _action_rpc(
        "escalate",
        lambda r: {
            "to_level": enum_word(catalogue_pb2.HandlingLevel, "HANDLING_LEVEL_", r.to_level),
            "reason": r.reason,
            "department": r.department,
        },
        pb.EscalateCaseResponse,
    )
    ResumeCase = _action_rpc("resume", lambda r: {"note": r.note}, pb.ResumeCaseResponse)
    ExtendCase = _action_rpc(
        "extend", lambda r: {"working_days": r.working_days, "reason": r.reason}, pb.ExtendCaseResponse
    )
    CompleteCase = _action_rpc(
        "complete",
        lambda r: {
            "outcome": enum_word(case_pb2.CaseOutcome, "CASE_OUTCOME_", r.outcome),
            "reason": r.reason,
        },
        pb.CompleteCaseResponse,
    )
    ReplyCase = _action_rpc(
        "reply",
        lambda r: {
            "satisfaction": enum_word(satisfaction_pb2.Satisfaction, "SATISFACTION_", r.satisfaction),
            "confirmation": r.confirmation,
        },
        pb.ReplyCaseResponse,
    )
    ArchiveCase = _action_rpc("archive", _no_args, pb.ArchiveCaseResponse)
    ReturnCase = _action_rpc("return", lambda r: {"reason": r.reason}, pb.ReturnCaseResponse)
    WithdrawCase = _action_rpc("withdraw", lambda r: {"reason": r.reason}, pb.WithdrawCaseResponse)
    PressCase = _action_rpc("press", lambda r: {"note": r.note}, pb.PressCaseResponse)

    # --- petitions and complaints (the caller is the officer; x-tenant-id the township)

    def RegisterPetition(
        self, request: pb.RegisterPetitionRequest, context: object
    ) -> pb.RegisterPetitionResponse:
        petition = petitions.register(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            new_from_request(request),
            ZoneInfo(self.runtime.settings.timezone),
            request.idempotency_key,
        )
        return pb.RegisterPetitionResponse(petition=petition_to_pb(petition))

    def GetPetition(self, request: pb.GetPetitionRequest, context: object) -> pb.GetPetitionResponse:
        petition = petitions.get(
            self.runtime.sessions, current_principal(), current_tenant(), request.petition_id
        )
        return pb.GetPetitionResponse(petition=petition_to_pb(petition))

    def ListPetitions(self, request: pb.ListPetitionsRequest, context: object) -> pb.ListPetitionsResponse:
        page = petitions.list_petitions(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            ZoneInfo(self.runtime.settings.timezone),
            kind=kind_word(request.kind),
            state=state_word(request.state),
            from_date=request.from_date,
            to_date=request.to_date,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.ListPetitionsResponse(
            petitions=[petition_to_pb(p) for p in page.items], next_page_token=page.next_page_token
        )

    def AnswerPetition(self, request: pb.AnswerPetitionRequest, context: object) -> pb.AnswerPetitionResponse:
        petition = petitions.answer(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.petition_id,
            request.answer,
            request.expected_version,
        )
        return pb.AnswerPetitionResponse(petition=petition_to_pb(petition))

    def ForwardComplaint(
        self, request: pb.ForwardComplaintRequest, context: object
    ) -> pb.ForwardComplaintResponse:
        petition = petitions.forward(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.petition_id,
            request.department,
            request.answer_days,
            request.expected_version,
        )
        return pb.ForwardComplaintResponse(petition=petition_to_pb(petition))

    def DecideComplaint(
        self, request: pb.DecideComplaintRequest, context: object
    ) -> pb.DecideComplaintResponse:
        petition = petitions.decide(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.petition_id,
            request.verified,
            request.reason,
            request.expected_version,
        )
        return pb.DecideComplaintResponse(petition=petition_to_pb(petition))

    # --- the personal data access log (DOMAIN.md §11)

    def ListPersonalDataAccesses(
        self, request: pb.ListPersonalDataAccessesRequest, context: object
    ) -> pb.ListPersonalDataAccessesResponse:
        page = pii_audit.list_accesses(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            ZoneInfo(self.runtime.settings.timezone),
            subject_id=request.subject_id,
            from_date=request.from_date,
            to_date=request.to_date,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        response = pb.ListPersonalDataAccessesResponse(next_page_token=page.next_page_token)
        for a in page.items:
            entry = response.accesses.add(
                id=a.id, actor=a.actor, subject=a.subject, subject_id=a.subject_id, fields=a.fields
            )
            entry.at.FromDatetime(a.at.astimezone(UTC))
        return response
