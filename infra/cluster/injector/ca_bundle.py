"""The Vault CA in each service namespace (`vault-ca`, the `vault.hashicorp.com/tls-secret` the pod
annotations name): the agent verifies Vault's listener with it. Public material only; the namespaces
themselves belong to the applications and must exist before `pulumi up` (a missing one fails the
Secret's creation with the namespace's name)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.injector.layout import LABELS, VAULT_CA_SECRET
from infra.config import StackConfig


def ca_secret_manifest(namespace: str, ca_pem: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": VAULT_CA_SECRET, "namespace": namespace, "labels": dict(LABELS)},
        "type": "Opaque",
        "stringData": {"ca.crt": ca_pem},
    }


def create_ca_secrets(
    cfg: StackConfig, ca_pem: pulumi.Output[str], opts: pulumi.ResourceOptions
) -> list[k8s.core.v1.Secret]:
    secrets = []
    for namespace in cfg.service_namespaces():
        m = ca_secret_manifest(namespace, "<the Vault CA>")
        secrets.append(
            k8s.core.v1.Secret(
                f"vault-ca-{namespace}",
                metadata=m["metadata"],
                type=m["type"],
                string_data={"ca.crt": ca_pem},
                opts=opts,
            )
        )
    return secrets
