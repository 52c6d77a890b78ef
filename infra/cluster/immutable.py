"""Which changes to a Kubernetes object the engine applies as a replacement (delete, then create).

Pulumi's Kubernetes provider replaces an object instead of patching it when one of its "force new"
fields changes: `metadata.name` and `metadata.namespace` of every kind, plus a per-kind list
(pulumi/pulumi-kubernetes, provider/pkg/provider/diff.go, `forceNew`), most of them fields the API
server refuses to update (a StatefulSet's claim templates, selector, service name, pod management
policy). For the Vault StatefulSet a replacement deletes every voter at once, so it is `protect`ed and
the engine refuses; the plan diff (`vaultctl plan --against REF`) imports this module to say *why* a
change would replace an object and which runbook keeps quorum instead:

    from infra.cluster.immutable import replaced_fields, replacement_message
    fields = replaced_fields(resource.type, old.inputs, new.inputs)
    if fields:
        print(replacement_message(resource.type, resource.name, fields))

Paths are dotted paths into the resource's inputs as the program declares them (camelCase, the
Kubernetes field names). Pure: no Pulumi, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Every kind: identity.
_METADATA = ("metadata.name", "metadata.namespace")

# pulumi-kubernetes `forceNew`, per type token this program (or a plan diff) can meet. A change at or
# below one of these paths replaces the object.
REPLACING_FIELDS: Mapping[str, tuple[str, ...]] = {
    "kubernetes:apps/v1:StatefulSet": (
        *_METADATA,
        "spec.podManagementPolicy",
        "spec.revisionHistoryLimit",
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
    ),
    "kubernetes:apps/v1:Deployment": (*_METADATA, "spec.selector"),
    "kubernetes:apps/v1:DaemonSet": (*_METADATA, "spec.selector"),
    "kubernetes:batch/v1:Job": (
        *_METADATA,
        "spec.completions",
        "spec.parallelism",
        "spec.selector",
        "spec.template",
    ),
    # Without the provider's (beta) enableConfigMapMutable / enableSecretMutable, new content is a new
    # object: harmless here (running pods keep their mounted copy; only the checksum rolls them).
    "kubernetes:core/v1:ConfigMap": (*_METADATA, "data", "binaryData"),
    "kubernetes:core/v1:Secret": (*_METADATA, "type", "data", "stringData"),
    "kubernetes:core/v1:Service": (*_METADATA, "spec.clusterIP"),
    "kubernetes:core/v1:PersistentVolumeClaim": (*_METADATA, "spec"),
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": (*_METADATA, "roleRef"),
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": (*_METADATA, "roleRef"),
}

# Where an operator learns how to make the change without losing quorum.
RUNBOOKS: Mapping[str, str] = {
    "kubernetes:apps/v1:StatefulSet": "docs/statefulset-changes.md",
}

_MISSING = object()


def _get(inputs: Mapping[str, Any], path: str) -> Any:
    value: Any = inputs
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def replacing_fields(type_token: str) -> tuple[str, ...]:
    """The force-new paths of a type; any Kubernetes kind not listed still replaces on name/namespace."""
    if type_token in REPLACING_FIELDS:
        return REPLACING_FIELDS[type_token]
    return _METADATA if type_token.startswith("kubernetes:") else ()


def replaced_fields(type_token: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The force-new paths whose value differs between two declarations of one resource, in table
    order; empty when the change (if any) is an in-place update."""
    return [path for path in replacing_fields(type_token) if _get(old, path) != _get(new, path)]


def replacement_message(type_token: str, name: str, fields: list[str]) -> str:
    kind = type_token.rsplit(":", 1)[-1]
    message = f"{kind} {name} would be replaced (changed: {', '.join(fields)})"
    runbook = RUNBOOKS.get(type_token)
    if runbook:
        message += (
            f"; it is protected, so `pulumi up` refuses: follow {runbook} to change it without losing quorum"
        )
    return message
