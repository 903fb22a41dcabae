"""NotifyService over gRPC: translates protos to calls of the service layer, decides nothing."""

from bianmin.notify.v1 import notify_service_pb2 as pb
from bianmin.notify.v1 import notify_service_pb2_grpc as pb_grpc

from libs.common import tenant_projection
from libs.common.runtime import Runtime
from services.notify.adapters import tables


class NotifyServicer(pb_grpc.NotifyServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def GetTenant(self, request: pb.GetTenantRequest, context: object) -> pb.GetTenantResponse:
        return tenant_projection.get_tenant_response(pb, tables.tenant, self.runtime.sessions)
