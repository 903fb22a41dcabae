"""This project's rules for rendered Kubernetes manifests (ARCHITECTURE.md §8).

Each `check_*` takes the rendered documents and returns a list of human-readable errors; an empty
list means the rule holds. `check_all` runs them all. They work on plain dicts, so a test can
break a manifest on purpose and see the rule report it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

Doc = dict[str, Any]

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
COMPONENTS = {"api", "worker", "relay", "migrate", "job"}
REQUIRED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of")
RUN_AS_USER = 10001
GRPC_PORT = 50051
METRICS_PORT = 9100
#: the Secrets the manifests may reference; their content is supplied by the operator
EXPECTED_SECRETS = {"bianmin-secrets", "bianmin-jwt-signing", "bianmin-jwt-public", "bianmin-seal"}
SIGNING_SECRET = "bianmin-jwt-signing"
DEV_ONLY_ANNOTATION = "bianmin/dev-only"
#: environment variables whose value is a secret: only ever from a secretKeyRef
SECRET_ENV = re.compile(
    r"(DATABASE_URL|AMQP_URL|PASSWORD|SECRET|TOKEN|PRIVATE|BOOTSTRAP_ADMIN|API_KEY|SEAL_KEYS)", re.I
)
#: literal secrets anywhere in a document: credentials in a URL, a PEM private key
SECRET_VALUE = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@|-----BEGIN [A-Z ]*PRIVATE KEY-----", re.I)


def name_of(doc: Doc) -> str:
    return (doc.get("metadata") or {}).get("name", "?")


def describe(doc: Doc) -> str:
    return f"{doc.get('kind', '?')}/{name_of(doc)}"


def labels_of(doc: Doc) -> dict[str, str]:
    return (doc.get("metadata") or {}).get("labels") or {}


def pod_template(doc: Doc) -> Doc | None:
    """The pod template of a workload (a CronJob's is two levels down)."""
    kind = doc.get("kind")
    spec = doc.get("spec") or {}
    if kind == "CronJob":
        return ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
    if kind in WORKLOAD_KINDS:
        return spec.get("template")
    return None


def workloads(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for doc in docs:
        if doc.get("kind") in WORKLOAD_KINDS:
            yield doc, pod_template(doc) or {}


def containers_of(template: Doc) -> list[Doc]:
    spec = template.get("spec") or {}
    return list(spec.get("initContainers") or []) + list(spec.get("containers") or [])


def selector_matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# --- the rules -------------------------------------------------------------------------------


def check_labels(docs: list[Doc]) -> list[str]:
    """Workloads carry name/component/part-of on themselves and on their pods."""
    errors = []
    for doc, template in workloads(docs):
        for where, labels in (("metadata", labels_of(doc)), ("pod template", labels_of(template))):
            missing = [k for k in REQUIRED_LABELS if k not in labels]
            if missing:
                errors.append(f"{describe(doc)}: {where} lacks labels {missing}")
            elif labels["app.kubernetes.io/part-of"] != "bianmin":
                errors.append(f"{describe(doc)}: {where} part-of is not 'bianmin'")
            elif labels["app.kubernetes.io/component"] not in COMPONENTS:
                errors.append(
                    f"{describe(doc)}: {where} component {labels['app.kubernetes.io/component']!r}"
                    f" not one of {sorted(COMPONENTS)}"
                )
    return errors


def check_pod_security(docs: list[Doc]) -> list[str]:
    """Every container: non-root 10001, read-only root fs with a /tmp emptyDir, no privilege
    escalation, no capabilities, RuntimeDefault seccomp, requests and limits; no SA token."""
    errors = []
    for doc, template in workloads(docs):
        pod = template.get("spec") or {}
        psc = pod.get("securityContext") or {}
        if pod.get("automountServiceAccountToken") is not False:
            errors.append(f"{describe(doc)}: automountServiceAccountToken is not false")
        if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
            errors.append(f"{describe(doc)}: uses a host namespace")
        tmp_volumes = {v["name"] for v in pod.get("volumes") or [] if "emptyDir" in v}
        containers = containers_of(template)
        if not containers:
            errors.append(f"{describe(doc)}: no containers")
        for c in containers:
            where = f"{describe(doc)} container {c.get('name', '?')}"
            sc = c.get("securityContext") or {}

            def effective(key: str, sc: Doc = sc, psc: Doc = psc) -> Any:
                return sc[key] if key in sc else psc.get(key)

            if effective("runAsNonRoot") is not True:
                errors.append(f"{where}: runAsNonRoot is not true")
            if effective("runAsUser") != RUN_AS_USER:
                errors.append(f"{where}: runAsUser is {effective('runAsUser')!r}, not {RUN_AS_USER}")
            if sc.get("readOnlyRootFilesystem") is not True:
                errors.append(f"{where}: readOnlyRootFilesystem is not true")
            if sc.get("allowPrivilegeEscalation") is not False:
                errors.append(f"{where}: allowPrivilegeEscalation is not false")
            if sc.get("privileged"):
                errors.append(f"{where}: privileged")
            caps = sc.get("capabilities") or {}
            if "ALL" not in (caps.get("drop") or []) or caps.get("add"):
                errors.append(f"{where}: capabilities do not drop ALL (or add some)")
            if (effective("seccompProfile") or {}).get("type") != "RuntimeDefault":
                errors.append(f"{where}: seccompProfile is not RuntimeDefault")
            res = c.get("resources") or {}
            for kind in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    if what not in (res.get(kind) or {}):
                        errors.append(f"{where}: no {kind}.{what}")
            mounts = {m.get("mountPath"): m.get("name") for m in c.get("volumeMounts") or []}
            if mounts.get("/tmp") not in tmp_volumes:
                errors.append(f"{where}: no emptyDir mounted at /tmp")
            image = str(c.get("image", ""))
            if image.endswith(":latest"):
                errors.append(f"{where}: image {image!r} uses the 'latest' tag")
    return errors


def _probe_is_grpc(probe: Doc | None) -> bool:
    return probe is not None and (probe.get("grpc") or {}).get("port") == GRPC_PORT


def check_api_probes(docs: list[Doc]) -> list[str]:
    """API Deployments: a grpc port 50051, a native grpc liveness probe on it, and a readiness
    probe that is grpc (or the gateway's HTTP /readyz); every process exposes metrics 9100."""
    errors = []
    for doc, template in workloads(docs):
        labels = labels_of(template)
        for c in (template.get("spec") or {}).get("containers") or []:
            where = f"{describe(doc)} container {c.get('name', '?')}"
            ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
            if doc["kind"] == "Deployment" and ports.get("metrics") != METRICS_PORT:
                errors.append(f"{where}: no port 'metrics' = {METRICS_PORT}")
            if doc["kind"] != "Deployment" or labels.get("app.kubernetes.io/component") != "api":
                continue
            if ports.get("grpc") != GRPC_PORT:
                errors.append(f"{where}: no port 'grpc' = {GRPC_PORT}")
            if not _probe_is_grpc(c.get("livenessProbe")):
                errors.append(f"{where}: livenessProbe is not a grpc probe on {GRPC_PORT}")
            readiness = c.get("readinessProbe") or {}
            http_ready = (readiness.get("httpGet") or {}).get("path") == "/readyz"
            if not (_probe_is_grpc(readiness) or (http_ready and "http" in ports)):
                errors.append(f"{where}: readinessProbe is neither grpc on {GRPC_PORT} nor HTTP /readyz")
    return errors


def check_selectors(docs: list[Doc]) -> list[str]:
    """Every Deployment's selector matches its own pods; every Service, PodDisruptionBudget and
    HorizontalPodAutoscaler points at a Deployment that exists."""
    errors = []
    deployments = [d for d in docs if d.get("kind") == "Deployment"]
    for d in deployments:
        selector = (d.get("spec") or {}).get("selector") or {}
        if selector.get("matchExpressions"):
            errors.append(f"{describe(d)}: selector uses matchExpressions (keep it to matchLabels)")
        if not selector_matches(selector.get("matchLabels") or {}, labels_of(pod_template(d) or {})):
            errors.append(
                f"{describe(d)}: selector {selector.get('matchLabels')} does not match its pod labels"
            )

    def selected(selector: dict[str, str]) -> list[Doc]:
        return [d for d in deployments if selector_matches(selector, labels_of(pod_template(d) or {}))]

    for doc in docs:
        kind = doc.get("kind")
        spec = doc.get("spec") or {}
        if kind == "Service":
            if not selected(spec.get("selector") or {}):
                errors.append(f"{describe(doc)}: selector {spec.get('selector')} selects no Deployment")
            for port in spec.get("ports") or []:
                target = port.get("targetPort")
                for d in selected(spec.get("selector") or {}):
                    names = {
                        p.get("name")
                        for c in (pod_template(d) or {}).get("spec", {}).get("containers", [])
                        for p in c.get("ports") or []
                    }
                    if isinstance(target, str) and target not in names:
                        errors.append(
                            f"{describe(doc)}: targetPort {target!r} is not a port of {describe(d)}"
                        )
        elif kind == "PodDisruptionBudget":
            if not selected((spec.get("selector") or {}).get("matchLabels") or {}):
                errors.append(f"{describe(doc)}: selects no Deployment")
        elif kind == "HorizontalPodAutoscaler":
            ref = spec.get("scaleTargetRef") or {}
            if not any(name_of(d) == ref.get("name") for d in deployments if ref.get("kind") == "Deployment"):
                errors.append(f"{describe(doc)}: scaleTargetRef {ref} is no Deployment here")
    return errors


def _walk_strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk_strings(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def check_secrets(docs: list[Doc], *, dev: bool = False) -> list[str]:
    """Secrets only by reference: no Secret objects (dev: only ones annotated dev-only), no
    secret-looking env var with a literal value, no credentials or private keys anywhere, and
    only the gateway's pods get the JWT signing keys."""
    errors = []
    for doc in docs:
        if doc.get("kind") == "Secret":
            annotations = (doc.get("metadata") or {}).get("annotations") or {}
            if not (dev and annotations.get(DEV_ONLY_ANNOTATION) == "true"):
                errors.append(
                    f"{describe(doc)}: a Secret with literal content"
                    + (f" not annotated {DEV_ONLY_ANNOTATION}" if dev else " (secrets by reference only)")
                )
            continue
        for path, value in _walk_strings(doc):
            if SECRET_VALUE.search(value):
                errors.append(f"{describe(doc)}: literal secret at {path}")
        if doc.get("kind") == "ConfigMap":
            for key in doc.get("data") or {}:
                if SECRET_ENV.search(key):
                    errors.append(f"{describe(doc)}: secret-like key {key} in a ConfigMap")

    secret_names = {name_of(d) for d in docs if d.get("kind") == "Secret"}
    for doc, template in workloads(docs):
        pod = template.get("spec") or {}
        is_gateway = labels_of(template).get("app.kubernetes.io/name") == "gateway"
        referenced = set()
        for c in containers_of(template):
            for env in c.get("env") or []:
                value_from = env.get("valueFrom") or {}
                if "secretKeyRef" in value_from:
                    referenced.add(value_from["secretKeyRef"].get("name"))
                elif SECRET_ENV.search(env.get("name", "")):
                    errors.append(
                        f"{describe(doc)} container {c.get('name')}:"
                        f" {env.get('name')} is not from a secretKeyRef"
                    )
            for src in c.get("envFrom") or []:
                if "secretRef" in src:
                    referenced.add(src["secretRef"].get("name"))
        for vol in pod.get("volumes") or []:
            if "secret" in vol:
                referenced.add(vol["secret"].get("secretName"))
        for name in referenced:
            base = _unhashed(name, secret_names)
            if base not in EXPECTED_SECRETS:
                errors.append(f"{describe(doc)}: references unknown Secret {name!r}")
            if base == SIGNING_SECRET and not is_gateway:
                errors.append(f"{describe(doc)}: only the gateway may mount the JWT signing keys")
    return errors


def _unhashed(name: str, generated: set[str]) -> str:
    """`bianmin-secrets-8kt22gh7b4` -> `bianmin-secrets` when kustomize generated it."""
    if name in generated:
        head, _, tail = name.rpartition("-")
        if head and re.fullmatch(r"[a-z0-9]{10}", tail):
            return head
    return name


def check_references(docs: list[Doc]) -> list[str]:
    """ConfigMaps and ServiceAccounts that pods name exist, and those accounts mount no token."""
    errors = []
    configmaps = {name_of(d) for d in docs if d.get("kind") == "ConfigMap"}
    accounts = {name_of(d): d for d in docs if d.get("kind") == "ServiceAccount"}
    for account in accounts.values():
        if account.get("automountServiceAccountToken") is not False:
            errors.append(f"{describe(account)}: automountServiceAccountToken is not false")
    for doc, template in workloads(docs):
        pod = template.get("spec") or {}
        sa = pod.get("serviceAccountName")
        if sa not in accounts:
            errors.append(f"{describe(doc)}: serviceAccountName {sa!r} is no ServiceAccount here")
        for c in containers_of(template):
            for src in c.get("envFrom") or []:
                ref = (src.get("configMapRef") or {}).get("name")
                if ref and ref not in configmaps:
                    errors.append(f"{describe(doc)}: envFrom ConfigMap {ref!r} does not exist")
    return errors


def check_cronjobs(docs: list[Doc]) -> list[str]:
    """CronJobs run in the county's time zone and never overlap."""
    errors = []
    for doc in docs:
        if doc.get("kind") != "CronJob":
            continue
        spec = doc.get("spec") or {}
        if not spec.get("timeZone"):
            errors.append(f"{describe(doc)}: no timeZone")
        if spec.get("concurrencyPolicy") != "Forbid":
            errors.append(f"{describe(doc)}: concurrencyPolicy is not Forbid")
    return errors


CHECKS = (
    check_labels,
    check_pod_security,
    check_api_probes,
    check_selectors,
    check_references,
    check_cronjobs,
)


def check_all(docs: list[Doc], *, dev: bool = False) -> list[str]:
    errors: list[str] = []
    for check in CHECKS:
        errors += check(docs)
    return errors + check_secrets(docs, dev=dev)
