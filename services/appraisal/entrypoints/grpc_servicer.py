"""AppraisalService over gRPC: translates protos to calls of the service layer, decides nothing.
(Attendance, leave and the duty rota are WorkforceService: workforce_servicer.py.)"""

from bianmin.appraisal.v1 import appraisal_service_pb2 as pb
from bianmin.appraisal.v1 import appraisal_service_pb2_grpc as pb_grpc

from libs.common import tenant_projection
from libs.common.runtime import Runtime
from services.appraisal.adapters import tables


class AppraisalServicer(pb_grpc.AppraisalServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def GetTenant(self, request: pb.GetTenantRequest, context: object) -> pb.GetTenantResponse:
        return tenant_projection.get_tenant_response(pb, tables.tenant, self.runtime.sessions)
