"""The personal data access log (DOMAIN.md §11: "access to a full record is audited").

Every time intake shows a person's record in full — a case's applicant to its handlers, a
petitioner to the township's petition officers — the reading code calls `record` in the SAME
transaction as the read: the answer and its log row commit together, or neither does (a read
whose log row cannot be written fails). The row says who, when, whose record and which fields
were shown, never the data. The table is append-only (migration 0011: UPDATE, DELETE and
TRUNCATE are refused by trigger, for every role) and under FORCEd row-level security.

Readers of the log: the township's admin and the county supervisor (`list_accesses`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db, paging
from libs.common.errors import Unauthenticated, ValidationFailed
from libs.common.paging import Page
from libs.common.tenancy import Principal, require_role, require_tenant
from services.intake.adapters import tables
from services.intake.domain.inquiry import day_range
from services.intake.service_layer.townships import require_known

APPLICANT, PETITIONER = "applicant", "petitioner"
SUBJECTS = (APPLICANT, PETITIONER)
FIELDS = ("name", "phone", "id_number", "address", "email")  # the personal fields, in this order
READER_ROLES = ("township_admin", "county_supervisor")
MAX_SUBJECT_ID = 100

t = tables.personal_data_access


@dataclass(frozen=True)
class Access:
    id: int
    at: datetime
    actor: str
    subject: str
    subject_id: str
    fields: tuple[str, ...]


def fields_of(person: Mapping[str, Any] | Any) -> tuple[str, ...]:
    """The personal fields a record holds (non-empty), in `FIELDS` order: what showing it in
    full discloses. Takes a mapping or an object with those attributes."""
    get = person.get if isinstance(person, Mapping) else (lambda k: getattr(person, k, None))
    return tuple(f for f in FIELDS if get(f))


def record(
    session: Session,
    *,
    tenant: str,
    actor: str,
    subject: str,
    subject_id: str,
    fields: Iterable[str],
) -> bool:
    """Log that `actor` was shown `subject` `subject_id` in full (these `fields`), in the
    caller's transaction (scoped to `tenant`). Nothing shown (no fields) → no row, False."""
    return record_many(session, tenant=tenant, actor=actor, subject=subject, shown=[(subject_id, fields)]) > 0


def record_many(
    session: Session,
    *,
    tenant: str,
    actor: str,
    subject: str,
    shown: Iterable[tuple[str, Iterable[str]]],
) -> int:
    """`record` for a page of records (one INSERT); `shown` = (subject_id, fields) pairs.
    Returns the number of rows written."""
    if not tenant:
        raise ValueError("the access log needs the township")
    if not actor:
        raise ValueError("the access log needs the actor")
    if subject not in SUBJECTS:
        raise ValueError(f"subject must be one of {', '.join(SUBJECTS)}, got {subject!r}")
    now = datetime.now(UTC)
    rows = []
    for subject_id, fields in shown:
        listed = set(fields)
        unknown = listed - set(FIELDS)
        if unknown:
            raise ValueError(f"not personal fields: {sorted(unknown)}")
        if not subject_id:
            raise ValueError("the access log needs the record's id")
        if listed:
            ordered = [f for f in FIELDS if f in listed]
            rows.append(
                {"tenant_id": tenant, "at": now, "actor": actor, "subject": subject,
                 "subject_id": str(subject_id), "fields": ordered}
            )  # fmt: skip
    if rows:
        session.execute(_INSERT, rows)
    return len(rows)


def list_accesses(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    tz: ZoneInfo,
    *,
    subject_id: str = "",
    from_date: str = "",
    to_date: str = "",
    page_size: int = 0,
    page_token: str = "",
) -> Page[Access]:
    """The township's log, newest first, optionally of one record (`subject_id`) and for the
    dates `from_date`..`to_date` (inclusive, in the county's time zone)."""
    if principal is None:
        raise Unauthenticated("a bearer token is required")
    tenant = require_tenant(tenant)
    size = paging.page_size(page_size)
    if len(subject_id) > MAX_SUBJECT_ID:
        raise ValidationFailed(f"subject_id is longer than {MAX_SUBJECT_ID} characters")
    start, end = day_range(from_date, to_date, tz)
    query = sa.select(t)
    if subject_id:
        query = query.where(t.c.subject_id == subject_id)
    if start is not None:
        query = query.where(t.c.at >= start)
    if end is not None:
        query = query.where(t.c.at < end)
    if page_token:
        at, last_id = paging.decode_time_key(page_token, paging.digits, max_length=100)
        query = query.where(sa.tuple_(t.c.at, t.c.id) < sa.tuple_(sa.literal(at), sa.literal(last_id)))
    with db.transaction(sessions, tenant) as s:
        require_known(s, tenant)  # before the role: no leak
        require_role(principal, *READER_ROLES)
        rows = s.execute(query.order_by(t.c.at.desc(), t.c.id.desc()).limit(size + 1)).mappings().all()
    accesses = [_access(r) for r in rows]
    return Page(*paging.split(accesses, size, lambda last: paging.time_key_token(last.at, last.id)))


def _access(row: sa.RowMapping) -> Access:
    return Access(row["id"], row["at"], row["actor"], row["subject"], row["subject_id"], tuple(row["fields"]))


_INSERT = sa.insert(t)  # built once: every case shown in full writes a row
