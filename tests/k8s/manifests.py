"""Helpers for the manifest specifications: render an overlay, look objects up, read quantities,
match label selectors, and decide whether a NetworkPolicy set lets one pod reach another.

Rendered manifests are untyped YAML: they are passed around as ``Manifest`` (``dict[str, Any]``)
on purpose, the one place these tests accept ``Any``; every object is schema-validated first.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "k8s"
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job")
#: Kinds without a namespace; everything else must land in the overlay's namespace.
CLUSTER_SCOPED = {"Namespace"}


def kubectl_available() -> bool:
    return Path(KUBECTL).is_file()


@cache
def render(target: str) -> tuple[Manifest, ...]:
    """``kubectl kustomize k8s/<target>`` (offline), as a tuple of objects. Cached per target."""
    completed = subprocess.run(
        [KUBECTL, "kustomize", str(K8S / target)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if completed.returncode != 0:
        raise AssertionError(f"kubectl kustomize {target} failed:\n{completed.stderr}")
    return tuple(doc for doc in yaml.safe_load_all(completed.stdout) if doc)


@dataclass(frozen=True)
class Rendered:
    """One rendered overlay, with the look-ups the specifications need."""

    overlay: str
    objects: tuple[Manifest, ...]

    def of_kind(self, kind: str) -> list[Manifest]:
        return [o for o in self.objects if o["kind"] == kind]

    def named(self, kind: str, name: str) -> Manifest:
        found = [o for o in self.of_kind(kind) if o["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.overlay}: expected one {kind}/{name}, found {len(found)}"
        return found[0]

    def names(self, kind: str) -> set[str]:
        return {o["metadata"]["name"] for o in self.of_kind(kind)}

    @property
    def deployments(self) -> list[Manifest]:
        return self.of_kind("Deployment")

    @property
    def workloads(self) -> list[Manifest]:
        return [o for o in self.objects if o["kind"] in WORKLOAD_KINDS]

    def uitkijk_workloads(self) -> list[Manifest]:
        """The workloads that run the Uitkijk image (APIs, workers, the migration Job)."""
        return [w for w in self.workloads if component(w) in {"api", "worker", "migration"}]

    def configmap_data(self, base_name: str) -> dict[str, str]:
        """The data of the hash-suffixed ConfigMap generated as ``base_name``."""
        found = [
            o
            for o in self.of_kind("ConfigMap")
            if o["metadata"]["name"].rsplit("-", 1)[0] == base_name
        ]
        assert len(found) == 1, f"{self.overlay}: expected one ConfigMap {base_name}-<hash>"
        data: dict[str, str] = found[0]["data"]
        return data


def load(overlay: str) -> Rendered:
    return Rendered(overlay, render(f"overlays/{overlay}"))


# --- pods -------------------------------------------------------------------------------------


def pod_template(workload: Manifest) -> Manifest:
    template: Manifest = workload["spec"]["template"]
    return template


def pod_spec(workload: Manifest) -> Manifest:
    spec: Manifest = pod_template(workload)["spec"]
    return spec


def containers(workload: Manifest) -> list[Manifest]:
    found: list[Manifest] = pod_spec(workload)["containers"]
    return found


def pod_labels(workload: Manifest) -> dict[str, str]:
    labels: dict[str, str] = pod_template(workload)["metadata"]["labels"]
    return labels


def component(workload: Manifest) -> str:
    return str(workload["metadata"].get("labels", {}).get("app.kubernetes.io/component", ""))


def app_name(workload: Manifest) -> str:
    return str(workload["metadata"].get("labels", {}).get("app.kubernetes.io/name", ""))


def container_ports(workload: Manifest) -> dict[str, int]:
    return {
        port["name"]: port["containerPort"]
        for c in containers(workload)
        for port in c.get("ports", [])
        if "name" in port
    }


# --- quantities -------------------------------------------------------------------------------

_SUFFIXES = {
    "m": Decimal("0.001"),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
}


def quantity(value: str | int | float) -> Decimal:
    """A Kubernetes resource quantity ("250m", "1", "512Mi") as a number of base units."""
    text = str(value)
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if text.endswith(suffix):
            return Decimal(text[: -len(suffix)]) * _SUFFIXES[suffix]
    return Decimal(text)


# --- label selectors --------------------------------------------------------------------------


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Kubernetes LabelSelector semantics; an empty selector matches everything."""
    if selector is None:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


