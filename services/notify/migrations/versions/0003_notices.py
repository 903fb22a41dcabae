"""notify: notices — notices on file, notifications, the staff inbox, the open-case projection.

`notice` is what the applicant was told (受理通知书, 一次性告知单, …: DOMAIN.md §10) with its
verification code; `notification` is one delivery on one channel (sms/email queued for the
dispatcher, inbox/print delivered at once); `inbox_item` is a staff member's in-app inbox;
`open_case` is a projection of intake's case events (for digests). The unique keys carry the
source event id so a duplicate delivery of an event changes nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from libs.common import db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "notify"

NOTICE_KINDS = (
    "acceptance",
    "supplement",
    "refusal",
    "escalation",
    "extension",
    "result",
    "satisfaction",
    "return",
)
TOPICS = ("notice", "assignment", "clock_warning", "press", "collective_petition", "digest", "other")
CHANNELS = ("sms", "email", "inbox", "print")
STATUSES = ("queued", "sent", "delivered", "failed", "dead_lettered")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    now = sa.func.now()
    op.create_table(
        "notice",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("case_number", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("locale", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("verification_code", sa.Text, nullable=False),
        sa.Column("source_event_id", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.UniqueConstraint("tenant_id", "source_event_id", "kind", name="notice_once"),
        sa.CheckConstraint(_in("kind", NOTICE_KINDS), name="notice_kind"),
        schema=S,
    )
    op.create_index("notice_by_case", "notice", ["tenant_id", "case_id", "created_at"], schema=S)
    db.enable_rls(op.get_bind(), S, "notice")

    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("address_sealed", sa.Text),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text),
        sa.Column("notice_id", sa.Uuid),
        sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("parked_at", sa.DateTime(timezone=True)),
        sa.Column("replayed_at", sa.DateTime(timezone=True)),
        sa.Column("replayed_by", sa.Text),
        sa.Column("provider_ref", sa.Text),
        sa.Column("source_event_id", sa.Text, nullable=False),
        sa.UniqueConstraint(
            "tenant_id", "source_event_id", "channel", "recipient", "topic", name="notification_once"
        ),
        sa.CheckConstraint(_in("topic", TOPICS), name="notification_topic"),
        sa.CheckConstraint(_in("channel", CHANNELS), name="notification_channel"),
        sa.CheckConstraint(_in("status", STATUSES), name="notification_status"),
        schema=S,
    )
    # the dispatcher picks due queued rows; the API lists a case's notifications
    op.create_index("notification_due", "notification", ["status", "next_attempt_at"], schema=S)
    op.create_index("notification_by_case", "notification", ["tenant_id", "case_id", "created_at"], schema=S)
    db.enable_rls(op.get_bind(), S, "notification")

    op.create_table(
        "inbox_item",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=now),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("source_event_id", sa.Text, nullable=False),
        sa.UniqueConstraint("tenant_id", "source_event_id", "username", "topic", name="inbox_item_once"),
        sa.CheckConstraint(_in("topic", TOPICS), name="inbox_item_topic"),
        schema=S,
    )
    op.create_index("inbox_by_user", "inbox_item", ["tenant_id", "username", "created_at"], schema=S)
    db.enable_rls(op.get_bind(), S, "inbox_item")

    op.create_table(
        "open_case",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("number", sa.Text, nullable=False),
        sa.Column("item_name", sa.Text, nullable=False, server_default=""),
        sa.Column("handler", sa.Text),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "case_id"),
        schema=S,
    )
    op.create_index("open_case_by_handler", "open_case", ["tenant_id", "handler"], schema=S)
    db.enable_rls(op.get_bind(), S, "open_case")


def downgrade() -> None:
    for table in ("open_case", "inbox_item", "notification", "notice"):
        op.drop_table(table, schema=S)
