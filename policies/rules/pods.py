"""Rules over pod specs: privilege, root, hostPath, memory limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.rules.limits import Limits
from policies.rules.registry import resource_rule
from policies.rules.values import truthy
from policies.rules.workloads import WORKLOAD_TYPES, containers, pod_spec

_POD_SECURITY = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"

_DANGEROUS_CAPABILITIES = frozenset({"ALL", "SYS_ADMIN"})
_HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")


@resource_rule(
    "VP-POD-001",
    types=WORKLOAD_TYPES,
    title="privileged pod: privileged, allowPrivilegeEscalation, ALL/SYS_ADMIN capabilities or host namespaces",
    why="Each of these is a route from the container to the node and every secret on it.",
    source=_POD_SECURITY,
)
def privileged(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    spec = pod_spec(type_token, inputs)
    found: list[str] = []
    shared = [key for key in _HOST_NAMESPACES if truthy(spec.get(key))]
    if shared:
        found.append(f"pod shares host namespaces ({', '.join(shared)})")
    for container in containers(spec):
        context = container.get("securityContext") or {}
        name = container.get("name", "?")
        if truthy(context.get("privileged")):
            found.append(f"container {name!r} is privileged")
        if truthy(context.get("allowPrivilegeEscalation")):
            found.append(f"container {name!r} allows privilege escalation")
        added = {
            str(c).upper().removeprefix("CAP_") for c in (context.get("capabilities") or {}).get("add") or []
        }
        if added & _DANGEROUS_CAPABILITIES:
            found.append(f"container {name!r} adds {sorted(added & _DANGEROUS_CAPABILITIES)}")
    return found


@resource_rule(
    "VP-POD-002",
    types=WORKLOAD_TYPES,
    title="container may run as root (no runAsNonRoot/runAsUser > 0, or runAsUser 0)",
    why="Vault and its jobs need no root; the restricted Pod Security Standard forbids it.",
    source=_POD_SECURITY + "#restricted",
)
def runs_as_root(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    spec = pod_spec(type_token, inputs)
    found: list[str] = []
    pod_context = spec.get("securityContext") or {}
    for container in containers(spec):
        context = container.get("securityContext") or {}
        # The container's setting wins over the pod's, field by field (Kubernetes SecurityContext semantics).
        user = context.get("runAsUser", pod_context.get("runAsUser"))
        non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
        name = container.get("name", "?")
        if user is not None and float(user) == 0:
            found.append(f"container {name!r} sets runAsUser 0")
        elif user is None and not truthy(non_root):
            found.append(f"container {name!r} may run as root: set runAsNonRoot or runAsUser > 0")
    return found


@resource_rule(
    "VP-POD-003",
    types=WORKLOAD_TYPES,
    title="hostPath volume",
    why="hostPath exposes the node's filesystem (kubelet credentials, other pods' data).",
    source=_POD_SECURITY + "#baseline",
)
def host_path(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    spec = pod_spec(type_token, inputs)
    return [
        f"volume {volume.get('name', '?')!r} mounts hostPath {volume['hostPath'].get('path', '?')}"
        for volume in spec.get("volumes") or []
        if isinstance(volume, dict) and isinstance(volume.get("hostPath"), dict)
    ]


@resource_rule(
    "VP-POD-004",
    types=WORKLOAD_TYPES,
    title="container without a memory limit",
    why="An unbounded container can starve Raft peers on the node. CPU limits are not required: they "
    "throttle Vault's latency-sensitive work.",
    source="https://developer.hashicorp.com/vault/tutorials/kubernetes/kubernetes-raft-deployment-guide",
)
def memory_limits(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    spec = pod_spec(type_token, inputs)
    return [
        f"container {container.get('name', '?')!r} has no memory limit"
        for container in containers(spec)
        if not ((container.get("resources") or {}).get("limits") or {}).get("memory")
    ]
