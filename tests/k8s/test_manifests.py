"""Specifications for the Kubernetes manifests in k8s/.

Every overlay is rendered with ``kubectl kustomize`` (offline), every object is validated in strict
mode against the Kubernetes schemas, and the rendered objects must keep the promises of
k8s/README.md: hardened pods with three probes and bounded resources, a PodDisruptionBudget per
Deployment, default-deny networking with only the intended paths open, autoscaling in production.
"""

from __future__ import annotations

import base64
import copy
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from tests.k8s.manifests import (
    CLUSTER_SCOPED,
    K8S,
    Endpoint,
    Manifest,
    Rendered,
    component,
    container_ports,
    containers,
    endpoints_of,
    kubectl_available,
    load,
    pod_labels,
    pod_spec,
    quantity,
    reachable,
    render,
    selector_matches,
)

pytestmark = pytest.mark.skipif(
    not kubectl_available(), reason="kubectl is not installed: the overlays cannot be rendered"
)

OVERLAYS = ("dev", "prod")
NAMESPACES = {"dev": "uitkijk-dev", "prod": "uitkijk"}
APIS = {"gateway": 8000, "ingest": 8001, "sentiment": 8002, "playbook": 8003}
WORKERS = ("sentiment", "playbook")
LONGEST_JOB_SECONDS = 300
UITKIJK_UID = 10001
#: The oldest Kubernetes we support and the newest the validator knows.
K8S_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
#: Custom resources: the validator has no schema for them (it only warns), so their required
#: fields are asserted by hand in test_custom_resources_carry_their_required_fields.
CUSTOM_RESOURCES = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
}


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> Rendered:
    overlay: str = request.param
    return load(overlay)


@pytest.fixture(scope="module")
def dev() -> Rendered:
    return load("dev")


@pytest.fixture(scope="module")
def prod() -> Rendered:
    return load("prod")


def _describe(obj: Manifest) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


# --- schemas ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("target", ["base", "overlays/dev", "overlays/prod"])
def test_every_rendered_object_validates_strictly(target: str, version: str) -> None:
    failures: list[str] = []
    custom: set[tuple[str, str]] = set()
    for obj in render(target):
        key = (obj["apiVersion"], obj["kind"])
        if key in CUSTOM_RESOURCES:
            # No bundled schema: the validator must say so, rather than pass it silently.
            with pytest.raises(kubernetes_validate.SchemaNotFoundError):
                kubernetes_validate.validate(obj, version, strict=True)
            custom.add(key)
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path)
            failures.append(f"{_describe(obj)}: {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            failures.append(f"{_describe(obj)}: unknown kind: {error.message}")
    assert not failures, "\n".join(failures)
    assert ("monitoring.coreos.com/v1", "ServiceMonitor") in custom


def test_strict_validation_rejects_a_misspelt_field(dev: Rendered) -> None:
    """Guards the test above against a validator that accepts anything."""
    broken = copy.deepcopy(dev.named("Deployment", "ingest-api"))
    probe = containers(broken)[0].pop("livenessProbe")
    containers(broken)[0]["livenesProbe"] = probe
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSIONS[0], strict=True)


def test_custom_resources_carry_their_required_fields(rendered: Rendered) -> None:
    deployments = rendered.names("Deployment")
    for scaled in rendered.of_kind("ScaledObject"):
        spec = scaled["spec"]
        assert spec["scaleTargetRef"]["name"] in deployments, _describe(scaled)
        assert spec["scaleTargetRef"].get("kind", "Deployment") == "Deployment"
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        assert spec["triggers"], f"{_describe(scaled)} has no trigger"
        for trigger in spec["triggers"]:
            assert trigger["type"] == "prometheus"
            metadata = trigger["metadata"]
            assert urlsplit(metadata["serverAddress"]).scheme in {"http", "https"}
            assert metadata["query"].strip()
            # KEDA reads trigger metadata as strings.
            assert isinstance(metadata["threshold"], str)
            assert float(metadata["threshold"]) > 0
        if "fallback" in spec:
            assert spec["fallback"]["failureThreshold"] >= 1
            assert spec["fallback"]["replicas"] >= spec["minReplicaCount"]
    services = rendered.of_kind("Service")
    monitors = rendered.of_kind("ServiceMonitor")
    assert {component(m) for m in monitors} == {"api", "worker"}
    for monitor in monitors:
        selected = [
            s
            for s in services
            if selector_matches(monitor["spec"]["selector"], s["metadata"]["labels"])
        ]
        assert selected, f"{_describe(monitor)} selects no Service"
        assert monitor["spec"]["endpoints"]
        for endpoint in monitor["spec"]["endpoints"]:
            assert endpoint["path"] == "/metrics"
            for service in selected:
                names = {p["name"] for p in service["spec"]["ports"]}
                assert endpoint["port"] in names, f"{_describe(service)} has no {endpoint['port']}"


