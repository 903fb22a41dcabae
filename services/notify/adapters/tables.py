"""The notify schema's tables (SQLAlchemy Core)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from libs.common import calendar_projection, db
from libs.common import directory_projection as directory
from libs.common.messaging import messaging_tables
from libs.common.tenant_projection import tenant_projection_table

metadata = sa.MetaData(schema="notify")
tenant = tenant_projection_table(metadata)
messaging = messaging_tables(metadata)

# The gateway's directory as far as notify needs it: staff with their phone (SMS), settings (quiet
# hours, time zone). Kept by libs.common.directory_projection (migration 0002).
staff = directory.staff_table(metadata, phone=True)  # for SMS
settings = directory.settings_table(metadata)

# the gateway's calendar, for quiet hours on the township's real working days (migration 0005;
# services/notify/service_layer/calendar.py): the same projection as intake's
_calendar = calendar_projection.calendar_tables(metadata)
calendar_day, calendar_year, calendar_version = _calendar.day, _calendar.year, _calendar.version

# Notices, notifications, the inbox and the open-case projection (migration 0003, DOMAIN.md §10).
notice = db.tenant_table(
    "notice",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("case_id", sa.Text, nullable=False),
    sa.Column("case_number", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("locale", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # applicant name/contact masked
    sa.Column("recipient", sa.Text, nullable=False),  # masked contact
    sa.Column("verification_code", sa.Text, nullable=False),
    sa.Column("source_event_id", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # the applicant's own printed copy: the text naming them in full, sealed; the case's window
    # (migration 0011; NULL on older rows)
    sa.Column("text_sealed", sa.Text),
    sa.Column("window", sa.Text),
    sa.UniqueConstraint("tenant_id", "source_event_id", "kind", name="notice_once"),
)

notification = db.tenant_table(
    "notification",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),  # username, or the masked phone/e-mail
    sa.Column("address_sealed", sa.Text),  # libs.common.sealing; NULL for staff
    sa.Column("subject", sa.Text, nullable=False, server_default=""),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("case_id", sa.Text),
    sa.Column("notice_id", sa.Uuid),
    sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.Column("parked_at", sa.DateTime(timezone=True)),
    sa.Column("replayed_at", sa.DateTime(timezone=True)),
    sa.Column("replayed_by", sa.Text),
    sa.Column("provider_ref", sa.Text),
    sa.Column("source_event_id", sa.Text, nullable=False),
    # the W3C trace context it was queued in, continued by the dispatcher's send (migration 0006)
    sa.Column("trace_context", JSONB),
    sa.UniqueConstraint(
        "tenant_id", "source_event_id", "channel", "recipient", "topic", name="notification_once"
    ),
)

inbox_item = db.tenant_table(
    "inbox_item",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("case_id", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("read_at", sa.DateTime(timezone=True)),
    sa.Column("source_event_id", sa.Text, nullable=False),
    sa.UniqueConstraint("tenant_id", "source_event_id", "username", "topic", name="inbox_item_once"),
)

open_case = db.tenant_table(
    "open_case",
    metadata,
    sa.Column("case_id", sa.Text, nullable=False),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("item_name", sa.Text, nullable=False, server_default=""),
    sa.Column("handler", sa.Text),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("version", sa.BigInteger, nullable=False),
    # when the event that last wrote the row happened (migration 0009): of two events of the same
    # version (moved deadlines), the older never overwrites the newer
    sa.Column("as_of", sa.DateTime(timezone=True)),
    sa.PrimaryKeyConstraint("tenant_id", "case_id"),
)

# appraisal's leader-on-duty rota (migration 0008; services/notify/service_layer/duty_rota.py): one
# row a day of each published month, and each month's newest event time (an older rota delivered
# late never overwrites a newer one)
duty_month = db.tenant_table(
    "duty_month",
    metadata,
    sa.Column("month", sa.Text, nullable=False),  # YYYY-MM
    sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "month"),
)

duty_day = db.tenant_table(
    "duty_day",
    metadata,
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "day"),
)
