"""Alembic, one migration tree per service (`services/<svc>/migrations`), each in its own schema
with its own version table. Run by `bianmin migrate` as the database owner; afterwards the
runtime and relay roles are granted what they need."""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

from libs.common import db

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"


def alembic_config(service: str, connection=None) -> Config:  # type: ignore[no-untyped-def]
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    cfg.attributes["service"] = service
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, service: str, *, runtime_role: str, relay_role: str) -> None:
    """Bring `service`'s schema to head and grant the runtime roles on it."""
    with engine.begin() as conn:
        # serialise concurrent migrators (several replicas starting at once)
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('bianmin-migrate'))"))
        db.ensure_roles(conn, runtime_role, relay_role)
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{service}"'))
        command.upgrade(alembic_config(service, conn), "head")
        db.grant_schema(conn, service, runtime_role, relay_role)


def run_env() -> None:
    """The body of every service's `migrations/env.py` (online mode only)."""
    cfg = context.config
    service = cfg.attributes["service"]
    connection = cfg.attributes["connection"]
    context.configure(
        connection=connection,
        version_table="alembic_version",
        version_table_schema=service,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()
