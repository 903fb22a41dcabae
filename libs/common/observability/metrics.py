"""The platform's Prometheus metrics, defined once here in the default registry, and the
per-process `/metrics` server (ARCHITECTURE.md §7, stack.md §6.2: one port per process, no
multiprocess mode).

Labels are services, methods, routes, consumers, outcomes, counties, townships and years (a
deployment serves one county's few dozen townships: ARCHITECTURE.md §7), never anything personal."""

from __future__ import annotations

import logging
import threading
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, start_http_server

__all__ = [
    "CALENDAR_PROVISIONAL",
    "CASES_ACCEPTED",
    "CASES_COMPLETED",
    "CASES_RECEIVED",
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
    "start_metrics_server",
]

log = logging.getLogger(__name__)

EVENT_OUTCOMES = ("processed", "duplicate", "failed", "dead_lettered")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


def _metric(cls: type, name: str, documentation: str, labels: tuple[str, ...], **kw: Any) -> Any:
    """Create a metric in the default registry, or return the one already there (the module
    imported twice under another name must not fail with 'Duplicated timeseries')."""
    try:
        return cls(name, documentation, labels, **kw)
    except ValueError:
        names = REGISTRY._names_to_collectors  # no public lookup by name
        for candidate in (name, f"{name}_total"):
            if candidate in names:
                return names[candidate]
        raise


# gRPC servers (the names of go-grpc-prometheus / py-grpc-prometheus, so stock dashboards work)
GRPC_SERVER_HANDLED = _metric(
    Counter,
    "grpc_server_handled",
    "RPCs completed on the server, by method and status code.",
    ("grpc_service", "grpc_method", "grpc_code"),
)
GRPC_SERVER_LATENCY = _metric(
    Histogram,
    "grpc_server_handling_seconds",
    "Time the server took to handle an RPC.",
    ("grpc_service", "grpc_method"),
    buckets=LATENCY_BUCKETS,
)

# transactional outbox and its relay
OUTBOX_PUBLISHED = _metric(
    Counter,
    "bianmin_outbox_published",
    "Outbox rows the relay published to the bus.",
    ("service",),
)
OUTBOX_BACKLOG = _metric(
    Gauge,
    "bianmin_outbox_backlog",
    "Outbox rows not yet published.",
    ("service",),
)
OUTBOX_OLDEST_AGE = _metric(
    Gauge,
    "bianmin_outbox_oldest_age_seconds",
    "Age of the oldest unpublished outbox row (0 if none).",
    ("service",),
)

# intake's deadlines moved by a calendar change, recorded, their events not yet made
MOVED_DEADLINES_WAITING = _metric(
    Gauge,
    "bianmin_moved_deadlines_waiting",
    "Batches of deadlines a calendar change moved (an event each, up to 500 cases) not yet published.",
    (),
)

# event consumers
EVENTS_CONSUMED = _metric(
    Counter,
    "bianmin_events_consumed",
    "Events handled by a consumer, by outcome: processed | duplicate | failed | dead_lettered.",
    ("consumer", "outcome"),
)
DEAD_LETTERS = _metric(
    Gauge,
    "bianmin_dead_letters",
    "Events waiting in the dead-letter store.",
    ("service",),
)
CONSUMER_LAG = _metric(
    Histogram,
    "bianmin_event_lag_seconds",
    "Time from an event's occurrence to its consumption.",
    ("consumer",),
    buckets=LAG_BUCKETS,
)

# the HTTP gateway (route = the route template, never the raw path)
HTTP_REQUESTS = _metric(
    Counter,
    "bianmin_http_requests",
    "HTTP requests served by the gateway.",
    ("method", "route", "status"),
)
HTTP_LATENCY = _metric(
    Histogram,
    "bianmin_http_request_seconds",
    "Time the gateway took to serve a request.",
    ("method", "route"),
    buckets=LATENCY_BUCKETS,
)

# working-day calendar: 1 while a year's calendar is provisional (holidays not yet published)
# case transitions (DOMAIN.md §12), counted by intake once the transaction that made them commits
CASES_RECEIVED = _metric(
    Counter, "bianmin_cases_received", "Cases received, by county and township.", ("county", "township")
)
CASES_ACCEPTED = _metric(
    Counter, "bianmin_cases_accepted", "Cases accepted, by county and township.", ("county", "township")
)
CASES_COMPLETED = _metric(
    Counter, "bianmin_cases_completed", "Cases completed, by county and township.", ("county", "township")
)

CALENDAR_PROVISIONAL = _metric(
    Gauge,
    "bianmin_calendar_provisional_year",
    "1 if the county's working-day calendar for the year is provisional, else 0.",
    ("county", "year"),
)


_server_lock = threading.Lock()
_server_port: int | None = None


def start_metrics_server(port: int | None, addr: str = "0.0.0.0") -> int | None:
    """Serve the default registry on `http://<addr>:<port>/metrics` from a daemon thread.

    `port` 0 or None: off (returns None). A negative port picks a free one (tests). Returns the
    bound port, or None when the port is taken (logged: the process runs on without /metrics).
    One server per process: a second call returns the port of the first."""
    global _server_port
    if not port:
        return None
    with _server_lock:
        if _server_port is not None:
            if port > 0 and port != _server_port:
                log.warning("metrics server already on port %d; not starting one on %d", _server_port, port)
            return _server_port
        try:
            server, _thread = start_http_server(max(port, 0), addr=addr)
        except OSError as exc:  # another platform on this host has it: run on, without /metrics
            log.warning("metrics port %d on %s is not free (%s): no /metrics here", port, addr, exc)
            return None
        _server_port = int(server.server_port)
        log.info("metrics on http://%s:%d/metrics", addr, _server_port)
        return _server_port
