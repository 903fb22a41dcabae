"""intake: case_details — extension days, window/village on cases, the escalation's department.

- `case_history.working_days`: an extension's working days, so the clock re-derives from the
  history alone. Earlier extension rows keep 0: the history is append-only and hash-chained, so
  it is not back-filled (their days are in the outbox's `case_extended` events).
- `case.window`, `case.village`: where the case is handled / comes from (DOMAIN.md §3.4); the
  applicant's e-mail needs no column (it is a key of the `applicant` JSON).
- `case.escalated_department`: the higher level's department while escalated. Until now
  `department` held it; from here on `department` is the handling department, so the values move.
- `case.stopped_at`: when the clock stopped (the colour of a stopped clock is its colour then),
  back-filled from the history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

S = "intake"


def _unforced(statements: list[str]) -> None:
    """Run data fixes as the owner with FORCE lifted for the moment (RLS would hide every row:
    no tenant is set in a migration), then FORCE again."""
    for table in ("case", "case_history"):
        op.execute(f'ALTER TABLE "{S}"."{table}" NO FORCE ROW LEVEL SECURITY')
    for statement in statements:
        op.execute(statement)
    for table in ("case", "case_history"):
        op.execute(f'ALTER TABLE "{S}"."{table}" FORCE ROW LEVEL SECURITY')


def upgrade() -> None:
    op.execute(
        f'ALTER TABLE "{S}".case_history ADD COLUMN working_days integer NOT NULL DEFAULT 0 '
        "CONSTRAINT case_history_working_days CHECK (working_days >= 0)"
    )
    op.execute(
        f'ALTER TABLE "{S}"."case" ADD COLUMN "window" text, ADD COLUMN village text, '
        "ADD COLUMN escalated_department text, ADD COLUMN stopped_at timestamptz"
    )
    _unforced(
        [
            f'UPDATE "{S}"."case" SET escalated_department = department, department = NULL '
            "WHERE department IS NOT NULL",
            f'UPDATE "{S}"."case" c SET stopped_at = ('
            f'SELECT max(h.at) FROM "{S}".case_history h WHERE h.tenant_id = c.tenant_id '
            "AND h.case_id = c.id AND h.action IN ('complete', 'return', 'withdraw')) "
            "WHERE c.clock_state = 'stopped'",
        ]
    )
    # a county department's work: the cases escalated to it, township by township
    op.execute(
        f'CREATE INDEX case_escalated ON "{S}"."case" (tenant_id, escalated_department, received_at) '
        "WHERE state = 'escalated'"
    )


def downgrade() -> None:
    op.execute(f'DROP INDEX "{S}".case_escalated')
    _unforced(
        [f'UPDATE "{S}"."case" SET department = escalated_department WHERE escalated_department IS NOT NULL']
    )
    op.execute(
        f'ALTER TABLE "{S}"."case" DROP COLUMN "window", DROP COLUMN village, '
        "DROP COLUMN escalated_department, DROP COLUMN stopped_at"
    )
    op.execute(f'ALTER TABLE "{S}".case_history DROP COLUMN working_days')
