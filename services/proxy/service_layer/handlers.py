"""Event handlers of proxy: plain functions `(envelope, session)`, run by the nameko worker and by
the in-process bus alike, inside the consumer's idempotent, tenant-scoped transaction."""

from sqlalchemy.orm import Session

from libs.common import directory_projection as directory
from libs.common import tenant_projection
from libs.common.messaging import Envelope
from services.proxy.adapters import tables


def on_township_onboarded(envelope: Envelope, session: Session) -> None:
    tenant_projection.record_onboarded(tables.tenant, envelope, session)
    directory.record_onboarded_villages(tables.village, envelope, session)


# directory projections (idempotent upserts; an older event after a newer one changes nothing)
on_staff_saved = directory.staff_saved(tables.staff)
on_village_saved = directory.village_saved(tables.village)
on_settings_changed = directory.settings_changed(tables.settings)
on_township_suspended = directory.township_suspended(tables.tenant)
on_township_reactivated = directory.township_reactivated(tables.tenant)
