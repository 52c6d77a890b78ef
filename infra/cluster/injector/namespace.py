"""The injector's own namespace, enforcing the `restricted` Pod Security Standard."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.injector.layout import LABELS
from infra.config import StackConfig


def namespace_manifest(cfg: StackConfig) -> dict:
    restricted = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": cfg.injector.namespace, "labels": {**LABELS, **restricted}},
    }


def create_namespace(cfg: StackConfig, opts: pulumi.ResourceOptions) -> k8s.core.v1.Namespace:
    return k8s.core.v1.Namespace(
        "injector-namespace", metadata=namespace_manifest(cfg)["metadata"], opts=opts
    )
