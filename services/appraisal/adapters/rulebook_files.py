"""Rulebook files: the default rulebook shipped with the service (rulebooks/default.yaml) and the
county variants kept beside it, read as mappings for `domain.rulebook.load`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from services.appraisal.domain import rulebook
from services.appraisal.domain.rulebook import Rulebook

DIRECTORY = Path(__file__).resolve().parent.parent / "rulebooks"
DEFAULT_ID = "default"


def read(name: str) -> dict[str, Any]:
    """The mapping of the packaged rulebook `name` (default, tongshan …)."""
    with (DIRECTORY / f"{name}.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@lru_cache(maxsize=8)
def packaged(name: str = DEFAULT_ID) -> Rulebook:
    return rulebook.load(read(name))
