"""notify: a township's transaction reads its county's calendar rows and settings.

Quiet hours and digests compile national ∘ county ∘ township days and the office hours. The county's
rows live under `<county>.*`, so every compile switched the transaction's scope to the county and
back: four round trips for every compile. A read-only policy (`county_rows`) lets the
township's scope read them in the one statement; writes are still held to the scope's own rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from alembic import op

from libs.common import calendar_projection

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

S = "notify"


def upgrade() -> None:
    calendar_projection.allow_county_reads(op.get_bind(), S)


def downgrade() -> None:
    calendar_projection.forbid_county_reads(op.get_bind(), S)
