"""Cases in PostgreSQL: the `case` row (with its `case_clock` row, stored by case_clock.write_clock), its
hash-chained `case_history` and its events in the outbox — all in the caller's transaction
(ARCHITECTURE.md §6), so they commit together or not.

The chain: entry n's `hash` = sha256(`prev_hash` + canonical JSON of entry n), its `prev_hash`
the hash of entry n-1; entry 1's `prev_hash` = sha256(tenant_id + case_id). The canonical JSON
names the tenant, case and seq too, so an entry cannot be moved to another place or chain. The
case row keeps the newest hash (`history_head`), so a cut-off tail is seen as well. Triggers make
the history append-only (migration 0005); `verify_chain` finds what was done around them. An
extension's `working_days` joins the canonical JSON only when non-zero, so the entries written
before it existed (migration 0007) keep their hashes.

Optimistic concurrency: `save` updates the row only `WHERE version = expected`; a concurrent
writer that committed first leaves no row to update → `VersionConflict`, nothing written."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from libs.common import db, sealing
from libs.common.errors import NotFound, VersionConflict
from libs.common.messaging import outbox
from services.intake.adapters import tables
from services.intake.adapters.case_proto import event_message
from services.intake.domain.case import Applicant, Case, HistoryEntry
from services.intake.domain.catalogue import material, material_data
from services.intake.domain.event_clock import EventClock

SOURCE = "intake"
t = tables.case
case_clocks = tables.case_clock  # not started until case_clock.write_clock stores it
h = tables.case_history

# Built once: a lifecycle runs each of them several times, and SQLAlchemy builds (coerces, keys)
# a statement with literal values anew on every call. Bound names differ from the columns'.
# HISTORY_OF_CASE (`the_case`) serves the views too.
_INSERT_CASE = t.insert()
_INSERT_CLOCK = case_clocks.insert()
_INSERT_HISTORY = h.insert()
_CASE = sa.select(t).where(t.c.id == sa.bindparam("the_id"))
_CASE_TO_ACT = (  # with its stored deadline (a case stored before its clock row has none)
    sa.select(t, case_clocks.c.due_at)
    .outerjoin(
        case_clocks, sa.and_(case_clocks.c.tenant_id == t.c.tenant_id, case_clocks.c.case_id == t.c.id)
    )
    .where(t.c.id == sa.bindparam("the_id"))
)
HISTORY_OF_CASE = sa.select(h).where(h.c.case_id == sa.bindparam("the_case")).order_by(h.c.seq)
_UPDATE_CASE = (
    t.update()
    .where(t.c.id == sa.bindparam("the_id"), t.c.version == sa.bindparam("expected_version"))
    .returning(t.c.id)
)
_ENTRY_HASH = sa.select(h.c.hash).where(
    h.c.case_id == sa.bindparam("the_case"), h.c.seq == sa.bindparam("the_seq")
)
# what a case reads of its item: the domain item's fields, not the row's bookkeeping (every
# column read costs, and a case reads its item in every call)
_ITEM_FIELDS = (
    "code", "name", "category", "level", "kind", "statutory_days", "promised_days", "materials",
    "proxyable", "in_person", "privacy_sensitive", "departments", "fee_fen", "procedure", "legal_basis",
)  # fmt: skip
_ITEM = sa.select(*(tables.catalogue_item.c[name] for name in _ITEM_FIELDS)).where(
    tables.catalogue_item.c.code == sa.bindparam("the_code")
)


# --- the chain -------------------------------------------------------------------------------


def genesis_hash(tenant_id: str, case_id: str) -> str:
    return hashlib.sha256(f"{tenant_id}{case_id}".encode()).hexdigest()


def canonical_entry(tenant_id: str, case_id: str, seq: int, entry: HistoryEntry) -> str:
    fields: dict[str, Any] = {
        "tenant_id": tenant_id,
        "case_id": str(case_id),
        "seq": seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "reason": entry.reason,
    }
    if entry.working_days:
        fields["working_days"] = entry.working_days
    return json.dumps(
        fields,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def entry_hash(prev_hash: str, tenant_id: str, case_id: str, seq: int, entry: HistoryEntry) -> str:
    return hashlib.sha256((prev_hash + canonical_entry(tenant_id, case_id, seq, entry)).encode()).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    tenant_id: str
    case_id: str
    number: str
    seq: int | None  # None: about the case as a whole
    problem: str

    def __str__(self) -> str:
        where = f" entry {self.seq}" if self.seq is not None else ""
        return f"{self.tenant_id} case {self.number} ({self.case_id}){where}: {self.problem}"


def verify_chain(case_row: Any, history_rows: Sequence[Any]) -> list[ChainProblem]:
    """Every broken link of one case's chain (rows as read from `case` and `case_history`, the
    history in seq order)."""
    tenant_id, case_id, number = case_row["tenant_id"], str(case_row["id"]), case_row["number"]
    problems: list[ChainProblem] = []

    def problem(seq: int | None, what: str) -> None:
        problems.append(ChainProblem(tenant_id, case_id, number, seq, what))

    prev = genesis_hash(tenant_id, case_id)
    expected_seq = 1
    for row in history_rows:
        seq = row["seq"]
        if seq != expected_seq:
            problem(seq, f"entries {expected_seq}..{seq - 1} are missing")
        if row["prev_hash"] != prev:
            problem(seq, "prev_hash does not match the hash of the entry before it")
        computed = entry_hash(row["prev_hash"], tenant_id, case_id, seq, _entry(row))
        if computed != row["hash"]:
            problem(seq, "the entry differs from what was hashed (edited)")
        prev, expected_seq = row["hash"], seq + 1
    last = expected_seq - 1
    if last != case_row["version"]:
        problem(None, f"the history ends at entry {last} but the case is at version {case_row['version']}")
    if prev != case_row["history_head"]:
        problem(None, "the newest history entry is not the one the case recorded (cut or replaced)")
    return problems


# --- the repository --------------------------------------------------------------------------


def add(session: Session, case: Case, *, clocks: Sequence[EventClock] = ()) -> None:
    """Insert a new case (from `Case.receive`), its history and its pending events (`clocks`:
    the clock facts of each, see `_record_events`)."""
    now = datetime.now(UTC)
    rows, head = _chain(session, case, 0)
    session.execute(
        _INSERT_CASE,
        {
            "tenant_id": case.tenant,
            "id": case.id,
            **_row_values(case),
            "history_head": head,
            "created_at": now,
            "updated_at": now,
        },
    )
    session.execute(_INSERT_CLOCK, {"tenant_id": case.tenant, "case_id": case.id, "version": case.version})
    _insert_history(session, rows)
    _record_events(session, case, 0, clocks)


def get(session: Session, case_id: str) -> Case:
    """The case rebuilt from its row and history (no pending events); NotFound when the caller's
    tenant has no such case."""
    row = session.execute(_CASE, {"the_id": case_uuid(case_id)}).mappings().first()
    if row is None:
        raise NotFound(f"no case {case_id!r}")
    history = session.execute(HISTORY_OF_CASE, {"the_case": row["id"]}).mappings()
    return from_row(row, history)


@dataclass(frozen=True)
class ToAct:
    """A case read for an action, with what the action needs beside it from the same reads: the
    hash of its newest history entry (the save chains on it) and its stored deadline in force
    (None: not started, or paused)."""

    case: Case
    head: str | None  # None: its history does not end at its version (the save reads and refuses)
    due_at: datetime | None


def get_to_act(session: Session, case_id: str) -> ToAct:
    """As `get`, for an action: one read of the row with its deadline, one of its history."""
    row = session.execute(_CASE_TO_ACT, {"the_id": case_uuid(case_id)}).mappings().first()
    if row is None:
        raise NotFound(f"no case {case_id!r}")
    history = session.execute(HISTORY_OF_CASE, {"the_case": row["id"]}).mappings().all()
    head = history[-1]["hash"] if history and history[-1]["seq"] == row["version"] else None
    return ToAct(from_row(row, history), head, row["due_at"])


def save(
    session: Session,
    case: Case,
    expected_version: int,
    *,
    clocks: Sequence[EventClock] = (),
    head: str | None = None,
) -> None:
    """Store the case's changes since `expected_version`: the row (only if still at that
    version, else VersionConflict), the new history entries and the pending events (`clocks`:
    the clock facts of each, see `_record_events`). `head`: the hash of entry
    `expected_version` when the caller read it with the case (`ToAct.head`), else it is read."""
    if case.version == expected_version:
        return
    rows, new_head = _chain(session, case, expected_version, head)
    # the row first: a concurrent writer holding it makes this wait, then find no row at
    # `expected_version` (READ COMMITTED re-checks the WHERE on the newest row version)
    updated = session.execute(
        _UPDATE_CASE,
        {
            **_row_values(case),
            "history_head": new_head,
            "updated_at": datetime.now(UTC),
            "the_id": case.id,
            "expected_version": expected_version,
        },
    ).first()
    if updated is None:
        raise VersionConflict(
            f"case {case.number} changed since version {expected_version}", expected=expected_version
        )
    _insert_history(session, rows)
    _record_events(session, case, expected_version, clocks)


def catalogue_item(session: Session, tenant: str, code: str) -> sa.RowMapping | None:
    """The township's catalogue item `code` (None: not in its catalogue), read once per
    transaction: a case's creation or action needs it for its kind, deadline, department, events
    and view, and none of them changes it (catalogue edits are transactions of their own)."""
    return db.once_per_transaction(
        session,
        ("catalogue_item", tenant, code),
        lambda: session.execute(_ITEM, {"the_code": code}).mappings().first(),
    )


def catalogue_item_name(session: Session, tenant: str, code: str) -> str:
    """The item's name for a notice or a view ("" for an item gone since)."""
    item = catalogue_item(session, tenant, code)
    return (item["name"] if item is not None else "") or ""


