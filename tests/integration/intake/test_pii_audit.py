"""The personal data access log on the migrated database (services/intake/service_layer/pii_audit.py,
migration 0011): a petitioner shown in full leaves a row in the read's own transaction (a read
whose row cannot be written fails and shows nothing); the rows say who/when/whose/which fields and
never the data; they are append-only for every role, kept apart by row-level security, and read
(paged, filtered) by the township admin and the county supervisor only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from libs.common import db
from libs.common.errors import Forbidden, NotFound, ValidationFailed
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.intake.adapters import tables
from services.intake.service_layer import petitions, pii_audit
from tests.integration.intake.test_petition_store import COMPLAINT, PETITION, TZ, who
from tests.integration.intake.test_petition_store import tenant as tenant  # noqa: F401 - the fixture

pytestmark = pytest.mark.integration

t = tables.personal_data_access


def supervisor(tenant: str) -> Principal:
    county = tenant.split(".")[0]
    return Principal("sup", frozenset({"county_supervisor"}), frozenset({f"{county}.*"}), county)


def log_rows(runtime: Runtime, tenant: str) -> list[sa.RowMapping]:
    with db.transaction(runtime.sessions, tenant) as s:
        return list(s.execute(sa.select(t).order_by(t.c.id)).mappings())


def test_the_officer_reading_a_petitioner_in_full_is_logged(runtime: Runtime, tenant: str) -> None:
    officer = who(tenant, "petition_officer", name="xf1")
    p = petitions.register(runtime.sessions, officer, tenant, PETITION, TZ)
    c = petitions.register(runtime.sessions, officer, tenant, COMPLAINT, TZ)
    assert log_rows(runtime, tenant) == []  # the officer typed it in: registering is no access

    assert petitions.get(runtime.sessions, officer, tenant, p.id).new.petitioner.name == "张三丰"
    petitions.list_petitions(runtime.sessions, officer, tenant, TZ)
    petitions.answer(runtime.sessions, officer, tenant, p.id, "已转交镇村建办")
    rows = log_rows(runtime, tenant)
    assert [(r["actor"], r["subject"], r["subject_id"]) for r in rows] == [
        ("xf1", "petitioner", p.id),  # get
        ("xf1", "petitioner", p.id),  # list: both on the page
        ("xf1", "petitioner", c.id),
        ("xf1", "petitioner", p.id),  # the answer returns it in full
    ]
    assert rows[0]["fields"] == ["name", "phone"]  # what the record holds, not its values
    flat = repr([dict(r) for r in rows])
    assert "张三丰" not in flat and "13812345678" not in flat

    # readers who get the petitioner withheld leave nothing
    admin = who(tenant, "township_admin", name="ta")
    petitions.get(runtime.sessions, admin, tenant, p.id)
    petitions.list_petitions(runtime.sessions, supervisor(tenant), tenant, TZ)
    assert len(log_rows(runtime, tenant)) == 4


@contextmanager
def refusing_log_rows(url: str, tenant: str) -> Iterator[None]:
    """As the owner: a trigger refusing this township's log rows (the log's storage failing)."""
    name = f"refuse_{uuid.uuid4().hex[:8]}"
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                f"CREATE FUNCTION intake.{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'log unavailable'; END $$"
            )
        )
        conn.execute(
            sa.text(
                f"CREATE TRIGGER {name} BEFORE INSERT ON intake.personal_data_access FOR EACH ROW "
                f"WHEN (NEW.tenant_id = '{tenant}') EXECUTE FUNCTION intake.{name}()"
            )
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TRIGGER {name} ON intake.personal_data_access"))
            conn.execute(sa.text(f"DROP FUNCTION intake.{name}()"))
        engine.dispose()


def test_no_log_row_no_answer(runtime: Runtime, tenant: str, migrated_url: str) -> None:
    officer = who(tenant, "petition_officer")
    p = petitions.register(runtime.sessions, officer, tenant, PETITION, TZ)
    with refusing_log_rows(migrated_url, tenant):
        with pytest.raises(DBAPIError, match="log unavailable"):
            petitions.get(runtime.sessions, officer, tenant, p.id)
        with pytest.raises(DBAPIError, match="log unavailable"):  # and the answer is not stored
            petitions.answer(runtime.sessions, officer, tenant, p.id, "答复")
        petitions.get(runtime.sessions, who(tenant, "township_admin"), tenant, p.id)  # withheld: fine
    assert petitions.get(runtime.sessions, officer, tenant, p.id).answer == ""


def test_the_log_is_append_only_for_everyone_and_kept_apart(
    runtime: Runtime, tenant: str, migrated_url: str
) -> None:
    with db.transaction(runtime.sessions, tenant) as s:
        assert pii_audit.record(
            s, tenant=tenant, actor="w1", subject="applicant", subject_id="case-1", fields=["phone", "name"]
        )
        assert not pii_audit.record(
            s, tenant=tenant, actor="w1", subject="applicant", subject_id="c", fields=[]
        )
    assert [r["fields"] for r in log_rows(runtime, tenant)] == [["name", "phone"]]
    assert log_rows(runtime, f"{tenant.split('.')[0]}.other") == []  # RLS: another township sees none

    # the runtime role, and the owner itself (triggers, not grants)
    owner = db.make_sessions(db.make_engine(migrated_url))
    for sessions in (runtime.sessions, owner):
        for statement in (
            "UPDATE intake.personal_data_access SET actor = 'x'",
            "DELETE FROM intake.personal_data_access",
            "TRUNCATE intake.personal_data_access",
        ):
            # the runtime role may not even TRUNCATE
            runtime_truncate = sessions is runtime.sessions and statement.startswith("TRUNCATE")
            refused = "permission denied" if runtime_truncate else "append-only"
            with pytest.raises(DBAPIError, match=refused), db.transaction(sessions, tenant) as s:
                s.execute(sa.text(statement))
    owner.kw["bind"].dispose()
    assert len(log_rows(runtime, tenant)) == 1

    # a row for another township is refused by the policy (FORCEd), whatever the code asks
    with pytest.raises(DBAPIError), db.transaction(runtime.sessions, tenant) as s:
        pii_audit.record(
            s, tenant="x.other", actor="w1", subject="applicant", subject_id="c", fields=["name"]
        )
    with pytest.raises(ValueError), db.transaction(runtime.sessions, tenant) as s:
        pii_audit.record(s, tenant=tenant, actor="w1", subject="applicant", subject_id="c", fields=["matter"])


def test_reading_the_log_roles_filters_and_pages(runtime: Runtime, tenant: str) -> None:
    with db.transaction(runtime.sessions, tenant) as s:
        for n in range(5):
            pii_audit.record(
                s,
                tenant=tenant,
                actor=f"w{n}",
                subject="applicant",
                subject_id=f"case-{n % 2}",
                fields=["name"],
            )
    admin = who(tenant, "township_admin")
    for reader in (admin, supervisor(tenant)):
        page = pii_audit.list_accesses(runtime.sessions, reader, tenant, TZ, page_size=2)
        assert [a.actor for a in page.items] == ["w4", "w3"]  # newest first
        rest = pii_audit.list_accesses(runtime.sessions, reader, tenant, TZ, page_token=page.next_page_token)
        assert [a.actor for a in rest.items] == ["w2", "w1", "w0"] and rest.next_page_token == ""
    one = pii_audit.list_accesses(runtime.sessions, admin, tenant, TZ, subject_id="case-1")
    assert [a.actor for a in one.items] == ["w3", "w1"]
    today = datetime.now(TZ).date()
    assert len(pii_audit.list_accesses(runtime.sessions, admin, tenant, TZ, from_date=str(today)).items) == 5
    before = str(today - timedelta(days=1))
    assert pii_audit.list_accesses(runtime.sessions, admin, tenant, TZ, to_date=before).items == []

    for bad in ({"page_token": "nonsense"}, {"from_date": "2026-13-01"}, {"page_size": -1}):
        with pytest.raises(ValidationFailed):
            pii_audit.list_accesses(runtime.sessions, admin, tenant, TZ, **bad)  # type: ignore[arg-type]
    county = tenant.split(".")[0]
    for refused in ("petition_officer", "window_staff", "county_admin", "ops"):
        reader = Principal("x", frozenset({refused}), frozenset({tenant, f"{county}.*"}), county)
        with pytest.raises(Forbidden):
            pii_audit.list_accesses(runtime.sessions, reader, tenant, TZ)
    with pytest.raises(NotFound):
        pii_audit.list_accesses(runtime.sessions, admin, f"{county}.unknown", ZoneInfo("UTC"))
