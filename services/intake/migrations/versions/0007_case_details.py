"""intake: case_details — extension days, applicant e-mail, window/village on cases, sweep marks.

Placeholder: filled in by the work that owns it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
