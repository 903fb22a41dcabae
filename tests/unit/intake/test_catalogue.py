"""The catalogue's rules (services/intake/domain/catalogue.py, DOMAIN.md §2): what a valid item
is, and the one override a township may make. Pure: no database."""

from __future__ import annotations

from typing import Any

import pytest

from libs.common.errors import ValidationFailed
from libs.common.gen.bianmin.intake.v1 import catalogue_pb2 as pb
from services.intake.adapters.catalogue_proto import item_from_pb, number
from services.intake.domain.catalogue import (
    CATEGORIES,
    KINDS,
    LEVELS,
    CatalogueItem,
    Material,
    as_data,
    catalogue_item,
)


def data(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "hk_move",
        "name": " 户口迁移 ",
        "category": "household_registration",
        "level": "township",
        "kind": "approval",
        "statutory_days": 10,
        "promised_days": 3,
        "materials": [
            {"code": "id_card", "name": "居民身份证"},
            {"code": "hukou_book", "name": "户口簿", "required": False, "copies": 2},
        ],
        "proxyable": True,
        "departments": ["police"],
        "fee_fen": 0,
    }
    return {**base, **overrides}


def test_a_valid_item_is_built_with_names_trimmed_and_defaults() -> None:
    item = catalogue_item(data())
    assert item.name == "户口迁移"
    assert item.materials == (
        Material("id_card", "居民身份证"),
        Material("hukou_book", "户口簿", required=False, originals=1, copies=2),
    )
    assert item.materials[0].required and not item.in_person and not item.privacy_sensitive
    assert not item.joint and catalogue_item(data(departments=["police", "civil"])).joint


@pytest.mark.parametrize(("given", "code"), [("户籍", "household_registration"), (" 民政 ", "civil_affairs"),
                                            ("forestry", "forestry")])  # fmt: skip
def test_a_category_is_given_by_its_code_or_its_chinese_name(given: str, code: str) -> None:
    assert catalogue_item(data(category=given)).category == code
    with pytest.raises(ValidationFailed, match="category"):
        catalogue_item(data(category="公安"))


def test_national_item_codes_fit() -> None:
    assert catalogue_item(data(code="11450000MB1234567X4500101001")).code == "11450000MB1234567X4500101001"
    assert catalogue_item(data(code="forest-right.cut")).code == "forest-right.cut"


def test_round_trip_through_plain_data() -> None:
    item = catalogue_item(data(procedure="受理、审核、办结", legal_basis="户口登记条例"))
    assert catalogue_item(as_data(item)) == item


@pytest.mark.parametrize("days", [0, 3, 10])
def test_promised_may_be_anything_up_to_statutory(days: int) -> None:
    assert catalogue_item(data(promised_days=days)).promised_days == days


