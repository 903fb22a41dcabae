"""gateway: county, townships, villages, user accounts, messaging tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from libs.common import db
from libs.common.messaging import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "gateway"


def upgrade() -> None:
    op.create_table(
        "county",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False, server_default="Asia/Shanghai"),
        schema=S,
    )
    op.create_table(
        "township",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("county", sa.Text, sa.ForeignKey(f"{S}.county.code"), nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("created_by", sa.Text, nullable=False),
        schema=S,
    )
    op.create_table(
        "village",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("groups", sa.JSON, nullable=False, server_default="[]"),
        sa.PrimaryKeyConstraint("tenant_id", "code"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "village")
    op.create_table(
        "user_account",
        sa.Column("username", sa.Text, primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("phone", sa.Text, nullable=False, server_default=""),
        sa.Column("county", sa.Text, nullable=False),
        sa.Column("roles", ARRAY(sa.Text), nullable=False),
        sa.Column("tenants", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    # calendars: scope = 'national', a county code, or a tenant id (DOMAIN.md §5)
    op.create_table(
        "calendar_year",
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("disagreements", sa.JSON, nullable=False, server_default="[]"),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("scope", "year"),
        schema=S,
    )
    op.create_table(
        "calendar_day",
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("working", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("source", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("scope", "day"),
        schema=S,
    )
    create_messaging_tables(op.get_bind(), S)


def downgrade() -> None:
    op.execute(f'DROP SCHEMA "{S}" CASCADE')
