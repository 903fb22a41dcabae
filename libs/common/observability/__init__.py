"""Logs, metrics and traces of every Bianmin process (ARCHITECTURE.md §7); a process starts them
from its composition root::

    configure_logging(settings.log_level, settings.log_json, service="intake")
    start_metrics_server(settings.metrics_port)
    configure_tracing("intake", settings.otlp_endpoint)
"""

from libs.common.observability.logging import (
    ContextFilter,
    JsonFormatter,
    PiiFilter,
    TextFormatter,
    configure_logging,
)
from libs.common.observability.metrics import (
    CALENDAR_PROVISIONAL,
    CONSUMER_LAG,
    DEAD_LETTERS,
    EVENT_OUTCOMES,
    EVENTS_CONSUMED,
    GRPC_SERVER_HANDLED,
    GRPC_SERVER_LATENCY,
    HTTP_LATENCY,
    HTTP_REQUESTS,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PUBLISHED,
    start_metrics_server,
)
from libs.common.observability.tracing import (
    SpanKind,
    configure_tracing,
    current_trace_ids,
    extract_context,
    inject_traceparent,
    span,
)

__all__ = [
    "CALENDAR_PROVISIONAL",
    "CONSUMER_LAG",
    "DEAD_LETTERS",
    "EVENTS_CONSUMED",
    "EVENT_OUTCOMES",
    "GRPC_SERVER_HANDLED",
    "GRPC_SERVER_LATENCY",
    "HTTP_LATENCY",
    "HTTP_REQUESTS",
    "OUTBOX_BACKLOG",
    "OUTBOX_OLDEST_AGE",
    "OUTBOX_PUBLISHED",
    "ContextFilter",
    "JsonFormatter",
    "PiiFilter",
    "SpanKind",
    "TextFormatter",
    "configure_logging",
    "configure_tracing",
    "current_trace_ids",
    "extract_context",
    "inject_traceparent",
    "span",
    "start_metrics_server",
]
