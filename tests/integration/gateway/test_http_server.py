"""The gateway's HTTP server (a real uvicorn on loopback, raw bytes on a socket): what its parser
refuses still answers problem+json, and `X-Forwarded-For` counts only from trusted proxies."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI, Request

from libs.common.ports import free_port
from services.gateway.entrypoints.http.server import server_config

app = FastAPI()


@app.get("/v1/townships")
def townships(request: Request, name: str = "") -> dict:
    return {"name": name, "client": request.client.host if request.client else None}


@contextmanager
def serving(trusted_proxies: str = "") -> Iterator[int]:
    port = free_port()
    server = uvicorn.Server(server_config(app, "127.0.0.1", port, trusted_proxies))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(5)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with serving() as port:
        yield port


def _send(port: int, request: bytes) -> tuple[str, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}, body


def test_raw_utf8_in_the_query_is_a_problem(port: int) -> None:
    status, headers, body = _send(port, "GET /v1/townships?name=那坡 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert status == "HTTP/1.1 400 Bad Request"
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["code"] == "validation_error" and problem["status"] == 400
    assert "percent-encode" in problem["detail"]


def test_the_same_query_percent_encoded_is_served(port: int) -> None:
    request = b"GET /v1/townships?name=%E9%82%A3%E5%9D%A1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    status, _, body = _send(port, request)
    assert status == "HTTP/1.1 200 OK" and json.loads(body)["name"] == "那坡"


FORWARDED = (
    b"GET /v1/townships HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\nConnection: close\r\n\r\n"
)


def test_x_forwarded_for_from_a_peer_not_trusted_is_ignored(port: int) -> None:
    assert json.loads(_send(port, FORWARDED)[2])["client"] == "127.0.0.1"


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client() -> None:
    with serving(trusted_proxies="127.0.0.1") as port:
        assert json.loads(_send(port, FORWARDED)[2])["client"] == "203.0.113.7"
