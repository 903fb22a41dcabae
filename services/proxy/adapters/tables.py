"""The proxy schema's tables (SQLAlchemy Core)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from libs.common import db, leave_projection
from libs.common import directory_projection as directory
from libs.common.messaging import messaging_tables
from libs.common.tenant_projection import tenant_projection_table

metadata = sa.MetaData(schema="proxy")
tenant = tenant_projection_table(metadata)
messaging = messaging_tables(metadata)

# The gateway's directory as far as proxy needs it: staff (the agents), villages (stations and
# groups), settings (trip days). Kept by libs.common.directory_projection (migration 0002).
staff = directory.staff_table(metadata)  # no phone: not needed here
village = directory.village_table(metadata)
settings = directory.settings_table(metadata)

# --- agents, zones and exclusions (migration 0003; DOMAIN.md §6.1, §6.2) ---------------------

# Proxy agents: a staff member of the township (their name is the directory's, `staff.name`).
agent = db.tenant_table(
    "agent",
    metadata,
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("level", sa.Text, nullable=False),  # village | township | group | petition
    sa.Column("village", sa.Text, nullable=False, server_default=""),
    sa.Column("village_group", sa.Text, nullable=False, server_default=""),
    sa.Column("backup", sa.Text, nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
    sa.PrimaryKeyConstraint("tenant_id", "username"),
)

# The approved leaves of the township's staff (the appraisal service's `leave_approved` and
# `leave_cancelled`): whether an agent is away on a day (services/proxy/service_layer/leaves.py).
# A cancellation that overtakes its approval leaves a cancelled row, so the approval stays dead.
agent_leave = leave_projection.leave_table(metadata, "agent_leave")

# Households of the villages, each in one agent's zone (分片包户). `phone_key` (the phone's
# digits) and `head_name` with `village` identify a household for re-runnable imports.
household = db.tenant_table(
    "household",
    metadata,
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("village", sa.Text, nullable=False),
    sa.Column("village_group", sa.Text, nullable=False, server_default=""),
    sa.Column("head_name", sa.Text, nullable=False),
    sa.Column("phone", sa.Text, nullable=False),
    sa.Column("phone_key", sa.Text, nullable=False),
    sa.Column("address", sa.Text, nullable=False, server_default=""),
    sa.Column("flags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("agent", sa.Text, nullable=False),
    sa.Column("last_visited_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
    sa.UniqueConstraint("tenant_id", "village", "head_name", "phone_key", name="household_identity"),
    sa.ForeignKeyConstraint(["tenant_id", "agent"], ["agent.tenant_id", "agent.username"]),
)

# The township's exclusion list (不代办对象, seed 002 篇6 四(二)); `name_key`, `id_key` and
# `phone_key` are the normalised forms the check compares.
exclusion = db.tenant_table(
    "exclusion",
    metadata,
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("id_number", sa.Text, nullable=False, server_default=""),
    sa.Column("phone", sa.Text, nullable=False, server_default=""),
    sa.Column("name_key", sa.Text, nullable=False),
    sa.Column("id_key", sa.Text, nullable=False, server_default=""),
    sa.Column("phone_key", sa.Text, nullable=False, server_default=""),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)

# Visits to households (三必访, seed 002 篇6 二(五), 篇10 "每两周 … 走访1次").
visit = db.tenant_table(
    "visit",
    metadata,
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("household_id", sa.Text, nullable=False),
    sa.Column("agent", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("needs", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
    sa.ForeignKeyConstraint(["tenant_id", "household_id"], ["household.tenant_id", "household.id"]),
)

# --- delegations (migration 0004; DOMAIN.md §6.2, §6.3) -------------------------------------

# The proxy register (代办记录簿/台账): one row per delegation, its steps in `history` (JSON list of
# {at, actor, action, state, reason}, append-only through the aggregate). `case_version` is the
# newest version of the intake case the worker followed (intake's events may come out of order).
# `idempotency_key` with `agent`: a retried create finds the first delegation.
delegation = db.tenant_table(
    "delegation",
    metadata,
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("agent", sa.Text, nullable=False),
    sa.Column("village", sa.Text, nullable=False),
    sa.Column("household_id", sa.Text, nullable=False, server_default=""),
    sa.Column("applicant_name", sa.Text, nullable=False),
    sa.Column("applicant_phone", sa.Text, nullable=False),
    sa.Column("applicant_id_number", sa.Text, nullable=False, server_default=""),
    sa.Column("applicant_address", sa.Text, nullable=False, server_default=""),
    sa.Column("item_code", sa.Text, nullable=False),
    sa.Column("item_level", sa.Text, nullable=False),
    sa.Column("consent_method", sa.Text, nullable=False),
    sa.Column("consent_signed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("consent_signed_by", sa.Text, nullable=False),
    sa.Column("materials", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("fee_fen", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("fee_receipt", sa.Text, nullable=False, server_default=""),
    sa.Column("case_id", sa.Text, nullable=False),
    sa.Column("case_number", sa.Text, nullable=False),
    sa.Column("case_version", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("trip_date", sa.Date),
    sa.Column("carrier", sa.Text, nullable=False, server_default=""),
    sa.Column("trip_id", sa.Text, nullable=False, server_default=""),
    sa.Column("outcome", sa.Text, nullable=False, server_default=""),
    sa.Column("outcome_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("confirmation_method", sa.Text, nullable=False, server_default=""),
    sa.Column("confirmation_at", sa.DateTime(timezone=True)),
    sa.Column("confirmation_witness", sa.Text, nullable=False, server_default=""),
    sa.Column("satisfaction", sa.Text, nullable=False, server_default=""),
    sa.Column("history", JSONB, nullable=False, server_default="[]"),
    sa.Column("completed_at", sa.DateTime(timezone=True)),  # its result came back (migration 0005)
    sa.Column("idempotency_key", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
    sa.UniqueConstraint("tenant_id", "case_id", name="delegation_case"),
)

# Trips (DOMAIN.md §6.3 step 3): one per carrier, trip day and destination (township | county), its
# id derived from those (so planning twice is one trip); the manifest is the delegations whose
# `trip_id` is it. `status` planned | delivered.
trip = db.tenant_table(
    "trip",
    metadata,
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("trip_date", sa.Date, nullable=False),
    sa.Column("carrier", sa.Text, nullable=False),
    sa.Column("destination", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="planned"),
    sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.Column("delivered_by", sa.Text, nullable=False, server_default=""),
    sa.Column("announced_at", sa.DateTime(timezone=True)),  # its manifest told to the carrier (plan-trips)
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)

# --- quotas and stars (migration 0005; DOMAIN.md §6.5): a closed period and its frozen figures --

period_closed = db.tenant_table(
    "period_closed",
    metadata,
    sa.Column("kind", sa.Text, nullable=False),  # quota | stars
    sa.Column("period", sa.Text, nullable=False),  # YYYY-MM | YYYYQn
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "kind", "period"),
)
quota = db.tenant_table(
    "quota",
    metadata,
    sa.Column("month", sa.Text, nullable=False),
    sa.Column("agent", sa.Text, nullable=False),
    sa.Column("level", sa.Text, nullable=False),
    sa.Column("required", sa.Integer, nullable=False),
    sa.Column("done", sa.Integer, nullable=False),
    sa.Column("shortfall", sa.Integer, nullable=False),
    sa.Column("penalty_fen", sa.BigInteger, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "month", "agent"),
)
village_stars = db.tenant_table(
    "village_stars",
    metadata,
    sa.Column("quarter", sa.Text, nullable=False),
    sa.Column("village", sa.Text, nullable=False),
    sa.Column("delegations", sa.Integer, nullable=False),
    sa.Column("completion_rate", sa.Float, nullable=False),
    sa.Column("satisfaction_rate", sa.Float, nullable=False),
    sa.Column("stars", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "quarter", "village"),
)
