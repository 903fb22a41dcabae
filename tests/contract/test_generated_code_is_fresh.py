"""The generated code committed under libs/common/gen matches what the protos generate now."""

from __future__ import annotations

import subprocess
import sys

from libs.common import protogen


def test_generated_code_is_fresh() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "libs.common.protogen", "--check"],
        cwd=protogen.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        "libs/common/gen is stale; run `make proto` and commit the result:\n" + result.stdout + result.stderr
    )


def test_every_generated_directory_is_a_regular_package() -> None:
    root = protogen.GEN_ROOT / protogen.PACKAGE
    directories = [root, *(p for p in root.rglob("*") if p.is_dir() and p.name != "__pycache__")]
    assert len(directories) > 1
    missing = [
        str(d.relative_to(protogen.REPO_ROOT)) for d in directories if not (d / "__init__.py").is_file()
    ]
    assert not missing, f"no __init__.py in {missing}"


def test_generated_modules_import_as_bianmin(tmp_path) -> None:
    """The names other code imports (protoc's absolute imports need `bianmin` on the path: the
    editable install maps it to libs/common/gen/bianmin)."""
    code = (
        "import bianmin.intake.v1.intake_service_pb2, bianmin.intake.v1.intake_service_pb2_grpc\n"
        "import bianmin.proxy.v1.proxy_service_pb2, bianmin.proxy.v1.proxy_service_pb2_grpc\n"
        "import bianmin.appraisal.v1.appraisal_service_pb2, bianmin.appraisal.v1.appraisal_service_pb2_grpc\n"
        "import bianmin.notify.v1.notify_service_pb2, bianmin.notify.v1.notify_service_pb2_grpc\n"
        "import bianmin.gateway.v1.directory_service_pb2, bianmin.gateway.v1.directory_service_pb2_grpc\n"
        "import bianmin.gateway.v1.events_pb2 as e\n"
        "assert e.TownshipOnboarded(tenant_id='demo.napo').tenant_id == 'demo.napo'\n"
    )
    # A fresh interpreter outside the repository: proves the installed mapping, not the cwd.
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
