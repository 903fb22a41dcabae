"""Logs (JSON, tenant, trace, masking), the /metrics server and W3C trace propagation."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import REGISTRY

from libs.common.observability import (
    EVENTS_CONSUMED,
    GRPC_SERVER_HANDLED,
    OUTBOX_PUBLISHED,
    configure_logging,
    configure_tracing,
    current_trace_ids,
    extract_context,
    inject_traceparent,
    span,
    start_metrics_server,
)
from libs.common.tenancy import tenant_scope


@pytest.fixture
def provider():
    """A private SDK provider: spans go to memory, the global provider is left alone."""
    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    tp.exporter = exporter
    yield tp
    tp.shutdown()


@pytest.fixture
def log_stream():
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    handler = configure_logging("DEBUG", json=True, service="intake", stream=stream)
    yield stream
    root.removeHandler(handler)
    handler.close()
    root.setLevel(saved_level)
    assert [h for h in root.handlers if h not in saved_handlers] == []


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


# -------------------------------------------------------------------------------------------------
# logging


def test_json_line_carries_tenant_and_trace(log_stream, provider):
    log = logging.getLogger("intake.cases")
    log.info("outside")
    with tenant_scope("demo.chengguan"), span("register", tracer_provider=provider) as s:
        log.info("registered case %s", "A-1", extra={"case_no": "A-1"})
        ctx = s.get_span_context()
    outside, inside = _lines(log_stream)
    assert outside["tenant"] is None and outside["trace_id"] is None and outside["span_id"] is None
    assert (outside["service"], outside["level"], outside["logger"]) == ("intake", "INFO", "intake.cases")
    assert outside["ts"].endswith("Z")
    assert inside["message"] == "registered case A-1"
    assert inside["tenant"] == "demo.chengguan"
    assert inside["trace_id"] == format(ctx.trace_id, "032x")
    assert inside["span_id"] == format(ctx.span_id, "016x")
    assert inside["case_no"] == "A-1"


def test_personal_data_is_masked(log_stream):
    log = logging.getLogger("intake.cases")
    applicant = {"applicant": {"name": "张三丰", "id_number": "450102199001011234"}}
    log.warning("call %s about %s", "13812345678", applicant)
    log.info("id %(id)s", {"id": "45010219900101123X"})
    extra = {"phone": "13912345678", "applicant": {"name": "李四"}, "note": "tel 0771-5551234"}
    log.info("contact", extra=extra)
    try:
        raise ValueError("bad phone 13700001111")
    except ValueError:
        log.exception("failed for %s", "13600002222")
    text = log_stream.getvalue()
    for secret in (
        "13812345678",
        "张三丰",
        "450102199001011234",
        "45010219900101123X",
        "13912345678",
        "李四",
        "5551234",
        "13700001111",
        "13600002222",
    ):
        assert secret not in text
    first, second, third, fourth = _lines(log_stream)
    assert first["message"] == (
        "call 138****5678 about {'applicant': {'name': '张**', 'id_number': '4501**********1234'}}"
    )
    assert second["message"] == "id 4501**********123X"
    assert third["phone"] == "139****5678" and third["applicant"] == {"name": "李*"}
    assert third["note"] == "tel 0771-***1234"
    assert fourth["level"] == "ERROR" and "ValueError: bad phone 137****1111" in fourth["exception"]


def test_configure_logging_is_idempotent(log_stream):
    root = logging.getLogger()
    stream = io.StringIO()
    handler = configure_logging("INFO", json=True, service="intake", stream=stream)
    try:
        ours = [h for h in root.handlers if getattr(h, "_bianmin_handler", False)]
        assert ours == [handler]
        logging.getLogger("x").info("once")
        assert len(_lines(stream)) == 1 and log_stream.getvalue() == ""
    finally:
        root.removeHandler(handler)


def test_text_format(log_stream):
    root = logging.getLogger()
    stream = io.StringIO()
    handler = configure_logging("INFO", json=False, service="notify", stream=stream)
    try:
        with tenant_scope("demo.chengguan"):
            logging.getLogger("notify").info("sms to %s", "13812345678")
        line = stream.getvalue()
        assert "notify" in line and "demo.chengguan" in line and "138****5678" in line
        assert "13812345678" not in line
    finally:
        root.removeHandler(handler)


# -------------------------------------------------------------------------------------------------
# metrics


def test_metrics_server_serves_counters():
    assert start_metrics_server(0) is None
    port = start_metrics_server(-1)
    assert isinstance(port, int) and port > 0
    assert start_metrics_server(-1) == port  # one server per process

    OUTBOX_PUBLISHED.labels(service="intake").inc(3)
    GRPC_SERVER_HANDLED.labels(
        grpc_service="bmfw.intake.v1.IntakeService", grpc_method="Register", grpc_code="OK"
    ).inc()
    EVENTS_CONSUMED.labels(consumer="notify.case_events", outcome="processed").inc()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        body = resp.read().decode()
    expected = REGISTRY.get_sample_value("bianmin_outbox_published_total", {"service": "intake"})
    assert expected >= 3
    assert f'bianmin_outbox_published_total{{service="intake"}} {expected}' in body
    assert 'grpc_server_handled_total{grpc_code="OK",grpc_method="Register"' in body
    assert 'bianmin_events_consumed_total{consumer="notify.case_events",outcome="processed"}' in body
    for name in (
        "grpc_server_handling_seconds",
        "bianmin_outbox_backlog",
        "bianmin_outbox_oldest_age_seconds",
        "bianmin_dead_letters",
        "bianmin_event_lag_seconds",
        "bianmin_http_requests_total",
        "bianmin_http_request_seconds",
        "bianmin_calendar_provisional_year",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in body


def test_metric_labels_carry_no_tenant():
    from libs.common.observability import metrics

    for name in metrics.__all__:
        metric = getattr(metrics, name)
        for label in getattr(metric, "_labelnames", ()):
            assert "tenant" not in label
            assert label not in {"name", "phone", "id_number", "address", "user", "username"}


# -------------------------------------------------------------------------------------------------
# tracing


def test_tracing_off_by_default():
    assert configure_tracing("intake", None) is None  # no endpoint: nothing is installed
    assert configure_tracing("intake", "") is None
    assert inject_traceparent() == {}  # no current span: nothing to propagate
    assert current_trace_ids() == (None, None)


def test_configure_tracing_with_endpoint():
    """Installs a global provider, so it runs in a child process."""
    code = textwrap.dedent("""
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from libs.common.observability import configure_tracing, tracing
        tp = configure_tracing("intake", "http://127.0.0.1:4318")
        assert isinstance(tp, TracerProvider) and trace.get_tracer_provider() is tp
        assert configure_tracing("intake", "http://127.0.0.1:4318") is tp
        assert configure_tracing("intake", None) is tp
        assert tp.resource.attributes["service.name"] == "intake"
        assert tracing._traces_url("http://c:4318") == "http://c:4318/v1/traces"
        assert tracing._traces_url("http://c:4318/custom/v1/traces") == "http://c:4318/custom/v1/traces"
        tp.shutdown()
        print("ok")
    """)
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_traceparent_round_trip(provider):
    with span(
        "intake.events case_registered publish",
        kind=SpanKind.PRODUCER,
        tracer_provider=provider,
        attributes={"messaging.system": "rabbitmq", "skip": None},
    ) as producer:
        headers = inject_traceparent()
    pctx = producer.get_span_context()
    version, trace_id, span_id, flags = headers["traceparent"].split("-")
    assert (version, trace_id, span_id) == ("00", f"{pctx.trace_id:032x}", f"{pctx.span_id:016x}")
    assert int(flags, 16) & 0x01  # sampled

    # the consumer sees the headers as bytes in AMQP, with any case
    amqp_headers = {"TraceParent": headers["traceparent"].encode()}
    assert extract_context(amqp_headers) is not None
    with span(
        "intake.events case_registered process",
        kind="consumer",
        parent_headers=amqp_headers,
        tracer_provider=provider,
    ) as consumer:
        cctx = consumer.get_span_context()
        assert current_trace_ids() == (f"{cctx.trace_id:032x}", f"{cctx.span_id:016x}")

    finished = {s.name: s for s in provider.exporter.get_finished_spans()}
    p = finished["intake.events case_registered publish"]
    c = finished["intake.events case_registered process"]
    assert p.kind == SpanKind.PRODUCER and c.kind == SpanKind.CONSUMER
    assert c.context.trace_id == p.context.trace_id
    assert c.parent is not None and c.parent.span_id == p.context.span_id and c.parent.is_remote
    assert dict(p.attributes) == {"messaging.system": "rabbitmq"}


def test_grpc_metadata_pairs_and_garbage(provider):
    with span("call", tracer_provider=provider):
        metadata = list(inject_traceparent().items())
    with span("served", kind=SpanKind.SERVER, parent_headers=metadata, tracer_provider=provider):
        pass
    call, served = provider.exporter.get_finished_spans()
    assert served.parent.span_id == call.context.span_id

    # broken or missing headers start a new trace instead of failing
    for bad in ({"traceparent": "nonsense"}, {}, [("traceparent", None)], 42):
        with span("fresh", parent_headers=bad, tracer_provider=provider) as s:
            assert s.get_span_context().is_valid
    fresh = [s for s in provider.exporter.get_finished_spans() if s.name == "fresh"]
    assert all(s.parent is None for s in fresh)


def test_span_records_exceptions(provider):
    with pytest.raises(RuntimeError), span("boom", tracer_provider=provider):
        raise RuntimeError("x")
    (s,) = provider.exporter.get_finished_spans()
    assert not s.status.is_ok and s.events[0].name == "exception"
