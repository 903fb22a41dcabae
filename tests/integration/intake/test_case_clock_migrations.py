"""The migrations that move the clock, on a database of their own, walked revision by revision
with cases written as each revision had them:

- 0012 back-fills the segments of an open clock from its history, as the clock's replay rules
  (`clock.arrays_of` over `case_clock.history_intents`) derive them;
- 0014 moves every clock column of every case into `case_clock` (with the case's version), and
  its downgrade moves them back;
- 0015 adds the record of moved deadlines (row-level security forced), and its downgrade takes
  it back — refused while a moved deadline waits to be told."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.intake.domain import clock
from services.intake.domain.case import HistoryEntry
from services.intake.service_layer import case_clock
from tests.integration.conftest import migrate_to, with_schema

pytestmark = pytest.mark.integration

TENANT = "mig.napo"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
HOUR = timedelta(hours=1)
# an accepted case, extended, escalated (paused), resumed, extended, escalated again: still paused
STEPS = [
    ("receive", None, "received", 0, T0 - HOUR),
    ("accept", "received", "accepted", 0, T0),
    ("assign", "accepted", "in_progress", 0, T0 + HOUR / 2),
    ("extend", "in_progress", "in_progress", 2, T0 + HOUR),
    ("escalate", "in_progress", "escalated", 0, T0 + 2 * HOUR),
    ("resume", "escalated", "in_progress", 0, T0 + 3 * HOUR),
    ("extend", "in_progress", "in_progress", 3, T0 + 4 * HOUR),
    ("escalate", "in_progress", "escalated", 0, T0 + 5 * HOUR),
]
CLOCK_COLUMNS = (
    "clock_state, started_at, due_at, warn_at, provisional, stopped_at, clock_colour, colour_changed_at, "
    "clock_promised_days, clock_extension_days, clock_paused_from, clock_paused_until"
)


@pytest.fixture()
def owner(fresh_owner: Connection) -> Connection:
    """A connection as the owner to a fresh database with only the intake schema."""
    return with_schema(fresh_owner, "intake")


def to(conn: Connection, revision: str, *, down: bool = False) -> None:
    migrate_to(conn, "intake", revision, down=down)


def expected_segments() -> tuple[datetime, int, int, list[tuple[datetime, datetime | None]]]:
    history = [
        HistoryEntry(at, "w1", action, before, after, "r", days) for action, before, after, days, at in STEPS
    ]
    arrays = clock.arrays_of([(case_clock.history_intents(history), 10)])  # the item promises 10 days
    pauses = sorted(zip(arrays.pause_start.tolist(), arrays.pause_end.tolist(), strict=True))
    instant = lambda s: None if s == clock.OPEN else datetime.fromtimestamp(s, UTC)  # noqa: E731
    return (
        instant(int(arrays.start[0])),
        int(arrays.promised_days[0]),
        int(arrays.extension_days[0]),
        [(instant(a), instant(b)) for a, b in pauses],
    )


def write_case_as_of_0011(conn: Connection, case_id: str, number: str, clock_state: str) -> None:
    """A case, its history and its item as revision 0011 stored them (no segments yet)."""
    conn.execute(
        sa.text(
            "INSERT INTO intake.catalogue_item (tenant_id, code, name, category, level, kind, statutory_days,"
            " promised_days, template_promised_days, proxyable, in_person, privacy_sensitive, updated_by)"
            " VALUES (:t, 'db_apply', '低保申请', 'civil_affairs', 'township', 'approval', 30, 10, 10,"
            " true, false, false, 'admin') ON CONFLICT DO NOTHING"
        ),
        {"t": TENANT},
    )
    last = STEPS[-1][2]
    conn.execute(
        sa.text(
            'INSERT INTO intake."case" (tenant_id, id, number, item_code, kind, level, channel, applicant,'
            " materials, received, requested, first_ask, received_at, state, version, history_head,"
            " clock_state, started_at, due_at, warn_at, provisional)"
            " VALUES (:t, :id, :number, 'db_apply', 'promised', 'hall', 'walk_in', '{\"name\": \"张三\"}',"
            " '[]', '{}', '[]', 'w1', :received, :state, :version, 'head', :clock_state, :started, :due,"
            " :warn, false)"
        ),
        {
            "t": TENANT,
            "id": case_id,
            "number": number,
            "received": STEPS[0][4],
            "state": last,
            "version": len(STEPS),
            "clock_state": clock_state,
            "started": T0,
            "due": None if clock_state == "paused" else T0 + timedelta(days=20),
            "warn": None if clock_state == "paused" else T0 + timedelta(days=17),
        },
    )
    for seq, (action, before, after, days, at) in enumerate(STEPS, start=1):
        conn.execute(
            sa.text(
                "INSERT INTO intake.case_history (tenant_id, case_id, seq, at, actor, action, from_state,"
                " to_state, reason, working_days, prev_hash, hash)"
                " VALUES (:t, :id, :seq, :at, 'w1', :action, :before, :after, 'r', :days, 'p', 'h')"
            ),
            {"t": TENANT, "id": case_id, "seq": seq, "at": at, "action": action, "before": before,
             "after": after, "days": days},
        )  # fmt: skip
    conn.commit()


def clock_of(conn: Connection, table: str, key: str, case_id: str) -> dict:
    query = f"SELECT {CLOCK_COLUMNS} FROM intake.{table} WHERE {key} = :id"
    return dict(conn.execute(sa.text(query), {"id": case_id}).mappings().one())


def test_0012_back_fills_the_segments_the_history_derives(owner: Connection) -> None:
    to(owner, "0011")
    case_id = str(uuid.uuid4())
    write_case_as_of_0011(owner, case_id, "napo-20260302-0001", "paused")
    to(owner, "0012")
    row = clock_of(owner, '"case"', "id", case_id)
    pauses = list(zip(row["clock_paused_from"], row["clock_paused_until"], strict=True))
    stored = (row["started_at"], row["clock_promised_days"], row["clock_extension_days"], pauses)
    assert stored == expected_segments()
    assert stored[1:3] == (10, 5) and len(pauses) == 2 and pauses[-1][1] is None  # still paused


def test_0014_moves_every_clock_into_case_clock_and_back(owner: Connection) -> None:
    to(owner, "0011")
    paused, running = str(uuid.uuid4()), str(uuid.uuid4())
    write_case_as_of_0011(owner, paused, "napo-20260302-0001", "paused")
    write_case_as_of_0011(owner, running, "napo-20260302-0002", "running")
    to(owner, "0013")
    before = {c: clock_of(owner, '"case"', "id", c) for c in (paused, running)}
    assert before[running]["due_at"] == T0 + timedelta(days=20)

    to(owner, "0014")
    after = {c: clock_of(owner, "case_clock", "case_id", c) for c in (paused, running)}
    assert after == before
    versions = owner.execute(sa.text("SELECT DISTINCT version FROM intake.case_clock")).scalars().all()
    assert versions == [len(STEPS)]
    left = owner.execute(
        sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'intake' "
            "AND table_name = 'case' AND (column_name LIKE 'clock%' OR column_name IN "
            "('started_at', 'due_at', 'warn_at', 'provisional', 'stopped_at', 'colour_changed_at', "
            "'paused_minutes'))"
        )
    ).all()
    assert left == []
    with pytest.raises(sa.exc.IntegrityError, match="case_clock_segments"):  # still refused
        owner.execute(sa.text("UPDATE intake.case_clock SET clock_promised_days = NULL WHERE case_id = :id"),
                      {"id": running})  # fmt: skip
    owner.rollback()

    to(owner, "0013", down=True)
    assert {c: clock_of(owner, '"case"', "id", c) for c in (paused, running)} == before


def test_0015_adds_the_moved_deadline_record_and_takes_it_back(owner: Connection) -> None:
    def forced() -> object:  # None: no such table
        query = "SELECT relforcerowsecurity FROM pg_class WHERE oid = to_regclass('intake.moved_deadline')"
        return owner.execute(sa.text(query)).scalar()

    to(owner, "0014")
    assert forced() is None
    to(owner, "0015")
    assert forced() is True  # row-level security forced, like every tenant table

    owner.execute(
        sa.text(
            "INSERT INTO intake.moved_deadline (tenant_id, case_ids, previous_due_at)"
            " VALUES (:t, ARRAY[CAST(:id AS uuid)], ARRAY[CAST(:due AS timestamptz)])"
        ),
        {"t": TENANT, "id": str(uuid.uuid4()), "due": T0},
    )
    owner.commit()
    with pytest.raises(RuntimeError, match="1 record.* of moved deadlines still wait"):
        to(owner, "0014", down=True)
    owner.rollback()
    assert forced() is True  # nothing changed: still 0015, the row still there
    assert owner.execute(sa.text("SELECT count(*) FROM intake.moved_deadline")).scalar() == 1

    owner.execute(sa.text("DELETE FROM intake.moved_deadline"))  # told (what the relay does)
    owner.commit()
    to(owner, "0014", down=True)
    assert forced() is None
