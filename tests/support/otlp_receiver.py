"""A small OTLP/HTTP trace receiver for the tests: a real HTTP server in its own process taking
what the processes' OTLPSpanExporter sends (`POST /v1/traces`, protobuf, optionally gzip) and
keeping every span.

    python -m tests.support.otlp_receiver --port 0     # prints "listening on <port>"

`GET /spans` → every span received so far, as JSON: trace_id, span_id, parent_span_id (hex, ""
for a root), name, kind (SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL), service (the resource's
service.name), attributes (strings, numbers, booleans), status code.

`OtlpReceiverProcess` starts it as a subprocess and reads its spans."""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span

KINDS = {
    Span.SPAN_KIND_SERVER: "SERVER",
    Span.SPAN_KIND_CLIENT: "CLIENT",
    Span.SPAN_KIND_PRODUCER: "PRODUCER",
    Span.SPAN_KIND_CONSUMER: "CONSUMER",
    Span.SPAN_KIND_INTERNAL: "INTERNAL",
}


def _value(v: AnyValue) -> Any:
    which = v.WhichOneof("value")
    return None if which is None else getattr(v, which) if which != "array_value" else str(v.array_value)


def spans_of(request: ExportTraceServiceRequest) -> list[dict[str, Any]]:
    out = []
    for resource_spans in request.resource_spans:
        resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for s in scope_spans.spans:
                out.append(
                    {
                        "trace_id": s.trace_id.hex(),
                        "span_id": s.span_id.hex(),
                        "parent_span_id": s.parent_span_id.hex(),
                        "name": s.name,
                        "kind": KINDS.get(s.kind, str(s.kind)),
                        "service": resource.get("service.name"),
                        "attributes": {a.key: _value(a.value) for a in s.attributes},
                        "status": s.status.code,
                        "start": s.start_time_unix_nano,
                    }
                )
    return out


def make_handler(spans: list[dict[str, Any]], lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            encoding = (self.headers.get("Content-Encoding") or "").lower()
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            if self.path != "/v1/traces":
                self.send_error(404)
                return
            request = ExportTraceServiceRequest()
            try:
                request.ParseFromString(body)
            except Exception:  # noqa: BLE001 - a bad export is the exporter's problem: say 400
                self.send_error(400)
                return
            with lock:
                spans.extend(spans_of(request))
            reply = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            if self.path != "/spans":
                self.send_error(404)
                return
            with lock:
                data = json.dumps(spans).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    spans: list[dict[str, Any]] = []
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(spans, threading.Lock()))
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


class OtlpReceiverProcess:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.otlp_receiver", "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"the OTLP receiver did not start: {line!r}")
        self.port = int(line.split()[-1])

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spans(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.endpoint}/spans", timeout=10).json())

    def wait_for(self, predicate: Any, timeout: float = 60) -> list[dict[str, Any]]:
        """Poll until `predicate(spans)` is true; return the spans."""
        deadline = time.monotonic() + timeout
        while True:
            spans = self.spans()
            if predicate(spans):
                return spans
            if time.monotonic() > deadline:
                raise AssertionError(f"spans not received in {timeout}s; got {[s['name'] for s in spans]}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
