"""notify: notification_trace — the trace a notification was queued in.

The event handlers queue SMS and e-mail in the consumer's transaction, inside the CONSUMER span
that continues the request's trace; the dispatcher sends them later, in another process. Without
the context on the row every send started a trace of its own. `trace_context` holds the W3C
headers (`traceparent`, `tracestate`: libs.common.observability.tracing.inject_traceparent) so
the dispatcher's span continues the request's trace. NULL for rows queued before this revision
(and when tracing is off): their sends start a new trace.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

S = "notify"


def upgrade() -> None:
    op.add_column("notification", sa.Column("trace_context", JSONB), schema=S)


def downgrade() -> None:
    op.drop_column("notification", "trace_context", schema=S)
