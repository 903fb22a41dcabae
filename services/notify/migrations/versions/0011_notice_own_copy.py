"""notify: what the applicant's own printed copy needs beyond the masked text on file.

`text_sealed`: the notice's text with the applicant named in full, sealed like the contact on the
bus (libs/common/sealing.py) — the masked `text` stays what lists, logs and SMS show. `window`:
the case's window when the notice was made, printed on the notice. Rows made before have
neither: their copy prints the masked text, without a window.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

S = "notify"


def upgrade() -> None:
    op.add_column("notice", sa.Column("text_sealed", sa.Text), schema=S)
    op.add_column("notice", sa.Column("window", sa.Text), schema=S)


def downgrade() -> None:
    op.drop_column("notice", "window", schema=S)
    op.drop_column("notice", "text_sealed", schema=S)
