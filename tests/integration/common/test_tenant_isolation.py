"""Row-level security, checked on the real schemas of every service after migration."""

from __future__ import annotations

import uuid

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


def test_a_township_reads_its_countys_calendar_and_settings_and_writes_none_of_them(runtime: Runtime) -> None:
    """`county_rows` (calendar_projection.allow_county_reads): the county's rows are read from a
    township's scope — no other county's, no other township's — and never written from it."""
    county, other = (f"cr{uuid.uuid4().hex[:8]}" for _ in range(2))  # rows no other test sees
    put = sa.text("INSERT INTO intake.calendar_version (tenant_id, level, version) VALUES (:t, 'county', 1)")
    for scope in (f"{county}.*", f"{county}.a", f"{county}.b", f"{other}.*"):
        with db.transaction(runtime.sessions, scope) as s:
            s.execute(put, {"t": scope})
    for schema in ("intake", "notify"):  # the two services that compile a township's calendar
        policies = sa.text(
            "SELECT tablename FROM pg_policies WHERE schemaname = :s AND policyname = 'county_rows'"
            " AND cmd = 'SELECT'"
        )
        with db.transaction(runtime.ops_sessions, None) as s:
            found = set(s.execute(policies, {"s": schema}).scalars())
        assert found == {"calendar_day", "calendar_year", "calendar_version", "settings"}, schema

    with db.transaction(runtime.sessions, f"{county}.a") as s:
        seen = s.execute(sa.text("SELECT tenant_id FROM intake.calendar_version")).scalars().all()
        assert sorted(seen) == [f"{county}.*", f"{county}.a"]
        for write in (
            "UPDATE intake.calendar_version SET version = 2 WHERE tenant_id = :t",
            "DELETE FROM intake.calendar_version WHERE tenant_id = :t",
        ):
            assert s.execute(sa.text(write), {"t": f"{county}.*"}).rowcount == 0  # invisible to writes
        try:
            with s.begin_nested():
                s.execute(put, {"t": f"{county}.*"})
            raise AssertionError("a county row was written from a township")
        except sa.exc.ProgrammingError as exc:
            assert "row-level security" in str(exc)
    with db.transaction(runtime.sessions, f"{county}.*") as s:  # the county itself: its own rows only
        seen = s.execute(sa.text("SELECT tenant_id, version FROM intake.calendar_version")).all()
        assert [tuple(r) for r in seen] == [(f"{county}.*", 1)]


def test_a_read_alone_is_its_own_transaction_and_sees_no_township(runtime: Runtime) -> None:
    """`db.read_alone` (the gateway's suspension check on every write): one statement with no
    BEGIN before it, and no township's scope left over from the connection's last transaction."""
    tenant = "tianyang.alone_a"
    with db.transaction(runtime.sessions, tenant) as s:
        s.execute(
            sa.text(
                "INSERT INTO intake.tenant (tenant_id, county, code, name, onboarded_at) "
                "VALUES (:t, 'tianyang', 'alone_a', 'A', now())"
            ),
            {"t": tenant},
        )
    # PostgreSQL: the two are equal "during the first command of a transaction" only
    own = sa.text("SELECT transaction_timestamp() = statement_timestamp()")
    assert db.read_alone(runtime.sessions, own, {}) is True
    with db.transaction(runtime.sessions, None) as s:  # as against a transaction's read: BEGIN came first
        assert s.execute(own).scalar() is False
    with db.transaction(runtime.sessions, tenant) as s:  # the same pooled connection, scoped last
        assert s.execute(sa.text("SELECT count(*) FROM intake.tenant")).scalar() == 1
    count = sa.text("SELECT count(*) FROM intake.tenant WHERE tenant_id = :t")
    assert db.read_alone(runtime.sessions, count, {"t": tenant}) == 0
