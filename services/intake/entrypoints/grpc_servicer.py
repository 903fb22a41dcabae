"""IntakeService over gRPC: translates protos to calls of the service layer, decides nothing."""

from zoneinfo import ZoneInfo

from bianmin.intake.v1 import intake_service_pb2 as pb
from bianmin.intake.v1 import intake_service_pb2_grpc as pb_grpc

from libs.common import tenant_projection
from libs.common.runtime import Runtime
from libs.common.tenancy import current_principal, current_tenant
from services.intake.adapters import tables
from services.intake.adapters.catalogue_proto import guide_to_pb, item_from_pb, word
from services.intake.adapters.inquiry_proto import inquiry_from_request, inquiry_to_pb
from services.intake.service_layer import catalogue, inquiry


class IntakeServicer(pb_grpc.IntakeServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def GetTenant(self, request: pb.GetTenantRequest, context: object) -> pb.GetTenantResponse:
        return tenant_projection.get_tenant_response(pb, tables.tenant, self.runtime.sessions)

    # --- catalogue (the county template is scoped by the caller's token, the rest by x-tenant-id)

    def CreateCatalogueTemplateItem(
        self, request: pb.CreateCatalogueTemplateItemRequest, context: object
    ) -> pb.CreateCatalogueTemplateItemResponse:
        stored = catalogue.create_template_item(
            self.runtime.sessions, current_principal(), item_from_pb(request.item), request.idempotency_key
        )
        return pb.CreateCatalogueTemplateItemResponse(item=catalogue.item_message(stored))

    def ListCatalogueTemplateItems(
        self, request: pb.ListCatalogueTemplateItemsRequest, context: object
    ) -> pb.ListCatalogueTemplateItemsResponse:
        page = catalogue.list_template_items(
            self.runtime.sessions, current_principal(), request.page_size, request.page_token
        )
        return pb.ListCatalogueTemplateItemsResponse(
            items=[catalogue.item_message(s) for s in page.items], next_page_token=page.next_page_token
        )

    def GetCatalogueItem(
        self, request: pb.GetCatalogueItemRequest, context: object
    ) -> pb.GetCatalogueItemResponse:
        stored = catalogue.get_item(
            self.runtime.sessions, current_principal(), current_tenant(), request.code
        )
        return pb.GetCatalogueItemResponse(item=catalogue.item_message(stored))

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
            items=[catalogue.item_message(s) for s in page.items], next_page_token=page.next_page_token
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
        return pb.UpdateCatalogueItemResponse(item=catalogue.item_message(stored))

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
