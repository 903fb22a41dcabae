"""How proxy plugs into the composition roots (`bianmin run`, `bianmin serve proxy …`)."""

from bianmin.proxy.v1 import proxy_service_pb2_grpc as pb_grpc

from libs.common.messaging import Subscription
from libs.common.runtime import Runtime, ServiceDef
from services.proxy.entrypoints.grpc_servicer import ProxyServicer
from services.proxy.service_layer import handlers


def servicers(runtime: Runtime) -> list:
    return [(pb_grpc.add_ProxyServiceServicer_to_server, ProxyServicer(runtime))]


def subscriptions() -> list[Subscription]:
    return [Subscription("gateway", "township_onboarded", "proxy", handlers.on_township_onboarded)]


SERVICE = ServiceDef(
    name="proxy",
    grpc_service_names=("bianmin.proxy.v1.ProxyService",),
    servicers=servicers,
    subscriptions=subscriptions,
)
