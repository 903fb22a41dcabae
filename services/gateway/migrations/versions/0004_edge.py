"""gateway: edge — the stored first responses of `Idempotency-Key` creates.

Keyed by (username, key): a key belongs to the user who sent it, so the table has no tenant_id
(and no RLS); the gateway reads it in transactions scoped to no tenant.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "gateway"


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("request_hash", sa.Text, nullable=False),
        sa.Column("status", sa.Integer),  # NULL while the first request is in flight
        sa.Column("response_headers", sa.JSON),
        sa.Column("response_body", sa.LargeBinary),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", "key"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("idempotency_key", schema=S)
