"""intake: petitions (信访) and complaints (投诉), DOMAIN.md §9 — tenant tables under FORCEd
row-level security.

`petition` holds both kinds (`kind`), the petitioner's identity as JSONB (confidential: only the
petition officers' reads return it), the answer deadline and lateness, the complaint's
forwarding and decision, and a version for optimistic concurrency. `petition_number` hands out
the per-township, per-kind, per-day sequence of the human-readable numbers (XF-/TS-yyyymmdd-nnnn).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from libs.common import db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.create_table(
        "petition",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("number", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("petitioner", JSONB, nullable=False),
        sa.Column("matter", sa.Text, nullable=False),
        sa.Column("collective", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("leader_received", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("subject_type", sa.Text, nullable=False, server_default=""),
        sa.Column("subject_id", sa.Text, nullable=False, server_default=""),
        sa.Column("ground", sa.Text, nullable=False, server_default=""),
        sa.Column("forwarded_to", sa.Text, nullable=False, server_default=""),
        sa.Column("answer_due_at", sa.DateTime(timezone=True)),
        sa.Column("answer", sa.Text, nullable=False, server_default=""),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("answered_by", sa.Text, nullable=False, server_default=""),
        sa.Column("days_late", sa.Integer, nullable=False, server_default="0"),
        sa.Column("verified", sa.Boolean),
        sa.Column("decision_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_by", sa.Text, nullable=False, server_default=""),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False, server_default=""),
        sa.Column("idempotency_key", sa.Text),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "number", name="petition_number_unique"),
        # the domain's rules again, so no path around the service layer can break them
        sa.CheckConstraint("kind IN ('petition', 'complaint')", name="petition_kind"),
        sa.CheckConstraint("channel IN ('desk', 'letter', 'phone', 'online')", name="petition_channel"),
        sa.CheckConstraint(
            "state IN ('registered', 'forwarded', 'answered', 'decided')", name="petition_state"
        ),
        sa.CheckConstraint(
            "kind = 'petition'"
            " OR (subject_type IN ('window', 'staff') AND subject_id <> '' AND ground <> '')",
            name="petition_complaint_subject",
        ),
        sa.CheckConstraint(
            "kind = 'complaint' OR state IN ('registered', 'answered')", name="petition_states"
        ),
        sa.CheckConstraint("days_late >= 0", name="petition_days_late"),
        sa.CheckConstraint("version >= 1", name="petition_version"),
        schema=S,
    )
    # lists are read in time order (by kind/state), and open ones by deadline
    op.create_index("petition_by_time", "petition", ["tenant_id", "registered_at", "id"], schema=S)
    op.create_index("petition_by_due", "petition", ["tenant_id", "state", "answer_due_at"], schema=S)
    # a retried registration (same Idempotency-Key of the same officer) finds the first one
    op.create_index(
        "petition_idempotency",
        "petition",
        ["tenant_id", "registered_by", "idempotency_key"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    db.enable_rls(op.get_bind(), S, "petition")

    op.create_table(
        "petition_number",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("prefix", sa.Text, nullable=False),  # XF-yyyymmdd / TS-yyyymmdd
        sa.Column("last", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "prefix"),
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "petition_number")


def downgrade() -> None:
    op.drop_table("petition_number", schema=S)
    op.drop_table("petition", schema=S)
