"""Whether intake knows a township (its tenant projection, filled from the directory's events):
one it does not know is not_found for every call, whoever calls, before any role check."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from libs.common.errors import NotFound
from services.intake.adapters import tables

# built once: the scope's own row, as row-level security shows only that one
_KNOWN = sa.select(tables.tenant.c.tenant_id)


def require_known(session: Session, tenant: str | None) -> None:
    """not_found unless the transaction's township (`tenant`, for the message) is known here."""
    if session.execute(_KNOWN).first() is None:
        raise NotFound(f"township {tenant} is not known here (yet)")
