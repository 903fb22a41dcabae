"""How appraisal plugs into the composition roots (`bianmin run`, `bianmin serve appraisal …`)."""

from zoneinfo import ZoneInfo

from bianmin.appraisal.v1 import appraisal_service_pb2_grpc as pb_grpc
from bianmin.appraisal.v1 import workforce_service_pb2_grpc as workforce_grpc

from libs.common.messaging import Subscription
from libs.common.runtime import Job, JobReport, Runtime, ServiceDef
from services.appraisal.entrypoints.grpc_servicer import AppraisalServicer
from services.appraisal.entrypoints.workforce_servicer import WorkforceServicer
from services.appraisal.service_layer import (
    attendance_judging,
    calendar,
    duty_rota,
    handlers,
    score_events,
    scores,
    township_events,
)


def servicers(runtime: Runtime) -> list:
    return [
        (pb_grpc.add_AppraisalServiceServicer_to_server, AppraisalServicer(runtime)),
        (workforce_grpc.add_WorkforceServiceServicer_to_server, WorkforceServicer(runtime)),
    ]


def subscriptions() -> list[Subscription]:
    return [
        Subscription("gateway", "township_onboarded", "appraisal", handlers.on_township_onboarded),
        Subscription("gateway", "township_suspended", "appraisal", handlers.on_township_suspended),
        Subscription("gateway", "township_reactivated", "appraisal", handlers.on_township_reactivated),
        Subscription("gateway", "staff_saved", "appraisal", handlers.on_staff_saved),
        Subscription("gateway", "window_saved", "appraisal", handlers.on_window_saved),
        Subscription("gateway", "window_posts_assigned", "appraisal", handlers.on_window_posts_assigned),
        Subscription("gateway", "department_created", "appraisal", handlers.on_department_created),
        # the county's township assessment (DOMAIN.md §7.6): villages, completed cases, findings
        Subscription("gateway", "village_saved", "appraisal", handlers.on_village_saved),
        *township_events.subscriptions(),
        # workforce (DOMAIN.md §8): the sign-in times and the working-day calendar
        Subscription("gateway", "settings_changed", "appraisal", calendar.on_settings_changed),
        Subscription(
            "gateway", "national_calendar_imported", "appraisal", calendar.on_national_calendar_imported
        ),
        Subscription("gateway", "calendar_day_changed", "appraisal", calendar.on_calendar_day_changed),
        # automatic score events (DOMAIN.md §7.1) from intake's case, complaint and catalogue events
        *score_events.subscriptions(),
    ]


def judge_attendance(runtime: Runtime) -> JobReport:
    """Each half-day judged once, the day after (service_layer/attendance_judging.py)."""
    r = attendance_judging.judge_all(runtime.sessions, runtime.ops_sessions)
    return JobReport(
        f"{r.days} day(s) of {r.townships} township(s) judged: {r.judged} half-day(s), "
        f"{r.unstaffed} window half-day(s) unstaffed, {r.failed} township(s) failed",
        failed=bool(r.failed),
    )


def check_duty_rota(runtime: Runtime) -> JobReport:
    """Next month's rota by the month's last working day (service_layer/duty_rota.py)."""
    checked, warned = duty_rota.check_next_months(runtime.sessions, runtime.ops_sessions)
    return JobReport(f"{checked} township(s) checked, {warned} warned of next month's missing duty rota")


def close_month(runtime: Runtime, month: str = "") -> JobReport:
    """Freeze a month's table in every township (default: the month before this one); a month
    closed already is left as it is (only an appeal changes it)."""
    tz = ZoneInfo(runtime.settings.timezone)
    target = month or scores.previous_month(tz)
    closed = already = 0
    for tenant in scores.townships(runtime.ops_sessions):
        done, _rows = scores.close_month(runtime.sessions, tenant, target, tz=tz)
        closed, already = closed + done, already + (not done)
    return JobReport(f"{target}: {closed} township(s) closed, {already} closed already")


SERVICE = ServiceDef(
    name="appraisal",
    grpc_service_names=("bianmin.appraisal.v1.AppraisalService", "bianmin.appraisal.v1.WorkforceService"),
    servicers=servicers,
    subscriptions=subscriptions,
    jobs=(
        Job(
            "close-month",
            "freeze the last month's scores, grades and vetoes in every township and send the results",
            close_month,
            every_seconds=3600,  # hourly in `bianmin run` (a closed month is left alone)
            run_for_month=close_month,
        ),
        Job(
            "judge-attendance",
            "judge each half-day of the townships' staff once, the day after (attendance_judged)",
            judge_attendance,
            every_seconds=3600,  # hourly in `bianmin run`; the CronJob runs it at 01:30
        ),
        Job(
            "check-duty-rota",
            "warn the township admin when next month's duty rota is not published by the last working day",
            check_duty_rota,
            every_seconds=3600,  # hourly in `bianmin run`; the CronJob runs it at 16:00
        ),
    ),
)
