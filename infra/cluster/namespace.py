"""The Vault namespace, enforcing the `restricted` Pod Security Standard on everything in it."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.layout import LABELS
from infra.config import StackConfig


def namespace_manifest(cfg: StackConfig) -> dict:
    restricted = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": cfg.cluster.namespace, "labels": {**LABELS, **restricted}},
    }


def create_namespace(cfg: StackConfig, opts: pulumi.ResourceOptions) -> k8s.core.v1.Namespace:
    m = namespace_manifest(cfg)
    # Deleting the namespace would delete the Raft volumes' claims with it.
    return k8s.core.v1.Namespace(
        "namespace",
        metadata=m["metadata"],
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True)),
    )
