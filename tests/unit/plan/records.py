"""Hand-made run records (the shape `infra.plan.emit` produces) for the plan's unit tests."""

from __future__ import annotations

from typing import Any

from infra.plan.model import Snapshot


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:t::vault-platform::{type_token}::{name}"


def rec(type_token: str, name: str, inputs: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "urn": urn(type_token, name),
        "type": type_token,
        "name": name,
        "custom": True,
        "parent": "",
        "inputs": inputs or {},
        "secrets": {},
    }
    record.update(options)
    return record


def snap(*records: dict[str, Any]) -> Snapshot:
    return Snapshot.from_records(records)


POLICY = "vault:index/policy:Policy"
K8S_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole"
JWT_ROLE = "vault:jwt/authBackendRole:AuthBackendRole"
AUTH = "vault:index/authBackend:AuthBackend"
JWT_AUTH = "vault:jwt/authBackend:AuthBackend"
ENTITY = "vault:identity/entity:Entity"
ALIAS = "vault:identity/entityAlias:EntityAlias"
GROUP = "vault:identity/group:Group"
MOUNT = "vault:index/mount:Mount"


def policy(name: str, text: str) -> dict[str, Any]:
    return rec(POLICY, f"policy-{name}", {"name": name, "policy": text})


def k8s_role(
    name: str, policies: list[str], namespace: str = "ns", account: str = "sa", **inputs: Any
) -> dict[str, Any]:
    return rec(
        K8S_ROLE,
        f"role-{name}",
        {
            "backend": "kubernetes",
            "roleName": name,
            "boundServiceAccountNamespaces": [namespace],
            "boundServiceAccountNames": [account],
            "aliasNameSource": "serviceaccount_name",
            "tokenPolicies": policies,
            "tokenNoDefaultPolicy": True,
            **inputs,
        },
    )


def entity(name: str, **metadata: str) -> dict[str, Any]:
    return rec(ENTITY, f"entity-{name}", {"name": name, "metadata": metadata})


def alias(name: str, entity_name: str, backend_urn: str) -> dict[str, Any]:
    owner = urn(ENTITY, f"entity-{entity_name}")
    return rec(
        ALIAS,
        f"alias-{entity_name}-{name.replace('/', '-')}",
        {"name": name, "canonicalId": f"entity-{entity_name}-id"},
        dependencies=sorted([owner, backend_urn]),
        property_dependencies={"canonicalId": [owner]},
    )


KV_OWN = 'path "kv/data/apps/{{identity.entity.metadata.service}}/*" { capabilities = ["read"] }\n'
