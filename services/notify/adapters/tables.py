"""The notify schema's tables (SQLAlchemy Core)."""

import sqlalchemy as sa

from libs.common.messaging import messaging_tables
from libs.common.tenant_projection import tenant_projection_table

metadata = sa.MetaData(schema="notify")
tenant = tenant_projection_table(metadata)
messaging = messaging_tables(metadata)
