"""The injector's Service (443 -> 8080) the API server calls, and its PodDisruptionBudget."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.injector.layout import NAME, PORT, SELECTOR, SERVICE, SERVICE_PORT, metadata
from infra.config import StackConfig


def service_manifest(cfg: StackConfig) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(cfg, SERVICE),
        "spec": {
            "type": "ClusterIP",
            "ports": [{"name": "https", "port": SERVICE_PORT, "targetPort": PORT, "protocol": "TCP"}],
            "selector": dict(SELECTOR),
        },
    }


def pdb_manifest(cfg: StackConfig) -> dict:
    # A node drain never takes the last injector: with failurePolicy Fail, no injector = no new pods.
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(cfg, NAME),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(SELECTOR)}},
    }


def create_service(cfg: StackConfig, opts: pulumi.ResourceOptions) -> k8s.core.v1.Service:
    m = service_manifest(cfg)
    return k8s.core.v1.Service("injector-svc", metadata=m["metadata"], spec=m["spec"], opts=opts)


def create_pdb(cfg: StackConfig, opts: pulumi.ResourceOptions) -> k8s.policy.v1.PodDisruptionBudget:
    m = pdb_manifest(cfg)
    return k8s.policy.v1.PodDisruptionBudget(
        "injector-pdb", metadata=m["metadata"], spec=m["spec"], opts=opts
    )
