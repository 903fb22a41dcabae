"""intake: calendar_projection — the gateway's calendar as far as intake's clock needs it.

National days and years and the county's overrides live under the county scope `<county>.*`
(like the catalogue template), a township's overrides under the township; row-level security
(FORCEd) keeps them apart. Every day row carries the version of the change that wrote it, so an
older or repeated event changes nothing; a removed override stays as a tombstone (`working`
NULL) so that a late copy of the change it removed cannot bring it back.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from libs.common import db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("working", sa.Boolean),  # NULL: a removed override (tombstone)
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "level", "day"),
        sa.CheckConstraint("level IN ('national', 'county', 'township')", name="calendar_day_level"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "calendar_day")
    op.create_table(
        "calendar_year",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("published", sa.Boolean, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "year"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "calendar_year")
    op.create_table(
        "calendar_version",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "level"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "calendar_version")


def downgrade() -> None:
    op.drop_table("calendar_version", schema=S)
    op.drop_table("calendar_year", schema=S)
    op.drop_table("calendar_day", schema=S)
