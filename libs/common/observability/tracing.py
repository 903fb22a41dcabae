"""OpenTelemetry tracing (ARCHITECTURE.md §7, stack.md §6.1): off by default; with an endpoint,
spans go to an OTLP/HTTP collector through a BatchSpanProcessor (HTTP only: the gRPC exporter
freezes the eventlet hub of nameko processes).

The trace context travels as W3C `traceparent`/`tracestate` headers: from an HTTP client into
the gateway (FastAPI's own telemetry opens a SERVER span per request), in gRPC metadata (done by
the gRPC instrumentation), in the outbox row and in AMQP message headers (done by hand with
`inject_traceparent`, `extract_context` and `span`). One trace thus runs from the gateway request
through the service's gRPC handler and its outbox row to the relay's PRODUCER span and every
consumer's CONSUMER span, and on from a notification row (its `trace_context`) to notify's
dispatcher sending it (tests/e2e/test_notify_trace.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

__all__ = [
    "SpanKind",
    "configure_tracing",
    "current_trace_ids",
    "extract_context",
    "inject_traceparent",
    "mark_error",
    "span",
]

TRACER_NAME = "bianmin"

_lock = threading.Lock()
_provider: TracerProvider | None = None


def _traces_url(endpoint: str) -> str:
    """`http://collector:4318` → `http://collector:4318/v1/traces` (a full URL is kept as is)."""
    endpoint = endpoint.strip()
    if urlsplit(endpoint).path in ("", "/"):
        return endpoint.rstrip("/") + "/v1/traces"
    return endpoint


def configure_tracing(service: str, otlp_endpoint: str | None = None) -> TracerProvider | None:
    """Install a global SDK TracerProvider exporting to `otlp_endpoint` (OTLP/HTTP).

    No endpoint: tracing stays off (the API's no-op provider) and None is returned. Idempotent:
    a second call returns the provider installed by the first (or by anyone else)."""
    global _provider
    if not otlp_endpoint or not otlp_endpoint.strip():
        return _provider
    with _lock:
        if _provider is not None:
            return _provider
        existing = trace.get_tracer_provider()
        if isinstance(existing, TracerProvider):  # set up by someone else (tests, auto-instrumentation)
            _provider = existing
            return existing
        # imported here: the exporter pulls in requests and protobuf, needless when tracing is off
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=_traces_url(otlp_endpoint))))
        trace.set_tracer_provider(provider)
        _provider = provider
        return provider


def current_trace_ids() -> tuple[str | None, str | None]:
    """(trace_id, span_id) of the current span as lower-case hex, or (None, None)."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None, None
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


def inject_traceparent(context: otel_context.Context | None = None) -> dict[str, str]:
    """W3C headers (`traceparent`, and `tracestate`/`baggage` when set) of the current context,
    for an outbox row, AMQP message headers or gRPC metadata. Empty when there is no span."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=context)
    return carrier


def _as_str(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return str(value)


def extract_context(
    headers: Mapping[str, Any] | Iterable[tuple[str, Any]] | None,
) -> otel_context.Context:
    """The context carried by `headers` (a mapping — AMQP headers, an outbox column — or gRPC
    metadata pairs). Keys are matched case-insensitively; bytes values are decoded; anything
    unusable gives an empty context (a new trace), never an error."""
    carrier: dict[str, str] = {}
    try:
        items = headers.items() if isinstance(headers, Mapping) else (headers or ())
        for key, value in items:
            if value is not None:
                carrier[_as_str(key).lower()] = _as_str(value)
    except (TypeError, ValueError):
        carrier = {}
    return propagate.extract(carrier, context=otel_context.Context())


_KINDS = {k.name.lower(): k for k in SpanKind}


@contextmanager
def span(
    name: str,
    kind: SpanKind | str = SpanKind.INTERNAL,
    parent_headers: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
    attributes: Mapping[str, Any] | None = None,
    *,
    tracer_provider: trace.TracerProvider | None = None,
) -> Iterator[Span]:
    """Run a block in a new current span. With `parent_headers` (what `inject_traceparent` gave
    the producer) the span continues that trace — the relay's PRODUCER span continues the
    request that wrote the outbox row, a consumer's CONSUMER span continues the PRODUCER span.
    Exceptions are recorded on the span and re-raised."""
    if isinstance(kind, str):
        kind = _KINDS.get(kind.lower(), SpanKind.INTERNAL)
    tracer = trace.get_tracer(TRACER_NAME, tracer_provider=tracer_provider)
    parent = extract_context(parent_headers) if parent_headers is not None else None
    attrs = {k: v for k, v in (attributes or {}).items() if v is not None}
    with tracer.start_as_current_span(name, context=parent, kind=kind, attributes=attrs) as s:
        yield s


def mark_error(current: Span, description: str) -> None:
    """Mark `current` as failed without an exception: an outcome handled in the block (a send the
    channel refused) must still show as an error in the trace."""
    current.set_status(Status(StatusCode.ERROR, description))
