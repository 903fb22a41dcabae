"""The appraisal schema's tables (SQLAlchemy Core)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from libs.common import calendar_projection, db
from libs.common import directory_projection as directory
from libs.common.messaging import messaging_tables
from libs.common.tenant_projection import tenant_projection_table

metadata = sa.MetaData(schema="appraisal")
tenant = tenant_projection_table(metadata)
messaging = messaging_tables(metadata)

# The gateway's directory as far as appraisal needs it: staff, windows and departments (the subjects
# it appraises). Kept by libs.common.directory_projection (migration 0002).
staff = directory.staff_table(metadata)  # no phone: not needed here
window = directory.window_table(metadata)
department = directory.department_table(metadata)

# The leader-on-duty rota (migration 0003): one leader per day, replaced a month at a time.
duty_day = db.tenant_table(
    "duty_day",
    metadata,
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "day"),
)

# --- the county's township assessment and the callbacks (migration 0006) -----------------------
# (DOMAIN.md §7.6, §7.7; services/appraisal/service_layer/township_assessment.py, callbacks.py)

# The villages of the directory (the 全程代办 indicator counts them).
village = directory.village_table(metadata)

# Each completed case as intake told it (`case_completed`): one row a case, the on-time rate of
# the quarter and the month's callback draw read it.
case_fact = db.tenant_table(
    "case_fact",
    metadata,
    sa.Column("case_id", sa.Text, nullable=False),
    sa.Column("number", sa.Text, nullable=False, server_default=""),
    sa.Column("item_name", sa.Text, nullable=False, server_default=""),
    sa.Column("window", sa.Text),
    sa.Column("village", sa.Text),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("overdue", sa.Boolean, nullable=False),
    sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "case_id"),
    sa.Index("case_fact_completed", "tenant_id", "completed_at"),
)

# What counts against a township centre: a verified complaint (`complaint`, ref the petition) and
# a supervision finding (`supervision`, ref `<case>:<press number>` of a `case_pressed`).
township_finding = db.tenant_table(
    "township_finding",
    metadata,
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("ref", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "kind", "ref"),
)

# Information reports (信息报送) a township submits.
info_report = db.tenant_table(
    "info_report",
    metadata,
    sa.Column("id", sa.Uuid, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False, server_default=""),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reported_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
    sa.Index("info_report_at", "tenant_id", "reported_at"),
)

# The county's values of the indicators it sets (with evidence), per township and quarter.
township_indicator = db.tenant_table(
    "township_indicator",
    metadata,
    sa.Column("quarter", sa.Text, nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("points", sa.Float, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("set_by", sa.Text, nullable=False),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "quarter", "code"),
)


# --- workforce: attendance and leave (migration 0008; DOMAIN.md §8) -----------------------------
# (services/appraisal/service_layer/leaves.py, attendance.py, attendance_judging.py)

# the tenant's settings (sign-in times, time zone, office hours) and its working-day calendar, the
# same projections as intake's and notify's (libs.common.directory_projection, calendar_projection)
settings = directory.settings_table(metadata)
_calendar = calendar_projection.calendar_tables(metadata)
calendar_day, calendar_year, calendar_version = _calendar.day, _calendar.year, _calendar.version

_stamp = sa.DateTime(timezone=True)

# A leave (请假): the aggregate services/appraisal/domain/leave.py, one row.
leave = db.tenant_table(
    "leave",
    metadata,
    sa.Column("id", sa.Uuid, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("working_days", sa.Integer, nullable=False),
    sa.Column("approver_role", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("substitute", sa.Text, nullable=False, server_default=""),
    sa.Column("substitute_letter", sa.Text, nullable=False, server_default=""),
    sa.Column("windows", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("not_in_advance", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("requested_at", _stamp, nullable=False),
    sa.Column("decided_by", sa.Text, nullable=False, server_default=""),
    sa.Column("decided_at", _stamp),
    sa.Column("decision_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("cancelled_by", sa.Text, nullable=False, server_default=""),
    sa.Column("cancelled_at", _stamp),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("idempotency_key", sa.Text),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
    sa.UniqueConstraint("tenant_id", "idempotency_key", name="leave_idempotency_key"),
    sa.Index("leave_of_user", "tenant_id", "username", "first_day"),
    sa.Index("leave_days", "tenant_id", "first_day", "last_day"),
)

# A sign-in (签到): by the staff member (`self`), back-filled by the township admin (`back_fill`)
# or imported from a sign-in device's export (`device`); `entered_by` who entered it. `day` is the
# local date (the tenant's time zone). The same user and instant twice is one sign-in.
sign_in = db.tenant_table(
    "sign_in",
    metadata,
    sa.Column("id", sa.Uuid, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("at", _stamp, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("entered_by", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("recorded_at", _stamp, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
    sa.UniqueConstraint("tenant_id", "username", "at", name="sign_in_once"),
    sa.Index("sign_in_day", "tenant_id", "day"),
)

# The judgment of one staff member's half-day (the judge-attendance job, the day after), once.
attendance_judgment = db.tenant_table(
    "attendance_judgment",
    metadata,
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("half", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("late_minutes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("early_minutes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("window", sa.Text),
    sa.PrimaryKeyConstraint("tenant_id", "day", "username", "half"),
)

# The days of a township that were judged (a day is judged once).
attendance_day = db.tenant_table(
    "attendance_day",
    metadata,
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("judged_at", _stamp, nullable=False),
    sa.Column("staff", sa.Integer, nullable=False),
    sa.Column("unstaffed", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "day"),
)

# The months a township was warned had no rota by the month before's last working day (once each).
duty_rota_warning = db.tenant_table(
    "duty_rota_warning",
    metadata,
    sa.Column("month", sa.Text, nullable=False),
    sa.Column("warned_at", _stamp, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "month"),
)

# A spot check (明查暗访) of the management office: a staff member found on or off post at `at`,
# in the half-day `half` of the local `day`.
spot_check = db.tenant_table(
    "spot_check",
    metadata,
    sa.Column("id", sa.Uuid, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("at", _stamp, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("half", sa.Text, nullable=False),
    sa.Column("finding", sa.Text, nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.Column("recorded_at", _stamp, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
    sa.Index("spot_check_day", "tenant_id", "day"),
)

# --- score events, appeals, scoring runs, county rulebooks (migration 0007) --------------------
# (DOMAIN.md §7.1–7.5; services/appraisal/adapters/score_event_repository.py)

# One score event: points a rule adds or deducts on a subject, automatic (from a platform event:
# `ref` its source, `facts` the inputs it fired on) or manual (with evidence). Unique on
# (ref, rule, subject): a redelivered or re-published source never counts twice.
score_event = db.tenant_table(
    "score_event",
    metadata,
    sa.Column("id", sa.Uuid, nullable=False),
    sa.Column("subject_type", sa.Text, nullable=False),
    sa.Column("subject_id", sa.Text, nullable=False),
    sa.Column("rule_code", sa.Text, nullable=False),
    sa.Column("variant", sa.Text, nullable=False, server_default=""),
    sa.Column("points", sa.Float, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("ref", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False, server_default=""),
    sa.Column("facts", JSONB, nullable=False, server_default="{}"),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("month", sa.Text, nullable=False),
    sa.Column("rulebook_id", sa.Text, nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="active"),
    sa.Column("withdrawn_by", sa.Uuid),  # the upheld appeal
    sa.PrimaryKeyConstraint("tenant_id", "id"),
    sa.UniqueConstraint(
        "tenant_id", "ref", "rule_code", "subject_type", "subject_id", name="score_event_once"
    ),
    sa.Index("score_event_month", "tenant_id", "month", "status"),
    sa.Index("score_event_subject", "tenant_id", "subject_type", "subject_id", "month"),
)

# An appeal (复核) against a score event; at most one pending per event.
appeal = db.tenant_table(
    "appeal",
    metadata,
    sa.Column("id", sa.Uuid, nullable=False),
    sa.Column("event_id", sa.Uuid, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("filed_by", sa.Text, nullable=False),
    sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("decision_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("decided_by", sa.Text, nullable=False, server_default=""),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
    sa.Index(
        "appeal_pending", "tenant_id", "event_id", unique=True, postgresql_where=sa.text("state = 'pending'")
    ),
)

# A scoring run: the table of one period as computed at a moment (closing a month; an upheld
# appeal re-scores as a new run and keeps the old). `closed`: the month is frozen.
scoring_run = db.tenant_table(
    "scoring_run",
    metadata,
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("run", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("rulebook_id", sa.Text, nullable=False),
    sa.Column("results", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "period", "run"),
)

# A county's own rulebooks (tenant `<county>.*`, read by its townships' transactions) and from
# which month each scores (`rulebook_activation`; absent: the packaged default).
rulebook = db.tenant_table(
    "rulebook",
    metadata,
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("document", JSONB, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)
rulebook_activation = db.tenant_table(
    "rulebook_activation",
    metadata,
    sa.Column("from_month", sa.Text, nullable=False),
    sa.Column("rulebook_id", sa.Text, nullable=False),
    sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("activated_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "from_month"),
)

# What the catalogue rules compare against: each item's limits as last seen (W-BON-05, W-BON-06).
item_limit = db.tenant_table(
    "item_limit",
    metadata,
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("promised_days", sa.Integer, nullable=False),
    sa.Column("statutory_days", sa.Integer, nullable=False),
    sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "code"),
)
