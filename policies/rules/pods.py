"""Rules over pod specs: privilege, root, hostPath, memory limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.rules.values import truthy
from policies.rules.workloads import containers

RawFinding = tuple[str, str]

_DANGEROUS_CAPABILITIES = frozenset({"ALL", "SYS_ADMIN"})
_HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")


def privileged(spec: Mapping[str, Any]) -> list[RawFinding]:
    found: list[RawFinding] = []
    shared = [key for key in _HOST_NAMESPACES if truthy(spec.get(key))]
    if shared:
        found.append(("VP-POD-001", f"pod shares host namespaces ({', '.join(shared)})"))
    for container in containers(spec):
        context = container.get("securityContext") or {}
        name = container.get("name", "?")
        if truthy(context.get("privileged")):
            found.append(("VP-POD-001", f"container {name!r} is privileged"))
        if truthy(context.get("allowPrivilegeEscalation")):
            found.append(("VP-POD-001", f"container {name!r} allows privilege escalation"))
        added = {
            str(c).upper().removeprefix("CAP_") for c in (context.get("capabilities") or {}).get("add") or []
        }
        if added & _DANGEROUS_CAPABILITIES:
            found.append(("VP-POD-001", f"container {name!r} adds {sorted(added & _DANGEROUS_CAPABILITIES)}"))
    return found


def runs_as_root(spec: Mapping[str, Any]) -> list[RawFinding]:
    found: list[RawFinding] = []
    pod_context = spec.get("securityContext") or {}
    for container in containers(spec):
        context = container.get("securityContext") or {}
        # The container's setting wins over the pod's, field by field (Kubernetes SecurityContext semantics).
        user = context.get("runAsUser", pod_context.get("runAsUser"))
        non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
        name = container.get("name", "?")
        if user is not None and float(user) == 0:
            found.append(("VP-POD-002", f"container {name!r} sets runAsUser 0"))
        elif user is None and not truthy(non_root):
            found.append(
                ("VP-POD-002", f"container {name!r} may run as root: set runAsNonRoot or runAsUser > 0")
            )
    return found


def host_path(spec: Mapping[str, Any]) -> list[RawFinding]:
    return [
        (
            "VP-POD-003",
            f"volume {volume.get('name', '?')!r} mounts hostPath {volume['hostPath'].get('path', '?')}",
        )
        for volume in spec.get("volumes") or []
        if isinstance(volume, dict) and isinstance(volume.get("hostPath"), dict)
    ]


def memory_limits(spec: Mapping[str, Any]) -> list[RawFinding]:
    return [
        ("VP-POD-004", f"container {container.get('name', '?')!r} has no memory limit")
        for container in containers(spec)
        if not ((container.get("resources") or {}).get("limits") or {}).get("memory")
    ]


POD_RULES = (privileged, runs_as_root, host_path, memory_limits)
