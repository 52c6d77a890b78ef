"""The MutatingWebhookConfiguration: which pod creations the API server sends to the injector.

- `failurePolicy` (config, default `Fail`): a pod that expects its secrets as files must not start
  without them; a refused creation is visible and its controller retries, while `Ignore` would start
  it secret-less and fail later, less clearly. Two replicas and a PDB keep the webhook answering.
- `namespaceSelector`: only the catalog's service namespaces (by `kubernetes.io/metadata.name`, which
  the API server sets and nobody can forge). The injector's and Vault's own namespaces, kube-system and
  every other namespace are never sent to the webhook, so a down injector cannot block the pods that
  would bring it (or Vault, or the cluster) back. Config validation refuses a catalog that names them.
- CREATE of pods only, `sideEffects: None`, a short timeout, `reinvocationPolicy: Never`.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.injector.layout import LABELS, SERVICE, SERVICE_PORT, WEBHOOK_CONFIG, WEBHOOK_NAME
from infra.cluster.injector.tls import ca_bundle
from infra.config import StackConfig

NAMESPACE_NAME = "kubernetes.io/metadata.name"


def webhook_manifest(cfg: StackConfig, ca_pem: str | None) -> dict:
    injector = cfg.injector
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": WEBHOOK_CONFIG, "labels": dict(LABELS)},
        "webhooks": [
            {
                "name": WEBHOOK_NAME,
                "admissionReviewVersions": ["v1"],
                "sideEffects": "None",
                "failurePolicy": injector.failure_policy,
                "matchPolicy": "Exact",
                "timeoutSeconds": injector.timeout_seconds,
                "reinvocationPolicy": "Never",
                "clientConfig": {
                    "service": {
                        "name": SERVICE,
                        "namespace": injector.namespace,
                        "path": "/mutate",
                        "port": SERVICE_PORT,
                    },
                    "caBundle": ca_bundle(ca_pem),
                },
                "rules": [
                    {
                        "operations": ["CREATE"],
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "resources": ["pods"],
                        "scope": "Namespaced",
                    }
                ],
                "namespaceSelector": {
                    "matchExpressions": [
                        {"key": NAMESPACE_NAME, "operator": "In", "values": cfg.service_namespaces()}
                    ]
                },
            }
        ],
    }


def create_webhook(
    cfg: StackConfig, ca_pem: pulumi.Output[str], opts: pulumi.ResourceOptions
) -> k8s.admissionregistration.v1.MutatingWebhookConfiguration:
    webhooks = ca_pem.apply(lambda pem: webhook_manifest(cfg, pem)["webhooks"])
    return k8s.admissionregistration.v1.MutatingWebhookConfiguration(
        "injector-webhook",
        metadata={"name": WEBHOOK_CONFIG, "labels": dict(LABELS)},
        webhooks=webhooks,
        opts=opts,
    )
