"""How the gateway plugs into the composition roots. Its HTTP app is built in `http/app.py`."""

from bianmin.gateway.v1 import directory_service_pb2_grpc as pb_grpc

from libs.common.runtime import Runtime, ServiceDef
from services.gateway.entrypoints.grpc_servicer import DirectoryServicer


def servicers(runtime: Runtime) -> list:
    return [(pb_grpc.add_DirectoryServiceServicer_to_server, DirectoryServicer(runtime))]


SERVICE = ServiceDef(
    name="gateway",
    grpc_service_names=("bianmin.gateway.v1.DirectoryService",),
    servicers=servicers,
    subscriptions=list,  # the gateway publishes directory events and consumes none (yet)
)
