"""How notify plugs into the composition roots (`bianmin run`, `bianmin serve notify …`)."""

from bianmin.notify.v1 import notify_service_pb2_grpc as pb_grpc

from libs.common.messaging import Subscription
from libs.common.runtime import Job, JobReport, Loop, Runtime, ServiceDef
from services.notify.entrypoints.grpc_servicer import NotifyServicer
from services.notify.service_layer import (
    appraisal_results,
    calendar,
    case_events,
    delivery,
    digests,
    duty_rota,
    handlers,
    proxy_events,
)


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
        # … and next month's rota missing on the month's last working day warns the township admin
        Subscription(duty_rota.SOURCE, "duty_rota_missed", "notify", case_events.on_duty_rota_missed),
        # intake's case and petition events: notices, notifications, the inbox, open cases
        *case_events.subscriptions(),
        # appraisal's closed month: each subject's result in the inbox, the consequences to the office
        *appraisal_results.subscriptions(),
        # proxy's trips: each agent told its manifest, the township admins warned of a missed trip
        *proxy_events.subscriptions(),
    ]


def send_digests(runtime: Runtime) -> JobReport:
    """The daily inbox digests (service_layer/digests.py; a run adds only those missing today)."""
    result = digests.send_digests(runtime.ops_sessions, runtime.settings.timezone)
    return JobReport(
        f"{result.sent} digest(s) sent, {result.already} already sent today, "
        f"{result.resting} township(s) on a day off"
    )


SERVICE = ServiceDef(
    name="notify",
    grpc_service_names=("bianmin.notify.v1.NotifyService",),
    servicers=servicers,
    subscriptions=subscriptions,
    jobs=(
        Job(
            "send-digests",
            "one inbox digest per staff member of the cases due today and the next working day",
            send_digests,
            every_seconds=3600,  # hourly in `bianmin run`; the CronJob runs it at 08:00
        ),
    ),
    loops=(Loop("dispatcher", delivery.dispatch_loop),),
)
