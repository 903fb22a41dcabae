"""A serving process freezes what starting it made (cli.compose.freeze_startup_heap): the
cyclic collector then walks only what requests make, not the modules, app and statements."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from cli.compose import freeze_startup_heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_startup_objects_leave_the_collectors_reach_and_garbage_goes_first(unfrozen: None) -> None:
    class Cycle:
        pass

    gc.collect()  # what earlier tests left unreachable is not part of the heap measured here
    tracked_before = len(gc.get_objects())
    garbage = Cycle()
    garbage.me = garbage  # type: ignore[attr-defined]  # a cycle only the collector frees
    gone = weakref.ref(garbage)
    del garbage
    freeze_startup_heap()
    assert gc.get_freeze_count() > 0.9 * tracked_before  # the heap is frozen ...
    assert len(gc.get_objects()) < 0.1 * tracked_before  # ... and no longer scanned
    assert gone() is None  # the garbage was collected, not frozen for the process's life
