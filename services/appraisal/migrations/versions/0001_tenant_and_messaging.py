"""appraisal: tenant projection and the messaging tables (outbox, inbox, failed events).

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from alembic import op

from libs.common import tenant_projection
from libs.common.messaging import create_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    tenant_projection.create_tables(op.get_bind(), "appraisal")
    create_messaging_tables(op.get_bind(), "appraisal")


def downgrade() -> None:
    op.execute('DROP SCHEMA "appraisal" CASCADE')