# --- workloads --------------------------------------------------------------------------------


def test_every_api_and_worker_has_a_deployment(rendered: Rendered) -> None:
    expected = {f"{name}-api" for name in APIS} | {f"{name}-worker" for name in WORKERS}
    assert rendered.names("Deployment") == expected


def test_apis_probe_healthz_and_readyz_on_their_port(rendered: Rendered) -> None:
    for name, port in APIS.items():
        deployment = rendered.named("Deployment", f"{name}-api")
        (app,) = containers(deployment)
        assert app["args"] == ["serve", name]
        assert {"name": "PORT", "value": str(port)} in app["env"]
        assert container_ports(deployment) == {"http": port}
        for probe, path in (
            ("startupProbe", "/healthz"),
            ("livenessProbe", "/healthz"),
            ("readinessProbe", "/readyz"),
        ):
            assert app[probe]["httpGet"] == {"path": path, "port": "http"}, (name, probe)
            assert app[probe].get("timeoutSeconds", 1) < app[probe].get("periodSeconds", 10)


def test_workers_probe_their_own_arq_health_key(rendered: Rendered) -> None:
    for name in WORKERS:
        deployment = rendered.named("Deployment", f"{name}-worker")
        (app,) = containers(deployment)
        assert app["args"] == ["worker", name]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert app[probe]["exec"]["command"] == ["uitkijk", "worker", name, "--check"]
        # Each pod its own health key, derived from the pod name.
        pod_name = {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
        assert pod_name in app["env"]
        assert container_ports(deployment) == {"metrics": 9100}


def test_grace_periods_outlast_the_work_in_hand(rendered: Rendered) -> None:
    for deployment in rendered.deployments:
        grace = pod_spec(deployment)["terminationGracePeriodSeconds"]
        if component(deployment) == "worker":
            assert grace > LONGEST_JOB_SECONDS, _describe(deployment)
        else:
            (app,) = containers(deployment)
            pre_stop = app["lifecycle"]["preStop"]["exec"]["command"]
            assert pre_stop[0] == "sleep"
            assert grace > int(pre_stop[1]), _describe(deployment)


def test_every_container_has_bounded_resources(rendered: Rendered) -> None:
    for workload in rendered.workloads:
        for container in containers(workload):
            resources = container["resources"]
            for kind in ("cpu", "memory"):
                request = quantity(resources["requests"][kind])
                limit = quantity(resources["limits"][kind])
                assert 0 < request <= limit, (_describe(workload), kind)


def test_every_pod_is_hardened(rendered: Rendered) -> None:
    for workload in rendered.workloads:
        spec = pod_spec(workload)
        where = _describe(workload)
        assert spec["automountServiceAccountToken"] is False, where
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            assert not spec.get(key), where
        for container in containers(workload):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            assert not context.get("privileged"), where


def test_uitkijk_pods_run_as_the_image_user_with_a_scratch_tmp(rendered: Rendered) -> None:
    for workload in rendered.uitkijk_workloads():
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsUser"] == UITKIJK_UID
        assert spec["serviceAccountName"] == "uitkijk"
        assert spec["enableServiceLinks"] is False
        volumes = {v["name"]: v for v in spec["volumes"]}
        (app,) = containers(workload)
        mounts = {m["mountPath"]: m["name"] for m in app["volumeMounts"]}
        assert "emptyDir" in volumes[mounts["/tmp"]], _describe(workload)
        assert set(mounts) == {"/tmp"}, "services write nowhere but /tmp"
    account = rendered.named("ServiceAccount", "uitkijk")
    assert account["automountServiceAccountToken"] is False


def test_uitkijk_workloads_share_one_pinned_image_and_the_settings(rendered: Rendered) -> None:
    images = {c["image"] for w in rendered.uitkijk_workloads() for c in containers(w)}
    assert len(images) == 1, images
    (image,) = images
    assert re.search(r"(:[\w.-]+|@sha256:[0-9a-f]{64})$", image.rsplit("/", 1)[-1]), image
    assert not image.endswith(":latest")
    for workload in rendered.uitkijk_workloads():
        (app,) = containers(workload)
        config, secret = app["envFrom"]
        # Generated names carry a content hash, so changed settings roll the pods.
        assert re.fullmatch(r"uitkijk-config-[a-z0-9]{10}", config["configMapRef"]["name"])
        if rendered.overlay == "dev":
            assert re.fullmatch(r"uitkijk-secrets-[a-z0-9]{10}", secret["secretRef"]["name"])
        else:
            assert secret["secretRef"]["name"] == "uitkijk-secrets"


def test_referenced_configmaps_and_secrets_exist(rendered: Rendered) -> None:
    configmaps, secrets = rendered.names("ConfigMap"), rendered.names("Secret")
    missing: set[str] = set()
    for workload in rendered.workloads:
        for container in containers(workload):
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in configmaps
                else:
                    name = source["secretRef"]["name"]
                    if name not in secrets:
                        missing.add(name)
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref and ref["name"] not in secrets:
                    missing.add(ref["name"])
    # Production's one Secret is created out of band (k8s/README.md says how); dev generates all.
    assert missing == ({"uitkijk-secrets"} if rendered.overlay == "prod" else set())


def test_every_deployment_has_one_pdb_that_still_allows_a_drain(rendered: Rendered) -> None:
    budgets = rendered.of_kind("PodDisruptionBudget")
    for deployment in rendered.deployments:
        matching = [
            b for b in budgets if selector_matches(b["spec"]["selector"], pod_labels(deployment))
        ]
        assert len(matching) == 1, _describe(deployment)
        # With one replica (dev), minAvailable: 1 would block every node drain.
        assert matching[0]["spec"].get("maxUnavailable", 0) >= 1
        assert "minAvailable" not in matching[0]["spec"]


def test_services_route_to_a_named_container_port(rendered: Rendered) -> None:
    for service in rendered.of_kind("Service"):
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP", _describe(service)
        targets = [
            w
            for w in rendered.workloads
            if selector_matches({"matchLabels": service["spec"]["selector"]}, pod_labels(w))
        ]
        assert len(targets) == 1, _describe(service)
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in container_ports(targets[0]), _describe(service)


def test_gateway_finds_the_apis_through_their_services(rendered: Rendered) -> None:
    config = rendered.configmap_data("uitkijk-config")
    for name in ("ingest", "sentiment", "playbook"):
        url = urlsplit(config[f"{name.upper()}_URL"])
        service = rendered.named("Service", url.hostname or "")
        assert url.port in {p["port"] for p in service["spec"]["ports"]}
        assert service["spec"]["selector"]["app.kubernetes.io/name"] == name


def test_migrations_run_as_a_job_with_a_stable_name(rendered: Rendered) -> None:
    job = rendered.named("Job", "uitkijk-migrate")
    (app,) = containers(job)
    assert app["args"] == ["migrate"]
    assert pod_spec(job)["restartPolicy"] in {"Never", "OnFailure"}
    assert 0 < job["spec"]["backoffLimit"] <= 6
    assert job["spec"]["activeDeadlineSeconds"] > 0
    # Finished Jobs are cleaned up, so the next release can create the Job again.
    assert job["spec"]["ttlSecondsAfterFinished"] > 0
    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
    api = containers(rendered.named("Deployment", "ingest-api"))[0]
    assert app["image"] == api["image"]
    assert app["envFrom"] == api["envFrom"]


def test_common_labels_everywhere_and_stable_selectors(rendered: Rendered) -> None:
    for obj in rendered.objects:
        labels = obj["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/part-of") == "uitkijk", _describe(obj)
        assert labels.get("app.kubernetes.io/managed-by") == "kustomize", _describe(obj)
    for workload in rendered.workloads:
        for labels in (workload["metadata"]["labels"], pod_labels(workload)):
            assert {"app.kubernetes.io/name", "app.kubernetes.io/component"} <= set(labels)
        selector = workload["spec"].get("selector", {}).get("matchLabels", {})
        assert "app.kubernetes.io/version" not in selector, "selectors are immutable"


def test_everything_lands_in_a_restricted_namespace(rendered: Rendered) -> None:
    namespace = NAMESPACES[rendered.overlay]
    for obj in rendered.objects:
        if obj["kind"] not in CLUSTER_SCOPED:
            assert obj["metadata"]["namespace"] == namespace, _describe(obj)
    labels = rendered.named("Namespace", namespace)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


# --- publishing and networking ----------------------------------------------------------------


def test_only_gateway_and_ingest_are_published_and_only_their_public_paths(
    rendered: Rendered,
) -> None:
    published: dict[str, set[str]] = {}
    for ingress in rendered.of_kind("Ingress"):
        for rule in ingress["spec"]["rules"]:
            assert rule["host"]
            for path in rule["http"]["paths"]:
                service = path["backend"]["service"]
                ports = {
                    p["name"] for p in rendered.named("Service", service["name"])["spec"]["ports"]
                }
                assert service["port"]["name"] in ports
                published.setdefault(service["name"], set()).add(path["path"])
    assert published == {"gateway": {"/graphql"}, "ingest": {"/v1"}}


def test_network_is_denied_by_default(rendered: Rendered) -> None:
    deny = [
        p
        for p in rendered.of_kind("NetworkPolicy")
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert len(deny) == 1


def _outsiders(namespace: str) -> dict[str, Endpoint]:
    return {
        "ingress-controller": Endpoint(
            "ingress-controller", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}
        ),
        "prometheus": Endpoint(
            "prometheus", "monitoring", {"app.kubernetes.io/name": "prometheus"}
        ),
        "kube-dns": Endpoint("kube-dns", "kube-system", {"k8s-app": "kube-dns"}),
        "other-namespace": Endpoint("other-namespace", "elsewhere", {"app": "curious"}),
        # A pod someone started by hand next to ours, e.g. `kubectl run debug`.
        "same-namespace": Endpoint("same-namespace", namespace, {"run": "debug"}),
        "internet": Endpoint("internet", None, ip="203.0.113.10"),
        "cloud-metadata": Endpoint("cloud-metadata", None, ip="169.254.169.254"),
        "private-network": Endpoint("private-network", None, ip="192.168.10.5"),
        "managed-datastore": Endpoint("managed-datastore", None, ip="10.20.0.5"),
    }


def _network(rendered: Rendered) -> tuple[list[Manifest], dict[str, Endpoint]]:
    pods = {e.name: e for e in endpoints_of(rendered)}
    pods.update(_outsiders(NAMESPACES[rendered.overlay]))
    return rendered.of_kind("NetworkPolicy"), pods


def _pod_ports(rendered: Rendered) -> Iterator[tuple[Endpoint, int]]:
    for pod in endpoints_of(rendered):
        for port in pod.ports.values():
            yield pod, port


def test_from_outside_only_the_ingress_controller_reaches_gateway_and_ingest(
    rendered: Rendered,
) -> None:
    policies, pods = _network(rendered)
    published = {("gateway-api", 8000), ("ingest-api", 8001)}
    for pod, port in _pod_ports(rendered):
        for outsider in ("ingress-controller", "other-namespace", "same-namespace", "internet"):
            expected = outsider == "ingress-controller" and (pod.name, port) in published
            assert reachable(policies, pods[outsider], pod, port) is expected, (
                outsider,
                pod.name,
                port,
            )


def test_internal_apis_answer_only_the_gateway_and_prometheus(rendered: Rendered) -> None:
    policies, pods = _network(rendered)
    callers = {
        "sentiment-api": {"gateway-api", "prometheus"},
        "playbook-api": {"gateway-api", "prometheus"},
        "ingest-api": {"gateway-api", "prometheus", "ingress-controller"},
        "gateway-api": {"prometheus", "ingress-controller"},
        "sentiment-worker": {"prometheus"},
        "playbook-worker": {"prometheus"},
    }
    for target, allowed in callers.items():
        (port,) = pods[target].ports.values()
        actual = {
            name for name, pod in pods.items() if reachable(policies, pod, pods[target], port)
        }
        assert actual == allowed, target


def test_processes_reach_their_datastores_and_dns(rendered: Rendered) -> None:
    policies, pods = _network(rendered)
    in_cluster = rendered.overlay == "dev"
    postgres = pods["postgresql" if in_cluster else "managed-datastore"]
    redis = pods["redis" if in_cluster else "managed-datastore"]
    for workload in rendered.uitkijk_workloads():
        pod = pods[workload["metadata"]["name"]]
        assert reachable(policies, pod, postgres, 5432), pod.name
        needs_redis = component(workload) != "migration"
        assert reachable(policies, pod, redis, 6379) is needs_redis, pod.name
        for protocol in ("UDP", "TCP"):
            assert reachable(policies, pod, pods["kube-dns"], 53, protocol), pod.name
        assert not reachable(policies, pod, pods["other-namespace"], 8080), pod.name


def test_in_cluster_datastores_answer_only_uitkijk_processes(dev: Rendered) -> None:
    policies, pods = _network(dev)
    for datastore, port, clients in (
        ("postgresql", 5432, {"api", "worker", "migration"}),
        ("redis", 6379, {"api", "worker"}),
    ):
        callers = {
            name for name, pod in pods.items() if reachable(policies, pod, pods[datastore], port)
        }
        expected = {w["metadata"]["name"] for w in dev.workloads if component(w) in clients}
        assert callers == expected, datastore


def test_only_the_playbook_worker_leaves_for_the_internet_on_443(rendered: Rendered) -> None:
    policies, pods = _network(rendered)
    for workload in rendered.uitkijk_workloads():
        pod = pods[workload["metadata"]["name"]]
        webhooks = pod.name == "playbook-worker"
        # Production APIs fetch the identity provider's JWKS over HTTPS.
        jwks = rendered.overlay == "prod" and component(workload) == "api"
        assert reachable(policies, pod, pods["internet"], 443) is (webhooks or jwks), pod.name
        assert not reachable(policies, pod, pods["internet"], 80), pod.name
        # Webhook URLs must not lead into the cloud account or the private network.
        assert not reachable(policies, pod, pods["cloud-metadata"], 443), pod.name
        assert not reachable(policies, pod, pods["private-network"], 443), pod.name


# --- per environment --------------------------------------------------------------------------


def test_dev_runs_one_replica_of_everything_with_in_cluster_datastores(dev: Rendered) -> None:
    for workload in dev.of_kind("Deployment") + dev.of_kind("StatefulSet"):
        assert workload["spec"]["replicas"] == 1, _describe(workload)
    assert not dev.of_kind("HorizontalPodAutoscaler")
    assert not dev.of_kind("ScaledObject")
    assert dev.names("StatefulSet") == {"postgresql", "redis"}
    for name in ("postgresql", "redis"):
        assert dev.named("StatefulSet", name)["spec"]["volumeClaimTemplates"]
    args = containers(dev.named("StatefulSet", "redis"))[0]["args"]
    # Queued jobs survive a Redis crash only with the append-only file.
    assert args[args.index("--appendonly") + 1] == "yes"
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction"


def test_dev_secret_points_at_the_in_cluster_datastores(dev: Rendered) -> None:
    (secret,) = [
        s for s in dev.of_kind("Secret") if s["metadata"]["name"].startswith("uitkijk-secrets-")
    ]
    assert set(secret["data"]) == {"DATABASE_URL", "REDIS_URL", "JWT_SECRET"}
    values = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    database = urlsplit(values["DATABASE_URL"])
    assert database.scheme == "postgresql+asyncpg"
    assert database.hostname == "postgresql"
    assert urlsplit(values["REDIS_URL"]).hostname == "redis"
    # PyJWT warns about HMAC keys shorter than the hash.
    assert len(values["JWT_SECRET"]) >= 32


def test_prod_autoscales_every_deployment_exactly_once(prod: Rendered) -> None:
    targets: dict[str, tuple[str, int]] = {}
    for hpa in prod.of_kind("HorizontalPodAutoscaler"):
        name = hpa["spec"]["scaleTargetRef"]["name"]
        assert name not in targets
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"
        assert metric["resource"]["target"]["type"] == "Utilization"
        targets[name] = ("hpa", hpa["spec"]["minReplicas"])
    for scaled in prod.of_kind("ScaledObject"):
        name = scaled["spec"]["scaleTargetRef"]["name"]
        assert name not in targets
        targets[name] = ("keda", scaled["spec"]["minReplicaCount"])
    expected = {f"{n}-api": "hpa" for n in APIS} | {f"{n}-worker": "keda" for n in WORKERS}
    assert {name: kind for name, (kind, _) in targets.items()} == expected
    for name, (_, minimum) in targets.items():
        assert minimum >= 2, f"{name}: several replicas in production"
    for deployment in prod.deployments:
        # The autoscaler owns the count; a replicas field would reset it on every apply.
        assert "replicas" not in deployment["spec"], _describe(deployment)


def test_prod_workers_scale_on_ready_queue_depth(prod: Rendered) -> None:
    for name in WORKERS:
        (trigger,) = prod.named("ScaledObject", f"{name}-worker")["spec"]["triggers"]
        query = trigger["metadata"]["query"]
        assert "uitkijk_queue_ready_jobs" in query
        assert f'queue="{name}"' in query
        assert f'namespace="{NAMESPACES["prod"]}"' in query
        # Every worker pod exports the same queue-wide gauge: summing would count it N times.
        assert query.startswith("max(")


def test_prod_uses_external_datastores_and_oidc(prod: Rendered) -> None:
    assert not prod.of_kind("StatefulSet")
    assert not prod.of_kind("Secret"), "production secrets are created out of band"
    config = prod.configmap_data("uitkijk-config")
    assert "JWT_SECRET" not in config
    assert urlsplit(config["JWT_JWKS_URL"]).scheme == "https"
    for ingress in prod.of_kind("Ingress"):
        hosts = {h for tls in ingress["spec"]["tls"] for h in tls["hosts"]}
        assert {r["host"] for r in ingress["spec"]["rules"]} <= hosts


def test_prod_token_settings_load_with_the_real_settings_class(
    prod: Rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ConfigMap's JWT values must parse as the services will parse them."""
    from services.common.settings import TokenSettings

    for key, value in prod.configmap_data("uitkijk-config").items():
        monkeypatch.setenv(key, value)
    tokens = TokenSettings()
    assert tokens.algorithms == ["RS256"]
    assert tokens.jwks_url == prod.configmap_data("uitkijk-config")["JWT_JWKS_URL"]


def test_dev_settings_load_with_the_real_settings_class(
    dev: Rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a dev pod sees in its environment is what the services read."""
    from services.common.settings import ServiceSettings

    (secret,) = [
        s for s in dev.of_kind("Secret") if s["metadata"]["name"].startswith("uitkijk-secrets-")
    ]
    environment = dev.configmap_data("uitkijk-config") | {
        k: base64.b64decode(v).decode() for k, v in secret["data"].items()
    }
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    settings = ServiceSettings()
    assert settings.database_url == environment["DATABASE_URL"]
    assert settings.redis_url == environment["REDIS_URL"]
    assert settings.log_level == environment["LOG_LEVEL"]
    assert settings.tokens.secret.get_secret_value() == environment["JWT_SECRET"]
    assert environment["AUTO_MIGRATE"] == "false", "migrations belong to the Job"


def test_readme_names_every_secret_key_production_needs() -> None:
    readme = (K8S / "README.md").read_text(encoding="utf-8")
    for key in ("uitkijk-secrets", "DATABASE_URL", "REDIS_URL"):
        assert key in readme


def test_no_manifest_file_is_left_out_of_a_kustomization() -> None:
    """A missing file fails rendering; a file nothing lists would silently never be deployed."""
    listed: set[str] = set()
    for kustomization in K8S.rglob("kustomization.yaml"):
        text = kustomization.read_text()
        for match in re.finditer(r"(?:- |path: )([\w./-]+\.yaml)", text):
            listed.add(str((kustomization.parent / match.group(1)).resolve()))
    manifests = {str(p.resolve()) for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml"}
    assert manifests <= listed, sorted(manifests - listed)


def test_prod_gateway_runs_without_introspection_or_graphiql() -> None:
    """The gateway turns introspection and GraphiQL off when ENVIRONMENT=production."""
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(Path(__file__).resolve().parents[2] / "k8s/overlays/prod")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    configmaps = [
        doc for doc in yaml.safe_load_all(rendered) if doc and doc.get("kind") == "ConfigMap"
    ]
    assert any(cm.get("data", {}).get("ENVIRONMENT") == "production" for cm in configmaps)
