"""The notify schema's tables (SQLAlchemy Core)."""

import sqlalchemy as sa

from libs.common import directory_projection as directory
from libs.common.messaging import messaging_tables
from libs.common.tenant_projection import tenant_projection_table

metadata = sa.MetaData(schema="notify")
tenant = tenant_projection_table(metadata)
messaging = messaging_tables(metadata)

# The gateway's directory as far as notify needs it: staff with their phone (SMS), settings (quiet
# hours, time zone). Kept by libs.common.directory_projection (migration 0002).
staff = directory.staff_table(metadata, phone=True)  # for SMS
settings = directory.settings_table(metadata)
