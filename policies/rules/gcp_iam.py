"""Rules over GCP IAM grants and service-account keys."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from policies.rules.limits import Limits
from policies.rules.registry import resource_rule
from policies.rules.values import field

# Every IAM grant resource of pulumi-gcp: `gcp:<module>/<x>IAM{Member,Binding,Policy}:<Name>`.
IAM_GRANT_TYPES = ("gcp:*:*IAMMember", "gcp:*:*IAMBinding", "gcp:*:*IAMPolicy")

SERVICE_ACCOUNT_KEY = "gcp:serviceaccount/key:Key"
_BASIC_ROLES = frozenset({"roles/owner", "roles/editor"})
_KMS_ROLE_PREFIX = "roles/cloudkms."
# Scopes broader than one crypto key: a KMS grant here reaches every key under it.
_BROAD_KMS_MODULES = frozenset({"projects", "organizations", "folder"})


def is_iam_grant(type_token: str) -> bool:
    """Every IAM grant resource of pulumi-gcp: `gcp:<module>/<x>IAM{Member,Binding,Policy}:<Name>`."""
    parts = type_token.split(":")
    return (
        len(parts) == 3 and parts[0] == "gcp" and parts[2].endswith(("IAMMember", "IAMBinding", "IAMPolicy"))
    )


def _module(type_token: str) -> str:
    return type_token.split(":")[1].split("/")[0]


def _roles(inputs: Mapping[str, Any]) -> list[str]:
    role = field(inputs, "role")
    if isinstance(role, str):
        return [role]
    policy_data = field(inputs, "policyData")
    if isinstance(policy_data, str):
        try:
            bindings = json.loads(policy_data).get("bindings", [])
        except (json.JSONDecodeError, AttributeError):
            return []
        return [str(binding.get("role", "")) for binding in bindings if isinstance(binding, dict)]
    return []


def _is_kms_role(role: str) -> bool:
    # Custom roles (projects/<p>/roles/<id>) cannot be expanded offline; their name is the best signal we have.
    custom = "/roles/" in role
    return role.startswith(_KMS_ROLE_PREFIX) or (custom and "kms" in role.rsplit("/", 1)[-1].lower())


@resource_rule(
    "VP-GCP-001",
    types=IAM_GRANT_TYPES,
    title="GCP IAM grant of a basic role (roles/owner, roles/editor)",
    why="Basic roles include thousands of permissions across every service.",
    source="https://cloud.google.com/iam/docs/roles-overview#basic",
)
def basic_roles(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    if not is_iam_grant(type_token):
        return []
    return [f"grants basic role {role}" for role in _roles(inputs) if role in _BASIC_ROLES]


@resource_rule(
    "VP-GCP-002",
    types=IAM_GRANT_TYPES,
    title="Cloud KMS role granted at project, folder, org or key-ring scope instead of on the crypto key",
    why="The unseal key must be usable only by Vault: wider scopes reach every key, present and future.",
    source="https://cloud.google.com/kms/docs/iam#granting_roles_on_a_resource; "
    "https://developer.hashicorp.com/vault/docs/configuration/seal/gcpckms",
)
def kms_scope(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    if not is_iam_grant(type_token):
        return []
    found: list[str] = []
    module, resource = _module(type_token), type_token.split(":")[2]
    for role in _roles(inputs):
        if not _is_kms_role(role):
            continue
        if module in _BROAD_KMS_MODULES:
            found.append(f"grants {role} at {module} scope; grant it on the crypto key")
        elif module == "kms" and resource.startswith("KeyRing"):
            found.append(f"grants {role} on the whole key ring; grant it on the crypto key")
    return found


@resource_rule(
    "VP-GCP-003",
    types=(SERVICE_ACCOUNT_KEY,),
    title="service account key (gcp:serviceaccount/key:Key)",
    why="Exported keys are long-lived secrets that land in state; use Workload Identity.",
    source="https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys",
)
def service_account_key(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    return ["service account key: use Workload Identity instead of an exported key"]
