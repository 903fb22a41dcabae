"""Row-level security, checked on the real schemas of every service after migration."""

from __future__ import annotations

import sqlalchemy as sa

from libs.common import db
from libs.common.runtime import Runtime
from libs.common.settings import SERVICES


def test_every_table_with_tenant_id_has_rls_forced(runtime: Runtime) -> None:
    with db.transaction(runtime.ops_sessions, None) as s:
        rows = s.execute(
            sa.text(
                """SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   JOIN pg_attribute a
                     ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                   WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(:schemas)"""
            ),
            {"schemas": list(SERVICES)},
        ).all()
    tables = {f"{r.nspname}.{r.relname}" for r in rows}
    # every service has at least its tenant projection or villages, and the messaging tables
    assert {"intake.tenant", "notify.inbox", "gateway.village", "gateway.outbox"} <= tables
    unprotected = sorted(
        f"{r.nspname}.{r.relname}" for r in rows if not (r.relrowsecurity and r.relforcerowsecurity)
    )
    assert unprotected == []


def test_runtime_role_cannot_bypass_rls(runtime: Runtime) -> None:
    with db.transaction(runtime.sessions, None) as s:
        role = s.execute(
            sa.text("SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user")
        ).one()
    assert (role.rolbypassrls, role.rolsuper) == (False, False)


def test_one_tenant_reads_nothing_of_another(runtime: Runtime) -> None:
    insert = sa.text(
        "INSERT INTO intake.tenant (tenant_id, county, code, name, onboarded_at) "
        "VALUES (:t, 'tianyang', :c, :n, now())"
    )
    with db.transaction(runtime.sessions, "tianyang.iso_a") as s:
        s.execute(insert, {"t": "tianyang.iso_a", "c": "iso_a", "n": "A"})
    with db.transaction(runtime.sessions, "tianyang.iso_b") as s:
        s.execute(insert, {"t": "tianyang.iso_b", "c": "iso_b", "n": "B"})
        seen = s.execute(sa.text("SELECT tenant_id FROM intake.tenant")).scalars().all()
        assert seen == ["tianyang.iso_b"]
        # nor can it write into another tenant
        try:
            with s.begin_nested():
                s.execute(insert, {"t": "tianyang.iso_a2", "c": "iso_a2", "n": "A2"})
            raise AssertionError("a row for another tenant was written")
        except sa.exc.ProgrammingError as exc:
            assert "row-level security" in str(exc)
    with db.transaction(runtime.sessions, None) as s:  # no tenant: sees nothing at all
        assert s.execute(sa.text("SELECT count(*) FROM intake.tenant")).scalar() == 0
