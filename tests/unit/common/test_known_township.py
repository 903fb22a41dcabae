"""The one 'is this township known here' check of every service's tenant projection."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from libs.common.errors import NotFound
from libs.common.tenant_projection import require_known, tenant_projection_table

TABLE = tenant_projection_table(sa.MetaData(schema="example"))


class Session:
    """Answers the projection's select with the row `rls` lets through (or none)."""

    def __init__(self, row: Any) -> None:
        self.row, self.statements = row, []

    def execute(self, statement: Any) -> Any:
        self.statements.append(statement)
        return self

    def first(self) -> Any:
        return self.row


def test_a_known_township_passes_and_the_statement_is_built_once() -> None:
    first, second = Session(("napo.baise",)), Session(("napo.baise",))
    require_known(first, TABLE, "napo.baise")  # type: ignore[arg-type]
    require_known(second, TABLE, "napo.baise")  # type: ignore[arg-type]
    assert first.statements[0] is second.statements[0]


def test_an_unknown_township_is_not_found_naming_it() -> None:
    with pytest.raises(NotFound, match="township napo.nowhere is not known here"):
        require_known(Session(None), TABLE, "napo.nowhere")  # type: ignore[arg-type]
