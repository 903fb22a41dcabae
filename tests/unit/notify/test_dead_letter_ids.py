"""A dead letter's id as the API takes it: anything else is a validation error, never a 500."""

from __future__ import annotations

import pytest

from libs.common.errors import ValidationFailed
from services.notify.service_layer.dead_letters import parse_id


def test_the_two_kinds_of_id() -> None:
    uid = "0b6f3c1e-8a8e-4f39-9d0c-6d2b6a3f1c2e"
    assert parse_id(f"notification:{uid}") == ("notification", uid)
    assert parse_id("event:42") == ("event", "42")
    assert parse_id("event:9223372036854775807") == ("event", "9223372036854775807")


@pytest.mark.parametrize(
    "bad",
    ["", "42", "event:", "event:-1", "event:9223372036854775808", "event:" + "9" * 30, "event:²",
     "notification:42", "letter:42", None],
)  # fmt: skip
def test_anything_else_is_refused(bad: object) -> None:
    with pytest.raises(ValidationFailed, match="dead letter id"):
        parse_id(bad)  # type: ignore[arg-type]
