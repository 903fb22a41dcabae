"""A small SMS provider for the tests: a real HTTP server in its own process, speaking the
protocol of services/notify/adapters/sms.py, recording every message it takes.

    python -m tests.support.sms_provider --port 0 --key test-key     # prints "listening on <port>"

Protocol: `POST /messages` {to, text, ref} with `Authorization: Bearer <key>` → {"id"} (a `ref`
seen before answers the first id and records nothing: the idempotency key);
`GET /messages/{id}` → {"id", "status": "accepted|delivered|failed"}. A failure it is told to
give names the number, as some real providers do.
Test controls (no key needed): `POST /control` {"fail_next": N, "fail_status": 503,
"delay_seconds": s, "deliver": bool, "fail_delivery": bool}; `GET /control/messages` → every
message taken, in order, with the time it arrived; `POST /control/reset`.

`SmsProviderProcess` starts it as a subprocess and talks to its controls."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


class State:
    def __init__(self, key: str) -> None:
        self.key = key
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.requests: list[str] = []  # the ref of every send that got through, duplicates too
        self.by_ref: dict[str, str] = {}
        self.status: dict[str, str] = {}
        self.fail_next = 0
        self.fail_status = 503
        self.delay = 0.0
        self.deliver = True  # receipts say delivered (else accepted, until told)
        self.fail_delivery = False


def make_handler(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass

        def _reply(self, code: int, body: Any) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(code)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> Any:
            length = int(self.headers.get("content-length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def _authorised(self) -> bool:
            return self.headers.get("authorization") == f"Bearer {state.key}"

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self._body()
            if self.path == "/control":
                with state.lock:
                    state.fail_next = int(body.get("fail_next", state.fail_next))
                    state.fail_status = int(body.get("fail_status", state.fail_status))
                    state.delay = float(body.get("delay_seconds", state.delay))
                    state.deliver = bool(body.get("deliver", state.deliver))
                    state.fail_delivery = bool(body.get("fail_delivery", state.fail_delivery))
                return self._reply(200, {"ok": True})
            if self.path == "/control/reset":
                with state.lock:
                    state.reset()
                return self._reply(200, {"ok": True})
            if self.path != "/messages":
                return self._reply(404, {"error": "not found"})
            if not self._authorised():
                return self._reply(401, {"error": "bad key"})
            with state.lock:
                delay = state.delay
                failing = state.fail_next > 0
                if failing:
                    state.fail_next -= 1
            if delay:
                time.sleep(delay)
            if failing:  # as some providers do, naming the number it was given
                return self._reply(state.fail_status, {"error": f"told to fail for {body.get('to')}"})
            if not body.get("to") or not body.get("text") or not body.get("ref"):
                return self._reply(422, {"error": "to, text and ref are required"})
            with state.lock:
                state.requests.append(body["ref"])
                known = state.by_ref.get(body["ref"])
                if known is not None:
                    return self._reply(200, {"id": known})
                message_id = uuid.uuid4().hex
                state.by_ref[body["ref"]] = message_id
                state.status[message_id] = "accepted"
                message = {"id": message_id, "to": body["to"], "text": body["text"], "ref": body["ref"]}
                state.messages.append(message | {"at": time.time()})
            return self._reply(202, {"id": message_id})

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            if self.path == "/control/messages":
                with state.lock:
                    return self._reply(200, list(state.messages))
            if self.path == "/control/requests":
                with state.lock:
                    return self._reply(200, list(state.requests))
            if not self.path.startswith("/messages/"):
                return self._reply(404, {"error": "not found"})
            if not self._authorised():
                return self._reply(401, {"error": "bad key"})
            message_id = self.path.removeprefix("/messages/")
            with state.lock:
                if message_id not in state.status:
                    return self._reply(404, {"error": "no such message"})
                if state.fail_delivery:
                    state.status[message_id] = "failed"
                elif state.deliver:
                    state.status[message_id] = "delivered"
                status = state.status[message_id]
            error = "handset off" if status == "failed" else ""
            return self._reply(200, {"id": message_id, "status": status, "error": error})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", default="test-key")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(State(args.key)))
    print(f"listening on {server.server_port}", flush=True)
    server.serve_forever()


class SmsProviderProcess:
    """The provider as a child process: `with SmsProviderProcess() as sms: sms.url …`."""

    def __init__(self, key: str = "test-key") -> None:
        self.key = key
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> SmsProviderProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.sms_provider", "--port", "0", "--key", self.key],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("listening on "):
            self.process.kill()
            raise RuntimeError(f"the SMS provider did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[-1])}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)

    def control(self, **settings: Any) -> None:
        httpx.post(f"{self.url}/control", json=settings, timeout=5).raise_for_status()

    def reset(self) -> None:
        httpx.post(f"{self.url}/control/reset", timeout=5).raise_for_status()

    def requests(self) -> list[str]:
        """The ref of every send the provider took, a repeated ref as often as it came."""
        response = httpx.get(f"{self.url}/control/requests", timeout=5)
        response.raise_for_status()
        return list(response.json())

    def messages(self) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/control/messages", timeout=5)
        response.raise_for_status()
        return list(response.json())


if __name__ == "__main__":
    main()
