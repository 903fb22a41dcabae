"""PostgreSQL's binary COPY format ("COPY … (FORMAT BINARY)"), for the bulk re-derivation of
deadlines: a header, per row the field count and each field as length + big-endian value, a
trailer. Every field is fixed-width and never NULL (NULLs are mapped to ±infinity), so the rows
are numpy records read and written without a Python object per value. A timestamptz is
microseconds since 2000-01-01 UTC."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import psycopg
from sqlalchemy.orm import Session

from services.intake.domain import clock

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER = SIGNATURE + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # no OIDs, no header extension
TRAILER = b"\xff\xff"
PG_EPOCH = 946_684_800  # 2000-01-01 in Unix seconds
MINUS_INF, PLUS_INF = np.iinfo(np.int64).min, np.iinfo(np.int64).max  # ∓infinity timestamps


def row_type(*fields: tuple[str, str, int]) -> np.dtype:
    """A binary COPY row of fixed-width fields (name, numpy type, byte length)."""
    spec: list[tuple[str, str]] = [("count", ">i2")]
    for name, kind, _ in fields:
        spec += [(f"{name}_len", ">i4"), (name, kind)]
    return np.dtype(spec)


def records(data: bytes, row: np.dtype, fields: Sequence[tuple[str, str, int]]) -> np.ndarray:
    """The rows of a binary COPY as numpy records, every field checked present and full width."""
    if not data.startswith(SIGNATURE) or not data.endswith(TRAILER):
        raise RuntimeError("not a binary COPY of PostgreSQL")
    start = len(SIGNATURE) + 8 + int.from_bytes(data[len(SIGNATURE) + 4 : len(SIGNATURE) + 8], "big")
    body = memoryview(data)[start : len(data) - len(TRAILER)]
    # a NULL (length -1, no value) breaks the fixed width: an open clock without its segments
    unexpected = RuntimeError("a row of the binary COPY is not the expected fixed-width one")
    if len(body) % row.itemsize:
        raise unexpected
    rows = np.frombuffer(body, row)
    ok = rows["count"] == len(fields)
    for name, _, width in fields:
        ok &= rows[f"{name}_len"] == width
    if not ok.all():
        raise unexpected
    return rows


def blank(fields: Sequence[tuple[str, str, int]], row: np.dtype, n: int) -> np.ndarray:
    """`n` rows to fill in, their field count and lengths set."""
    out = np.zeros(n, row)
    out["count"] = len(fields)
    for name, _, width in fields:
        out[f"{name}_len"] = width
    return out


def seconds(micros: np.ndarray) -> np.ndarray:
    """PostgreSQL timestamps (µs since 2000) → epoch seconds, ±infinity → OPEN (-1)."""
    us = np.asarray(micros, np.int64)
    infinite = (us == MINUS_INF) | (us == PLUS_INF)
    return np.where(infinite, clock.OPEN, np.floor_divide(us, 1_000_000) + PG_EPOCH)


def micros(secs: np.ndarray) -> np.ndarray:
    """Epoch seconds → PostgreSQL timestamps, OPEN → -infinity (NULLIF'd back to NULL)."""
    s = np.asarray(secs, np.int64)
    return np.where(s == clock.OPEN, MINUS_INF, (s - PG_EPOCH) * 1_000_000)


def connection(session: Session) -> psycopg.Connection[Any]:
    """The psycopg connection under the session's transaction (for COPY)."""
    return cast("psycopg.Connection[Any]", session.connection().connection.driver_connection)
