"""intake: the service catalogue — township items and the county template in one table.

A township's items live under its tenant id, the county template under the county scope
`<county>.*`; row-level security (FORCEd) keeps them apart like any two tenants.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from libs.common import db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.create_table(
        "catalogue_item",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("statutory_days", sa.Integer, nullable=False),
        sa.Column("promised_days", sa.Integer, nullable=False),
        sa.Column("template_promised_days", sa.Integer, nullable=False),
        sa.Column("materials", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("proxyable", sa.Boolean, nullable=False),
        sa.Column("in_person", sa.Boolean, nullable=False),
        sa.Column("privacy_sensitive", sa.Boolean, nullable=False),
        sa.Column("departments", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("fee_fen", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("procedure", sa.Text, nullable=False, server_default=""),
        sa.Column("legal_basis", sa.Text, nullable=False, server_default=""),
        sa.Column("idempotency_key", sa.Text),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "code"),
        # the domain's rules again, so no path around the service layer can break them
        sa.CheckConstraint(
            "promised_days >= 0 AND promised_days <= statutory_days", name="catalogue_item_promised_days"
        ),
        sa.CheckConstraint("fee_fen >= 0", name="catalogue_item_fee"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "catalogue_item")


def downgrade() -> None:
    op.drop_table("catalogue_item", schema=S)
