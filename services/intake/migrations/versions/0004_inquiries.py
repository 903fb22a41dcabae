"""intake: the first-ask register (首问登记, DOMAIN.md §4) — a tenant table under row-level security.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from libs.common import db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.create_table(
        "inquiry",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("citizen_name", sa.Text, nullable=False),
        sa.Column("organisation", sa.Text, nullable=False, server_default=""),
        sa.Column("contact", sa.Text, nullable=False),
        sa.Column("matter", sa.Text, nullable=False),
        sa.Column("item_code", sa.Text, nullable=False, server_default=""),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("routed_to", sa.Text, nullable=False, server_default=""),
        sa.Column("first_ask", sa.Text, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Text, nullable=False, server_default=""),
        sa.Column("idempotency_key", sa.Text),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        # the domain's rules again, so no path around the service layer can break them
        sa.CheckConstraint("channel IN ('walk_in', 'phone')", name="inquiry_channel"),
        sa.CheckConstraint("result IN ('answered', 'handled', 'routed')", name="inquiry_result"),
        sa.CheckConstraint("result <> 'routed' OR routed_to <> ''", name="inquiry_routed_to"),
        schema=S,
    )
    # the register is read by date range, in time order
    op.create_index("inquiry_by_time", "inquiry", ["tenant_id", "registered_at", "id"], schema=S)
    # a retried register (same Idempotency-Key of the same person) finds the first entry
    op.create_index(
        "inquiry_idempotency",
        "inquiry",
        ["tenant_id", "first_ask", "idempotency_key"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    db.enable_rls(op.get_bind(), S, "inquiry")


def downgrade() -> None:
    op.drop_table("inquiry", schema=S)
