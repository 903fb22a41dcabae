"""intake: petitions — petitions and complaints (DOMAIN.md §9).

Placeholder: filled in by the work that owns it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
