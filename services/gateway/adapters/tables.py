"""The gateway's schema: the county's directory (townships, villages, users) and its outbox.

`township` and `user_account` are county-level rows (the registry of tenants and the people who
act in them), so they have no `tenant_id`; villages belong to their township and have RLS."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

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
    sa.Column("department", sa.Text),  # county_department users only (migration 0006)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# sessions (migration 0007): failed logins per account and source, the clients that logged in
# before, and the refresh tokens of each login's chain (secrets are kept as sha-256 digests)
login_failure = sa.Table(
    "login_failure",
    metadata,
    sa.Column("username", sa.Text, primary_key=True),
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("holds", sa.Integer, nullable=False),
    sa.Column("held_until", sa.DateTime(timezone=True)),
    sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
)

known_client = sa.Table(
    "known_client",
    metadata,
    sa.Column("token_digest", sa.Text, primary_key=True),
    sa.Column("id", sa.Text, nullable=False, unique=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

refresh_token = sa.Table(
    "refresh_token",
    metadata,
    sa.Column("token_digest", sa.Text, primary_key=True),
    sa.Column("family", sa.Text, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("session_started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("spent_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
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
    sa.Column("updated_by", sa.Text, nullable=False, server_default=""),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# bumped on every change of a scope's days (national import included): compiled calendars are
# cached by the versions of the scopes they were built from (sla.md §5.3)
calendar_version = sa.Table(
    "calendar_version",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# a township's organisation (DOMAIN.md §1, §8): departments, windows with their AB posts, the
# township details of its staff users, and its settings (§3.3, §5, §6)
department = db.tenant_table(
    "department",
    metadata,
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.PrimaryKeyConstraint("tenant_id", "code"),
)

window = db.tenant_table(
    "window",  # a reserved word in SQL: SQLAlchemy quotes it; raw SQL must write "window"
    metadata,
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False),
    sa.Column("item_codes", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("post_a", sa.Text),  # usernames of the AB posts, NULL until assigned
    sa.Column("post_b", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.PrimaryKeyConstraint("tenant_id", "code"),
    sa.ForeignKeyConstraint(
        ["tenant_id", "department"], ["gateway.department.tenant_id", "gateway.department.code"]
    ),
)

# what a user is in one township beyond user_account's roles/tenants: their window and village
staff = db.tenant_table(
    "staff",
    metadata,
    sa.Column("username", sa.Text, sa.ForeignKey("gateway.user_account.username"), nullable=False),
    sa.Column("window", sa.Text),
    sa.Column("village", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "username"),
)

tenant_settings = db.tenant_table(
    "tenant_settings",
    metadata,
    sa.Column("office_hours", JSONB, nullable=False),  # [["09:00", "12:00"], ...]
    sa.Column("time_zone", sa.Text, nullable=False),
    sa.Column("trip_days", JSONB, nullable=False),  # ["wed", "sun"]
    sa.Column("warn_ratio", sa.Float, nullable=False),
    sa.Column("escalation_notice_days", sa.Integer, nullable=False),
    sa.Column("appeal_days", sa.Integer, nullable=False),
    sa.Column("visit_round_days", sa.Integer, nullable=False),
    sa.Column("callback_ratio", sa.Float, nullable=False),
    sa.Column("locale", sa.Text, nullable=False),
    sa.Column("sign_in_times", JSONB, nullable=False),
    sa.Column("extra", JSONB, nullable=False, server_default="{}"),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id"),
)

# who of the county roles read or acted in which township, and when (DOMAIN.md §1: county
# access across townships is explicit and audited). County-level rows: keyed by township name,
# not tenant_id, so the county can read its own audit trail across townships.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("roles", ARRAY(sa.Text), nullable=False),
    sa.Column("township", sa.Text, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
)

messaging = messaging_tables(metadata)

# the first response of a create sent with an `Idempotency-Key` (entrypoints/http/idempotency.py);
# keyed by user, not tenant, so no tenant_id and no RLS
idempotency_key = sa.Table(
    "idempotency_key",
    metadata,
    sa.Column("username", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("status", sa.Integer),  # NULL while the first request is in flight
    sa.Column("response_headers", sa.JSON),
    sa.Column("response_body", sa.LargeBinary),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)
