"""The binary COPY rows of the bulk re-derivation (adapters/binary_copy.py): timestamps to
epoch seconds and back (±infinity standing for none), and a row that is not the fixed-width one
(a NULL field, a wrong field count, a truncated buffer) refused rather than misread."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from services.intake.adapters import binary_copy as d
from services.intake.domain import clock

FIELDS = (("a", ">i8", 8), ("b", ">i4", 4))
ROW = d.row_type(*FIELDS)


def copy_of(*rows: bytes) -> bytes:
    return d.HEADER + b"".join(rows) + d.TRAILER


def row(a: int, b: int, *, count: int = 2, b_len: int = 4) -> bytes:
    value = b"" if b_len < 0 else b.to_bytes(4, "big", signed=True)
    return (
        count.to_bytes(2, "big")
        + (8).to_bytes(4, "big")
        + a.to_bytes(8, "big", signed=True)
        + b_len.to_bytes(4, "big", signed=True)
        + value
    )


def test_rows_are_read_as_records() -> None:
    records = d.records(copy_of(row(-5, 7), row(1 << 40, -1)), ROW, FIELDS)
    assert records["a"].tolist() == [-5, 1 << 40] and records["b"].tolist() == [7, -1]
    assert len(d.records(copy_of(), ROW, FIELDS)) == 0


@pytest.mark.parametrize(
    "data",
    [
        copy_of(row(1, 2), row(3, 0, b_len=-1) + b"\0" * 4),  # a NULL, padded to the width
        copy_of(row(1, 2), row(3, 0, b_len=-1)),  # a NULL: shorter
        copy_of(row(1, 2, count=3)),
        copy_of(row(1, 2))[:-3],  # truncated
        b"COPY" + copy_of(row(1, 2)),
    ],
)
def test_a_row_not_of_the_fixed_layout_is_refused(data: bytes) -> None:
    with pytest.raises(RuntimeError):
        d.records(data, ROW, FIELDS)


def test_timestamps_to_epoch_seconds_and_back() -> None:
    at = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
    micros = int((at - datetime(2000, 1, 1, tzinfo=UTC)).total_seconds()) * 1_000_000
    seconds = d.seconds(np.array([micros, micros + 999_999, d.MINUS_INF, d.PLUS_INF]))
    assert seconds.tolist() == [int(at.timestamp()), int(at.timestamp()), clock.OPEN, clock.OPEN]
    assert d.micros(np.array([int(at.timestamp()), clock.OPEN])).tolist() == [micros, d.MINUS_INF]
