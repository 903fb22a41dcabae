"""notify: notices — notices, notifications, inbox, open-case projection.

Placeholder: filled in by the work that owns it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "notify"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
