"""How intake plugs into the composition roots (`bianmin run`, `bianmin serve intake …`)."""

from bianmin.intake.v1 import intake_service_pb2_grpc as pb_grpc

from libs.common.messaging import Subscription
from libs.common.runtime import Runtime, ServiceDef
from services.intake.entrypoints.grpc_servicer import IntakeServicer
from services.intake.service_layer import handlers


def servicers(runtime: Runtime) -> list:
    return [(pb_grpc.add_IntakeServiceServicer_to_server, IntakeServicer(runtime))]


def subscriptions() -> list[Subscription]:
    return [
        Subscription("gateway", "township_onboarded", "intake", handlers.on_township_onboarded),
        Subscription("gateway", "township_suspended", "intake", handlers.on_township_suspended),
        Subscription("gateway", "township_reactivated", "intake", handlers.on_township_reactivated),
        Subscription("gateway", "staff_saved", "intake", handlers.on_staff_saved),
        Subscription("gateway", "window_saved", "intake", handlers.on_window_saved),
        Subscription("gateway", "window_posts_assigned", "intake", handlers.on_window_posts_assigned),
        Subscription("gateway", "department_created", "intake", handlers.on_department_created),
        Subscription("gateway", "village_saved", "intake", handlers.on_village_saved),
        Subscription("gateway", "settings_changed", "intake", handlers.on_settings_changed),
        Subscription(
            "gateway", "national_calendar_imported", "intake", handlers.on_national_calendar_imported
        ),
        Subscription("gateway", "calendar_day_changed", "intake", handlers.on_calendar_day_changed),
        Subscription("intake", "catalogue_item_saved", "intake", handlers.on_catalogue_item_saved),
        Subscription(
            "intake",
            "catalogue_template_item_distributed",
            "intake",
            handlers.on_catalogue_template_item_distributed,
        ),
    ]


SERVICE = ServiceDef(
    name="intake",
    grpc_service_names=("bianmin.intake.v1.IntakeService",),
    servicers=servicers,
    subscriptions=subscriptions,
)