# --- NetworkPolicy reachability ---------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """A pod (``namespace`` set) or an address outside the cluster (``namespace`` None)."""

    name: str
    namespace: str | None
    labels: Mapping[str, str] = field(default_factory=dict)
    ip: str = "10.244.0.10"
    ports: Mapping[str, int] = field(default_factory=dict)


def _namespace_labels(namespace: str) -> dict[str, str]:
    return {"kubernetes.io/metadata.name": namespace}


def _peer_matches(peer: Manifest, policy_namespace: str, other: Endpoint) -> bool:
    if "ipBlock" in peer:
        # ipBlock is for traffic leaving or entering the cluster; whether a CNI also applies it
        # to pod IPs varies, so these specifications never rely on it for pods.
        if other.namespace is not None:
            return False
        address = ipaddress.ip_address(other.ip)
        block = peer["ipBlock"]
        network = ipaddress.ip_network(block["cidr"])
        if address.version != network.version or address not in network:
            return False
        return not any(
            address.version == ipaddress.ip_network(e).version
            and address in ipaddress.ip_network(e)
            for e in block.get("except", [])
        )
    if other.namespace is None:
        return False
    namespace_selector = peer.get("namespaceSelector")
    if namespace_selector is None:
        namespace_ok = other.namespace == policy_namespace
    else:
        namespace_ok = selector_matches(namespace_selector, _namespace_labels(other.namespace))
    return namespace_ok and selector_matches(peer.get("podSelector"), other.labels)


def _port_matches(
    rule_ports: Sequence[Manifest] | None, port: int, protocol: str, destination: Endpoint
) -> bool:
    if not rule_ports:
        return True
    for rule_port in rule_ports:
        if rule_port.get("protocol", "TCP") != protocol:
            continue
        value: int | str | None = rule_port.get("port")
        if value is None:
            return True
        if isinstance(value, str):
            if destination.ports.get(value) == port:
                return True
            continue
        end: int = rule_port.get("endPort", value)
        if value <= port <= end:
            return True
    return False


def _policy_types(policy: Manifest) -> list[str]:
    spec = policy["spec"]
    if "policyTypes" in spec:
        types: list[str] = spec["policyTypes"]
        return types
    return ["Ingress", "Egress"] if "egress" in spec else ["Ingress"]


def _direction_allows(
    policies: Sequence[Manifest],
    direction: str,
    subject: Endpoint,
    peer: Endpoint,
    port: int,
    protocol: str,
    destination: Endpoint,
) -> bool:
    if subject.namespace is None:
        return True  # outside the cluster: not governed by these policies
    selecting = [
        p
        for p in policies
        if p["metadata"].get("namespace") == subject.namespace
        and direction in _policy_types(p)
        and selector_matches(p["spec"].get("podSelector"), subject.labels)
    ]
    if not selecting:
        return True
    peer_key = "from" if direction == "Ingress" else "to"
    for policy in selecting:
        for rule in policy["spec"].get(direction.lower()) or []:
            peers = rule.get(peer_key)
            peer_ok = not peers or any(
                _peer_matches(p, policy["metadata"]["namespace"], peer) for p in peers
            )
            if peer_ok and _port_matches(rule.get("ports"), port, protocol, destination):
                return True
    return False


def reachable(
    policies: Sequence[Manifest],
    source: Endpoint,
    destination: Endpoint,
    port: int,
    protocol: str = "TCP",
) -> bool:
    """Whether the policies let ``source`` open ``destination:port`` (egress and ingress)."""
    return _direction_allows(
        policies, "Egress", source, destination, port, protocol, destination
    ) and _direction_allows(policies, "Ingress", destination, source, port, protocol, destination)


def endpoints_of(rendered: Rendered) -> Iterator[Endpoint]:
    """One pod per rendered workload, named after the workload."""
    for index, workload in enumerate(rendered.workloads):
        yield Endpoint(
            name=workload["metadata"]["name"],
            namespace=workload["metadata"]["namespace"],
            labels=pod_labels(workload),
            ip=f"10.244.1.{index + 10}",
            ports=container_ports(workload),
        )
