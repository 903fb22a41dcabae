"""intake: deadlines — sweep marks and re-derivation support.

- `case.clock_colour`: the last colour the deadline sweep recorded for the case (NULL: green, none
  yet) and `colour_changed_at` when it did. The sweep sets it in the same transaction as the
  CaseClockColourChanged outbox row, by compare-and-set on the old mark, so two sweeps never emit
  one step twice (services/intake/service_layer/deadlines.py).
- `case_sweep`: the running cases by deadline, the only ones the sweep looks at.
- `tenant_county_listing`: a county-wide calendar event is handled in the county scope
  `<county>.*`, where row-level security hides the townships' rows; to re-derive every
  township's deadlines the handler lists the county's townships from intake's tenant projection.
  This permissive SELECT policy lets the county scope read its OWN townships' projection rows —
  only while the transaction also sets `app.county_townships = 'on'` (adapters/county_townships.py),
  so nothing else that runs in a county scope (GetTenant, …) starts seeing township rows.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

S = "intake"


def upgrade() -> None:
    op.add_column("case", sa.Column("clock_colour", sa.Text), schema=S)
    op.add_column("case", sa.Column("colour_changed_at", sa.DateTime(timezone=True)), schema=S)
    op.create_check_constraint(
        "case_clock_colour",
        "case",
        "clock_colour IS NULL OR clock_colour IN ('green', 'yellow', 'red', 'overdue')",
        schema=S,
    )
    op.create_index(
        "case_sweep",
        "case",
        ["tenant_id", "due_at"],
        schema=S,
        postgresql_where=sa.text("clock_state = 'running'"),
    )
    op.execute(
        f'CREATE POLICY tenant_county_listing ON "{S}"."tenant" FOR SELECT USING ('
        "current_setting('app.county_townships', true) = 'on' AND "
        "current_setting('app.tenant_id', true) = split_part(tenant_id, '.', 1) || '.*')"
    )


def downgrade() -> None:
    op.execute(f'DROP POLICY IF EXISTS tenant_county_listing ON "{S}"."tenant"')
    op.drop_index("case_sweep", table_name="case", schema=S)
    op.drop_constraint("case_clock_colour", "case", schema=S)
    op.drop_column("case", "colour_changed_at", schema=S)
    op.drop_column("case", "clock_colour", schema=S)
