"""notify: delivery — what the dispatcher, the receipt poll and the dead-letter list look up.

The dispatcher keeps its whole state in `notification` (0003): `next_attempt_at` is the time of
the next try for queued/failed rows, the claim's lease while a dispatcher holds a row, and the
time of the next receipt poll for a sent SMS. This revision adds the partial indexes those
three lookups and the dead-letter list need, so none of them scans the delivered history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "notify"


def upgrade() -> None:
    op.execute(
        f"CREATE INDEX notification_dispatch ON {S}.notification (next_attempt_at) "
        "WHERE status IN ('queued', 'failed')"
    )
    op.execute(
        f"CREATE INDEX notification_receipt ON {S}.notification (next_attempt_at) "
        "WHERE status = 'sent' AND channel = 'sms'"
    )
    op.execute(
        f"CREATE INDEX notification_parked ON {S}.notification (parked_at) WHERE status = 'dead_lettered'"
    )


def downgrade() -> None:
    for name in ("notification_parked", "notification_receipt", "notification_dispatch"):
        op.execute(f"DROP INDEX IF EXISTS {S}.{name}")
