"""intake: a case's create is idempotent — the Idempotency-Key of its creator (the HTTP header, or
the proxy service's key for a delegation's case) claims one row here, so a retried CreateCase
returns the first case instead of receiving a second one.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from libs.common import db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.create_table(
        "case_idempotency",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("creator", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "creator", "idempotency_key"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "case_idempotency")


def downgrade() -> None:
    op.drop_table("case_idempotency", schema=S)
