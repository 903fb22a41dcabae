"""The README is the newcomer's page: it lists every `BIANMIN_*` variable the code reads, names
every example file, and no link in the repository's Markdown points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from libs.common.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SKIPPED_DIRS = {
    ".venv",
    ".git",
    ".pytest_cache",
    ".test-data",
    "node_modules",
    "var",
    "__pycache__",
    ".hypothesis",
    ".mypy_cache",
    ".ruff_cache",
}
#: `BIANMIN_…` strings in the code that are not environment variables
NOT_ENVIRONMENT = {
    "BIANMIN_BATCH_SIZE",  # nameko config keys of the batching entrypoint (messaging/nameko_adapter.py)
    "BIANMIN_BATCH_WAIT_SECONDS",
    "BIANMIN_NO_SUCH_THING",  # a test's unknown variable, ignored by the settings
}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _files(pattern: str) -> list[Path]:
    return sorted(p for p in ROOT.rglob(pattern) if not SKIPPED_DIRS & set(p.relative_to(ROOT).parts[:-1]))


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match, f"README has no section '## {title}'"
    return match.group(1)


def variables_read() -> set[str]:
    """The settings' variables, and every `"BIANMIN_…"` name a module reads by itself."""
    names = {f"BIANMIN_{field.upper()}" for field in Settings.model_fields}
    for path in _files("*.py"):
        names |= set(re.findall(r"[\"'](BIANMIN_[A-Z0-9_]*[A-Z0-9])[\"']", path.read_text(encoding="utf-8")))
    return names - NOT_ENVIRONMENT


def test_the_configuration_section_lists_every_variable_the_code_reads() -> None:
    configuration = _section("Configuration")
    missing = sorted(v for v in variables_read() if not re.search(rf"`{v}`", configuration))
    assert not missing, f"BIANMIN_* variables missing from the README's Configuration: {missing}"


def test_the_configuration_section_lists_no_variable_the_code_does_not_read() -> None:
    listed = set(re.findall(r"`(BIANMIN_[A-Z0-9_]*[A-Z0-9])`", _section("Configuration")))
    assert not listed - variables_read(), f"listed but never read: {sorted(listed - variables_read())}"


def test_the_readme_names_every_example_file() -> None:
    examples = [p.relative_to(ROOT).as_posix() for p in _files("*") if "examples" in p.parts and p.is_file()]
    assert examples
    assert not [e for e in examples if e not in README], "example files the README does not name"


@pytest.mark.parametrize("doc", _files("*.md"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_stays_in_the_repository(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    wrong = []
    for target in re.findall(r"\]\(\s*<?([^)\s>]+)", text):
        url = urlparse(target)
        if url.scheme or target.startswith("//"):
            if url.hostname not in LOCAL_HOSTS:
                wrong.append(f"{target}: outside the repository")
            continue
        path = url.path
        if not path:  # "#anchor" in the same page
            continue
        resolved = (doc.parent / path).resolve()
        if not resolved.is_relative_to(ROOT):
            wrong.append(f"{target}: outside the repository")
        elif not resolved.exists():
            wrong.append(f"{target}: no such file")
    for url in re.findall(r"https?://[^\s)>\]`'\"]+", text):
        if urlparse(url).hostname not in LOCAL_HOSTS:
            wrong.append(f"{url}: outside the repository")
    assert not wrong, f"{doc.relative_to(ROOT)}: {wrong}"
