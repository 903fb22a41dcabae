"""Regenerate the Python gRPC code from `proto/` into `libs/common/gen/` (committed).

    python -m libs.common.protogen           # regenerate (what `make proto` runs)
    python -m libs.common.protogen --check   # exit 1, listing the differences, if the committed code is stale

The generator is `grpc_tools.protoc` (grpcio-tools, pinned in pyproject.toml): `-Iproto` plus the
include directory grpcio-tools bundles for `google/protobuf/*.proto`, with `--python_out`,
`--pyi_out` and `--grpc_python_out`. protoc writes absolute imports rooted at the proto package
(`from bianmin.intake.v1 import case_pb2`), so `libs/common/gen` is the root of the importable
package `bianmin` (mapped in pyproject.toml). protoc writes no `__init__.py`; this module adds an
empty one to every generated directory so that they are regular packages.

Generation happens in a temporary directory first; the committed tree is then replaced as a
whole, so files of a deleted .proto do not linger.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO_ROOT / "proto"
GEN_ROOT = REPO_ROOT / "libs" / "common" / "gen"
# The top-level proto package: the generated tree lives in GEN_ROOT / PACKAGE.
PACKAGE = "bianmin"


class ProtocError(RuntimeError):
    pass


def proto_files(proto_root: Path = PROTO_ROOT) -> list[Path]:
    """Every .proto of the top-level package, sorted (a stable order gives stable output)."""
    return sorted((proto_root / PACKAGE).rglob("*.proto"))


def _well_known_include() -> Path:
    import grpc_tools

    return Path(grpc_tools.__file__).resolve().parent / "_proto"


def generate(out_dir: Path, proto_root: Path = PROTO_ROOT) -> list[Path]:
    """Generate the code for every proto under `proto_root` into `out_dir` (which must exist).

    Returns the generated files (relative to `out_dir`), `__init__.py` files included."""
    from grpc_tools import protoc

    files = proto_files(proto_root)
    if not files:
        raise ProtocError(f"no .proto files under {proto_root / PACKAGE}")
    args = [
        "grpc_tools.protoc",
        f"--proto_path={proto_root}",
        f"--proto_path={_well_known_include()}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        # Absolute paths: protoc maps them onto the proto path, whatever the current directory.
        *(str(f) for f in files),
    ]
    rc = protoc.main(args)
    if rc != 0:
        raise ProtocError(f"grpc_tools.protoc failed with exit code {rc}")
    package_root = out_dir / PACKAGE
    for directory in [package_root, *(p for p in package_root.rglob("*") if p.is_dir())]:
        (directory / "__init__.py").write_text("")
    return _tree(package_root, out_dir)


def _tree(root: Path, relative_to: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(
        p.relative_to(relative_to)
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def diff(fresh_root: Path, committed_root: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """(stale, missing, extra): files that differ, that are not committed, that should not be."""
    fresh = set(_tree(fresh_root / PACKAGE, fresh_root))
    committed = set(_tree(committed_root / PACKAGE, committed_root))
    stale = sorted(
        p for p in fresh & committed if not filecmp.cmp(fresh_root / p, committed_root / p, shallow=False)
    )
    return stale, sorted(fresh - committed), sorted(committed - fresh)


def regenerate(gen_root: Path = GEN_ROOT, proto_root: Path = PROTO_ROOT) -> list[Path]:
    with tempfile.TemporaryDirectory(prefix="bianmin-protogen-") as tmp:
        generated = generate(Path(tmp), proto_root)
        target = gen_root / PACKAGE
        if target.exists():
            shutil.rmtree(target)
        gen_root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(Path(tmp) / PACKAGE, target)
    return generated


def check(gen_root: Path = GEN_ROOT, proto_root: Path = PROTO_ROOT) -> list[str]:
    """Problems found (empty when the committed code is fresh)."""
    with tempfile.TemporaryDirectory(prefix="bianmin-protogen-") as tmp:
        generate(Path(tmp), proto_root)
        stale, missing, extra = diff(Path(tmp), gen_root)
    return (
        [f"stale:   {p}" for p in stale]
        + [f"missing: {p}" for p in missing]
        + [f"extra:   {p}" for p in extra]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m libs.common.protogen", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if libs/common/gen differs from a fresh run",
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check()
            if problems:
                print(
                    f"generated code in {GEN_ROOT.relative_to(REPO_ROOT)} is out of date (run `make proto`):",
                    file=sys.stderr,
                )
                for line in problems:
                    print(f"  {line}", file=sys.stderr)
                return 1
            print(f"{GEN_ROOT.relative_to(REPO_ROOT)} is up to date ({len(proto_files())} protos)")
            return 0
        generated = regenerate()
    except ProtocError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"generated {len(generated)} files from {len(proto_files())} protos "
        f"into {GEN_ROOT.relative_to(REPO_ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
