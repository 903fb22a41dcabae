"""intake: case_clock — each case's clock in a narrow table of its own.

A calendar change re-derives every open deadline with one UPDATE (service_layer/deadlines.py).
On the wide `case` row (applicant, materials, …) with its seven indexes that UPDATE wrote a new
version of every moved case and an entry in each index (due_at and warn_at are indexed, so no
update is HOT): 348 k moved deadlines took 26 s, CPU-bound. Here the clock — its segments (start,
promised and extension days, pauses), what is derived from them (state, due_at, warn_at,
provisional, stopped_at) and the sweep's mark (clock_colour, colour_changed_at) — moves, under the
same column names, into `case_clock`: one row a case, its primary key and ONE partial index of
the running clocks by deadline (due_at, then warn_at: every query of warn_at asks for due_at
too, and a second index is a second entry for every moved deadline). Readers join it
(adapters/tables.py `case_with_clock`).

`version` is the case's version when its clock was last stored (cases.write_clock): the
re-derivation writes a clock only over the one it read.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22
"""

from alembic import op

from libs.common import db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

S = "intake"

COLUMNS = (
    ("clock_state", "text"),
    ("started_at", "timestamptz"),
    ("due_at", "timestamptz"),
    ("warn_at", "timestamptz"),
    ("provisional", "boolean"),
    ("stopped_at", "timestamptz"),
    ("clock_colour", "text"),
    ("colour_changed_at", "timestamptz"),
    ("clock_promised_days", "integer"),
    ("clock_extension_days", "integer"),
    ("clock_paused_from", "timestamptz[]"),
    ("clock_paused_until", "timestamptz[]"),
)
NAMES = ", ".join(name for name, _ in COLUMNS)

CHECKS = {
    "case_clock_state": "clock_state IN ('not_started', 'running', 'paused', 'stopped')",
    "case_clock_colour": "clock_colour IS NULL OR clock_colour IN ('green', 'yellow', 'red', 'overdue')",
    "case_clock_promised_days": "clock_promised_days >= 0",
    "case_clock_extension_days": "clock_extension_days >= 0",
    # an open clock has its segments (migration 0012)
    "case_clock_segments": "clock_state IS NULL OR clock_state NOT IN ('running', 'paused') OR ("
    "clock_promised_days IS NOT NULL AND clock_extension_days IS NOT NULL "
    "AND clock_paused_from IS NOT NULL AND clock_paused_until IS NOT NULL "
    "AND cardinality(clock_paused_from) = cardinality(clock_paused_until))",
}

# the running clocks by deadline: the sweep, the overdue count, the colour filters
DEADLINES = (
    f'CREATE INDEX case_clock_deadlines ON "{S}".case_clock (tenant_id, due_at, warn_at) '
    "WHERE clock_state = 'running'"
)


def upgrade() -> None:
    checks = "".join(f", CONSTRAINT {name} CHECK ({rule})" for name, rule in CHECKS.items())
    op.execute(
        f'CREATE TABLE "{S}".case_clock (tenant_id text NOT NULL, case_id uuid NOT NULL, '
        f"version bigint NOT NULL, {', '.join(f'{n} {kind}' for n, kind in COLUMNS)}, "
        "PRIMARY KEY (tenant_id, case_id), "
        f'FOREIGN KEY (tenant_id, case_id) REFERENCES "{S}"."case" (tenant_id, id) ON DELETE CASCADE'
        f"{checks})"
    )
    op.execute(DEADLINES)
    db.enable_rls(op.get_bind(), S, "case_clock")
    # as the owner with FORCE lifted for the moment: no tenant is set in a migration (see 0007)
    _copy(
        f'INSERT INTO "{S}".case_clock (tenant_id, case_id, version, {NAMES}) '
        f'SELECT tenant_id, id, version, {NAMES} FROM "{S}"."case"'
    )
    op.execute(
        f'ALTER TABLE "{S}"."case" '
        + ", ".join(f"DROP COLUMN {name}" for name, _ in COLUMNS)
        + ", DROP COLUMN paused_minutes"  # never written: the clock derives it
    )  # their indexes (case_by_due, case_by_warn, case_sweep) and checks go with them


def downgrade() -> None:
    op.execute(
        f'ALTER TABLE "{S}"."case" '
        + ", ".join(f"ADD COLUMN {name} {kind}" for name, kind in COLUMNS)
        + ", ADD COLUMN paused_minutes integer"
    )
    _copy(
        f'UPDATE "{S}"."case" AS c SET ({NAMES}) = ({", ".join(f"k.{n}" for n, _ in COLUMNS)}) '
        f'FROM "{S}".case_clock AS k WHERE k.tenant_id = c.tenant_id AND k.case_id = c.id'
    )
    op.drop_table("case_clock", schema=S)
    for name, rule in CHECKS.items():
        if name != "case_clock_state":
            op.execute(f'ALTER TABLE "{S}"."case" ADD CONSTRAINT {name} CHECK ({rule})')
    op.create_index("case_by_due", "case", ["tenant_id", "state", "due_at"], schema=S)
    op.create_index("case_by_warn", "case", ["tenant_id", "state", "warn_at"], schema=S)
    op.execute(f'CREATE INDEX case_sweep ON "{S}"."case" (tenant_id, due_at) WHERE clock_state = \'running\'')


def _copy(statement: str) -> None:
    """Run a statement across every tenant's rows: RLS lifted on both tables meanwhile."""
    for table in ("case", "case_clock"):
        op.execute(f'ALTER TABLE "{S}"."{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(statement)
    for table in ("case", "case_clock"):
        op.execute(f'ALTER TABLE "{S}"."{table}" FORCE ROW LEVEL SECURITY')
