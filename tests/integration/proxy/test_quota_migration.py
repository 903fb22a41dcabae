"""proxy migration 0005 on a database of its own: `delegation.completed_at` is filled from each
delegation's history (the first step into `decided` or `returned`; none for one still on its way),
and the downgrade takes the column and the period tables back, the delegations kept. notify
0012's downgrade keeps the trip notices (as topic `other`)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tests.integration.conftest import migrate_to, with_schema

pytestmark = pytest.mark.integration

STEPS = {
    "done": [("2026-12-07T02:00:00+00:00", "accepted"), ("2026-12-07T02:05:00+00:00", "decided"),
             ("2026-12-08T02:00:00+00:00", "replied")],
    "back": [("2026-12-07T02:00:00+00:00", "awaiting_trip"), ("2026-12-10T02:00:00+00:00", "at_county"),
             ("2026-12-20T02:00:00+00:00", "returned")],
    "waiting": [("2026-12-07T02:00:00+00:00", "awaiting_trip")],
}  # fmt: skip


def test_0005_fills_completed_at_from_the_history_and_takes_it_back(fresh_owner: Connection) -> None:
    conn = with_schema(fresh_owner, "proxy")
    migrate_to(conn, "proxy", "0004")
    conn.execute(sa.text("SELECT set_config('app.tenant_id', 'mig.napo', false)"))
    for i, (key, steps) in enumerate(STEPS.items()):
        history = [
            {"at": at, "actor": "lan", "action": "x", "state": state, "reason": ""} for at, state in steps
        ]
        conn.execute(
            sa.text(
                "INSERT INTO proxy.delegation (tenant_id, id, agent, village, applicant_name,"
                " applicant_phone, item_code, item_level, consent_method, consent_signed_at,"
                " consent_signed_by, case_id,"
                " case_number, state, history, created_at, updated_at) VALUES ('mig.napo', :id, 'lan', 'v',"
                " '张三', '138', 'x', 'township', 'signature', now(), '张三', :case, :case, :state,"
                " CAST(:history AS jsonb), now(), now())"
            ),
            {"id": key, "case": f"c{i}", "state": steps[-1][1], "history": json.dumps(history)},
        )
    conn.commit()
    migrate_to(conn, "proxy", "0005")
    got = dict(conn.execute(sa.text("SELECT id, completed_at FROM proxy.delegation")).tuples().all())
    assert got["done"].isoformat().startswith("2026-12-07T02:05")
    assert got["back"].isoformat().startswith("2026-12-20T02:00") and got["waiting"] is None
    migrate_to(conn, "proxy", "0004", down=True)
    assert conn.execute(sa.text("SELECT count(*) FROM proxy.delegation")).scalar() == 3
    assert conn.execute(sa.text("SELECT to_regclass('proxy.quota')")).scalar() is None


def test_notify_0012_downgrade_keeps_the_trip_notices(fresh_owner: Connection) -> None:
    conn = with_schema(fresh_owner, "notify")
    migrate_to(conn, "notify", "0012")
    conn.execute(sa.text("SELECT set_config('app.tenant_id', 'mig.napo', false)"))
    conn.execute(
        sa.text(
            "INSERT INTO notify.inbox_item (tenant_id, id, username, topic, title, text, created_at,"
            " source_event_id) VALUES"
            " ('mig.napo', gen_random_uuid(), 'lan', 'trip_list', 't', 'x', now(), 'e1')"
        )
    )
    conn.commit()
    migrate_to(conn, "notify", "0011", down=True)
    assert conn.execute(sa.text("SELECT topic FROM notify.inbox_item")).scalars().all() == ["other"]
