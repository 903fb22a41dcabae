"""proxy: agents (with the projection of approved leaves), households in their zones, the
exclusion list and visits (DOMAIN.md §6.1, §6.2, §6.3 "三必访"; services/proxy/README.md).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from libs.common import db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "proxy"
TABLES = ("visit", "exclusion", "household", "agent_leave", "agent")  # drop order


def _stamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    tenant = sa.Column("tenant_id", sa.Text, nullable=False)
    op.create_table(
        "agent",
        tenant,
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("village", sa.Text, nullable=False, server_default=""),
        sa.Column("village_group", sa.Text, nullable=False, server_default=""),
        sa.Column("backup", sa.Text, nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        _stamp("created_at"),
        sa.Column("created_by", sa.Text, nullable=False),
        _stamp("updated_at"),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("tenant_id", "username"),
        sa.CheckConstraint("level IN ('village', 'township', 'group', 'petition')", name="agent_level"),
        schema=S,
    )
    op.create_table(
        "agent_leave",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("leave_id", sa.Text, nullable=False),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("from_date", sa.Date),
        sa.Column("to_date", sa.Date),
        sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()),
        _stamp("event_at"),
        sa.PrimaryKeyConstraint("tenant_id", "leave_id"),
        schema=S,
    )
    op.create_index("agent_leave_by_user", "agent_leave", ["tenant_id", "username"], schema=S)
    op.create_table(
        "household",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("village", sa.Text, nullable=False),
        sa.Column("village_group", sa.Text, nullable=False, server_default=""),
        sa.Column("head_name", sa.Text, nullable=False),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("phone_key", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False, server_default=""),
        sa.Column("flags", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("agent", sa.Text, nullable=False),
        _stamp("last_visited_at", nullable=True),
        _stamp("created_at"),
        sa.Column("created_by", sa.Text, nullable=False),
        _stamp("updated_at"),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "village", "head_name", "phone_key", name="household_identity"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "agent"], [f"{S}.agent.tenant_id", f"{S}.agent.username"], name="household_agent"
        ),
        schema=S,
    )
    op.create_index("household_by_agent", "household", ["tenant_id", "agent", "id"], schema=S)
    op.create_index("household_by_village", "household", ["tenant_id", "village", "id"], schema=S)
    op.create_table(
        "exclusion",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("id_number", sa.Text, nullable=False, server_default=""),
        sa.Column("phone", sa.Text, nullable=False, server_default=""),
        sa.Column("name_key", sa.Text, nullable=False),
        sa.Column("id_key", sa.Text, nullable=False, server_default=""),
        sa.Column("phone_key", sa.Text, nullable=False, server_default=""),
        sa.Column("reason", sa.Text, nullable=False),
        _stamp("created_at"),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        schema=S,
    )
    op.create_index("exclusion_by_name", "exclusion", ["tenant_id", "name_key"], schema=S)
    op.create_index("exclusion_by_id_number", "exclusion", ["tenant_id", "id_key"], schema=S)
    op.create_table(
        "visit",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("household_id", sa.Text, nullable=False),
        sa.Column("agent", sa.Text, nullable=False),
        _stamp("at"),
        sa.Column("needs", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        _stamp("recorded_at"),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "household_id"],
            [f"{S}.household.tenant_id", f"{S}.household.id"],
            name="visit_household",
        ),
        schema=S,
    )
    op.create_index("visit_by_household", "visit", ["tenant_id", "household_id", "at"], schema=S)
    for table in TABLES:
        db.enable_rls(op.get_bind(), S, table)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table, schema=S)
