"""Finding a case (API.md *Cases*): by the number the applicant was told, and — for the roles that
handle cases — by the applicant's name or phone, each case found logged as a personal-data
access in the read's transaction (DOMAIN.md §11); other readers are refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from libs.common import db
from libs.common.errors import Forbidden
from libs.common.runtime import Runtime
from services.intake.adapters import tables
from services.intake.domain.case import Applicant
from services.intake.service_layer import case_listing, cases
from tests.integration.intake.test_case_details import START, TZ, county_user, receive, staff
from tests.integration.intake.test_case_details import county as county  # noqa: F401 - the fixture
from tests.integration.intake.test_case_store import COMPLETE

pytestmark = pytest.mark.integration

WANG = replace(COMPLETE, applicant=Applicant(name="王小明", phone="13912345678"))


def numbers(runtime: Runtime, who: object, tenant: str, **filters: str) -> list[str]:
    listing = case_listing.Listing(**filters)
    return [v.case.number for v in case_listing.list_cases(runtime.sessions, who, tenant, TZ, listing).items]


def access_rows(runtime: Runtime, tenant: str) -> list[tuple[str, str, list[str]]]:
    t = tables.personal_data_access
    with db.transaction(runtime.sessions, tenant) as s:
        rows = s.execute(sa.select(t.c.actor, t.c.subject_id, t.c.fields).order_by(t.c.id)).all()
    return [(r.actor, r.subject_id, list(r.fields)) for r in rows]


def test_a_case_is_found_by_its_number_and_its_applicant(runtime: Runtime, county: str) -> None:  # noqa: F811
    tenant = f"{county}.napo"
    zhang = receive(runtime, tenant, START)
    wang = receive(runtime, tenant, START + timedelta(minutes=5), WANG)
    desk = staff(county, "desk", "intake_desk")
    wang_number = cases.get(runtime.sessions, desk, tenant, wang).case.number

    assert numbers(runtime, desk, tenant, number=wang_number) == [wang_number]
    assert numbers(runtime, desk, tenant, number="2099-9999") == []
    before = len(access_rows(runtime, tenant))

    window = staff(county)  # handles neither case: sees them masked, but may look them up
    assert numbers(runtime, window, tenant, applicant=" 王小明 ") == [wang_number]  # trimmed, NFC
    assert numbers(runtime, window, tenant, applicant="13912345678") == [wang_number]
    assert numbers(runtime, window, tenant, applicant="王") == []  # exact: no fishing by one character
    logged = access_rows(runtime, tenant)[before:]
    assert logged == [("w1", wang, ["name"]), ("w1", wang, ["phone"])]  # what matched, never the term
    assert zhang not in {row[1] for row in logged}


def test_only_the_roles_that_handle_cases_look_up_an_applicant(runtime: Runtime, county: str) -> None:  # noqa: F811
    tenant = f"{county}.napo"
    receive(runtime, tenant, START, WANG)
    for reader in (county_user(county, "county_supervisor"), county_user(county, "ops")):
        assert numbers(runtime, reader, tenant, number="") != []  # they still list cases
        with pytest.raises(Forbidden):
            numbers(runtime, reader, tenant, applicant="王小明")
    assert access_rows(runtime, tenant) == []
