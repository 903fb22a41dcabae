"""Whether intake knows a township (its tenant projection, filled from the directory's events):
one it does not know is not_found for every call, whoever calls, before any role check."""

from __future__ import annotations

from sqlalchemy.orm import Session

from libs.common import tenant_projection
from services.intake.adapters import tables


def require_known(session: Session, tenant: str | None) -> None:
    """not_found unless the transaction's township (`tenant`, for the message) is known here."""
    tenant_projection.require_known(session, tables.tenant, tenant)
