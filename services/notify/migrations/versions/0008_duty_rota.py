"""notify: duty_rota — appraisal's leader-on-duty rota (领导带班值班, DOMAIN.md §8), so that a
collective petition alerts the leader on duty of its day (§9).

`duty_day` is one row a day of a published month: who is on duty. `duty_month` keeps the time
of the newest `duty_rota_published` of each month, so that an older event delivered late never
overwrites a newer rota — even one that left the month empty.
Row-level security FORCEd on both.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from libs.common import db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

S = "notify"


def upgrade() -> None:
    op.create_table(
        "duty_month",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("month", sa.Text, nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "month"),
        schema=S,
    )
    op.create_table(
        "duty_day",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("username", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "day"),
        schema=S,
    )
    for table in ("duty_month", "duty_day"):
        db.enable_rls(op.get_bind(), S, table)


def downgrade() -> None:
    op.drop_table("duty_day", schema=S)
    op.drop_table("duty_month", schema=S)
