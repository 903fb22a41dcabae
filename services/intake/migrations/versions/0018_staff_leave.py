"""intake: who is away — the approved leaves of the township's staff (appraisal's leave_approved /
leave_cancelled), so that while a window's A post is on leave its B acts with A's authority
(DOMAIN.md §8 AB岗).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from alembic import op

from libs.common import leave_projection

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    leave_projection.create_table(op.get_bind(), S)


def downgrade() -> None:
    op.drop_table("staff_leave", schema=S)
