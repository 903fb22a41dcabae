"""The proxy schema's tables (SQLAlchemy Core)."""

import sqlalchemy as sa

from libs.common import directory_projection as directory
from libs.common.messaging import messaging_tables
from libs.common.tenant_projection import tenant_projection_table

metadata = sa.MetaData(schema="proxy")
tenant = tenant_projection_table(metadata)
messaging = messaging_tables(metadata)

# The gateway's directory as far as proxy needs it: staff (the agents), villages (stations and
# groups), settings (trip days). Kept by libs.common.directory_projection (migration 0002).
staff = directory.staff_table(metadata)  # no phone: not needed here
village = directory.village_table(metadata)
settings = directory.settings_table(metadata)
