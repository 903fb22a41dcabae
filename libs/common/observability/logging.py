"""Structured logging (ARCHITECTURE.md §7): one JSON object a line with the service, the tenant
and the trace, and personal data masked (DOMAIN.md §11) before any handler sees it.

    {"ts": "2025-01-02T03:04:05.678Z", "level": "INFO", "logger": "intake.cases",
     "message": "case registered for 138****5678", "service": "intake", "tenant": "demo.chengguan",
     "trace_id": "5a5d…", "span_id": "466f…", "case_no": "…"}
"""

from __future__ import annotations

import json as _json
import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from libs.common import pii
from libs.common.observability.tracing import current_trace_ids
from libs.common.tenancy import current_tenant

__all__ = ["ContextFilter", "JsonFormatter", "PiiFilter", "TextFormatter", "configure_logging"]

# attributes every LogRecord has; anything else on a record came from `extra=`
_RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "service",
    "tenant",
    "trace_id",
    "span_id",
    "_bianmin_masked",
}
_MARK = "_bianmin_handler"


class ContextFilter(logging.Filter):
    """Stamp the record, in the thread that logs it, with the service, the ambient tenant and the
    current trace/span ids (unless the caller passed them in `extra=`)."""

    def __init__(self, service: str = "") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "service"):
            record.service = self.service
        if not hasattr(record, "tenant"):
            try:
                record.tenant = current_tenant()
            except Exception:  # a log line must never fail
                record.tenant = None
        if not hasattr(record, "trace_id"):
            try:
                record.trace_id, record.span_id = current_trace_ids()
            except Exception:
                record.trace_id, record.span_id = None, None
        return True


def _mask_arg(value: Any) -> Any:
    if isinstance(value, Mapping):
        return pii.mask_mapping(value)
    if isinstance(value, (list, tuple)) and any(isinstance(v, Mapping) for v in value):
        masked = pii.mask_mapping(list(value))
        return tuple(masked) if isinstance(value, tuple) else masked
    return value


class PiiFilter(logging.Filter):
    """Mask personal data in a record before it is formatted: mapping args go through
    `pii.mask_mapping`, the message is rendered and phone and ID numbers in it are masked, and
    `extra=` fields are masked by name (and scanned like the message). Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_bianmin_masked", False):
            return True
        try:
            args = record.args
            if isinstance(args, Mapping):
                args = pii.mask_mapping(args)
            elif isinstance(args, tuple):
                args = tuple(_mask_arg(a) for a in args)
            record.args = args
            try:
                message = record.getMessage()
            except Exception:  # bad format string: leave it for logging to report, but masked
                record.msg = pii.mask_text(str(record.msg))
            else:
                record.msg, record.args = pii.mask_text(message), ()
            for key, value in list(record.__dict__.items()):
                if key not in _RESERVED and not key.startswith("_"):
                    setattr(record, key, pii.mask_value(key, value))
            record._bianmin_masked = True
        except Exception:  # masking must never lose a log line; fall back to a bare message
            record.msg, record.args = "<log message withheld: masking failed>", ()
        return True


def _iso(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, message, service, tenant, trace_id, span_id,
    the `extra=` fields, and `exception` / `stack` text when there is any."""

    def __init__(self, service: str = "") -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": _iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": getattr(record, "service", None) or self.service,
            "tenant": getattr(record, "tenant", None),
            "trace_id": getattr(record, "trace_id", None),
            "span_id": getattr(record, "span_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_") and key not in doc:
                doc[key] = value
        if record.exc_info:
            doc["exception"] = pii.mask_text(self.formatException(record.exc_info))
        elif record.exc_text:
            doc["exception"] = pii.mask_text(record.exc_text)
        if record.stack_info:
            doc["stack"] = pii.mask_text(self.formatStack(record.stack_info))
        return _json.dumps(doc, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Human-readable lines for development (`BIANMIN_LOG_JSON=false`)."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)-7s %(name)s [%(service)s %(tenant)s %(trace_id)s] %(message)s"
        )

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return pii.mask_text(super().formatException(ei))


def configure_logging(
    level: str | int = "INFO",
    json: bool = True,
    service: str = "bianmin",
    *,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send the root logger's records to `stream` (stderr) as JSON lines (or text), stamped with
    service, tenant and trace, and masked. Idempotent: calling it again replaces the handler it
    installed before (other handlers are left alone). Returns the handler."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
        old.close()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    setattr(handler, _MARK, True)
    handler.addFilter(ContextFilter(service))
    handler.addFilter(PiiFilter())
    handler.setFormatter(JsonFormatter(service) if json else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
