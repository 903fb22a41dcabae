"""notify: open_case.as_of — when the event that last wrote the row happened.

A calendar change moves deadlines without a transition, so its events carry the version the
case already had; two of them for one case (two changes in quick succession, a retry between)
could arrive out of order and the older deadline win. With the event's time kept, a same-version
event applies only when it is not older than what the row has. Rows written before have none:
the next event fills it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

S = "notify"


def upgrade() -> None:
    op.add_column("open_case", sa.Column("as_of", sa.DateTime(timezone=True)), schema=S)


def downgrade() -> None:
    op.drop_column("open_case", "as_of", schema=S)
