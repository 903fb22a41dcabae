"""intake: moved_deadline — the re-derivation's moved deadlines, waiting to be published.

A calendar change re-derives every open deadline of a township in the calendar change's own
transaction (service_layer/deadlines.py). Building the CaseDeadlinesRecomputed events there — a
third of a million case summaries as JSON — took longer than the UPDATE of the clocks itself. So
the transaction now records only which cases moved, and from which deadline: one row for each
future event (up to RECOMPUTED_PER_EVENT case ids and their previous due_at, and the trace
context), committed with the clocks. intake's relay process turns each row into its event and
deletes it in one transaction (service_layer/moved_deadlines.py): every moved deadline is told
once, a little later, with the case as it is then.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from libs.common import db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.create_table(
        "moved_deadline",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False),
        sa.Column("case_ids", ARRAY(sa.Uuid(as_uuid=False)), nullable=False),
        sa.Column("previous_due_at", ARRAY(sa.DateTime(timezone=True)), nullable=False),
        sa.Column("headers", JSONB, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.CheckConstraint(
            "cardinality(case_ids) = cardinality(previous_due_at)", name="moved_deadline_pairs"
        ),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "moved_deadline")


def downgrade() -> None:
    """Refused while a moved deadline waits: each row is events not yet told, and dropping it
    would leave notify's open cases on their old deadlines."""
    bind = op.get_bind()
    # the owner is held to row-level security too (FORCE): lifted, it counts every township's rows
    bind.execute(sa.text(f'ALTER TABLE "{S}".moved_deadline NO FORCE ROW LEVEL SECURITY'))
    waiting = bind.execute(sa.text(f'SELECT count(*) FROM "{S}".moved_deadline')).scalar()
    if waiting:
        raise RuntimeError(
            f"{waiting} record(s) of moved deadlines still wait to be published as events: run intake's"
            " relay (`bianmin run` or `bianmin serve intake relay`) until intake.moved_deadline is empty,"
            " then downgrade"
        )
    op.drop_table("moved_deadline", schema=S)
