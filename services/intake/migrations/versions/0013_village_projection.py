"""intake: village — the township's villages (the gateway's directory), so that a case's `village`
is one the township has. Filled from `township_onboarded` (the villages named at onboarding) and
`village_saved`; an older event never overwrites a newer one (`event_at`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from libs.common import db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.create_table(
        "village",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("groups", JSONB, nullable=False, server_default="[]"),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "code"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "village")


def downgrade() -> None:
    op.drop_table("village", schema=S)
