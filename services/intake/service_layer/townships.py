"""Whether intake knows a township (its tenant projection, filled from the directory's events):
one it does not know is not_found for every call, whoever calls, before any role check."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, tenant_projection
from libs.common.tenancy import require_tenant
from services.intake.adapters import tables


def require_known(session: Session, tenant: str | None) -> None:
    """not_found unless the transaction's township (`tenant`, for the message) is known here."""
    tenant_projection.require_known(session, tables.tenant, tenant)


def known(sessions: sessionmaker[Session], tenant: str | None) -> str:
    """The township of a call, known here (else not_found for everyone, before any role check),
    checked in a transaction of its own."""
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tenant)
    return scope
