"""How notify plugs into the composition roots (`bianmin run`, `bianmin serve notify …`)."""

from bianmin.notify.v1 import notify_service_pb2_grpc as pb_grpc

from libs.common.messaging import Subscription
from libs.common.runtime import Runtime, ServiceDef
from services.notify.entrypoints.grpc_servicer import NotifyServicer
from services.notify.service_layer import calendar, case_events, duty_rota, handlers


def servicers(runtime: Runtime) -> list:
    return [(pb_grpc.add_NotifyServiceServicer_to_server, NotifyServicer(runtime, subscriptions))]


def subscriptions() -> list[Subscription]:
    return [
        Subscription("gateway", "township_onboarded", "notify", handlers.on_township_onboarded),
        Subscription("gateway", "township_suspended", "notify", handlers.on_township_suspended),
        Subscription("gateway", "township_reactivated", "notify", handlers.on_township_reactivated),
        Subscription("gateway", "staff_saved", "notify", handlers.on_staff_saved),
        Subscription("gateway", "settings_changed", "notify", handlers.on_settings_changed),
        # the calendar projection: quiet hours on the township's real working days
        Subscription(
            "gateway", "national_calendar_imported", "notify", calendar.on_national_calendar_imported
        ),
        Subscription("gateway", "calendar_day_changed", "notify", calendar.on_calendar_day_changed),
        # appraisal's leader-on-duty rota: a collective petition alerts the leader on duty
        Subscription(duty_rota.SOURCE, "duty_rota_published", "notify", duty_rota.on_duty_rota_published),
        # intake's case and petition events: notices, notifications, the inbox, open cases
        *case_events.subscriptions(),
    ]


SERVICE = ServiceDef(
    name="notify",
    grpc_service_names=("bianmin.notify.v1.NotifyService",),
    servicers=servicers,
    subscriptions=subscriptions,
)
