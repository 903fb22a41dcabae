"""How proxy plugs into the composition roots (`bianmin run`, `bianmin serve proxy …`)."""

from bianmin.proxy.v1 import proxy_service_pb2_grpc as pb_grpc

from libs.common.messaging import Subscription
from libs.common.runtime import Job, JobReport, Runtime, ServiceDef
from services.proxy.entrypoints.grpc_servicer import ProxyServicer
from services.proxy.service_layer import case_events, handlers, leaves, performance, trips


def servicers(runtime: Runtime) -> list:
    return [(pb_grpc.add_ProxyServiceServicer_to_server, ProxyServicer(runtime))]


def subscriptions() -> list[Subscription]:
    return [
        Subscription("gateway", "township_onboarded", "proxy", handlers.on_township_onboarded),
        Subscription("gateway", "township_suspended", "proxy", handlers.on_township_suspended),
        Subscription("gateway", "township_reactivated", "proxy", handlers.on_township_reactivated),
        Subscription("gateway", "staff_saved", "proxy", handlers.on_staff_saved),
        Subscription("gateway", "village_saved", "proxy", handlers.on_village_saved),
        Subscription("gateway", "settings_changed", "proxy", handlers.on_settings_changed),
        # who is away (service_layer/leaves.py): the agents' on_leave, and dispatch's backups
        Subscription("appraisal", "leave_approved", "proxy", leaves.on_leave_approved),
        Subscription("appraisal", "leave_cancelled", "proxy", leaves.on_leave_cancelled),
        # each delegation follows its intake case (service_layer/case_events.py): records, no gRPC call
        *case_events.subscriptions(),
    ]


def plan_trips(runtime: Runtime) -> JobReport:
    """The next trip day's manifests told to their agents, missed trips warned (service_layer/trips.py)."""
    report = trips.plan_all(runtime.sessions, runtime.ops_sessions)
    return JobReport(
        f"{report.announced} trip(s) told to their agents, {report.missed} delegation(s) missed their trip "
        f"day in {report.townships} township(s); {report.failed} failed",
        failed=report.failed > 0,
    )


def close_proxy_month(runtime: Runtime) -> JobReport:
    """The previous month's quotas frozen and published (service_layer/performance.py)."""
    report = performance.close_months(runtime.sessions, runtime.ops_sessions)
    return JobReport(
        f"last month's quotas closed in {report.closed} of {report.townships} township(s) "
        f"(the others had closed it already); {report.failed} failed",
        failed=report.failed > 0,
    )


def award_village_stars(runtime: Runtime) -> JobReport:
    """The previous quarter's village stars frozen and published (service_layer/performance.py)."""
    report = performance.award_quarters(runtime.sessions, runtime.ops_sessions)
    return JobReport(
        f"last quarter's stars awarded in {report.closed} of {report.townships} township(s) "
        f"(the others had awarded them already); {report.failed} failed",
        failed=report.failed > 0,
    )


SERVICE = ServiceDef(
    name="proxy",
    grpc_service_names=("bianmin.proxy.v1.ProxyService",),
    servicers=servicers,
    subscriptions=subscriptions,
    jobs=(
        Job("plan-trips", "tell agents their next trip's manifest, warn of missed trips", plan_trips, 3600),
        # hourly in `bianmin run` (a closed period is skipped); the CronJobs run them on the 1st
        Job(
            "close-proxy-month",
            "close last month's agent quotas (shortfalls, penalties)",
            close_proxy_month,
            3600,
        ),
        Job("award-village-stars", "award last quarter's village stars", award_village_stars, 3600),
    ),
)
