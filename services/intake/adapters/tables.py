"""The intake schema's tables (SQLAlchemy Core)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from libs.common import db
from libs.common import directory_projection as directory
from libs.common.messaging import messaging_tables
from libs.common.tenant_projection import tenant_projection_table

metadata = sa.MetaData(schema="intake")
tenant = tenant_projection_table(metadata)
messaging = messaging_tables(metadata)

# the service catalogue (DOMAIN.md §2): a township's items under its tenant id, the county
# template under the county scope `<county>.*` — row-level security keeps the two apart
catalogue_item = db.tenant_table(
    "catalogue_item",
    metadata,
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("level", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("statutory_days", sa.Integer, nullable=False),
    sa.Column("promised_days", sa.Integer, nullable=False),
    sa.Column("template_promised_days", sa.Integer, nullable=False),  # as copied from the template
    sa.Column("materials", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("proxyable", sa.Boolean, nullable=False),
    sa.Column("in_person", sa.Boolean, nullable=False),
    sa.Column("privacy_sensitive", sa.Boolean, nullable=False),
    sa.Column("departments", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("fee_fen", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("procedure", sa.Text, nullable=False, server_default=""),
    sa.Column("legal_basis", sa.Text, nullable=False, server_default=""),
    sa.Column("idempotency_key", sa.Text),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "code"),
)

# the first-ask register (DOMAIN.md §4): citizen name and contact are personal data (§11)
inquiry = db.tenant_table(
    "inquiry",
    metadata,
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("citizen_name", sa.Text, nullable=False),
    sa.Column("organisation", sa.Text, nullable=False, server_default=""),
    sa.Column("contact", sa.Text, nullable=False),
    sa.Column("matter", sa.Text, nullable=False),
    sa.Column("item_code", sa.Text, nullable=False, server_default=""),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("routed_to", sa.Text, nullable=False, server_default=""),
    sa.Column("first_ask", sa.Text, nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("case_id", sa.Text, nullable=False, server_default=""),
    sa.Column("idempotency_key", sa.Text),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
)

# The gateway's directory as far as intake needs it: staff, windows and departments (routing and
# assigning cases), settings (the clock). Kept by libs.common.directory_projection (migration 0002).
staff = directory.staff_table(metadata)  # no phone: not needed here
window = directory.window_table(metadata)
department = directory.department_table(metadata)
settings = directory.settings_table(metadata)
