"""The catalogue's storage and service layer on the migrated database: the template under the
county scope and each township's copy kept apart by row-level security, the copy at onboarding
(idempotent, overrides survive a redelivery), events in the outbox, idempotent creates, roles."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from libs.common import db
from libs.common.errors import AlreadyExists, Forbidden, IdempotencyConflict, NotFound, ValidationFailed
from libs.common.messaging import Envelope, county_scope, tables_for
from libs.common.runtime import Runtime
from libs.common.tenancy import Principal
from services.intake.adapters import tables
from services.intake.domain.catalogue import catalogue_item
from services.intake.service_layer import catalogue, handlers

pytestmark = pytest.mark.integration

ITEM = {
    "code": "hk_move",
    "name": "户口迁移",
    "category": "household_registration",
    "level": "township",
    "kind": "approval",
    "statutory_days": 10,
    "promised_days": 5,
    "materials": [{"code": "id_card", "name": "居民身份证"}],
}


@pytest.fixture
def county() -> str:
    return f"c{uuid.uuid4().hex[:10]}"


def admin(county: str) -> Principal:
    return Principal("admin", frozenset({"county_admin"}), frozenset({f"{county}.*"}), county)


def township_admin(tenant: str) -> Principal:
    return Principal("ta", frozenset({"township_admin"}), frozenset({tenant}), tenant.split(".")[0])


def onboard(runtime: Runtime, tenant: str) -> None:
    county, code = tenant.split(".")
    envelope = Envelope.new(
        source="gateway",
        event_type="township_onboarded",
        tenant_id=tenant,
        data={"county": county, "code": code, "name": code, "onboarded_at": "2026-11-23T01:00:00Z"},
    )
    with db.transaction(runtime.sessions, tenant) as s:
        handlers.on_township_onboarded(envelope, s)


def codes(runtime: Runtime, scope: str) -> list[str]:
    t = tables.catalogue_item
    with db.transaction(runtime.sessions, scope) as s:
        return list(s.execute(sa.select(t.c.code).order_by(t.c.code)).scalars())


def saved_events(runtime: Runtime, scope: str) -> int:
    outbox = tables_for("intake").outbox
    query = sa.select(sa.func.count()).where(outbox.c.event_type == "catalogue_item_saved")
    with db.transaction(runtime.sessions, scope) as s:
        return int(s.execute(query).scalar_one())


def test_onboarding_copies_the_template_and_rls_keeps_them_apart(runtime: Runtime, county: str) -> None:
    sessions = runtime.sessions
    catalogue.create_template_item(sessions, admin(county), catalogue_item(ITEM))
    catalogue.create_template_item(sessions, admin(county), catalogue_item({**ITEM, "code": "db_apply"}))
    assert saved_events(runtime, county_scope(county)) == 2
    tenant = f"{county}.napo"
    assert codes(runtime, tenant) == []  # the township cannot see the template rows

    onboard(runtime, tenant)
    assert codes(runtime, tenant) == ["db_apply", "hk_move"]
    assert saved_events(runtime, tenant) == 2
    assert codes(runtime, county_scope(county)) == ["db_apply", "hk_move"]  # still two, not four
    assert codes(runtime, f"{county}.other") == []

    # the township shortens an item; a redelivered onboarding copies nothing and keeps it
    updated = catalogue.update_promised_days(sessions, township_admin(tenant), tenant, "hk_move", 2)
    assert (updated.item.promised_days, updated.version, updated.overridden) == (2, 2, True)
    onboard(runtime, tenant)
    assert catalogue.get_item(sessions, township_admin(tenant), tenant, "hk_move").item.promised_days == 2
    assert saved_events(runtime, tenant) == 3
    template = catalogue.list_template_items(sessions, admin(county)).items
    assert [i.item.promised_days for i in template if i.item.code == "hk_move"] == [5]


def test_overrides_stay_within_the_statutory_limit(runtime: Runtime, county: str) -> None:
    sessions = runtime.sessions
    catalogue.create_template_item(sessions, admin(county), catalogue_item(ITEM))
    tenant = f"{county}.napo"
    onboard(runtime, tenant)
    with pytest.raises(ValidationFailed, match="statutory"):
        catalogue.update_promised_days(sessions, township_admin(tenant), tenant, "hk_move", 11)
    assert catalogue.get_item(sessions, township_admin(tenant), tenant, "hk_move").item.promised_days == 5
    with pytest.raises(NotFound):
        catalogue.update_promised_days(sessions, township_admin(tenant), tenant, "nope", 1)
    staff = Principal("w", frozenset({"window_staff"}), frozenset({tenant}), county)
    with pytest.raises(Forbidden):
        catalogue.update_promised_days(sessions, staff, tenant, "hk_move", 1)
    public = Principal("public", frozenset({"public"}), frozenset({tenant}), county)
    with pytest.raises(Forbidden):
        catalogue.list_items(sessions, public, tenant)
    assert [g.item_code for g in catalogue.list_guides(sessions, tenant)[0]] == ["hk_move"]


def test_creates_are_idempotent_by_key_and_unique_by_code(runtime: Runtime, county: str) -> None:
    sessions = runtime.sessions
    first = catalogue.create_template_item(sessions, admin(county), catalogue_item(ITEM), "k1")
    again = catalogue.create_template_item(sessions, admin(county), catalogue_item(ITEM), "k1")
    assert again == first and saved_events(runtime, county_scope(county)) == 1
    with pytest.raises(IdempotencyConflict):
        catalogue.create_template_item(
            sessions, admin(county), catalogue_item({**ITEM, "name": "别的"}), "k1"
        )
    with pytest.raises(AlreadyExists):
        catalogue.create_template_item(sessions, admin(county), catalogue_item(ITEM))
    with pytest.raises(Forbidden):
        catalogue.create_template_item(sessions, township_admin(f"{county}.napo"), catalogue_item(ITEM))


def test_pages(runtime: Runtime, county: str) -> None:
    sessions = runtime.sessions
    for n in range(5):
        catalogue.create_template_item(sessions, admin(county), catalogue_item({**ITEM, "code": f"i{n}"}))
    first = catalogue.list_template_items(sessions, admin(county), page_size=2)
    second = catalogue.list_template_items(sessions, admin(county), 2, first.next_page_token)
    third = catalogue.list_template_items(sessions, admin(county), 2, second.next_page_token)
    assert [[i.item.code for i in p.items] for p in (first, second, third)] == [
        ["i0", "i1"],
        ["i2", "i3"],
        ["i4"],
    ]
    assert third.next_page_token == ""
