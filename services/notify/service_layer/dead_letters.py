"""Notify's dead letters, for ops and the county admin: notifications whose channel kept failing
(`notification` rows in `dead_lettered`) and events notify's consumers kept failing on (the
messaging core's `failed_event`). One list, one replay; ids say which is which:
`notification:<uuid>` and `event:<failed_event id>`.

Replaying a notification puts it back to `queued` with its attempts reset (the dispatcher sends
it on its next round); replaying an event re-runs its consumer now (libs.common.messaging.replay).
Both cross townships, so they use the relay/ops sessions, and show only the townships the
caller may see."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common import messaging as bus
from libs.common.errors import Forbidden, InvalidTransition, NotFound, Unauthenticated, ValidationFailed
from libs.common.messaging import record
from libs.common.tenancy import Principal
from services.notify.adapters import notification_proto, tables
from services.notify.domain.delivery import DEAD_LETTERED, QUEUED

NOTIFICATION, EVENT = "notification", "event"
ROLES = ("ops", "county_admin")
SCHEMA = "notify"


@dataclass(frozen=True)
class DeadLetterView:
    id: str
    source: str  # notification | event
    tenant_id: str
    reason: str
    attempts: int
    parked_at: datetime | None
    replayed_at: datetime | None = None
    notification_id: str = ""
    channel: str = ""
    event_type: str = ""
    event_id: str = ""
    consumer: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def require_operator(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("a bearer token is required")
    if not principal.has_role(*ROLES):
        raise Forbidden(f"needs one of the roles: {', '.join(ROLES)}")
    return principal


def _visible(principal: Principal, tenant: str) -> bool:
    """A township the caller may see, or the county scope `<county>.*` of the caller's county."""
    if tenant in principal.tenants:
        return True
    county = tenant.split(".", 1)[0]
    return f"{county}.*" in principal.tenants


def list_dead_letters(
    ops_sessions: sessionmaker[Session],
    principal: Principal | None,
    *,
    source: str = "",
    include_replayed: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[DeadLetterView], bool]:
    """The dead letters the caller may see, newest parked first; returns (page, more)."""
    who = require_operator(principal)
    if source not in ("", NOTIFICATION, EVENT):
        raise ValidationFailed("source must be notification or event")
    found: list[DeadLetterView] = []
    if source in ("", NOTIFICATION):
        found += _notifications(ops_sessions, include_replayed, who)
    if source in ("", EVENT):
        found += [_event_view(d) for d in bus.list_dead_letters(ops_sessions, SCHEMA, limit=10_000)]
    visible = [d for d in found if _visible(who, d.tenant_id)]
    visible.sort(key=lambda d: (d.parked_at or datetime.min.replace(tzinfo=UTC), d.id), reverse=True)
    return visible[offset : offset + limit], len(visible) > offset + limit


def _notifications(
    ops_sessions: sessionmaker[Session], include_replayed: bool, who: Principal | None = None
) -> list[DeadLetterView]:
    n = tables.notification
    which = n.c.status == DEAD_LETTERED
    if include_replayed:
        which = sa.or_(which, n.c.replayed_at.is_not(None))
    if who is not None:  # only the caller's townships and counties (the ops role sees every row)
        counties = [t.split(".", 1)[0] for t in who.tenants if t.endswith(".*")]
        townships = [t for t in who.tenants if not t.endswith(".*")]
        which = sa.and_(
            which,
            sa.or_(n.c.tenant_id.in_(townships), sa.func.split_part(n.c.tenant_id, ".", 1).in_(counties)),
        )
    with db.transaction(ops_sessions, None) as s:
        rows = s.execute(sa.select(n).where(which).order_by(n.c.parked_at.desc())).all()
    return [notification_view(r) for r in rows]


def notification_dead_letters(ops_sessions: sessionmaker[Session], limit: int = 100) -> list[DeadLetterView]:
    """Every township's parked notifications, newest first (the operator's command line)."""
    return _notifications(ops_sessions, include_replayed=False)[:limit]


def notification_view(row: Any) -> DeadLetterView:
    return DeadLetterView(
        id=f"{NOTIFICATION}:{row.id}",
        source=NOTIFICATION,
        tenant_id=row.tenant_id,
        reason=row.last_error or "",
        attempts=row.attempts,
        parked_at=row.parked_at,
        replayed_at=row.replayed_at,
        notification_id=str(row.id),
        channel=row.channel,
    )


