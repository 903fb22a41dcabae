"""Event handlers of notify: plain functions `(envelope, session)`, run by the nameko worker and by
the in-process bus alike, inside the consumer's idempotent, tenant-scoped transaction."""

from sqlalchemy.orm import Session

from libs.common import tenant_projection
from libs.common.messaging import Envelope
from services.notify.adapters import tables


def on_township_onboarded(envelope: Envelope, session: Session) -> None:
    tenant_projection.record_onboarded(tables.tenant, envelope, session)
