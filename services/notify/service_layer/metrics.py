"""Notify's Prometheus metrics (DOMAIN.md §12: notification backlog and failures). Labels are
channels, statuses and outcomes: never a tenant id, a recipient or anything personal."""

from prometheus_client import Counter, Gauge, Histogram

from libs.common.observability.metrics import LAG_BUCKETS, _metric

NOTIFICATIONS = _metric(
    Counter,
    "bianmin_notifications",
    "Notification delivery steps by channel and outcome: sent | delivered | failed | dead_lettered.",
    ("channel", "outcome"),
)
NOTIFICATIONS_HELD = _metric(
    Counter,
    "bianmin_notifications_held",
    "Sends held back (not failed, not dropped), by channel and reason: quiet_hours | rate_limit.",
    ("channel", "reason"),
)
NOTIFICATION_BACKLOG = _metric(
    Gauge,
    "bianmin_notification_backlog",
    "Notifications waiting for the dispatcher (queued or failed), by channel and status.",
    ("channel", "status"),
)
NOTIFICATION_DEAD_LETTERS = _metric(
    Gauge, "bianmin_notification_dead_letters", "Notifications parked as dead letters.", ("channel",)
)
NOTIFICATION_LATENCY = _metric(
    Histogram,
    "bianmin_notification_delivery_seconds",
    "Time from a notification's creation to its delivery.",
    ("channel",),
    buckets=LAG_BUCKETS,
)
