"""appraisal: duty_day — the leader-on-duty rota (领导带班值班, DOMAIN.md §8): one leader per day
of a township, published a month at a time (services/appraisal/service_layer/duty_rota.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from libs.common import db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "appraisal"


def upgrade() -> None:
    op.create_table(
        "duty_day",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "day"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "duty_day")


def downgrade() -> None:
    op.drop_table("duty_day", schema=S)
