"""notify: delivery — delivery: rate limits, provider receipts.

Placeholder: filled in by the work that owns it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "notify"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
