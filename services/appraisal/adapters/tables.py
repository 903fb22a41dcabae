"""The appraisal schema's tables (SQLAlchemy Core)."""

import sqlalchemy as sa

from libs.common import db
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
