"""intake: cases (办件, DOMAIN.md §3) and their append-only, hash-chained history.

`case` holds the aggregate's current state (version for optimistic concurrency) plus the clock
columns the deadline work fills (all nullable). `case_history` is one row per transition, chained
by sha256 (`prev_hash` → `hash`); triggers refuse UPDATE, DELETE and TRUNCATE on it — for every
role, the table owner included — and refuse DELETE on `case` (cases are never deleted, §3.4).
`case_number` hands out the per-township, per-day sequence of the human-readable case numbers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from libs.common import db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.create_table(
        "case",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("number", sa.Text, nullable=False),
        sa.Column("item_code", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("applicant", JSONB, nullable=False),
        sa.Column("materials", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("received", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("requested", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("first_notice", JSONB),
        sa.Column("first_ask", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("handler", sa.Text),
        sa.Column("escalated_to", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("outcome", sa.Text),
        sa.Column("satisfaction", sa.Text),
        sa.Column("extensions", sa.Integer, nullable=False, server_default="0"),
        sa.Column("presses", sa.Integer, nullable=False, server_default="0"),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("history_head", sa.Text, nullable=False),  # hash of the newest history entry
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        # the clock (ARCHITECTURE.md §5), filled by the deadline work
        sa.Column("clock_state", sa.Text),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("warn_at", sa.DateTime(timezone=True)),
        sa.Column("provisional", sa.Boolean),
        sa.Column("paused_minutes", sa.Integer),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "number", name="case_number_unique"),
        # the domain's rules again, so no path around the service layer can break them
        sa.CheckConstraint(
            "state IN ('received', 'supplement_requested', 'not_accepted', 'accepted', 'in_progress',"
            " 'escalated', 'completed', 'returned', 'replied', 'archived', 'withdrawn')",
            name="case_state",
        ),
        sa.CheckConstraint("version >= 1", name="case_version"),
        schema=S,
    )
    # the deadline sweep and the warnings read open cases by due/warn time
    op.create_index("case_by_due", "case", ["tenant_id", "state", "due_at"], schema=S)
    op.create_index("case_by_warn", "case", ["tenant_id", "state", "warn_at"], schema=S)
    op.create_index("case_by_received", "case", ["tenant_id", "received_at", "id"], schema=S)
    db.enable_rls(op.get_bind(), S, "case")

    op.create_table(
        "case_history",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("case_id", sa.Uuid, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("from_state", sa.Text),
        sa.Column("to_state", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "case_id", "seq"),
        sa.ForeignKeyConstraint(["tenant_id", "case_id"], [f"{S}.case.tenant_id", f"{S}.case.id"]),
        sa.CheckConstraint("seq >= 1", name="case_history_seq"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "case_history")

    op.create_table(
        "case_number",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("day", sa.Text, nullable=False),  # yyyymmdd in the county's time zone
        sa.Column("last", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "day"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "case_number")

    # append-only: a trigger (not a REVOKE, which the schema grants would undo and the owner
    # ignores) refuses every change to a history row, whoever asks
    op.execute(
        f"""
        CREATE FUNCTION "{S}".refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '%.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        f'CREATE TRIGGER case_history_append_only BEFORE UPDATE OR DELETE ON "{S}".case_history '
        f'FOR EACH ROW EXECUTE FUNCTION "{S}".refuse_change()'
    )
    op.execute(
        f'CREATE TRIGGER case_history_no_truncate BEFORE TRUNCATE ON "{S}".case_history '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{S}".refuse_change()'
    )
    # cases are never deleted (DOMAIN.md §3.4); corrections are new records
    op.execute(
        f'CREATE TRIGGER case_never_deleted BEFORE DELETE ON "{S}"."case" '
        f'FOR EACH ROW EXECUTE FUNCTION "{S}".refuse_change()'
    )
    op.execute(
        f'CREATE TRIGGER case_no_truncate BEFORE TRUNCATE ON "{S}"."case" '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{S}".refuse_change()'
    )


def downgrade() -> None:
    op.drop_table("case_number", schema=S)
    op.drop_table("case_history", schema=S)
    op.drop_table("case", schema=S)
    op.execute(f'DROP FUNCTION IF EXISTS "{S}".refuse_change()')
