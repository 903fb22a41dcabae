"""A township's copy following a changed template item (services/intake/service_layer/catalogue.py
`follow_template`): the template's fields, the township's own shorter promised limit kept while it
is within the new statutory limit, else lowered to it and the old limit reported."""

from services.intake.domain.catalogue import catalogue_item
from services.intake.service_layer.catalogue import follow_template

ITEM = {
    "code": "hk_move",
    "name": "户口迁移",
    "category": "household_registration",
    "level": "township",
    "kind": "approval",
    "statutory_days": 10,
    "promised_days": 5,
}
TEMPLATE = catalogue_item({**ITEM, "name": "户口迁移（新）", "statutory_days": 6, "promised_days": 4})
COPIED = catalogue_item(ITEM)  # as copied: promised 5


def test_a_copy_not_overridden_takes_the_template() -> None:
    assert follow_template(COPIED, 5, TEMPLATE) == (TEMPLATE, None)


def test_a_shorter_limit_within_the_new_statutory_one_is_kept() -> None:
    for own in (2, 6):  # shorter than the template's promise, or longer but still within the statute
        kept, clamped = follow_template(COPIED.with_promised_days(own), 5, TEMPLATE)
        assert (kept.name, kept.statutory_days, kept.promised_days, clamped) == (
            "户口迁移（新）",
            6,
            own,
            None,
        )


def test_a_limit_past_the_new_statutory_one_is_lowered_and_said() -> None:
    lowered, clamped = follow_template(COPIED.with_promised_days(9), 5, TEMPLATE)
    assert (lowered.promised_days, clamped) == (6, 9)
