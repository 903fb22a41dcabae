"""notify: projections of the gateway's directory (staff, settings) and the
status stamp of the tenant projection.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

from libs.common import directory_projection

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KINDS = (directory_projection.STAFF, directory_projection.SETTINGS)


def upgrade() -> None:
    directory_projection.create_tables(op.get_bind(), "notify", KINDS, staff_phone=True)


def downgrade() -> None:
    for kind in KINDS:
        op.execute(f'DROP TABLE "notify"."{kind}"')
    op.execute('ALTER TABLE "notify"."tenant" DROP COLUMN IF EXISTS status_at')
