"""notify: the topics of proxy's trip events (issue 19).

`trip_list` (the proto's TOPIC_TRIP_LIST: an agent told its trip's manifest, inbox and SMS) and
`trip_missed` (TOPIC_TRIP_MISSED: the township admins warned of a delegation that missed its trip
day) and `no_carrier` (TOPIC_NO_CARRIER: the township admins warned of a county item no township
agent can carry) join the topics the `notification` and `inbox_item` rows may carry.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

S = "notify"
BEFORE = ("notice", "assignment", "clock_warning", "press", "collective_petition", "digest", "other")
NEW = ("trip_list", "trip_missed", "no_carrier")
AFTER = (*BEFORE, *NEW)


def _in(values: tuple[str, ...]) -> str:
    return f"topic IN ({', '.join(repr(v) for v in values)})"


def _topics(values: tuple[str, ...]) -> None:
    for table in ("notification", "inbox_item"):
        op.drop_constraint(f"{table}_topic", table, schema=S, type_="check")
        op.create_check_constraint(f"{table}_topic", table, _in(values), schema=S)


def upgrade() -> None:
    _topics(AFTER)


def downgrade() -> None:
    for table in ("notification", "inbox_item"):  # kept, as "other": nothing is lost
        op.execute(f"UPDATE {S}.{table} SET topic = 'other' WHERE topic IN {NEW!r}")
    _topics(BEFORE)