def from_row(row: Any, history_rows: Iterable[Any]) -> Case:
    return Case(
        id=str(row["id"]),
        number=row["number"],
        tenant=row["tenant_id"],
        item_code=row["item_code"],
        kind=row["kind"],
        level=row["level"],
        channel=row["channel"],
        applicant=Applicant(**row["applicant"]),
        materials=tuple(material(m) for m in row["materials"]),
        first_ask=row["first_ask"],
        received_at=row["received_at"],
        village=row["village"],
        state=row["state"],
        received={code: datetime.fromisoformat(at) for code, at in row["received"].items()},
        requested=tuple(row["requested"]),
        first_notice=None if row["first_notice"] is None else tuple(row["first_notice"]),
        handler=row["handler"],
        window=row["window"],
        department=row["department"],
        escalated_to=row["escalated_to"],
        escalated_department=row["escalated_department"],
        outcome=row["outcome"],
        satisfaction=row["satisfaction"],
        extensions=row["extensions"],
        presses=row["presses"],
        version=row["version"],
        history=[_entry(r) for r in history_rows],
    )


# --- helpers ---------------------------------------------------------------------------------


def case_uuid(case_id: str) -> str:
    """A case id in its one stored form; not_found for what cannot be one (no case has it)."""
    try:
        return str(uuid.UUID(str(case_id)))
    except ValueError:
        raise NotFound(f"no case {case_id!r}") from None


