"""The process's /metrics server (libs/common/observability/metrics.py): on by default, and a port
another process already holds is logged and skipped — the process runs on without /metrics."""

from __future__ import annotations

import logging
import socket

import pytest

from libs.common.observability import metrics
from libs.common.settings import Settings


def test_metrics_are_served_by_default() -> None:
    assert Settings().metrics_port == 9100  # type: ignore[call-arg]


def test_a_taken_port_is_logged_and_skipped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(metrics, "_server_port", None)  # as in a fresh process
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        with caplog.at_level(logging.WARNING):
            assert metrics.start_metrics_server(taken, "127.0.0.1") is None
    assert f"metrics port {taken}" in caplog.text and "no /metrics here" in caplog.text
    assert metrics._server_port is None  # a later call may still start one
