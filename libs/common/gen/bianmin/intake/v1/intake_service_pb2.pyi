import datetime

from bianmin.common.v1 import applicant_pb2 as _applicant_pb2
from bianmin.common.v1 import satisfaction_pb2 as _satisfaction_pb2
from bianmin.intake.v1 import case_pb2 as _case_pb2
from bianmin.intake.v1 import catalogue_pb2 as _catalogue_pb2
from bianmin.intake.v1 import inquiry_pb2 as _inquiry_pb2
from bianmin.intake.v1 import petition_pb2 as _petition_pb2
from bianmin.intake.v1 import stats_pb2 as _stats_pb2
from bianmin.intake.v1 import tenant_pb2 as _tenant_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetTenantRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTenantResponse(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: _tenant_pb2.TenantProjection
    def __init__(self, tenant: _Optional[_Union[_tenant_pb2.TenantProjection, _Mapping]] = ...) -> None: ...

class CreateCatalogueTemplateItemRequest(_message.Message):
    __slots__ = ("item", "idempotency_key")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    item: _catalogue_pb2.CatalogueItem
    idempotency_key: str
    def __init__(self, item: _Optional[_Union[_catalogue_pb2.CatalogueItem, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CreateCatalogueTemplateItemResponse(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: _catalogue_pb2.CatalogueItem
    def __init__(self, item: _Optional[_Union[_catalogue_pb2.CatalogueItem, _Mapping]] = ...) -> None: ...

class UpdateCatalogueTemplateItemRequest(_message.Message):
    __slots__ = ("item", "expected_version")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    item: _catalogue_pb2.CatalogueItem
    expected_version: int
    def __init__(self, item: _Optional[_Union[_catalogue_pb2.CatalogueItem, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateCatalogueTemplateItemResponse(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: _catalogue_pb2.CatalogueItem
    def __init__(self, item: _Optional[_Union[_catalogue_pb2.CatalogueItem, _Mapping]] = ...) -> None: ...

class ListCatalogueTemplateItemsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCatalogueTemplateItemsResponse(_message.Message):
    __slots__ = ("items", "next_page_token")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[_catalogue_pb2.CatalogueItem]
    next_page_token: str
    def __init__(self, items: _Optional[_Iterable[_Union[_catalogue_pb2.CatalogueItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetCatalogueItemRequest(_message.Message):
    __slots__ = ("code",)
    CODE_FIELD_NUMBER: _ClassVar[int]
    code: str
    def __init__(self, code: _Optional[str] = ...) -> None: ...

class GetCatalogueItemResponse(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: _catalogue_pb2.CatalogueItem
    def __init__(self, item: _Optional[_Union[_catalogue_pb2.CatalogueItem, _Mapping]] = ...) -> None: ...

class ListCatalogueItemsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "category", "level")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    category: _catalogue_pb2.ItemCategory
    level: _catalogue_pb2.HandlingLevel
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., category: _Optional[_Union[_catalogue_pb2.ItemCategory, str]] = ..., level: _Optional[_Union[_catalogue_pb2.HandlingLevel, str]] = ...) -> None: ...

class ListCatalogueItemsResponse(_message.Message):
    __slots__ = ("items", "next_page_token")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[_catalogue_pb2.CatalogueItem]
    next_page_token: str
    def __init__(self, items: _Optional[_Iterable[_Union[_catalogue_pb2.CatalogueItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateCatalogueItemRequest(_message.Message):
    __slots__ = ("code", "promised_days", "expected_version")
    CODE_FIELD_NUMBER: _ClassVar[int]
    PROMISED_DAYS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    code: str
    promised_days: int
    expected_version: int
    def __init__(self, code: _Optional[str] = ..., promised_days: _Optional[int] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateCatalogueItemResponse(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: _catalogue_pb2.CatalogueItem
    def __init__(self, item: _Optional[_Union[_catalogue_pb2.CatalogueItem, _Mapping]] = ...) -> None: ...

class GetServiceGuideRequest(_message.Message):
    __slots__ = ("item_code",)
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    item_code: str
    def __init__(self, item_code: _Optional[str] = ...) -> None: ...

class GetServiceGuideResponse(_message.Message):
    __slots__ = ("guide",)
    GUIDE_FIELD_NUMBER: _ClassVar[int]
    guide: _catalogue_pb2.ServiceGuide
    def __init__(self, guide: _Optional[_Union[_catalogue_pb2.ServiceGuide, _Mapping]] = ...) -> None: ...

class ListServiceGuidesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListServiceGuidesResponse(_message.Message):
    __slots__ = ("guides", "next_page_token")
    GUIDES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    guides: _containers.RepeatedCompositeFieldContainer[_catalogue_pb2.ServiceGuide]
    next_page_token: str
    def __init__(self, guides: _Optional[_Iterable[_Union[_catalogue_pb2.ServiceGuide, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListBoardEntriesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListBoardEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[_stats_pb2.BoardEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[_stats_pb2.BoardEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RegisterInquiryRequest(_message.Message):
    __slots__ = ("channel", "citizen_name", "organisation", "contact", "matter", "item_code", "result", "routed_to", "idempotency_key")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CITIZEN_NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    MATTER_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ROUTED_TO_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    channel: _inquiry_pb2.InquiryChannel
    citizen_name: str
    organisation: str
    contact: str
    matter: str
    item_code: str
    result: str
    routed_to: str
    idempotency_key: str
    def __init__(self, channel: _Optional[_Union[_inquiry_pb2.InquiryChannel, str]] = ..., citizen_name: _Optional[str] = ..., organisation: _Optional[str] = ..., contact: _Optional[str] = ..., matter: _Optional[str] = ..., item_code: _Optional[str] = ..., result: _Optional[str] = ..., routed_to: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class RegisterInquiryResponse(_message.Message):
    __slots__ = ("inquiry",)
    INQUIRY_FIELD_NUMBER: _ClassVar[int]
    inquiry: _inquiry_pb2.Inquiry
    def __init__(self, inquiry: _Optional[_Union[_inquiry_pb2.Inquiry, _Mapping]] = ...) -> None: ...

class ListInquiriesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "from_date", "to_date")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    from_date: str
    to_date: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class ListInquiriesResponse(_message.Message):
    __slots__ = ("inquiries", "next_page_token")
    INQUIRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    inquiries: _containers.RepeatedCompositeFieldContainer[_inquiry_pb2.Inquiry]
    next_page_token: str
    def __init__(self, inquiries: _Optional[_Iterable[_Union[_inquiry_pb2.Inquiry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateCaseRequest(_message.Message):
    __slots__ = ("item_code", "level", "channel", "applicant", "materials", "village", "accept", "delegation_id", "idempotency_key")
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_FIELD_NUMBER: _ClassVar[int]
    MATERIALS_FIELD_NUMBER: _ClassVar[int]
    VILLAGE_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_FIELD_NUMBER: _ClassVar[int]
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    item_code: str
    level: _case_pb2.IntakeLevel
    channel: _case_pb2.CaseChannel
    applicant: _applicant_pb2.Applicant
    materials: _containers.RepeatedScalarFieldContainer[str]
    village: str
    accept: bool
    delegation_id: str
    idempotency_key: str
    def __init__(self, item_code: _Optional[str] = ..., level: _Optional[_Union[_case_pb2.IntakeLevel, str]] = ..., channel: _Optional[_Union[_case_pb2.CaseChannel, str]] = ..., applicant: _Optional[_Union[_applicant_pb2.Applicant, _Mapping]] = ..., materials: _Optional[_Iterable[str]] = ..., village: _Optional[str] = ..., accept: _Optional[bool] = ..., delegation_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CreateCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class GetCaseRequest(_message.Message):
    __slots__ = ("case_id", "include_history")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_HISTORY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    include_history: bool
    def __init__(self, case_id: _Optional[str] = ..., include_history: _Optional[bool] = ...) -> None: ...

class GetCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class ListCasesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "state", "colour", "item_code", "handler", "from_date", "to_date", "window", "delegation_id", "tenant_ids", "number", "applicant")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    COLOUR_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    DELEGATION_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_IDS_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    APPLICANT_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    state: _case_pb2.CaseState
    colour: _case_pb2.ClockColour
    item_code: str
    handler: str
    from_date: str
    to_date: str
    window: str
    delegation_id: str
    tenant_ids: _containers.RepeatedScalarFieldContainer[str]
    number: str
    applicant: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[_case_pb2.CaseState, str]] = ..., colour: _Optional[_Union[_case_pb2.ClockColour, str]] = ..., item_code: _Optional[str] = ..., handler: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., window: _Optional[str] = ..., delegation_id: _Optional[str] = ..., tenant_ids: _Optional[_Iterable[str]] = ..., number: _Optional[str] = ..., applicant: _Optional[str] = ...) -> None: ...

class ListCasesResponse(_message.Message):
    __slots__ = ("cases", "next_page_token")
    CASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[_case_pb2.Case]
    next_page_token: str
    def __init__(self, cases: _Optional[_Iterable[_Union[_case_pb2.Case, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetCaseStatsRequest(_message.Message):
    __slots__ = ("from_date", "to_date", "item_code")
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    ITEM_CODE_FIELD_NUMBER: _ClassVar[int]
    from_date: str
    to_date: str
    item_code: str
    def __init__(self, from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., item_code: _Optional[str] = ...) -> None: ...

class GetCaseStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: _stats_pb2.CaseStats
    def __init__(self, stats: _Optional[_Union[_stats_pb2.CaseStats, _Mapping]] = ...) -> None: ...

class AcceptCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "kind")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    kind: _case_pb2.CaseKind
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., kind: _Optional[_Union[_case_pb2.CaseKind, str]] = ...) -> None: ...

class AcceptCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class RequestSupplementRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "note", "extra_missing")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    EXTRA_MISSING_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    note: str
    extra_missing: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., note: _Optional[str] = ..., extra_missing: _Optional[_Iterable[str]] = ...) -> None: ...

class RequestSupplementResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class SubmitMaterialsRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "materials")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    MATERIALS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    materials: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., materials: _Optional[_Iterable[str]] = ...) -> None: ...

class SubmitMaterialsResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class RefuseCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "reason", "refer_to")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REFER_TO_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    reason: str
    refer_to: str
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ..., refer_to: _Optional[str] = ...) -> None: ...

class RefuseCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class AssignCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "handler")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    HANDLER_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    handler: str
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., handler: _Optional[str] = ...) -> None: ...

class AssignCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class EscalateCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "to_level", "department", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    TO_LEVEL_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    to_level: _catalogue_pb2.HandlingLevel
    department: str
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., to_level: _Optional[_Union[_catalogue_pb2.HandlingLevel, str]] = ..., department: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class EscalateCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class ResumeCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    note: str
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class ResumeCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class ExtendCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "working_days", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    working_days: int
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., working_days: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ExtendCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class CompleteCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "outcome", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    outcome: _case_pb2.CaseOutcome
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., outcome: _Optional[_Union[_case_pb2.CaseOutcome, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class CompleteCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class ReplyCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "satisfaction", "confirmation")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    SATISFACTION_FIELD_NUMBER: _ClassVar[int]
    CONFIRMATION_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    satisfaction: _satisfaction_pb2.Satisfaction
    confirmation: str
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., satisfaction: _Optional[_Union[_satisfaction_pb2.Satisfaction, str]] = ..., confirmation: _Optional[str] = ...) -> None: ...

class ReplyCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class ArchiveCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ArchiveCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class ReturnCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ReturnCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class WithdrawCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class WithdrawCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class PressCaseRequest(_message.Message):
    __slots__ = ("case_id", "expected_version", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    expected_version: int
    note: str
    def __init__(self, case_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class PressCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: _case_pb2.Case
    def __init__(self, case: _Optional[_Union[_case_pb2.Case, _Mapping]] = ...) -> None: ...

class RegisterPetitionRequest(_message.Message):
    __slots__ = ("kind", "petitioner", "matter", "collective", "leader_received", "subject", "ground", "idempotency_key", "channel", "answer")
    KIND_FIELD_NUMBER: _ClassVar[int]
    PETITIONER_FIELD_NUMBER: _ClassVar[int]
    MATTER_FIELD_NUMBER: _ClassVar[int]
    COLLECTIVE_FIELD_NUMBER: _ClassVar[int]
    LEADER_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    GROUND_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    kind: _petition_pb2.PetitionKind
    petitioner: _applicant_pb2.Applicant
    matter: str
    collective: bool
    leader_received: bool
    subject: _petition_pb2.ComplaintSubject
    ground: _petition_pb2.ComplaintGround
    idempotency_key: str
    channel: str
    answer: str
    def __init__(self, kind: _Optional[_Union[_petition_pb2.PetitionKind, str]] = ..., petitioner: _Optional[_Union[_applicant_pb2.Applicant, _Mapping]] = ..., matter: _Optional[str] = ..., collective: _Optional[bool] = ..., leader_received: _Optional[bool] = ..., subject: _Optional[_Union[_petition_pb2.ComplaintSubject, _Mapping]] = ..., ground: _Optional[_Union[_petition_pb2.ComplaintGround, str]] = ..., idempotency_key: _Optional[str] = ..., channel: _Optional[str] = ..., answer: _Optional[str] = ...) -> None: ...

class RegisterPetitionResponse(_message.Message):
    __slots__ = ("petition",)
    PETITION_FIELD_NUMBER: _ClassVar[int]
    petition: _petition_pb2.Petition
    def __init__(self, petition: _Optional[_Union[_petition_pb2.Petition, _Mapping]] = ...) -> None: ...

class GetPetitionRequest(_message.Message):
    __slots__ = ("petition_id",)
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    def __init__(self, petition_id: _Optional[str] = ...) -> None: ...

class GetPetitionResponse(_message.Message):
    __slots__ = ("petition",)
    PETITION_FIELD_NUMBER: _ClassVar[int]
    petition: _petition_pb2.Petition
    def __init__(self, petition: _Optional[_Union[_petition_pb2.Petition, _Mapping]] = ...) -> None: ...

class ListPetitionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "kind", "state", "from_date", "to_date")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    kind: _petition_pb2.PetitionKind
    state: _petition_pb2.PetitionState
    from_date: str
    to_date: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kind: _Optional[_Union[_petition_pb2.PetitionKind, str]] = ..., state: _Optional[_Union[_petition_pb2.PetitionState, str]] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class ListPetitionsResponse(_message.Message):
    __slots__ = ("petitions", "next_page_token")
    PETITIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    petitions: _containers.RepeatedCompositeFieldContainer[_petition_pb2.Petition]
    next_page_token: str
    def __init__(self, petitions: _Optional[_Iterable[_Union[_petition_pb2.Petition, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AnswerPetitionRequest(_message.Message):
    __slots__ = ("petition_id", "answer", "expected_version")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    answer: str
    expected_version: int
    def __init__(self, petition_id: _Optional[str] = ..., answer: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class AnswerPetitionResponse(_message.Message):
    __slots__ = ("petition",)
    PETITION_FIELD_NUMBER: _ClassVar[int]
    petition: _petition_pb2.Petition
    def __init__(self, petition: _Optional[_Union[_petition_pb2.Petition, _Mapping]] = ...) -> None: ...

class ForwardComplaintRequest(_message.Message):
    __slots__ = ("petition_id", "department", "answer_days", "expected_version")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_DAYS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    department: str
    answer_days: int
    expected_version: int
    def __init__(self, petition_id: _Optional[str] = ..., department: _Optional[str] = ..., answer_days: _Optional[int] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ForwardComplaintResponse(_message.Message):
    __slots__ = ("petition",)
    PETITION_FIELD_NUMBER: _ClassVar[int]
    petition: _petition_pb2.Petition
    def __init__(self, petition: _Optional[_Union[_petition_pb2.Petition, _Mapping]] = ...) -> None: ...

class DecideComplaintRequest(_message.Message):
    __slots__ = ("petition_id", "verified", "reason", "expected_version")
    PETITION_ID_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    petition_id: str
    verified: bool
    reason: str
    expected_version: int
    def __init__(self, petition_id: _Optional[str] = ..., verified: _Optional[bool] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class DecideComplaintResponse(_message.Message):
    __slots__ = ("petition",)
    PETITION_FIELD_NUMBER: _ClassVar[int]
    petition: _petition_pb2.Petition
    def __init__(self, petition: _Optional[_Union[_petition_pb2.Petition, _Mapping]] = ...) -> None: ...

class PersonalDataAccess(_message.Message):
    __slots__ = ("id", "at", "actor", "subject", "subject_id", "fields")
    ID_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    id: int
    at: _timestamp_pb2.Timestamp
    actor: str
    subject: str
    subject_id: str
    fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., subject: _Optional[str] = ..., subject_id: _Optional[str] = ..., fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ListPersonalDataAccessesRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "subject_id", "from_date", "to_date")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    subject_id: str
    from_date: str
    to_date: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., subject_id: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class ListPersonalDataAccessesResponse(_message.Message):
    __slots__ = ("accesses", "next_page_token")
    ACCESSES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    accesses: _containers.RepeatedCompositeFieldContainer[PersonalDataAccess]
    next_page_token: str
    def __init__(self, accesses: _Optional[_Iterable[_Union[PersonalDataAccess, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
