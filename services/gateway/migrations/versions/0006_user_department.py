"""gateway: the department of a county_department user (carried in their token; intake shows
them only the cases escalated to it).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute('ALTER TABLE "gateway".user_account ADD COLUMN department text')


def downgrade() -> None:
    op.execute('ALTER TABLE "gateway".user_account DROP COLUMN department')
