"""A free local TCP port for a server that another process (or a library) is about to start on a
number it is given: `bianmin run`'s API child, the bench's platform, the tests' servers.

Asked of the kernel with bind(0), the port comes from the ephemeral range: the range every
outgoing connection (to PostgreSQL, RabbitMQ, a gRPC peer) takes its own port from, so between
the check and the server's bind a connection may take it, and the server fails to start. So the
port is drawn at random from below that range and checked free by binding it; a port is handed
out once per process (two servers started side by side never get the same one)."""

from __future__ import annotations

import random
import socket
import threading
from pathlib import Path

LOWEST = 10_000  # below: the well-known and registered ports of installed servers
_draw = random.SystemRandom()  # not the test run's seeded `random`: processes must not draw alike
_given: set[int] = set()
_lock = threading.Lock()


def free_port(host: str = "127.0.0.1") -> int:
    """A port on `host` nothing listens on or connects from now (the kernel's bind(0) when the
    ephemeral range leaves no room below it)."""
    ceiling = _ephemeral_range()[0]
    if ceiling - LOWEST >= 1_000:
        with _lock:
            for _ in range(200):
                port = _draw.randrange(LOWEST, ceiling)
                if port not in _given and _bindable(host, port):
                    _given.add(port)
                    return port
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _bindable(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):  # not Linux: the IANA range
        return 49_152, 65_535
