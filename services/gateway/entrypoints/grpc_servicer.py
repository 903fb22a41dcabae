"""DirectoryService over gRPC: reads of the directory that cannot wait for an event.

Each RPC translates: it takes the caller and the tenant the interceptor made ambient
(`libs.common.grpc.interceptors`: a valid token, an `x-tenant-id` the caller may see), calls the
service-layer function the HTTP routers call, and maps its view to protobuf (`pb_mapping`).
The checks are those of the HTTP reads: anyone who sees the township may read it; a county role
reading a township through its county scope leaves an audit entry; staff phones come masked.

Tenant-scoped calls without `x-tenant-id` answer NOT_FOUND (there is no township to read), as
does a township that is not onboarded. Lists with `page_size`/`page_token` page by their key;
ListDepartments and ListWindows (a township's handful) and ListCalendarDays (at most 366 days)
answer in one response."""

from __future__ import annotations

from bianmin.gateway.v1 import directory_service_pb2 as pb
from bianmin.gateway.v1 import directory_service_pb2_grpc as pb_grpc

from libs.common import paging
from libs.common.errors import NotFound, Unauthenticated, ValidationFailed
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal, current_principal, current_tenant, validate_tenant
from services.gateway.domain.calendar import parse_range
from services.gateway.entrypoints import pb_mapping as m
from services.gateway.service_layer import audit, calendars, directory, organisation, settings

SERVICE = "bianmin.gateway.v1.DirectoryService"


class DirectoryServicer(pb_grpc.DirectoryServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    # --- county-scoped -------------------------------------------------------------------------

    def GetTownship(self, request: pb.GetTownshipRequest, context: object) -> pb.GetTownshipResponse:
        view = directory.get_township(self.runtime.sessions, _caller(), validate_tenant(request.tenant_id))
        return pb.GetTownshipResponse(township=m.township_pb(view))

    def ListTownships(self, request: pb.ListTownshipsRequest, context: object) -> pb.ListTownshipsResponse:
        page = paging.PageRequest.of(request.page_size, request.page_token)
        rows = directory.list_townships(
            self.runtime.sessions,
            _caller(),
            after=page.after,
            limit=page.size + 1,
            status=m.township_status_name(request.status),
        )
        items, token = page.split(rows, "id")
        return pb.ListTownshipsResponse(townships=[m.township_pb(v) for v in items], next_page_token=token)

    # --- tenant-scoped -------------------------------------------------------------------------

    def ListDepartments(
        self, request: pb.ListDepartmentsRequest, context: object
    ) -> pb.ListDepartmentsResponse:
        rows = organisation.list_departments(self.runtime.sessions, self._tenant("ListDepartments"))
        return pb.ListDepartmentsResponse(departments=[m.department_pb(d) for d in rows])

    def GetWindow(self, request: pb.GetWindowRequest, context: object) -> pb.GetWindowResponse:
        view = organisation.get_window(self.runtime.sessions, self._tenant("GetWindow"), request.code)
        return pb.GetWindowResponse(window=m.window_pb(view))

    def ListWindows(self, request: pb.ListWindowsRequest, context: object) -> pb.ListWindowsResponse:
        rows = organisation.list_windows(
            self.runtime.sessions,
            self._tenant("ListWindows"),
            department=request.department or None,
            item_code=request.item_code or None,
        )
        return pb.ListWindowsResponse(windows=[m.window_pb(w) for w in rows])

    def GetStaff(self, request: pb.GetStaffRequest, context: object) -> pb.GetStaffResponse:
        tenant = self._tenant("GetStaff")
        view = organisation.get_staff(self.runtime.sessions, tenant, request.username)
        return pb.GetStaffResponse(staff=m.staff_pb(view, tenant))

    def ListStaff(self, request: pb.ListStaffRequest, context: object) -> pb.ListStaffResponse:
        tenant = self._tenant("ListStaff")
        page = paging.PageRequest.of(request.page_size, request.page_token)
        rows = organisation.list_staff(
            self.runtime.sessions,
            tenant,
            after=page.after,
            limit=page.size + 1,
            role=m.role_name(request.role),
            window=request.window or None,
            village=request.village or None,
        )
        items, token = page.split(rows, "username")
        return pb.ListStaffResponse(staff=[m.staff_pb(v, tenant) for v in items], next_page_token=token)

    def GetSettings(self, request: pb.GetSettingsRequest, context: object) -> pb.GetSettingsResponse:
        view = settings.get_settings(self.runtime.sessions, self._tenant("GetSettings"))
        return pb.GetSettingsResponse(settings=m.settings_pb(view))

    def ListCalendarDays(
        self, request: pb.ListCalendarDaysRequest, context: object
    ) -> pb.ListCalendarDaysResponse:
        tenant = self._tenant("ListCalendarDays")
        first, last = parse_range(request.from_date, request.to_date)
        days = calendars.effective_days_of(self.runtime.sessions, tenant, first, last)
        return pb.ListCalendarDaysResponse(days=[m.calendar_day_pb(d) for d in days])

    def PreviewDeadline(
        self, request: pb.PreviewDeadlineRequest, context: object
    ) -> pb.PreviewDeadlineResponse:
        tenant = self._tenant("PreviewDeadline")
        if not request.HasField("start_at"):
            raise ValidationFailed("start_at is required")
        view = calendars.deadline_preview(
            self.runtime.sessions, tenant, m.instant(request.start_at), request.working_days
        )
        return pb.PreviewDeadlineResponse(due_at=m.timestamp(view["due_at"]), provisional=view["provisional"])

    # --- helpers -------------------------------------------------------------------------------

    def _tenant(self, rpc: str) -> str:
        """The tenant of the call (`x-tenant-id`, checked by the interceptor), audited as the
        HTTP reads are when a county role reaches into a township through its county scope."""
        principal = _caller()
        tenant = current_tenant()
        if tenant is None:
            raise NotFound("no tenant: this call needs the x-tenant-id metadata")
        if audit.is_cross_township(principal, tenant):
            audit.record(self.runtime.sessions, principal, tenant, "GRPC", f"/{SERVICE}/{rpc}")
        return tenant


def _caller() -> Principal:
    principal = current_principal()
    if principal is None:
        raise Unauthenticated("no caller")
    return principal
