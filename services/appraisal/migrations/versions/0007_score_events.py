"""appraisal: score events (unique per source, rule and subject), appeals, scoring runs, the
county's own rulebooks and their activations, and the catalogue limits the bonus rules compare.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from libs.common import db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

S = "appraisal"
TABLES = ("score_event", "appeal", "scoring_run", "rulebook", "rulebook_activation", "item_limit")
COUNTY_READ = ("rulebook", "rulebook_activation")  # a township's transaction reads its county's


def upgrade() -> None:
    conn = op.get_bind()
    stamp = sa.DateTime(timezone=True)
    tenant = sa.Column("tenant_id", sa.Text, nullable=False)
    op.create_table(
        "score_event",
        tenant,
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("subject_type", sa.Text, nullable=False),
        sa.Column("subject_id", sa.Text, nullable=False),
        sa.Column("rule_code", sa.Text, nullable=False),
        sa.Column("variant", sa.Text, nullable=False, server_default=""),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False, server_default=""),
        sa.Column("facts", JSONB, nullable=False, server_default="{}"),
        sa.Column("occurred_at", stamp, nullable=False),
        sa.Column("month", sa.Text, nullable=False),
        sa.Column("rulebook_id", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", stamp, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        sa.Column("withdrawn_by", sa.Uuid),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint(
            "tenant_id", "ref", "rule_code", "subject_type", "subject_id", name="score_event_once"
        ),
        schema=S,
    )
    op.create_index("score_event_month", "score_event", ["tenant_id", "month", "status"], schema=S)
    op.create_index(
        "score_event_subject", "score_event", ["tenant_id", "subject_type", "subject_id", "month"], schema=S
    )
    op.create_table(
        "appeal",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("filed_by", sa.Text, nullable=False),
        sa.Column("filed_at", stamp, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("decision_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_by", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_at", stamp),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        schema=S,
    )
    op.create_index(
        "appeal_pending", "appeal", ["tenant_id", "event_id"], unique=True, schema=S,
        postgresql_where=sa.text("state = 'pending'"),
    )  # fmt: skip
    op.create_table(
        "scoring_run",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("run", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("rulebook_id", sa.Text, nullable=False),
        sa.Column("results", JSONB, nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "period", "run"),
        schema=S,
    )
    op.create_table(
        "rulebook",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("updated_at", stamp, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        schema=S,
    )
    op.create_table(
        "rulebook_activation",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("from_month", sa.Text, nullable=False),
        sa.Column("rulebook_id", sa.Text, nullable=False),
        sa.Column("activated_at", stamp, nullable=False),
        sa.Column("activated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "from_month"),
        schema=S,
    )
    op.create_table(
        "item_limit",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("promised_days", sa.Integer, nullable=False),
        sa.Column("statutory_days", sa.Integer, nullable=False),
        sa.Column("event_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "code"),
        schema=S,
    )
    for table in TABLES:
        db.enable_rls(conn, S, table)
    for table in COUNTY_READ:
        db.enable_county_reads(conn, S, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table, schema=S)
