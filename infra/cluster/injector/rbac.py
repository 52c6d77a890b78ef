"""The injector's identity: a ServiceAccount and a ClusterRole that can only watch webhook configurations.

vault-k8s always runs an informer on MutatingWebhookConfigurations (subcommand/injector/command.go
`certWatcher` -> `watchWebhooks`, and `getAdminAPIVersion` lists them), so get/list/watch stay.
vault-helm's `patch` is only for `AGENT_INJECT_TLS_AUTO` (the injector writing its own caBundle) and
`nodes`/secrets/configmaps only for its leader elector: with TLS managed here, neither is granted.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.injector.layout import LABELS, NAME, metadata
from infra.config import StackConfig


def service_account_manifest(cfg: StackConfig) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata(cfg)}


def cluster_role_manifest(cfg: StackConfig) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": f"{NAME}-{cfg.injector.namespace}", "labels": dict(LABELS)},
        "rules": [
            {
                "apiGroups": ["admissionregistration.k8s.io"],
                "resources": ["mutatingwebhookconfigurations"],
                "verbs": ["get", "list", "watch"],
            }
        ],
    }


def cluster_role_binding_manifest(cfg: StackConfig) -> dict:
    name = f"{NAME}-{cfg.injector.namespace}"
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name, "labels": dict(LABELS)},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
        "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": cfg.injector.namespace}],
    }


def create_rbac(cfg: StackConfig, opts: pulumi.ResourceOptions) -> list[pulumi.Resource]:
    sa = service_account_manifest(cfg)
    role = cluster_role_manifest(cfg)
    binding = cluster_role_binding_manifest(cfg)
    account = k8s.core.v1.ServiceAccount("injector-sa", metadata=sa["metadata"], opts=opts)
    cluster_role = k8s.rbac.v1.ClusterRole(
        "injector-clusterrole", metadata=role["metadata"], rules=role["rules"], opts=opts
    )
    cluster_binding = k8s.rbac.v1.ClusterRoleBinding(
        "injector-clusterrolebinding",
        metadata=binding["metadata"],
        role_ref=binding["roleRef"],
        subjects=binding["subjects"],
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[account, cluster_role])),
    )
    return [account, cluster_role, cluster_binding]
