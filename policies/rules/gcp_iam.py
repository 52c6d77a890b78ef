"""Rules over GCP IAM grants and service-account keys."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from policies.rules.limits import Limits
from policies.rules.values import field

RawFinding = tuple[str, str]

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


def iam_grant(type_token: str, inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    found: list[RawFinding] = []
    module, resource = _module(type_token), type_token.split(":")[2]
    for role in _roles(inputs):
        if role in _BASIC_ROLES:
            found.append(("VP-GCP-001", f"grants basic role {role}"))
        if _is_kms_role(role):
            if module in _BROAD_KMS_MODULES:
                found.append(("VP-GCP-002", f"grants {role} at {module} scope; grant it on the crypto key"))
            elif module == "kms" and resource.startswith("KeyRing"):
                found.append(
                    ("VP-GCP-002", f"grants {role} on the whole key ring; grant it on the crypto key")
                )
    return found


def service_account_key(inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    return [("VP-GCP-003", "service account key: use Workload Identity instead of an exported key")]
