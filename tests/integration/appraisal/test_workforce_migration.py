"""appraisal migration 0008 on a database of its own: the workforce tables (leaves, sign-ins, their
judging, the missed-rota warnings) and the settings and calendar projections come with row-level
security FORCEd, and the downgrade takes them all back (and a second upgrade works again)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tests.integration.conftest import migrate_to, with_schema

pytestmark = pytest.mark.integration

NEW = {
    "leave",
    "sign_in",
    "attendance_judgment",
    "attendance_day",
    "duty_rota_warning",
    "settings",
    "calendar_day",
    "calendar_year",
    "calendar_version",
}


def forced(conn: Connection) -> dict[str, bool]:
    query = (
        "SELECT c.relname, c.relforcerowsecurity FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'appraisal' AND c.relkind = 'r'"
    )
    return dict(conn.execute(sa.text(query)).all())


def test_0008_adds_the_workforce_tables_and_takes_them_back(fresh_owner: Connection) -> None:
    conn = with_schema(fresh_owner, "appraisal")
    migrate_to(conn, "appraisal", "0007")
    assert not NEW & set(forced(conn))
    migrate_to(conn, "appraisal", "0008")
    tables = forced(conn)
    assert set(tables) >= NEW and all(tables[t] for t in NEW)
    migrate_to(conn, "appraisal", "0007", down=True)
    assert not NEW & set(forced(conn))
    migrate_to(conn, "appraisal", "0008")
    assert set(forced(conn)) >= NEW
