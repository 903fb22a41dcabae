"""A child of `bianmin run` stops by itself when its parent is gone (libs.common.orphan)."""

from __future__ import annotations

import os
import threading

from libs.common.orphan import stop_when_orphaned


def test_a_child_whose_parent_is_gone_is_told_to_stop() -> None:
    stop = threading.Event()
    watcher = threading.Thread(target=stop_when_orphaned, args=(os.getppid() + 1_000_000, stop, 0.01))
    watcher.start()
    assert stop.wait(5)  # not our parent (any more): stop
    watcher.join(5)
    assert not watcher.is_alive()


def test_a_child_whose_parent_lives_goes_on_until_stopped() -> None:
    stop = threading.Event()
    watcher = threading.Thread(target=stop_when_orphaned, args=(os.getppid(), stop, 0.01))
    watcher.start()
    assert not stop.wait(0.2)  # twenty looks, the parent is still there
    stop.set()
    watcher.join(5)
    assert not watcher.is_alive()
