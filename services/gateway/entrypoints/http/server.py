"""How the gateway's HTTP server runs (uvicorn): whose `X-Forwarded-For` counts, and problem+json
for what never reaches the app — a request uvicorn's parser refuses (raw UTF-8 in the request
line, a malformed header) got a text/plain 400."""

from __future__ import annotations

import json
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from services.gateway.entrypoints.http.problems import MEDIA_TYPE, problem_body

NOT_HTTP = (
    "the request is not valid HTTP: percent-encode what is not ASCII in the path and query"
    " (e.g. ?name=%E9%82%A3%E5%9D%A1)"
)


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        body = json.dumps(problem_body("validation_error", NOT_HTTP, status=400)).encode()
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [
            b"content-type: " + MEDIA_TYPE.encode() + b"\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def server_config(app: Any, host: str, port: int, trusted_proxies: str = "") -> uvicorn.Config:
    """`X-Forwarded-For` names the client only when the peer is one of `trusted_proxies`
    (BIANMIN_TRUSTED_PROXIES): from anyone else it would defeat the per-IP login limit."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=ProblemHttpToolsProtocol,
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=trusted_proxies or None,
        log_config=None,
        access_log=False,
    )
