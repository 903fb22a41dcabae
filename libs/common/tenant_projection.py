"""The copy of a township that every service keeps, recorded from the gateway's
`township_onboarded` event. Each service declares the table in its own schema and answers
`GetTenant` from it; the services' richer per-tenant data builds on this row."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import NotFound
from libs.common.tenancy import current_tenant


def tenant_projection_table(metadata: sa.MetaData) -> sa.Table:
    return db.tenant_table(
        "tenant",
        metadata,
        sa.Column("county", sa.Text, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        # occurred_at of the suspension/reactivation that set `status` (libs.common.directory_projection)
        sa.Column("status_at", sa.DateTime(timezone=True)),
        sa.Column("onboarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id"),
    )


def record_onboarded(table: sa.Table, envelope: Any, session: Session) -> None:
    """Upsert the projection (idempotent: a replayed or reordered event changes nothing else)."""
    data = envelope.data
    row = {
        "tenant_id": envelope.tenant_id,
        "county": data.get("county", ""),
        "code": data.get("code", ""),
        "name": data.get("name", ""),
        "onboarded_at": _parse_time(data.get("onboarded_at")) or envelope.occurred_at,
    }
    stmt = insert(table).values(**row)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.tenant_id],
            set_={k: stmt.excluded[k] for k in ("county", "code", "name", "onboarded_at")},
        )
    )


def get_tenant_response(pb: Any, table: sa.Table, sessions: sessionmaker[Session]) -> Any:
    """`GetTenantResponse` of a service's proto module `pb` for the ambient tenant."""
    tenant = current_tenant()
    if tenant is None:
        raise NotFound("no tenant in the call")
    with db.transaction(sessions, tenant) as session:
        row = session.execute(sa.select(table)).mappings().first()
    if row is None:
        raise NotFound(f"township {tenant} is not known here (yet)")
    response = pb.GetTenantResponse()
    response.tenant.tenant_id, response.tenant.name = row["tenant_id"], row["name"]
    response.tenant.onboarded_at.FromDatetime(row["onboarded_at"])
    return response


def require_known(session: Session, table: sa.Table, tenant: str | None) -> None:
    """not_found unless the transaction's township is in `table`, the service's projection (row-level
    security shows only the scope's own row; `tenant` names it in the message). Checked before any
    role: a township a service does not know is not_found for every caller."""
    if session.execute(_known_statement(table)).first() is None:
        raise NotFound(f"township {tenant} is not known here (yet)")


@functools.cache  # built once a table: most calls of every service ask
def _known_statement(table: sa.Table) -> sa.Select:
    return sa.select(table.c.tenant_id)


def create_tables(conn: sa.Connection, schema: str) -> None:
    """For a service's first migration: its tenant projection, with row-level security."""
    table = tenant_projection_table(sa.MetaData(schema=schema))
    table.create(conn)
    db.enable_rls(conn, schema, table.name)


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
