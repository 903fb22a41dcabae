"""proxy: delegations — the proxy register (代办记录簿) — and their trips (DOMAIN.md §6.2–6.4;
services/proxy/README.md).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from libs.common import db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "proxy"


def _stamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "delegation",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("agent", sa.Text, nullable=False),
        sa.Column("village", sa.Text, nullable=False),
        _text("household_id"),
        sa.Column("applicant_name", sa.Text, nullable=False),
        sa.Column("applicant_phone", sa.Text, nullable=False),
        _text("applicant_id_number"),
        _text("applicant_address"),
        sa.Column("item_code", sa.Text, nullable=False),
        sa.Column("item_level", sa.Text, nullable=False),
        sa.Column("consent_method", sa.Text, nullable=False),
        _stamp("consent_signed_at"),
        sa.Column("consent_signed_by", sa.Text, nullable=False),
        sa.Column("materials", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("fee_fen", sa.BigInteger, nullable=False, server_default="0"),
        _text("fee_receipt"),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("case_number", sa.Text, nullable=False),
        sa.Column("case_version", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("trip_date", sa.Date),
        _text("carrier"),
        _text("trip_id"),
        _text("outcome"),
        _text("outcome_reason"),
        _text("confirmation_method"),
        _stamp("confirmation_at", nullable=True),
        _text("confirmation_witness"),
        _text("satisfaction"),
        sa.Column("history", JSONB, nullable=False, server_default="[]"),
        sa.Column("idempotency_key", sa.Text),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "case_id", name="delegation_case"),
        sa.CheckConstraint(
            "state IN ('accepted', 'decided', 'awaiting_trip', 'at_township', 'at_county', 'returned', "
            "'replied', 'filed', 'withdrawn')",
            name="delegation_state",
        ),
        sa.CheckConstraint("fee_fen >= 0", name="delegation_fee"),
        schema=S,
    )
    op.create_index("delegation_by_state", "delegation", ["tenant_id", "state", "id"], schema=S)
    op.create_index("delegation_by_agent", "delegation", ["tenant_id", "agent", "id"], schema=S)
    op.create_index("delegation_by_village", "delegation", ["tenant_id", "village", "id"], schema=S)
    op.create_index(
        "delegation_idempotency",
        "delegation",
        ["tenant_id", "agent", "idempotency_key"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.create_index("delegation_by_trip", "delegation", ["tenant_id", "trip_id"], schema=S)
    op.create_table(
        "trip",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("trip_date", sa.Date, nullable=False),
        sa.Column("carrier", sa.Text, nullable=False),
        sa.Column("destination", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="planned"),
        _stamp("planned_at"),
        _stamp("delivered_at", nullable=True),
        _text("delivered_by"),
        _stamp("announced_at", nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.CheckConstraint("destination IN ('township', 'county')", name="trip_destination"),
        sa.CheckConstraint("status IN ('planned', 'delivered')", name="trip_status"),
        schema=S,
    )
    op.create_index("trip_by_date", "trip", ["tenant_id", "trip_date", "carrier"], schema=S)
    for table in ("delegation", "trip"):
        db.enable_rls(op.get_bind(), S, table)


def downgrade() -> None:
    op.drop_table("trip", schema=S)
    op.drop_table("delegation", schema=S)
