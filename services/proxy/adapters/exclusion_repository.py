"""The exclusion list in PostgreSQL (no event: the list is personal data and stays here)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.proxy.adapters import tables
from services.proxy.domain.exclusion import Exclusion, Person

t = tables.exclusion


def add(s: Session, tenant: str, e: Exclusion) -> None:
    key = e.key
    s.execute(
        t.insert().values(
            tenant_id=tenant,
            id=e.id,
            name=e.name,
            id_number=e.id_number,
            phone=e.phone,
            name_key=key.name,
            id_key=key.id_number,
            phone_key=key.phone,
            reason=e.reason,
            created_at=e.created_at,
            created_by=e.created_by,
        )  # fmt: skip
    )


def candidates(s: Session, who: Person) -> list[Person]:
    """The entries that could match `who`: the same name, or the same ID number."""
    condition = t.c.name_key == who.name
    if who.id_number:
        condition = sa.or_(condition, t.c.id_key == who.id_number)
    rows = s.execute(sa.select(t.c.name_key, t.c.id_key, t.c.phone_key).where(condition)).all()
    return [Person(r.name_key, r.id_key, r.phone_key) for r in rows]


def page(s: Session, *, after: tuple[datetime, str] | None, limit: int) -> list[Exclusion]:
    """In the order they were recorded (created_at, id)."""
    query = sa.select(t)
    if after is not None:
        at, last_id = after
        query = query.where(sa.tuple_(t.c.created_at, t.c.id) > sa.tuple_(sa.literal(at), last_id))
    rows = s.execute(query.order_by(t.c.created_at, t.c.id).limit(limit)).mappings()
    return [
        Exclusion(
            r["id"], r["name"], r["id_number"], r["phone"], r["reason"], r["created_at"], r["created_by"]
        )
        for r in rows
    ]