def _event_view(d: bus.DeadLetter) -> DeadLetterView:
    return DeadLetterView(
        id=f"{EVENT}:{d.id}",
        source=EVENT,
        tenant_id=d.tenant_id,
        reason=_last_line(d.last_error),
        attempts=d.attempts,
        parked_at=d.updated_at,
        event_type=d.event_type,
        event_id=d.event_id,
        consumer=d.consumer,
    )


MAX_BIGINT = 2**63 - 1  # the dead-letter table's bigint ids


def parse_id(dead_letter_id: str) -> tuple[str, str]:
    kind, _, key = (dead_letter_id or "").partition(":")
    if kind == NOTIFICATION:
        try:
            return kind, str(uuid.UUID(key))
        except ValueError:
            pass
    elif kind == EVENT and len(key) <= 19 and key.isascii() and key.isdigit() and int(key) <= MAX_BIGINT:
        return kind, key
    raise ValidationFailed("a dead letter id is 'notification:<uuid>' or 'event:<number>'")


def replay(
    ops_sessions: sessionmaker[Session],
    principal: Principal | None,
    dead_letter_id: str,
    *,
    runtime_sessions: sessionmaker[Session],
    subscriptions: Sequence[bus.Subscription] = (),
    max_attempts: int = 5,
    retry_base_seconds: float = 1.0,
) -> DeadLetterView:
    """Replay one dead letter the caller may see (else not_found: no existence leak)."""
    who = require_operator(principal)
    kind, key = parse_id(dead_letter_id)
    if kind == NOTIFICATION:
        return replay_notification(ops_sessions, key, who.username, visible=lambda t: _visible(who, t))
    failed = bus.tables_for(SCHEMA).failed_event
    with db.transaction(ops_sessions, None) as s:
        tenant = s.execute(sa.select(failed.c.tenant_id).where(failed.c.id == int(key))).scalar()
    if tenant is None or not _visible(who, tenant):
        raise NotFound(f"no dead letter {dead_letter_id}")
    bus.replay(
        ops_sessions,
        subscriptions,
        SCHEMA,
        int(key),
        runtime_sessions=runtime_sessions,
        max_attempts=max_attempts,
        retry_base_seconds=retry_base_seconds,
    )
    with db.transaction(ops_sessions, None) as s:
        row = s.execute(sa.select(failed).where(failed.c.id == int(key))).first()
    # processed: the failure row is gone; failed again: back in the retry cycle (or parked again)
    return DeadLetterView(
        id=dead_letter_id,
        source=EVENT,
        tenant_id=tenant,
        reason=_last_line(row.last_error) if row is not None else "",
        attempts=row.attempts if row is not None else 0,
        parked_at=row.updated_at if row is not None and row.dead else None,
        replayed_at=datetime.now(UTC),
        event_type=row.event_type if row is not None else "",
        event_id=str(row.event_id) if row is not None else "",
        consumer=row.consumer if row is not None else "",
    )


def _last_line(text: str | None) -> str:
    return text.strip().splitlines()[-1] if text and text.strip() else ""


def replay_notification(
    ops_sessions: sessionmaker[Session], notification_id: str, replayed_by: str, *, visible: Any = None
) -> DeadLetterView:
    """Back to `queued`, attempts reset, due now; records who replayed it and when."""
    n = tables.notification
    now = datetime.now(UTC)
    with db.transaction(ops_sessions, None) as s:
        row = s.execute(sa.select(n).where(n.c.id == uuid.UUID(notification_id)).with_for_update()).first()
        if row is None or (visible is not None and not visible(row.tenant_id)):
            raise NotFound(f"no dead letter notification:{notification_id}")
        if row.status != DEAD_LETTERED:
            raise InvalidTransition(f"notification {notification_id} is {row.status}, not a dead letter")
        updated = s.execute(
            n.update()
            .where(n.c.id == row.id)
            .values(status=QUEUED, attempts=0, next_attempt_at=now, replayed_at=now, replayed_by=replayed_by)
            .returning(n)
        ).one()
        record(
            s,
            source="notify",
            message_or_type=notification_proto.dead_letter_replayed(
                f"{NOTIFICATION}:{row.id}", replayed_by, now
            ),
            tenant_id=row.tenant_id,
        )
    return notification_view(updated)
