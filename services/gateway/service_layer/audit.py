"""The audit trail of county-wide access: every call in which a county role reaches into a
township through its county scope (not as a member of that township) is recorded."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.tenancy import Principal
from services.gateway.adapters import tables


def is_cross_township(principal: Principal, tenant: str) -> bool:
    """True when the caller sees `tenant` only through a county-wide scope."""
    return tenant not in principal.tenants and principal.may_see(tenant)


def record(
    sessions: sessionmaker[Session], principal: Principal, tenant: str, method: str, path: str
) -> None:
    with db.transaction(sessions, None) as s:
        s.execute(
            sa.insert(tables.audit_log).values(
                username=principal.username,
                roles=sorted(principal.roles),
                township=tenant,
                method=method,
                path=path,
            )
        )


def entries(sessions: sessionmaker[Session], township: str, limit: int = 100) -> list[dict]:
    with db.transaction(sessions, None) as s:
        rows = (
            s.execute(
                sa.select(tables.audit_log)
                .where(tables.audit_log.c.township == township)
                .order_by(tables.audit_log.c.id.desc())
                .limit(limit)
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]
