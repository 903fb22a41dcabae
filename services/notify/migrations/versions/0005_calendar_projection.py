"""notify: calendar_projection — the gateway's calendar as far as quiet hours need it.

The same projection as intake's (libs.common.calendar_projection): national days and years and
the county's overrides under the county scope `<county>.*`, a township's overrides under the
township, each row with the version of the change that wrote it (a removed override stays as a
tombstone). Row-level security FORCEd on all three tables.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from alembic import op

from libs.common import calendar_projection

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S = "notify"


def upgrade() -> None:
    calendar_projection.create_tables(op.get_bind(), S)


def downgrade() -> None:
    calendar_projection.drop_tables(op.get_bind(), S)
