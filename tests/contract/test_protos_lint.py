"""`buf lint` (STANDARD) passes on proto/ — run through npx, which ships the buf binary."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.contract.protos import REPO_ROOT

BUF = ["npx", "--yes", "@bufbuild/buf@1.75.0"]


@pytest.fixture(scope="module")
def buf() -> list[str]:
    if shutil.which("npx") is None:
        pytest.skip("npx is not installed: cannot run buf (install Node.js/npm to lint the protos)")
    try:
        probe = subprocess.run([*BUF, "--version"], capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        pytest.skip("fetching @bufbuild/buf@1.75.0 with npx timed out (offline?)")
    if probe.returncode != 0:
        pytest.skip(f"could not fetch or run @bufbuild/buf@1.75.0 with npx: {probe.stderr.strip()[-500:]}")
    return BUF


def test_buf_lint_passes(buf: list[str]) -> None:
    # The exact command of `make lint`, from the repository root.
    result = subprocess.run(
        [*buf, "lint", "proto"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"buf lint found problems:\n{result.stdout}{result.stderr}"
    assert result.stdout.strip() == "", result.stdout


def test_buf_config_is_v2_standard_and_file() -> None:
    import yaml

    config = yaml.safe_load((REPO_ROOT / "proto" / "buf.yaml").read_text())
    assert config["version"] == "v2"
    assert config["lint"]["use"] == ["STANDARD"]
    assert config["breaking"]["use"] == ["FILE"]
