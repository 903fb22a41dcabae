"""The embedded server's handles (libs/common/embedded_pg.py): a process killed with -9 is
forgotten, so the next clean stop stops the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from libs.common.embedded_pg import forget_dead_handles


def test_a_killed_process_is_no_longer_a_handle(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    handles = tmp_path / ".handle_pids.json"
    handles.write_text(json.dumps([gone.pid, os.getpid()]))
    assert forget_dead_handles(tmp_path) == [os.getpid()]
    assert json.loads(handles.read_text()) == [os.getpid()]


def test_no_list_yet_is_no_handle(tmp_path: Path) -> None:
    assert forget_dead_handles(tmp_path / "not-yet") == []
    assert not (tmp_path / "not-yet").exists()
