"""appraisal: the county's township assessment (DOMAIN.md §7.6) — the village projection, the
completed cases and findings intake's events tell, information reports and the county's values
of its manual indicators.

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from libs.common import db, directory_projection

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "appraisal"
TABLES = ("case_fact", "township_finding", "info_report", "township_indicator")


def upgrade() -> None:
    conn = op.get_bind()
    directory_projection.create_tables(conn, S, (directory_projection.VILLAGE,))
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "case_fact",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("number", sa.Text, nullable=False, server_default=""),
        sa.Column("item_name", sa.Text, nullable=False, server_default=""),
        sa.Column("window", sa.Text),
        sa.Column("village", sa.Text),
        sa.Column("completed_at", stamp, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("event_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "case_id"),
        schema=S,
    )
    op.create_index("case_fact_completed", "case_fact", ["tenant_id", "completed_at"], schema=S)
    op.create_table(
        "township_finding",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("occurred_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "ref"),
        schema=S,
    )
    op.create_table(
        "info_report",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("reported_at", stamp, nullable=False),
        sa.Column("reported_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        schema=S,
    )
    op.create_index("info_report_at", "info_report", ["tenant_id", "reported_at"], schema=S)
    op.create_table(
        "township_indicator",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("quarter", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("set_by", sa.Text, nullable=False),
        sa.Column("set_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "quarter", "code"),
        schema=S,
    )
    for table in TABLES:
        db.enable_rls(conn, S, table)


def downgrade() -> None:
    for table in (*TABLES, directory_projection.VILLAGE):
        op.drop_table(table, schema=S)
