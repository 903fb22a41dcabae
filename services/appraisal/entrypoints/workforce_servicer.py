"""WorkforceService over gRPC (served by the appraisal process): translates protos to calls of
the service layer, decides nothing."""

from datetime import UTC
from zoneinfo import ZoneInfo

from bianmin.appraisal.v1 import workforce_service_pb2 as pb
from bianmin.appraisal.v1 import workforce_service_pb2_grpc as pb_grpc

from libs.common.runtime import Runtime
from libs.common.tenancy import current_principal, current_tenant
from services.appraisal.adapters.attendance_proto import day_to_pb, sign_in_to_pb, spot_check_to_pb
from services.appraisal.adapters.duty_rota_proto import days_to_pb
from services.appraisal.adapters.leave_proto import leave_to_pb, state_word
from services.appraisal.service_layer import attendance, duty_rota, leaves


class WorkforceServicer(pb_grpc.WorkforceServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.runtime.settings.timezone)

    # --- sign-ins and the attendance day

    def RecordSignIn(self, request: pb.RecordSignInRequest, context: object) -> pb.RecordSignInResponse:
        instant = request.at.ToDatetime(tzinfo=UTC) if request.HasField("at") else None
        sign_in = attendance.record_sign_in(
            self.runtime.sessions, current_principal(), current_tenant(), request.username, instant
        )
        return pb.RecordSignInResponse(sign_in=sign_in_to_pb(sign_in))

    def ImportSignIns(self, request: pb.ImportSignInsRequest, context: object) -> pb.ImportSignInsResponse:
        rows = [
            attendance.ImportRow(
                r.at,
                r.username,
                r.at_time.ToDatetime(tzinfo=UTC) if r.HasField("at_time") else None,  # type: ignore[arg-type]
            )
            for r in request.rows
        ]
        stored, duplicates, problems = attendance.import_sign_ins(
            self.runtime.sessions, current_principal(), current_tenant(), rows, dry_run=request.dry_run
        )
        return pb.ImportSignInsResponse(stored=stored, duplicates=duplicates, problems=problems)

    def ListAttendanceDays(
        self, request: pb.ListAttendanceDaysRequest, context: object
    ) -> pb.ListAttendanceDaysResponse:
        days = attendance.list_days(
            self.runtime.sessions, current_principal(), current_tenant(), request.date, request.username
        )
        return pb.ListAttendanceDaysResponse(days=[day_to_pb(d) for d in days])

    def RecordSpotCheck(
        self, request: pb.RecordSpotCheckRequest, context: object
    ) -> pb.RecordSpotCheckResponse:
        instant = request.at.ToDatetime(tzinfo=UTC) if request.HasField("at") else None
        check = attendance.record_spot_check(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.username,
            instant,
            request.finding,
        )
        return spot_check_to_pb(check)

    # --- leaves

    def RequestLeave(self, request: pb.RequestLeaveRequest, context: object) -> pb.RequestLeaveResponse:
        leave = leaves.request_leave(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            username=request.username,
            from_date=request.from_date,
            to_date=request.to_date,
            reason=request.reason,
            substitute=request.substitute,
            substitute_letter=request.substitute_letter,
            idempotency_key=request.idempotency_key,
            tz=self.tz,
        )
        return pb.RequestLeaveResponse(leave=leave_to_pb(leave))

    def ApproveLeave(self, request: pb.ApproveLeaveRequest, context: object) -> pb.ApproveLeaveResponse:
        leave = leaves.decide(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.leave_id,
            approved=request.approved,
            reason=request.reason,
            expected_version=request.expected_version,
        )
        return pb.ApproveLeaveResponse(leave=leave_to_pb(leave))

    def CancelLeave(self, request: pb.CancelLeaveRequest, context: object) -> pb.CancelLeaveResponse:
        leave = leaves.cancel(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.leave_id,
            tz=self.tz,
            expected_version=request.expected_version,
        )
        return pb.CancelLeaveResponse(leave=leave_to_pb(leave))

    def ListLeaves(self, request: pb.ListLeavesRequest, context: object) -> pb.ListLeavesResponse:
        page = leaves.list_leaves(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            username=request.username,
            state=state_word(request.state),
            from_date=request.from_date,
            to_date=request.to_date,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.ListLeavesResponse(
            leaves=[leave_to_pb(x) for x in page.items], next_page_token=page.next_page_token
        )

    # --- the leader-on-duty rota (the caller's token; x-tenant-id the township)

    def PutDutyRota(self, request: pb.PutDutyRotaRequest, context: object) -> pb.PutDutyRotaResponse:
        rota = duty_rota.put_rota(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.month,
            [(d.date, d.username) for d in request.days],
            tz=ZoneInfo(self.runtime.settings.timezone),
        )
        return pb.PutDutyRotaResponse(days=days_to_pb(rota.days), gaps=[d.isoformat() for d in rota.gaps])

    def ListDutyDays(self, request: pb.ListDutyDaysRequest, context: object) -> pb.ListDutyDaysResponse:
        days = duty_rota.list_days(
            self.runtime.sessions, current_principal(), current_tenant(), request.from_date, request.to_date
        )
        return pb.ListDutyDaysResponse(days=days_to_pb(days))
