"""gateway: sessions — refresh tokens, known clients and failed logins per account and source.

The account-wide lock (`user_account.failed_logins`, `locked_until`) let anyone lock anyone out
with five wrong passwords; failures are now held against the source that made them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

S = "gateway"
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),  # ip:<address> or client:<known client id>
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("holds", sa.Integer, nullable=False),
        sa.Column("held_until", _TS),
        sa.Column("last_failure_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("username", "source"),
        schema=S,
    )
    op.create_table(
        "known_client",
        sa.Column("token_digest", sa.Text, primary_key=True),  # sha-256 of the client token
        sa.Column("id", sa.Text, nullable=False, unique=True),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        schema=S,
    )
    op.create_table(
        "refresh_token",
        sa.Column("token_digest", sa.Text, primary_key=True),  # sha-256 of the refresh token
        sa.Column("family", sa.Text, nullable=False),  # one login's chain of refreshes
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("issued_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("session_started_at", _TS, nullable=False),
        sa.Column("spent_at", _TS),
        sa.Column("revoked_at", _TS),
        schema=S,
    )
    op.create_index("refresh_token_family", "refresh_token", ["family"], schema=S)
    op.create_index("refresh_token_expires", "refresh_token", ["expires_at"], schema=S)
    op.drop_column("user_account", "failed_logins", schema=S)
    op.drop_column("user_account", "locked_until", schema=S)


def downgrade() -> None:
    op.add_column("user_account", sa.Column("locked_until", _TS), schema=S)
    op.add_column(
        "user_account",
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        schema=S,
    )
    op.drop_table("refresh_token", schema=S)
    op.drop_table("known_client", schema=S)
    op.drop_table("login_failure", schema=S)
