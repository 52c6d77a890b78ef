"""Find the pod spec inside every Kubernetes workload kind, so pod rules are written once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.rules.values import field

# Where each kind keeps its pod spec, as keys from the resource's `spec`.
_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": (),
    "kubernetes:apps/v1:Deployment": ("template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("template", "spec"),
    "kubernetes:batch/v1:Job": ("template", "spec"),
    "kubernetes:batch/v1:CronJob": ("jobTemplate", "spec", "template", "spec"),
}


WORKLOAD_TYPES = tuple(_POD_SPEC_PATHS)


def pod_spec(type_token: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    node: Any = field(inputs, "spec") or {}
    for key in _POD_SPEC_PATHS[type_token]:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def containers(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = []
    for key in ("initContainers", "containers"):
        found += [c for c in spec.get(key) or [] if isinstance(c, dict)]
    return found
