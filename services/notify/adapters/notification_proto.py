"""Notifications → `bianmin.notify.v1` messages: the dispatcher's events (events.proto) and
the dead letter (notification.proto). `row` is a `notification` row as claimed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bianmin.notify.v1 import events_pb2, notification_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from libs.common.grpc.enums import enum_number

MAX_ERROR = 2000  # characters of an error kept on the row and in its events


def timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def channel_pb(word: str) -> int:
    return enum_number(notification_pb2.Channel, "CHANNEL_", word, unknown=0)


def sent(row: Any, at: datetime) -> events_pb2.NotificationSent:
    return events_pb2.NotificationSent(
        notification_id=str(row.id),
        channel=channel_pb(row.channel),  # type: ignore[arg-type]
        topic=enum_number(notification_pb2.Topic, "TOPIC_", row.topic, unknown=0),  # type: ignore[arg-type]
        case_id=row.case_id or "",
        notice_id=str(row.notice_id) if row.notice_id else "",
        sent_at=timestamp(at),
    )


def delivered(row: Any, at: datetime) -> events_pb2.NotificationDelivered:
    return events_pb2.NotificationDelivered(
        notification_id=str(row.id),
        channel=channel_pb(row.channel),  # type: ignore[arg-type]
        delivered_at=timestamp(at),
    )


def failed(
    row: Any, *, attempts: int, error: str, next_attempt_at: datetime | None
) -> events_pb2.NotificationFailed:
    return events_pb2.NotificationFailed(
        notification_id=str(row.id),
        channel=channel_pb(row.channel),  # type: ignore[arg-type]
        attempts=attempts,
        error=error[:MAX_ERROR],
        next_attempt_at=timestamp(next_attempt_at),
    )


def parked(row: Any, *, reason: str, attempts: int, at: datetime) -> events_pb2.DeadLetterParked:
    return events_pb2.DeadLetterParked(
        dead_letter=dead_letter_pb(row, reason=reason, attempts=attempts, parked_at=at)
    )


def dead_letter_pb(
    row: Any, *, reason: str, attempts: int, parked_at: datetime | None
) -> notification_pb2.DeadLetter:
    return notification_pb2.DeadLetter(
        id=f"notification:{row.id}",
        source=notification_pb2.DEAD_LETTER_SOURCE_NOTIFICATION,
        notification_id=str(row.id),
        reason=reason[:MAX_ERROR],
        attempts=attempts,
        parked_at=timestamp(parked_at),
        replayed_at=timestamp(getattr(row, "replayed_at", None)),
        tenant_id=row.tenant_id,
        channel=channel_pb(row.channel),  # type: ignore[arg-type]
    )


def dead_letter_replayed(
    dead_letter_id: str, replayed_by: str, at: datetime
) -> events_pb2.DeadLetterReplayed:
    return events_pb2.DeadLetterReplayed(
        dead_letter_id=dead_letter_id, replayed_by=replayed_by, replayed_at=timestamp(at)
    )
