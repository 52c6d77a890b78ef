"""Service accounts and the server's RBAC: Workload Identity annotations, pod labelling, TokenReview."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.layout import LABELS, SNAPSHOT_SELECTOR, metadata
from infra.config import StackConfig
from infra.names import SNAPSHOT_SERVICE_ACCOUNT, VAULT_SERVICE_ACCOUNT

WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account"


def service_account_manifest(
    cfg: StackConfig, name: str, gsa_email: pulumi.Input[str], labels: dict | None = None
) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {**metadata(cfg, name, labels), "annotations": {WORKLOAD_IDENTITY_ANNOTATION: gsa_email}},
        # Pods opt in to a token explicitly (the server does; the snapshot job uses a projected one).
        "automountServiceAccountToken": False,
    }


def discovery_role_manifest(cfg: StackConfig) -> dict:
    # service_registration "kubernetes" labels its own pod vault-active / vault-sealed / ...
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": metadata(cfg, "vault-discovery"),
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "update", "patch"]}],
    }


def discovery_binding_manifest(cfg: StackConfig) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": metadata(cfg, "vault-discovery"),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "vault-discovery"},
        "subjects": [
            {"kind": "ServiceAccount", "name": VAULT_SERVICE_ACCOUNT, "namespace": cfg.cluster.namespace}
        ],
    }


def auth_delegator_manifest(cfg: StackConfig) -> dict:
    # Kubernetes auth reviews clients' service-account tokens with the server's own token (TokenReview).
    name = f"vault-{cfg.cluster.namespace}-auth-delegator"
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name, "labels": dict(LABELS)},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "system:auth-delegator",
        },
        "subjects": [
            {"kind": "ServiceAccount", "name": VAULT_SERVICE_ACCOUNT, "namespace": cfg.cluster.namespace}
        ],
    }


def create_rbac(
    cfg: StackConfig,
    vault_gsa_email: pulumi.Input[str],
    snapshot_gsa_email: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> list[pulumi.Resource]:
    vault_sa = service_account_manifest(cfg, VAULT_SERVICE_ACCOUNT, vault_gsa_email)
    snapshot_sa = service_account_manifest(
        cfg, SNAPSHOT_SERVICE_ACCOUNT, snapshot_gsa_email, SNAPSHOT_SELECTOR
    )
    role, binding, delegator = (
        discovery_role_manifest(cfg),
        discovery_binding_manifest(cfg),
        auth_delegator_manifest(cfg),
    )
    return [
        k8s.core.v1.ServiceAccount(
            "sa-vault",
            metadata=vault_sa["metadata"],
            automount_service_account_token=vault_sa["automountServiceAccountToken"],
            opts=opts,
        ),
        k8s.core.v1.ServiceAccount(
            "sa-vault-snapshot",
            metadata=snapshot_sa["metadata"],
            automount_service_account_token=snapshot_sa["automountServiceAccountToken"],
            opts=opts,
        ),
        k8s.rbac.v1.Role("discovery-role", metadata=role["metadata"], rules=role["rules"], opts=opts),
        k8s.rbac.v1.RoleBinding(
            "discovery-binding",
            metadata=binding["metadata"],
            role_ref=binding["roleRef"],
            subjects=binding["subjects"],
            opts=opts,
        ),
        k8s.rbac.v1.ClusterRoleBinding(
            "auth-delegator",
            metadata=delegator["metadata"],
            role_ref=delegator["roleRef"],
            subjects=delegator["subjects"],
            opts=opts,
        ),
    ]
