"""WorkforceService over gRPC (served by the appraisal process): translates protos to calls of
the service layer, decides nothing."""

from zoneinfo import ZoneInfo

from bianmin.appraisal.v1 import workforce_service_pb2 as pb
from bianmin.appraisal.v1 import workforce_service_pb2_grpc as pb_grpc

from libs.common.runtime import Runtime
from libs.common.tenancy import current_principal, current_tenant
from services.appraisal.adapters.duty_rota_proto import days_to_pb
from services.appraisal.service_layer import duty_rota


class WorkforceServicer(pb_grpc.WorkforceServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

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
        return pb.PutDutyRotaResponse(days=days_to_pb(rota.days))

    def ListDutyDays(self, request: pb.ListDutyDaysRequest, context: object) -> pb.ListDutyDaysResponse:
        days = duty_rota.list_days(
            self.runtime.sessions, current_principal(), current_tenant(), request.from_date, request.to_date
        )
        return pb.ListDutyDaysResponse(days=days_to_pb(days))
