"""Rulebooks (考核細則, DOMAIN.md §7.2): the packaged default (seed 001 第二篇, read-only), a county's
own rulebooks (checked whole when stored), and from which month each scores.

Who: every signed-in user of the county reads them (the rules are the same for everyone they
appraise); the `county_admin` stores and activates. A county's rulebooks are rows of its county
scope `<county>.*`, which its townships' transactions read (`enable_county_reads`), so a consumer
finds the rulebook in force without changing scope.

Versioning: `activate(id, from)` scores the months from `from` on with that rulebook; a score
event keeps the rulebook and the points it was recorded with, and a closed month keeps its
scoring runs, so a county changing a value in July never rescores March. Dated points inside one
rulebook (`points: [{from: 2026-07, points: -5}]`) do the same within a rulebook.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import Forbidden, NotFound, ValidationFailed, VersionConflict
from libs.common.tenancy import Principal, county_of, require_role
from services.appraisal.adapters import rulebook_files, tables
from services.appraisal.domain import rulebook as rules
from services.appraisal.domain.periods import month_of, parse_month
from services.appraisal.domain.rulebook import Rulebook

DEFAULT = rulebook_files.DEFAULT_ID
ADMIN_ROLES = ("county_admin",)
t, act = tables.rulebook, tables.rulebook_activation


@dataclass(frozen=True)
class Stored:
    book: Rulebook
    version: int
    updated_at: datetime | None
    read_only: bool


# loaded rulebooks by (county scope, id, version): a consumer loads a county's book once
_LOADED: dict[tuple[str, str, int], Rulebook] = {}
_LOCK = threading.Lock()


def _load(scope: str, book_id: str, version: int, document: Mapping[str, Any]) -> Rulebook:
    key = (scope, book_id, version)
    found = _LOADED.get(key)
    if found is None:
        found = rules.load(document)
        with _LOCK:
            if len(_LOADED) > 256:
                _LOADED.clear()
            _LOADED[key] = found
    return found


_ACTIVE = (
    sa.select(act.c.rulebook_id, t.c.document, t.c.version)
    .select_from(act.outerjoin(t, sa.and_(t.c.tenant_id == act.c.tenant_id, t.c.id == act.c.rulebook_id)))
    .where(act.c.tenant_id == sa.bindparam("scope"), act.c.from_month <= sa.bindparam("month"))
    .order_by(act.c.from_month.desc())
    .limit(1)
)


def active(session: Session, tenant: str, month: str) -> tuple[str, Rulebook]:
    """The rulebook that scores `month` in `tenant`'s county (the default when none was activated)."""
    scope = f"{county_of(tenant)}.*"
    row = db.once_per_transaction(
        session,
        ("appraisal.rulebook", scope, month),
        lambda: session.execute(_ACTIVE, {"scope": scope, "month": month}).first(),
    )
    if row is None or row.rulebook_id == DEFAULT or row.document is None:
        return DEFAULT, rulebook_files.packaged()
    return row.rulebook_id, _load(scope, row.rulebook_id, int(row.version), row.document)


def _scope(who: Principal) -> str:
    if not who.county:
        raise NotFound("no county in the caller's token")
    return f"{who.county}.*"


def _reader(principal: Principal | None) -> Principal:
    if principal is None:
        return require_role(principal, "county_admin")  # Unauthenticated
    return principal


def get(sessions: sessionmaker[Session], principal: Principal | None, book_id: str) -> Stored:
    who = _reader(principal)
    if book_id == DEFAULT:
        return Stored(rulebook_files.packaged(), 1, None, True)
    scope = _scope(who)
    with db.transaction(sessions, scope) as s:
        row = s.execute(sa.select(t).where(t.c.id == book_id)).first()
    if row is None:
        raise NotFound(f"rulebook {book_id!r} is not known here")
    return Stored(
        _load(scope, row.id, int(row.version), row.document), int(row.version), row.updated_at, False
    )


def list_all(sessions: sessionmaker[Session], principal: Principal | None) -> list[Stored]:
    who = _reader(principal)
    out = [Stored(rulebook_files.packaged(), 1, None, True)]
    if not who.county:
        return out
    scope = _scope(who)
    with db.transaction(sessions, scope) as s:
        rows = s.execute(sa.select(t).order_by(t.c.id)).all()
    out += [
        Stored(_load(scope, r.id, int(r.version), r.document), int(r.version), r.updated_at, False)
        for r in rows
    ]
    return out


def put(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    book_id: str,
    document: object,
    *,
    expected_version: int = 0,
) -> Stored:
    """Store (or replace) a county rulebook, checked whole: every problem in one validation_error."""
    who = require_role(principal, *ADMIN_ROLES)
    if book_id == DEFAULT:
        raise Forbidden("the default rulebook is read-only: store the county's own under another id")
    book = rules.load(document)
    if book.id != book_id:
        raise ValidationFailed(
            f"id: the rulebook's id is {book.id!r}, the path names {book_id!r}", field="id"
        )
    scope = _scope(who)
    now = datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        current = s.execute(sa.select(t.c.version).where(t.c.id == book_id).with_for_update()).scalar()
        if expected_version and int(current or 0) != expected_version:
            raise VersionConflict(f"rulebook {book_id} is at version {current or 0}, not {expected_version}")
        version = int(current or 0) + 1
        stmt = insert(t).values(tenant_id=scope, id=book_id, document=dict(book.source), version=version,
                                updated_at=now, updated_by=who.username)  # fmt: skip
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.c.tenant_id, t.c.id],
                set_={
                    "document": stmt.excluded.document,
                    "version": stmt.excluded.version,
                    "updated_at": stmt.excluded.updated_at,
                    "updated_by": stmt.excluded.updated_by,
                },
            )  # fmt: skip
        )
    return Stored(book, version, now, False)


def activate(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    book_id: str,
    from_month: str,
    *,
    tz: ZoneInfo,
) -> tuple[str, str]:
    """Score the county's months from `from_month` (this month or later) with `book_id`."""
    who = require_role(principal, *ADMIN_ROLES)
    month = parse_month(from_month, "from").code
    this_month = month_of(datetime.now(UTC).astimezone(tz).date())
    if month < this_month:
        raise ValidationFailed(
            f"from: {month} is past; a rulebook scores this month ({this_month}) or later — earlier "
            "months keep the rulebook they were scored with",
            field="from",
        )
    scope = _scope(who)
    with db.transaction(sessions, scope) as s:
        if book_id != DEFAULT and s.execute(sa.select(t.c.id).where(t.c.id == book_id)).first() is None:
            raise NotFound(f"rulebook {book_id!r} is not known here")
        stmt = insert(act).values(tenant_id=scope, from_month=month, rulebook_id=book_id,
                                  activated_at=datetime.now(UTC), activated_by=who.username)  # fmt: skip
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=[act.c.tenant_id, act.c.from_month],
                set_={
                    "rulebook_id": stmt.excluded.rulebook_id,
                    "activated_at": stmt.excluded.activated_at,
                    "activated_by": stmt.excluded.activated_by,
                },
            )  # fmt: skip
        )
    return book_id, month
