"""gateway: a township's organisation — departments, windows (AB posts), staff details, settings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from libs.common import db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "gateway"
TABLES = ("department", "window", "staff", "tenant_settings")


def upgrade() -> None:
    op.create_table(
        "department",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "code"),
        schema=S,
    )
    op.create_table(
        "window",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("item_codes", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("post_a", sa.Text),
        sa.Column("post_b", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "code"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "department"], [f"{S}.department.tenant_id", f"{S}.department.code"]
        ),
        schema=S,
    )
    op.create_table(
        "staff",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("username", sa.Text, sa.ForeignKey(f"{S}.user_account.username"), nullable=False),
        sa.Column("window", sa.Text),
        sa.Column("village", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "username"),
        schema=S,
    )
    op.create_table(
        "tenant_settings",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("office_hours", JSONB, nullable=False),
        sa.Column("time_zone", sa.Text, nullable=False),
        sa.Column("trip_days", JSONB, nullable=False),
        sa.Column("warn_ratio", sa.Float, nullable=False),
        sa.Column("escalation_notice_days", sa.Integer, nullable=False),
        sa.Column("appeal_days", sa.Integer, nullable=False),
        sa.Column("visit_round_days", sa.Integer, nullable=False),
        sa.Column("callback_ratio", sa.Float, nullable=False),
        sa.Column("locale", sa.Text, nullable=False),
        sa.Column("sign_in_times", JSONB, nullable=False),
        sa.Column("extra", JSONB, nullable=False, server_default="{}"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id"),
        schema=S,
    )
    for name in TABLES:
        db.enable_rls(op.get_bind(), S, name)


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name, schema=S)
