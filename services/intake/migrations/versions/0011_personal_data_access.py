"""intake: personal data access log (DOMAIN.md §11: access to a full personal record is audited).

`personal_data_access` is one row per time a caller was shown a person's record in full (an
applicant of a case, a petitioner): who, when, whose record (`subject`, `subject_id`) and which
fields — never the data itself. Written in the same transaction as the read
(services/intake/service_layer/pii_audit.py). Append-only like the case history: the triggers of
migration 0005's `refuse_change()` refuse UPDATE, DELETE and TRUNCATE for every role.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from libs.common import db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.create_table(
        "personal_data_access",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("subject_id", sa.Text, nullable=False),
        sa.Column("fields", sa.ARRAY(sa.Text), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.CheckConstraint("subject IN ('applicant', 'petitioner')", name="personal_data_access_subject"),
        sa.CheckConstraint("cardinality(fields) > 0", name="personal_data_access_fields"),
        schema=S,
    )
    # the log is read newest first, for a township or one person's record
    op.create_index("personal_data_access_by_at", "personal_data_access", ["tenant_id", "at", "id"], schema=S)
    op.create_index(
        "personal_data_access_by_subject",
        "personal_data_access",
        ["tenant_id", "subject_id", "at", "id"],
        schema=S,
    )
    db.enable_rls(op.get_bind(), S, "personal_data_access")
    op.execute(
        f"CREATE TRIGGER personal_data_access_append_only BEFORE UPDATE OR DELETE "
        f'ON "{S}".personal_data_access FOR EACH ROW EXECUTE FUNCTION "{S}".refuse_change()'
    )
    op.execute(
        f"CREATE TRIGGER personal_data_access_no_truncate BEFORE TRUNCATE "
        f'ON "{S}".personal_data_access FOR EACH STATEMENT EXECUTE FUNCTION "{S}".refuse_change()'
    )


def downgrade() -> None:
    op.drop_table("personal_data_access", schema=S)
