"""A free port for a server about to start: outside the range outgoing connections take their
ports from, free when handed out, and never handed out twice by one process."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from libs.common import ports


class _Drawn:
    """The draws `free_port` makes, in a given order."""

    def __init__(self, *values: int) -> None:
        self.values: Iterator[int] = iter(values)

    def randrange(self, low: int, high: int) -> int:
        return next(self.values)


def _listening() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", ports.free_port()))
    sock.listen()
    return sock


def test_a_port_is_free_and_below_the_ephemeral_range() -> None:
    low, _ = ports._ephemeral_range()
    port = ports.free_port()
    assert ports.LOWEST <= port < low
    with socket.socket() as server:  # a server can bind it
        server.bind(("127.0.0.1", port))


def test_ports_handed_out_are_all_different() -> None:
    handed = [ports.free_port() for _ in range(50)]
    assert len(set(handed)) == 50


def test_a_port_in_use_or_handed_out_before_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    with _listening() as taken:
        busy = taken.getsockname()[1]
        given_before = ports.free_port()
        fresh = ports.free_port()
        ports._given.discard(fresh)  # drawn here for the test: free, never handed out
        monkeypatch.setattr(ports, "_draw", _Drawn(busy, given_before, fresh))
        assert ports.free_port() == fresh


def test_without_room_below_the_ephemeral_range_the_kernel_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ports, "_ephemeral_range", lambda: (ports.LOWEST + 10, 60_999))
    monkeypatch.setattr(ports, "_draw", _Drawn())  # drawing would raise StopIteration
    port = ports.free_port()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
