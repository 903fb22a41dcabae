"""The appraisal schema's tables (SQLAlchemy Core)."""

import sqlalchemy as sa

from libs.common import db
from libs.common import directory_projection as directory
from libs.common.messaging import messaging_tables
from libs.common.tenant_projection import tenant_projection_table

metadata = sa.MetaData(schema="appraisal")
tenant = tenant_projection_table(metadata)
messaging = messaging_tables(metadata)

# The gateway's directory as far as appraisal needs it: staff, windows and departments (the subjects
# it appraises). Kept by libs.common.directory_projection (migration 0002).
staff = directory.staff_table(metadata)  # no phone: not needed here
window = directory.window_table(metadata)
department = directory.department_table(metadata)

# The leader-on-duty rota (migration 0003): one leader per day, replaced a month at a time.
duty_day = db.tenant_table(
    "duty_day",
    metadata,
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "day"),
)
