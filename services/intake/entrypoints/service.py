"""How intake plugs into the composition roots (`bianmin run`, `bianmin serve intake …`)."""

import threading

from bianmin.intake.v1 import intake_service_pb2_grpc as pb_grpc

from libs.common.messaging import Subscription
from libs.common.runtime import Job, JobReport, Loop, Runtime, ServiceDef
from services.intake.entrypoints.grpc_servicer import IntakeServicer
from services.intake.service_layer import deadlines, handlers, moved_deadlines


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
        # who is away (AB posts: service_layer/posts.py)
        Subscription("appraisal", "leave_approved", "intake", handlers.on_leave_approved),
        Subscription("appraisal", "leave_cancelled", "intake", handlers.on_leave_cancelled),
        Subscription("intake", "catalogue_item_saved", "intake", handlers.on_catalogue_item_saved),
        Subscription(
            "intake",
            "catalogue_template_item_distributed",
            "intake",
            handlers.on_catalogue_template_item_distributed,
        ),
    ]


def sweep_deadlines(runtime: Runtime) -> JobReport:
    """The deadline colour sweep of every township (service_layer/deadlines.py)."""
    report = deadlines.sweep_all(runtime.sessions, runtime.ops_sessions)
    return JobReport(
        f"{report.events} colour change(s) in {report.in_hours} of {report.townships} "
        f"township(s) in office hours; {report.failed} failed",
        failed=report.failed > 0,
    )


def publish_moved_deadlines(runtime: Runtime, stop: threading.Event) -> None:
    """The deadlines a calendar change moved, published until `stop` (service_layer/moved_deadlines.py)."""
    moved_deadlines.publish_loop(runtime.sessions, runtime.ops_sessions, stop)


SERVICE = ServiceDef(
    name="intake",
    grpc_service_names=("bianmin.intake.v1.IntakeService",),
    servicers=servicers,
    subscriptions=subscriptions,
    jobs=(
        Job(
            "sweep-deadlines",
            "warn once per colour step of open cases",
            sweep_deadlines,
            every_seconds=300,  # as the CronJob: every five minutes
            office_hours_only=True,
        ),
    ),
    loops=(Loop("moved-deadlines", publish_moved_deadlines),),
)
