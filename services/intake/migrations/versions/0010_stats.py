"""intake: stats — indexes for statistics and the public board.

Placeholder: filled in by the work that owns it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
