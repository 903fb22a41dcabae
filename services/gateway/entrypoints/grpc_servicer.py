"""DirectoryService over gRPC: reads of the directory that cannot wait for an event."""

from __future__ import annotations

from bianmin.gateway.v1 import directory_service_pb2 as pb
from bianmin.gateway.v1 import directory_service_pb2_grpc as pb_grpc
from bianmin.gateway.v1 import township_pb2

from libs.common.errors import Unauthenticated
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal, current_principal, validate_tenant
from services.gateway.service_layer import directory

_STATUS = {"active": township_pb2.TOWNSHIP_STATUS_ACTIVE, "suspended": township_pb2.TOWNSHIP_STATUS_SUSPENDED}


class DirectoryServicer(pb_grpc.DirectoryServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def GetTownship(self, request: pb.GetTownshipRequest, context: object) -> pb.GetTownshipResponse:
        view = directory.get_township(self.runtime.sessions, _caller(), validate_tenant(request.tenant_id))
        return pb.GetTownshipResponse(township=_township_pb(view))

    def ListTownships(self, request: pb.ListTownshipsRequest, context: object) -> pb.ListTownshipsResponse:
        views = directory.list_townships(self.runtime.sessions, _caller())
        return pb.ListTownshipsResponse(townships=[_township_pb(v) for v in views])


def _caller() -> Principal:
    principal = current_principal()
    if principal is None:
        raise Unauthenticated("no caller")
    return principal


def _township_pb(view: dict) -> township_pb2.Township:
    return township_pb2.Township(
        tenant_id=view["id"],
        code=view["code"],
        name=view["name"],
        county=view["county"],
        status=_STATUS.get(view["status"], township_pb2.TOWNSHIP_STATUS_UNSPECIFIED),
        villages=[
            township_pb2.Village(
                code=v["code"], name=v["name"], groups=[township_pb2.Group(**g) for g in v["groups"]]
            )
            for v in view["villages"]
        ],
    )
