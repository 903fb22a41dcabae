"""intake: deadlines — sweep marks and re-derivation support.

Placeholder: filled in by the work that owns it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