def _entry(row: Any) -> HistoryEntry:
    return HistoryEntry(
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        reason=row["reason"],
        working_days=row["working_days"] or 0,
    )


def _row_values(case: Case) -> dict[str, Any]:
    a = case.applicant
    return {
        "number": case.number,
        "item_code": case.item_code,
        "kind": case.kind,
        "level": case.level,
        "channel": case.channel,
        "applicant": {
            "name": a.name,
            "phone": a.phone,
            "id_number": a.id_number,
            "address": a.address,
            **({"email": a.email} if a.email else {}),
        },
        "materials": [material_data(m) for m in case.materials],
        "received": {code: at.astimezone(UTC).isoformat() for code, at in case.received.items()},
        "requested": list(case.requested),
        "first_notice": None if case.first_notice is None else list(case.first_notice),
        "first_ask": case.first_ask,
        "received_at": case.received_at,
        "village": case.village,
        "state": case.state,
        "handler": case.handler,
        "window": case.window,
        "department": case.department,
        "escalated_to": case.escalated_to,
        "escalated_department": case.escalated_department,
        "outcome": case.outcome,
        "satisfaction": case.satisfaction,
        "extensions": case.extensions,
        "presses": case.presses,
        "version": case.version,
    }


def _chain(
    session: Session, case: Case, since: int, prev: str | None = None
) -> tuple[list[dict[str, Any]], str]:
    """The rows of history entries since+1 … version, chained on entry `since` (whose hash is
    `prev` when the caller has it); and the newest hash."""
    if prev is None and not since:
        prev = genesis_hash(case.tenant, case.id)
    elif prev is None:
        prev = session.execute(_ENTRY_HASH, {"the_case": case.id, "the_seq": since}).scalar_one_or_none()
        if prev is None:
            raise VersionConflict(f"case {case.number} has no history entry {since}", expected=since)
    rows = []
    for seq, entry in enumerate(case.history[since:], start=since + 1):
        digest = entry_hash(prev, case.tenant, case.id, seq, entry)
        rows.append(
            {
                "tenant_id": case.tenant,
                "case_id": case.id,
                "seq": seq,
                "at": entry.at,
                "actor": entry.actor,
                "action": entry.action,
                "from_state": entry.from_state,
                "to_state": entry.to_state,
                "reason": entry.reason,
                "working_days": entry.working_days,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return rows, prev


def _insert_history(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(_INSERT_HISTORY, rows)


def _record_events(session: Session, case: Case, since: int, clocks: Sequence[EventClock] = ()) -> None:
    """One outbox row per pending event (event i is the transition to version since+i+1), then
    the events are no longer pending. `clocks[i]` is event i's clock facts (none: sent unset)."""
    if len(case.events) != case.version - since:
        raise ValueError(
            f"case {case.number}: {len(case.events)} pending events for {case.version - since} transitions"
        )
    if clocks and len(clocks) != len(case.events):
        raise ValueError(f"case {case.number}: {len(clocks)} clock facts for {len(case.events)} events")
    sealer = sealing.of(session)  # the deployment's seal keys (Runtime.connect)
    a = case.applicant
    contact = {"name": a.name, "phone": a.phone, "email": getattr(a, "email", None) or ""}
    sealed = sealer.seal(contact) if sealer is not None and case.events else ""
    # the item's name for the notices (受理通知书 names the matter)
    item_name = catalogue_item_name(session, case.tenant, case.item_code)
    for i, event in enumerate(case.events):
        version = since + i + 1
        entry = case.history[version - 1]
        message = event_message(
            case,
            event,
            state=entry.to_state,
            version=version,
            applicant_sealed=sealed,
            item_name=item_name,
            clock=clocks[i] if clocks else None,
        )
        outbox.record(session, source=SOURCE, message_or_type=message, tenant_id=case.tenant)
    case.events.clear()