def test_zero_days_is_immediate() -> None:
    item = catalogue_item(data(statutory_days=0, promised_days=0, kind="registration"))
    assert (item.statutory_days, item.promised_days) == (0, 0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("promised_days", 11, "may not exceed statutory_days"),
        ("promised_days", -1, "promised_days"),
        ("statutory_days", -1, "statutory_days"),
        ("statutory_days", 2.5, "statutory_days"),
        ("statutory_days", True, "statutory_days"),
        ("statutory_days", 400, "statutory_days"),
        ("code", "HK 1", "item code"),
        ("code", "x" * 65, "item code"),
        ("code", "hk\n", "item code"),
        ("name", "  ", "item name"),
        ("category", "taxes", "category"),
        ("level", "province", "level"),
        ("kind", "immediate", "kind"),
        ("fee_fen", -100, "fee"),
        ("departments", ["police", "police"], "departments must be unique"),
        ("departments", ["公安"], "department code"),
    ],
)
def test_invalid_items_are_refused(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        catalogue_item(data(**{field: value}))


def test_material_codes_are_valid_and_unique() -> None:
    twice = [{"code": "id_card", "name": "身份证"}, {"code": "id_card", "name": "身份证复印件"}]
    with pytest.raises(ValidationFailed, match="material codes must be unique; repeated: id_card"):
        catalogue_item(data(materials=twice))
    with pytest.raises(ValidationFailed, match="material code"):
        catalogue_item(data(materials=[{"code": "身份证", "name": "身份证"}]))
    with pytest.raises(ValidationFailed, match="name"):
        catalogue_item(data(materials=[{"code": "id_card", "name": ""}]))
    with pytest.raises(ValidationFailed, match="copies"):
        catalogue_item(data(materials=[{"code": "id_card", "name": "身份证", "copies": -1}]))


def test_missing_fields_are_validation_errors() -> None:
    incomplete = data()
    del incomplete["kind"]
    with pytest.raises(ValidationFailed, match="'kind'"):
        catalogue_item(incomplete)
    with pytest.raises(ValidationFailed, match="'name'"):
        catalogue_item(data(materials=[{"code": "id_card"}]))


def test_a_privacy_sensitive_item_is_never_proxied() -> None:
    with pytest.raises(ValidationFailed, match="never proxied"):
        catalogue_item(data(privacy_sensitive=True, proxyable=True))
    assert catalogue_item(data(privacy_sensitive=True, proxyable=False)).privacy_sensitive


def test_the_constructor_enforces_the_rules_too() -> None:
    with pytest.raises(ValidationFailed):
        CatalogueItem(
            "hk_move", "户口迁移", "other", "township", "approval", statutory_days=1, promised_days=2
        )


# --- the township's override -----------------------------------------------------------------


def test_a_township_may_shorten_the_promised_limit() -> None:
    item = catalogue_item(data(promised_days=5))
    shorter = item.with_promised_days(2)
    assert shorter.promised_days == 2 and shorter.statutory_days == 10
    assert item.promised_days == 5  # items are values: the original is unchanged
    assert item.with_promised_days(0).promised_days == 0


def test_a_township_may_go_up_to_but_never_past_the_statutory_limit() -> None:
    item = catalogue_item(data(promised_days=5))
    assert item.with_promised_days(10).promised_days == 10
    with pytest.raises(ValidationFailed, match=r"may not exceed the statutory limit \(10\)"):
        item.with_promised_days(11)
    with pytest.raises(ValidationFailed):
        item.with_promised_days(-1)


def test_the_guide_is_public_data_only() -> None:
    item = catalogue_item(data(procedure="受理、审核、办结", legal_basis="户口登记条例", fee_fen=1000))
    guide = item.guide(windows=["w1"])
    assert (guide.item_code, guide.item_name, guide.promised_days, guide.fee_fen) == (
        "hk_move",
        "户口迁移",
        3,
        1000,
    )
    assert guide.materials == item.materials and guide.windows == ("w1",)
    assert (guide.procedure, guide.legal_basis) == ("受理、审核、办结", "户口登记条例")


def test_the_vocabularies() -> None:
    assert LEVELS == ("village", "township", "county")
    assert KINDS == ("registration", "filing", "approval")
    assert len(CATEGORIES) == 10 and "other" in CATEGORIES


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [
        ("registration", {}, (0, 0)),  # DOMAIN.md §2: on the spot
        ("filing", {}, (0, 0)),  # the same day
        ("approval", {}, (3, 3)),  # 3 working days
        ("approval", {"statutory_days": 10}, (10, 10)),  # promised: the statutory limit
        ("approval", {"statutory_days": 10, "promised_days": 0}, (10, 0)),  # 0 is a value, not absence
    ],
)
def test_an_item_without_limits_takes_its_kinds(kind: str, given: dict, expected: tuple) -> None:
    message = pb.CatalogueItem(
        code="x1", name="事项", category=number("category", "other"), level=number("level", "township"),
        kind=number("kind", kind), **given,
    )  # fmt: skip
    item = item_from_pb(message)
    assert (item.statutory_days, item.promised_days) == expected
