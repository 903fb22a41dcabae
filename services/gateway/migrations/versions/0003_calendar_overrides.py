"""gateway: calendar overrides — who changed a day and when, and a version per calendar scope.

`calendar_day` rows of a county (scope = county code) or a township (scope = tenant id) are the
overrides an admin makes over the national calendar (DOMAIN.md §5). `calendar_version` is bumped
on every change of a scope (national import included), so a compiled calendar can be cached by
the versions of the scopes it was built from (sla.md §5.3).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "gateway"


def upgrade() -> None:
    op.add_column(
        "calendar_day", sa.Column("updated_by", sa.Text, nullable=False, server_default=""), schema=S
    )
    op.add_column(
        "calendar_day",
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "calendar_version",
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("calendar_version", schema=S)
    op.drop_column("calendar_day", "updated_at", schema=S)
    op.drop_column("calendar_day", "updated_by", schema=S)
