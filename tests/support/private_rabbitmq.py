"""A private RabbitMQ node for tests that stop, kill or restart the broker.

The machine's shared broker (127.0.0.1:5672) serves every other test and engineer: it is never
touched. This node has its own name, AMQP and distribution ports, Erlang cookie (its own HOME),
database and logs under a temporary directory, and no plugins (no management). Its queues and
persistent messages live in its own database, so a stop/start keeps durable queues and the
messages in them, as a real broker restart does."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import kombu
import pytest

from libs.common.ports import free_port

SBIN = Path("/usr/lib/rabbitmq/bin")  # the real scripts: /usr/sbin's wrapper would `su rabbitmq`


def _tool(name: str) -> str:
    path = SBIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (tests/support/ensure_rabbitmq.sh installs it)")
    return found


class PrivateRabbit:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.node = f"bianmin-test-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        base.mkdir(parents=True, exist_ok=True)
        (base / "enabled_plugins").write_text("[].\n")
        # the shared broker's /etc/rabbitmq/rabbitmq.conf would make this node listen on 5672 too
        (base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n"
            "disk_free_limit.absolute = 10MB\n"
            "vm_memory_high_watermark.relative = 0.6\n"
        )
        self.env = {
            **os.environ,
            "HOME": str(base),  # its own .erlang.cookie, shared by the server and rabbitmqctl
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(base / "rabbit.pid"),
        }

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def start(self, timeout: float = 90) -> None:
        log = (self.base / "server.log").open("ab")
        self.process = subprocess.Popen(
            [_tool("rabbitmq-server")],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() ends exactly what we started
        )
        log.close()
        self.wait_up(timeout)

    def wait_up(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the private RabbitMQ exited:\n{self.log_tail()}")
            try:
                with kombu.Connection(self.url, connect_timeout=2) as conn:
                    conn.ensure_connection(max_retries=1)
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.5)
        raise RuntimeError(f"the private RabbitMQ did not start in {timeout}s:\n{self.log_tail()}")

    def ctl(self, *args: str, timeout: float = 60) -> str:
        done = subprocess.run(
            [_tool("rabbitmqctl"), "-n", self.node, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
        return done.stdout

    def stop(self, timeout: float = 60) -> None:
        """A clean broker shutdown (`rabbitmqctl stop`): connections are closed, the node exits."""
        if self.process is None:
            return
        self.ctl("stop", timeout=timeout)
        self.process.wait(timeout)
        self.process = None

    def kill(self) -> None:
        """The broker dies (SIGKILL to the node's process group)."""
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        self.process = None

    def queue_depths(self) -> dict[str, int]:
        """Messages per queue, ready and unacknowledged together."""
        out = self.ctl("list_queues", "-q", "--no-table-headers", "name", "messages")
        depths: dict[str, int] = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                depths[parts[0]] = int(parts[1])
        return depths

    def close(self) -> None:
        try:
            self.stop(timeout=30)
        except Exception:  # noqa: BLE001 - it is going away anyway
            self.kill()

    def log_tail(self, chars: int = 3000) -> str:
        path = self.base / "server.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


@pytest.fixture(scope="module")
def private_rabbit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRabbit]:
    """A private RabbitMQ node for one test module (import this fixture into the module)."""
    node = PrivateRabbit(tmp_path_factory.mktemp("rabbit"))
    node.start()
    yield node
    node.close()
