"""intake: clock_segments — the clock's inputs stored on the case, for the bulk re-derivation.

ARCHITECTURE.md §5: each case stores due_at and warn_at plus the clock segments they derive from,
so a calendar change re-derives every open deadline from the case rows alone (no history read,
no per-case Python: services/intake/service_layer/deadlines.py). With `started_at` (the start):

- `clock_promised_days`: the promised working days the clock was derived with (0: immediate);
- `clock_extension_days`: the extensions' working days, summed;
- `clock_paused_from` / `clock_paused_until`: the pause intervals after the start, oldest first
  (an element of `clock_paused_until` NULL: that pause is still open).

Written in the same transaction as every transition that moves the clock (cases.write_clock).
Back-filled here for the open clocks (running or paused) from their histories, with the clock's
replay rules (services/intake/domain/clock.py `_replay`; tests/integration/intake/
test_clock_segments.py checks this statement against them): the start is the first acceptance,
only what follows it counts, an escalation opens a pause unless one is open, the next resumption
closes it. Promised days as the re-derivation read them until now (the item's, 0 if gone).
A CHECK makes an open clock without its segments impossible.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

S = "intake"

# The segments of every open clock visible to the running role, derived from the histories.
BACKFILL = f"""
WITH open_case AS (
    SELECT tenant_id, id, kind, item_code FROM "{S}"."case" WHERE clock_state IN ('running', 'paused')
), started AS (  -- the first acceptance starts the clock (a second start is ignored)
    SELECT DISTINCT ON (h.tenant_id, h.case_id) h.tenant_id, h.case_id, h.at, h.seq
    FROM "{S}".case_history h JOIN open_case c ON c.tenant_id = h.tenant_id AND c.id = h.case_id
    WHERE h.action = 'accept'
    ORDER BY h.tenant_id, h.case_id, h.at, h.seq
), intent AS (  -- what follows the start in the clock's order (instant, then history order)
    SELECT h.tenant_id, h.case_id, h.at, h.seq, h.action, h.working_days
    FROM "{S}".case_history h JOIN started s ON s.tenant_id = h.tenant_id AND s.case_id = h.case_id
    WHERE h.action IN ('escalate', 'resume', 'extend') AND (h.at, h.seq) > (s.at, s.seq)
), counted AS (
    SELECT i.*, count(*) FILTER (WHERE action = 'resume') OVER (
        PARTITION BY tenant_id, case_id ORDER BY at, seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS resumed
    FROM intent i
), paused AS (  -- the first escalation after the k-th resumption opens a pause …
    SELECT tenant_id, case_id, resumed, min(at) AS paused_from
    FROM counted WHERE action = 'escalate' GROUP BY tenant_id, case_id, resumed
), resumption AS (  -- … and the (k+1)-th resumption closes it
    SELECT tenant_id, case_id, at,
        row_number() OVER (PARTITION BY tenant_id, case_id ORDER BY at, seq) AS k
    FROM intent WHERE action = 'resume'
), pauses AS (
    SELECT p.tenant_id, p.case_id, array_agg(p.paused_from ORDER BY p.paused_from) AS froms,
        array_agg(r.at ORDER BY p.paused_from) AS untils
    FROM paused p LEFT JOIN resumption r
        ON r.tenant_id = p.tenant_id AND r.case_id = p.case_id AND r.k = p.resumed + 1
    GROUP BY p.tenant_id, p.case_id
), extended AS (
    SELECT tenant_id, case_id, sum(working_days)::integer AS days
    FROM intent WHERE action = 'extend' GROUP BY tenant_id, case_id
), segments AS (
    SELECT c.tenant_id, c.id,
        CASE WHEN c.kind = 'immediate' THEN 0 ELSE coalesce(item.promised_days, 0) END AS promised,
        coalesce(x.days, 0) AS extension,
        coalesce(p.froms, '{{}}') AS froms, coalesce(p.untils, '{{}}') AS untils
    FROM open_case c
    LEFT JOIN "{S}".catalogue_item item ON item.tenant_id = c.tenant_id AND item.code = c.item_code
    LEFT JOIN extended x ON x.tenant_id = c.tenant_id AND x.case_id = c.id
    LEFT JOIN pauses p ON p.tenant_id = c.tenant_id AND p.case_id = c.id
)
UPDATE "{S}"."case" AS c
SET clock_promised_days = v.promised, clock_extension_days = v.extension,
    clock_paused_from = v.froms, clock_paused_until = v.untils
FROM segments v
WHERE c.tenant_id = v.tenant_id AND c.id = v.id
"""


def upgrade() -> None:
    op.execute(
        f'ALTER TABLE "{S}"."case" '
        "ADD COLUMN clock_promised_days integer CONSTRAINT case_clock_promised_days "
        "CHECK (clock_promised_days >= 0), "
        "ADD COLUMN clock_extension_days integer CONSTRAINT case_clock_extension_days "
        "CHECK (clock_extension_days >= 0), "
        "ADD COLUMN clock_paused_from timestamptz[], ADD COLUMN clock_paused_until timestamptz[]"
    )
    # as the owner with FORCE lifted for the moment: no tenant is set in a migration (see 0007)
    for table in ("case", "case_history", "catalogue_item"):
        op.execute(f'ALTER TABLE "{S}"."{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(BACKFILL)
    for table in ("case", "case_history", "catalogue_item"):
        op.execute(f'ALTER TABLE "{S}"."{table}" FORCE ROW LEVEL SECURITY')
    op.execute(
        f'ALTER TABLE "{S}"."case" ADD CONSTRAINT case_clock_segments CHECK ('
        "clock_state IS NULL OR clock_state NOT IN ('running', 'paused') OR ("
        "clock_promised_days IS NOT NULL AND clock_extension_days IS NOT NULL "
        "AND clock_paused_from IS NOT NULL AND clock_paused_until IS NOT NULL "
        "AND cardinality(clock_paused_from) = cardinality(clock_paused_until)))"
    )


def downgrade() -> None:
    op.execute(
        f'ALTER TABLE "{S}"."case" DROP CONSTRAINT case_clock_segments, '
        "DROP COLUMN clock_promised_days, DROP COLUMN clock_extension_days, "
        "DROP COLUMN clock_paused_from, DROP COLUMN clock_paused_until"
    )
