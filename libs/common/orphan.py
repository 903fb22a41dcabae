"""A child process of `bianmin run` (intake's API, the nameko workers) stops by itself when its
parent is gone (`BIANMIN_PARENT_PID`): a platform killed without a chance to stop its children
must not leave them behind holding ports, database connections and queue consumers."""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)


def stop_when_orphaned(parent: int, stop: threading.Event, every: float = 1.0) -> None:
    """Set `stop` once `parent` is no longer this process's parent (it died and the process was
    handed to another); return when `stop` is set, by this or by anyone else."""
    while not stop.wait(every):
        if os.getppid() != parent:
            log.error("the parent process %d is gone: stopping", parent)
            stop.set()
