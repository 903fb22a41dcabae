"""How appraisal plugs into the composition roots (`bianmin run`, `bianmin serve appraisal …`)."""

from bianmin.appraisal.v1 import appraisal_service_pb2_grpc as pb_grpc

from libs.common.messaging import Subscription
from libs.common.runtime import Runtime, ServiceDef
from services.appraisal.entrypoints.grpc_servicer import AppraisalServicer
from services.appraisal.service_layer import handlers


def servicers(runtime: Runtime) -> list:
    return [(pb_grpc.add_AppraisalServiceServicer_to_server, AppraisalServicer(runtime))]


def subscriptions() -> list[Subscription]:
    return [Subscription("gateway", "township_onboarded", "appraisal", handlers.on_township_onboarded)]


SERVICE = ServiceDef(
    name="appraisal",
    grpc_service_names=("bianmin.appraisal.v1.AppraisalService",),
    servicers=servicers,
    subscriptions=subscriptions,
)
