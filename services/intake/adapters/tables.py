"""The intake schema's tables (SQLAlchemy Core)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from libs.common import calendar_projection, db, leave_projection
from libs.common import directory_projection as directory
from libs.common.messaging import messaging_tables
from libs.common.tenant_projection import tenant_projection_table

metadata = sa.MetaData(schema="intake")
tenant = tenant_projection_table(metadata)
messaging = messaging_tables(metadata)

# the service catalogue (DOMAIN.md §2): a township's items under its tenant id, the county
# template under the county scope `<county>.*` — row-level security keeps the two apart
catalogue_item = db.tenant_table(
    "catalogue_item",
    metadata,
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("level", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("statutory_days", sa.Integer, nullable=False),
    sa.Column("promised_days", sa.Integer, nullable=False),
    sa.Column("template_promised_days", sa.Integer, nullable=False),  # as copied from the template
    sa.Column("materials", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("proxyable", sa.Boolean, nullable=False),
    sa.Column("in_person", sa.Boolean, nullable=False),
    sa.Column("privacy_sensitive", sa.Boolean, nullable=False),
    sa.Column("departments", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("fee_fen", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("procedure", sa.Text, nullable=False, server_default=""),
    sa.Column("legal_basis", sa.Text, nullable=False, server_default=""),
    sa.Column("idempotency_key", sa.Text),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "code"),
)

# the first-ask register (DOMAIN.md §4): citizen name and contact are personal data (§11)
inquiry = db.tenant_table(
    "inquiry",
    metadata,
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("citizen_name", sa.Text, nullable=False),
    sa.Column("organisation", sa.Text, nullable=False, server_default=""),
    sa.Column("contact", sa.Text, nullable=False),
    sa.Column("matter", sa.Text, nullable=False),
    sa.Column("item_code", sa.Text, nullable=False, server_default=""),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("routed_to", sa.Text, nullable=False, server_default=""),
    sa.Column("first_ask", sa.Text, nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("case_id", sa.Text, nullable=False, server_default=""),
    sa.Column("idempotency_key", sa.Text),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)

# The gateway's directory as far as intake needs it: staff, windows and departments (routing and
# assigning cases), settings (the clock). Kept by libs.common.directory_projection (migration 0002).
staff = directory.staff_table(metadata)  # no phone: not needed here
window = directory.window_table(metadata)
# The approved leaves of the township's staff (appraisal's `leave_approved` / `leave_cancelled`,
# libs/common/leave_projection.py): while a window's A post is away, its B acts with A's authority.
staff_leave = leave_projection.leave_table(metadata)
department = directory.department_table(metadata)
village = directory.village_table(metadata)  # a case's village must be one of these
settings = directory.settings_table(metadata)

# the gateway's calendar (migration 0006; services/intake/service_layer/calendar.py): national days
# and years and county overrides under `<county>.*`, township overrides under the township
_calendar = calendar_projection.calendar_tables(metadata)  # libs.common.calendar_projection
calendar_day, calendar_year, calendar_version = _calendar.day, _calendar.year, _calendar.version

# cases (DOMAIN.md §3), their clocks and their append-only, hash-chained history (migration 0005)
case = db.tenant_table(
    "case",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), nullable=False),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("item_code", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("level", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("applicant", JSONB, nullable=False),
    sa.Column("materials", JSONB, nullable=False),
    sa.Column("received", JSONB, nullable=False),
    sa.Column("requested", JSONB, nullable=False),
    sa.Column("first_notice", JSONB),
    sa.Column("first_ask", sa.Text, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("handler", sa.Text),
    sa.Column("escalated_to", sa.Text),
    sa.Column("department", sa.Text),
    sa.Column("outcome", sa.Text),
    sa.Column("satisfaction", sa.Text),
    sa.Column("extensions", sa.Integer, nullable=False, server_default="0"),
    sa.Column("presses", sa.Integer, nullable=False, server_default="0"),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("history_head", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # case details (migration 0007): where the case is handled, and the escalation's target
    sa.Column("window", sa.Text),
    sa.Column("village", sa.Text),
    sa.Column("escalated_department", sa.Text),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)
# the case's clock (migration 0014; case_clock.write_clock, deadline_rederivation.py), narrow so that
# a calendar change re-derives hundreds of thousands of deadlines quickly: one row a case
case_clock = db.tenant_table(
    "case_clock",
    metadata,
    sa.Column("case_id", sa.Uuid(as_uuid=False), nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),  # the case's, when this clock was stored
    sa.Column("clock_state", sa.Text),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("warn_at", sa.DateTime(timezone=True)),
    sa.Column("provisional", sa.Boolean),
    sa.Column("stopped_at", sa.DateTime(timezone=True)),
    # the deadline sweep's mark (migration 0009): the last colour it recorded (NULL: none, green)
    sa.Column("clock_colour", sa.Text),
    sa.Column("colour_changed_at", sa.DateTime(timezone=True)),
    # the segments the clock derives from (migration 0012): the promised and extension working
    # days, the pause intervals (an open one's end NULL)
    sa.Column("clock_promised_days", sa.Integer),
    sa.Column("clock_extension_days", sa.Integer),
    sa.Column("clock_paused_from", ARRAY(sa.DateTime(timezone=True))),
    sa.Column("clock_paused_until", ARRAY(sa.DateTime(timezone=True))),
    sa.PrimaryKeyConstraint("tenant_id", "case_id"),
)
# deadlines a calendar change moved, each row one CaseDeadlinesRecomputed to publish (migration
# 0015; service_layer/moved_deadlines.py): the case ids and each one's previous due_at
moved_deadline = db.tenant_table(
    "moved_deadline",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
    sa.Column("case_ids", ARRAY(sa.Uuid(as_uuid=False)), nullable=False),
    sa.Column("previous_due_at", ARRAY(sa.DateTime(timezone=True)), nullable=False),
    sa.Column("headers", JSONB, nullable=False, server_default="{}"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)
# a case with its clock's columns: what the readers of a deadline select from
case_with_clock = (
    sa.select(case, *(c for c in case_clock.c if c.key not in ("tenant_id", "case_id", "version")))
    .join_from(
        case,
        case_clock,
        sa.and_(case_clock.c.tenant_id == case.c.tenant_id, case_clock.c.case_id == case.c.id),
    )
    .subquery("case_with_clock")
)
case_history = db.tenant_table(
    "case_history",
    metadata,
    sa.Column("case_id", sa.Uuid(as_uuid=False), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("from_state", sa.Text),
    sa.Column("to_state", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("working_days", sa.Integer, nullable=False, server_default="0"),  # an extension's (0007)
    sa.Column("prev_hash", sa.Text, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "case_id", "seq"),
)
case_number = db.tenant_table(
    "case_number",
    metadata,
    sa.Column("day", sa.Text, nullable=False),
    sa.Column("last", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "day"),
)

# a create's Idempotency-Key (migration 0017): the first CreateCase of a creator with a key claims
# the row, a retry finds the case it made (services/intake/service_layer/cases.py `create`)
case_idempotency = db.tenant_table(
    "case_idempotency",
    metadata,
    sa.Column("creator", sa.Text, nullable=False),
    sa.Column("idempotency_key", sa.Text, nullable=False),
    sa.Column("case_id", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "creator", "idempotency_key"),
)

# petitions and complaints (DOMAIN.md §9, migration 0008): the petitioner is confidential — only
# the petition officers' reads return it (services/intake/service_layer/petitions.py)
petition = db.tenant_table(
    "petition",
    metadata,
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("petitioner", JSONB, nullable=False),
    sa.Column("matter", sa.Text, nullable=False),
    sa.Column("collective", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("leader_received", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("subject_type", sa.Text, nullable=False, server_default=""),
    sa.Column("subject_id", sa.Text, nullable=False, server_default=""),
    sa.Column("ground", sa.Text, nullable=False, server_default=""),
    sa.Column("forwarded_to", sa.Text, nullable=False, server_default=""),
    sa.Column("answer_due_at", sa.DateTime(timezone=True)),
    sa.Column("answer", sa.Text, nullable=False, server_default=""),
    sa.Column("answered_at", sa.DateTime(timezone=True)),
    sa.Column("answered_by", sa.Text, nullable=False, server_default=""),
    sa.Column("days_late", sa.Integer, nullable=False, server_default="0"),
    sa.Column("verified", sa.Boolean),
    sa.Column("decision_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("decided_by", sa.Text, nullable=False, server_default=""),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("registered_by", sa.Text, nullable=False),
    sa.Column("case_id", sa.Text, nullable=False, server_default=""),
    sa.Column("idempotency_key", sa.Text),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)
petition_number = db.tenant_table(
    "petition_number",
    metadata,
    sa.Column("prefix", sa.Text, nullable=False),
    sa.Column("last", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "prefix"),
)

# who was shown a person's record in full, and which fields (DOMAIN.md §11, migration 0011):
# append-only, never the data itself (services/intake/service_layer/pii_audit.py)
personal_data_access = db.tenant_table(
    "personal_data_access",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("subject_id", sa.Text, nullable=False),
    sa.Column("fields", sa.ARRAY(sa.Text), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)
