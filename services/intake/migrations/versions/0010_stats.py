"""intake: stats — indexes for statistics and the public board.

The figures and the board find cases by the instant of their acceptance and completion, which
are history transitions (`to_state` accepted / completed): one index on (tenant, to_state, at)
serves the period scans of `GET …/stats` and the board's latest-completed-first pages. No new
table, so no RLS or grants to add.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.create_index("case_history_by_transition", "case_history", ["tenant_id", "to_state", "at"], schema=S)


def downgrade() -> None:
    op.drop_index("case_history_by_transition", "case_history", schema=S)
