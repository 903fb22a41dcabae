"""notify: inbox_own_rows — a user reads their own inbox under row-level security.

An inbox spans the townships a user works for, so it was read with the ops role (BYPASSRLS) and
filtered by username in code. Now the runtime role reads it: the policies `own_rows_select` and
`own_rows_update` (libs.common.db.enable_own_rows) let the user named by `app.username` see and
mark their own items in every township; `tenant_isolation` stays for everything else.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from libs.common import db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

S = "notify"


def upgrade() -> None:
    db.enable_own_rows(op.get_bind(), S, "inbox_item")


def downgrade() -> None:
    for name in ("own_rows_select", "own_rows_update"):
        op.execute(sa.text(f'DROP POLICY IF EXISTS {name} ON "{S}"."inbox_item"'))
