"""Event handlers of intake: plain functions `(envelope, session)`, run by the nameko worker and by
the in-process bus alike, inside the consumer's idempotent, tenant-scoped transaction."""

from sqlalchemy.orm import Session

from libs.common import directory_projection as directory
from libs.common import leave_projection, tenant_projection
from libs.common.messaging import Envelope
from services.intake.adapters import case_clock_repository as case_clocks
from services.intake.adapters import tables
from services.intake.service_layer import calendar, catalogue, deadline_rederivation


def on_township_onboarded(envelope: Envelope, session: Session) -> None:
    tenant_projection.record_onboarded(tables.tenant, envelope, session)
    directory.record_onboarded_villages(tables.village, envelope, session)
    catalogue.copy_template(session, envelope.tenant_id)  # same transaction; idempotent


# directory projections (idempotent upserts; an older event after a newer one changes nothing)
on_staff_saved = directory.staff_saved(tables.staff)
on_window_saved = directory.window_saved(tables.window)
on_window_posts_assigned = directory.window_posts_assigned(tables.window)
on_department_created = directory.department_created(tables.department)
on_village_saved = directory.village_saved(tables.village)
on_leave_approved = leave_projection.leave_approved(tables.staff_leave)
on_leave_cancelled = leave_projection.leave_cancelled(tables.staff_leave)
on_township_suspended = directory.township_suspended(tables.tenant)
_township_reactivated = directory.township_reactivated(tables.tenant)


def on_township_reactivated(envelope: Envelope, session: Session) -> None:
    """A suspended township got no template items meanwhile (only active ones do): catch up."""
    _township_reactivated(envelope, session)
    catalogue.sync_template(session, envelope.tenant_id)  # idempotent


# the county template reaching the townships already onboarded (catalogue.py): the county-wide
# save fans out one event per active township; each is applied in that township's transaction


def on_catalogue_item_saved(envelope: Envelope, session: Session) -> None:
    if envelope.county_wide:  # a township's own save (its copy, an override) needs nothing
        catalogue.distribute_template_item(session, envelope)


def on_catalogue_template_item_distributed(envelope: Envelope, session: Session) -> None:
    catalogue.apply_distributed_item(session, envelope.tenant_id, envelope.data)


# the calendar projection (idempotent, versioned per day; services/intake/service_layer/calendar.py);
# a change that applied re-derives the open cases' deadlines in the same transaction
# (deadline_rederivation.py)


def on_national_calendar_imported(envelope: Envelope, session: Session) -> None:
    if calendar.on_national_calendar_imported(envelope, session):
        deadline_rederivation.on_calendar_changed(envelope, session)


def on_calendar_day_changed(envelope: Envelope, session: Session) -> None:
    if calendar.on_calendar_day_changed(envelope, session):
        deadline_rederivation.on_calendar_changed(envelope, session)


_settings_changed = directory.settings_changed(tables.settings)


def on_settings_changed(envelope: Envelope, session: Session) -> None:
    """Office hours and the time zone are part of the calendar, and the warn ratio sets each
    clock's yellow: the open cases follow them."""
    before = case_clocks.clock_settings(session, envelope.tenant_id)
    _settings_changed(envelope, session)
    if case_clocks.clock_settings(session, envelope.tenant_id) != before:
        deadline_rederivation.on_calendar_changed(envelope, session)
