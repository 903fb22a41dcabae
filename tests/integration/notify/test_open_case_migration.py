"""notify migration 0009 on a database of its own: `open_case.as_of` is added empty to the rows
already projected (the next event fills it), and its downgrade takes the column back, rows kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tests.integration.conftest import migrate_to, with_schema

pytestmark = pytest.mark.integration


def columns(conn: Connection) -> set[str]:
    query = (
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'notify' AND table_name = 'open_case'"
    )
    return set(conn.execute(sa.text(query)).scalars())


def test_0009_adds_the_event_time_of_open_cases_and_takes_it_back(fresh_owner: Connection) -> None:
    conn = with_schema(fresh_owner, "notify")
    migrate_to(conn, "notify", "0008")
    conn.execute(sa.text("SELECT set_config('app.tenant_id', 'mig.napo', false)"))
    conn.execute(
        sa.text(
            "INSERT INTO notify.open_case (tenant_id, case_id, number, state, due_at, version)"
            " VALUES ('mig.napo', 'c1', 'NP-1', 'accepted', now(), 2)"
        )
    )
    conn.commit()
    assert "as_of" not in columns(conn)

    migrate_to(conn, "notify", "0009")
    assert "as_of" in columns(conn)
    assert conn.execute(sa.text("SELECT version, as_of FROM notify.open_case")).one() == (2, None)

    migrate_to(conn, "notify", "0008", down=True)
    assert "as_of" not in columns(conn)
    assert conn.execute(sa.text("SELECT count(*) FROM notify.open_case")).scalar() == 1
