"""appraisal: workforce — leaves, sign-ins and their judging (DOMAIN.md §8), the months warned of
a missing duty rota, with the settings
(sign-in times) and the working-day calendar they need (the same projections as intake's and
notify's; a township's transaction reads its county's calendar rows and settings).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from libs.common import calendar_projection, db, directory_projection

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

S = "appraisal"
TABLES = ("leave", "sign_in", "attendance_judgment", "attendance_day", "duty_rota_warning", "spot_check")


def upgrade() -> None:
    conn = op.get_bind()
    directory_projection.create_tables(conn, S, (directory_projection.SETTINGS,))
    calendar_projection.create_tables(conn, S)
    calendar_projection.allow_county_reads(conn, S)
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "leave",
        sa.Column("tenant_id", sa.Text, nullable=False),
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
        sa.Column("requested_at", stamp, nullable=False),
        sa.Column("decided_by", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_at", stamp),
        sa.Column("decision_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("cancelled_by", sa.Text, nullable=False, server_default=""),
        sa.Column("cancelled_at", stamp),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.Text),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="leave_idempotency_key"),
        sa.CheckConstraint("state IN ('pending', 'approved', 'rejected', 'cancelled')", name="leave_state"),
        sa.CheckConstraint("first_day <= last_day", name="leave_days_in_order"),
        schema=S,
    )
    op.create_index("leave_of_user", "leave", ["tenant_id", "username", "first_day"], schema=S)
    op.create_index("leave_days", "leave", ["tenant_id", "first_day", "last_day"], schema=S)
    op.create_table(
        "sign_in",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("at", stamp, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("entered_by", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("recorded_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "username", "at", name="sign_in_once"),
        sa.CheckConstraint("source IN ('self', 'back_fill', 'device')", name="sign_in_source"),
        schema=S,
    )
    op.create_index("sign_in_day", "sign_in", ["tenant_id", "day"], schema=S)
    op.create_table(
        "attendance_judgment",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("half", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("late_minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("early_minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("window", sa.Text),
        sa.PrimaryKeyConstraint("tenant_id", "day", "username", "half"),
        schema=S,
    )
    op.create_table(
        "attendance_day",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("judged_at", stamp, nullable=False),
        sa.Column("staff", sa.Integer, nullable=False),
        sa.Column("unstaffed", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "day"),
        schema=S,
    )
    op.create_table(
        "duty_rota_warning",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("month", sa.Text, nullable=False),
        sa.Column("warned_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "month"),
        schema=S,
    )
    op.create_table(
        "spot_check",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("at", stamp, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("half", sa.Text, nullable=False),
        sa.Column("finding", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.CheckConstraint("finding IN ('off_post', 'present')", name="spot_check_finding"),
        schema=S,
    )
    op.create_index("spot_check_day", "spot_check", ["tenant_id", "day"], schema=S)
    for table in TABLES:
        db.enable_rls(conn, S, table)


def downgrade() -> None:
    conn = op.get_bind()
    for table in reversed(TABLES):
        op.drop_table(table, schema=S)
    calendar_projection.forbid_county_reads(conn, S)
    calendar_projection.drop_tables(conn, S)
    op.drop_table(directory_projection.SETTINGS, schema=S)
