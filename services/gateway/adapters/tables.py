"""The gateway's schema: the county's directory (townships, villages, users) and its outbox.

`township` and `user_account` are county-level rows (the registry of tenants and the people who
act in them), so they have no `tenant_id`; villages belong to their township and have RLS."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from libs.common import db
from libs.common.messaging import messaging_tables

metadata = sa.MetaData(schema="gateway")

county = sa.Table(
    "county",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("timezone", sa.Text, nullable=False, server_default="Asia/Shanghai"),
)

township = sa.Table(
    "township",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),  # the tenant id <county>.<code>
    sa.Column("county", sa.Text, sa.ForeignKey("gateway.county.code"), nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="active"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("created_by", sa.Text, nullable=False),
)

village = db.tenant_table(
    "village",
    metadata,
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("groups", sa.JSON, nullable=False, server_default="[]"),
    sa.PrimaryKeyConstraint("tenant_id", "code"),
)

user_account = sa.Table(
    "user_account",
    metadata,
    sa.Column("username", sa.Text, primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("phone", sa.Text, nullable=False, server_default=""),
    sa.Column("county", sa.Text, nullable=False),
    sa.Column("roles", ARRAY(sa.Text), nullable=False),
    sa.Column("tenants", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# calendars: scope = 'national', a county code, or a tenant id; overrides walk township → county
# → national (DOMAIN.md §5). Only days that differ from the weekday rule are stored.
calendar_year = sa.Table(
    "calendar_year",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("published", sa.Boolean, nullable=False),
    sa.Column("disagreements", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

calendar_day = sa.Table(
    "calendar_day",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("working", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("source", sa.Text, nullable=False),
)

messaging = messaging_tables(metadata)
