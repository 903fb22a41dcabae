"""Appraisal's leader-on-duty rota as notify reads it (decoded by adapters/duty_rota_proto.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DutyRota:
    """A township's rota of one month `YYYY-MM`: (date, username) a day, as published — unchecked:
    the handler refuses a malformed one. A day naming nobody has no leader on duty."""

    month: str
    days: tuple[tuple[str, str], ...]
