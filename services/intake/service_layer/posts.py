"""A/B posts in action (AB岗, DOMAIN.md §1 `window_staff`: "own window(s) … AB cover when
assigned as B"; §8: "When A is away, B covers with A's authority and A's open cases"; seed 001
第二十三條（五）: 如果AB崗都請病事假…由窗口部門派人代崗).

Which windows a staff member acts for today, from intake's copies of the directory (staff,
windows with their posts) and of appraisal's approved leaves (`staff_leave`,
libs/common/leave_projection.py):
- their own window (the directory's `window`) and every window whose A post they hold;
- a window whose B post they hold, while its A is on an approved leave today — and then also
  A's open cases (handled by A), wherever A's items are. It ends when the leave does (its last
  day, or its cancellation).

A window staff member acts on a case of one of those windows' items (or a case of those
windows), on a case they handle, or on a case of an A they cover — nothing else (`forbidden`).
A window staff member whom intake's directory places at no window at all (no window, no post)
is hall-wide staff and acts on the township's cases as before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from libs.common import leave_projection
from libs.common.errors import Forbidden
from services.intake.adapters import tables

_staff, _window, _leave = tables.staff, tables.window, tables.staff_leave


@dataclass(frozen=True)
class Cover:
    """What `username` acts for on a day: `windows` (codes), their `items` (codes), the A posts
    they stand in for (`covering`); `placed` False for staff at no window at all."""

    windows: frozenset[str]
    items: frozenset[str]
    covering: frozenset[str]
    placed: bool


def cover(s: Session, username: str, day: date) -> Cover:
    own = s.execute(sa.select(_staff.c.window).where(_staff.c.username == username)).scalar()
    rows = s.execute(
        sa.select(_window.c.code, _window.c.item_codes, _window.c.post_a, _window.c.post_b).where(
            sa.or_(_window.c.code == own, _window.c.post_a == username, _window.c.post_b == username)
        )
    ).all()
    backed = {r.post_a for r in rows if r.post_b == username and r.post_a and r.post_a != username}
    away = leave_projection.away_on(_leave, s, backed, day)
    acting = [
        r
        for r in rows
        if r.code == own or r.post_a == username or (r.post_b == username and r.post_a in away)
    ]
    return Cover(
        windows=frozenset(r.code for r in acting),
        items=frozenset(c for r in acting for c in (r.item_codes or ())),
        covering=frozenset(away),
        placed=bool(own) or bool(rows),
    )


def require_may_act(s: Session, username: str, case: Any, day: date) -> None:
    """`case` (a row with item_code, window, handler): one `username` may act on today, else forbidden."""
    c = cover(s, username, day)
    if not c.placed:
        return
    if case.item_code in c.items or (case.window and case.window in c.windows):
        return
    if case.handler and (case.handler == username or case.handler in c.covering):
        return
    raise Forbidden(
        f"{username} acts only on cases of their own window's items"
        + (f" (standing in for {', '.join(sorted(c.covering))})" if c.covering else "")
    )
