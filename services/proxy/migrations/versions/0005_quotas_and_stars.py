"""proxy: quotas and stars (DOMAIN.md §6.5; services/proxy/README.md).

- `delegation.completed_at`: when its result came back (the first step into `decided` or
  `returned`), what quotas and stars count; filled for the delegations already there from their
  history. Indexed per township.
- `period_closed`: a township's closed month of quotas (`kind` quota) or awarded quarter of stars
  (`kind` stars) — closed once: its event is published once, its figures frozen.
- `quota` (agent × month) and `village_stars` (village × quarter): the frozen figures.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from libs.common import db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S = "proxy"


def upgrade() -> None:
    op.add_column("delegation", sa.Column("completed_at", sa.DateTime(timezone=True)), schema=S)
    op.execute(
        f"UPDATE {S}.delegation d SET completed_at = ("
        "SELECT min((h ->> 'at')::timestamptz) FROM jsonb_array_elements(d.history) h"
        " WHERE h ->> 'state' IN ('decided', 'returned'))"
    )
    op.create_index(
        "delegation_by_completion",
        "delegation",
        ["tenant_id", "completed_at"],
        schema=S,
        postgresql_where=sa.text("completed_at IS NOT NULL"),
    )
    op.create_index("delegation_by_creation", "delegation", ["tenant_id", "created_at"], schema=S)
    op.create_table(
        "period_closed",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "period"),
        sa.CheckConstraint("kind IN ('quota', 'stars')", name="period_closed_kind"),
        schema=S,
    )
    op.create_table(
        "quota",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("month", sa.Text, nullable=False),
        sa.Column("agent", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("required", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("shortfall", sa.Integer, nullable=False),
        sa.Column("penalty_fen", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "month", "agent"),
        schema=S,
    )
    op.create_table(
        "village_stars",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("quarter", sa.Text, nullable=False),
        sa.Column("village", sa.Text, nullable=False),
        sa.Column("delegations", sa.Integer, nullable=False),
        sa.Column("completion_rate", sa.Float, nullable=False),
        sa.Column("satisfaction_rate", sa.Float, nullable=False),
        sa.Column("stars", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "quarter", "village"),
        sa.CheckConstraint("stars BETWEEN 0 AND 3", name="village_stars_range"),
        schema=S,
    )
    for table in ("period_closed", "quota", "village_stars"):
        db.enable_rls(op.get_bind(), S, table)


def downgrade() -> None:
    for table in ("village_stars", "quota", "period_closed"):
        op.drop_table(table, schema=S)
    op.drop_index("delegation_by_creation", "delegation", schema=S)
    op.drop_index("delegation_by_completion", "delegation", schema=S)
    op.drop_column("delegation", "completed_at", schema=S)
