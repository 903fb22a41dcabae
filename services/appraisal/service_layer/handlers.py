"""Event handlers of appraisal: plain functions `(envelope, session)`, run by the nameko worker and by
the in-process bus alike, inside the consumer's idempotent, tenant-scoped transaction."""

from sqlalchemy.orm import Session

from libs.common import directory_projection as directory
from libs.common import tenant_projection
from libs.common.messaging import Envelope
from services.appraisal.adapters import tables


def on_township_onboarded(envelope: Envelope, session: Session) -> None:
    tenant_projection.record_onboarded(tables.tenant, envelope, session)
    directory.record_onboarded_villages(tables.village, envelope, session)


# directory projections (idempotent upserts; an older event after a newer one changes nothing)
on_staff_saved = directory.staff_saved(tables.staff)
on_window_saved = directory.window_saved(tables.window)
on_window_posts_assigned = directory.window_posts_assigned(tables.window)
on_department_created = directory.department_created(tables.department)
on_village_saved = directory.village_saved(tables.village)
on_township_suspended = directory.township_suspended(tables.tenant)
on_township_reactivated = directory.township_reactivated(tables.tenant)
