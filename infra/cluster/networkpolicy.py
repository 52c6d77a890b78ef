"""NetworkPolicy: the API port only from allowed namespaces, the cluster port only between Vault pods."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.layout import API_PORT, CLUSTER_PORT, SELECTOR, SNAPSHOT_SELECTOR, STATEFULSET, metadata
from infra.config import StackConfig

# Where each scrape flavour's collectors run (Google Managed Prometheus: gmp-system). For the
# Prometheus Operator the namespace varies: list it in cluster.client_namespaces.
SCRAPER_NAMESPACES = {"podmonitoring": ["gmp-system"], "servicemonitor": [], "none": []}
_NAMESPACE_NAME = "kubernetes.io/metadata.name"  # set by Kubernetes itself, so it cannot be spoofed


def api_client_namespaces(cfg: StackConfig) -> list[str]:
    namespaces = {
        *cfg.cluster.client_namespaces,
        *cfg.service_namespaces(),
        *SCRAPER_NAMESPACES[cfg.cluster.telemetry.scrape],
    }
    namespaces.discard(cfg.cluster.namespace)  # admitted pod by pod below, not as a whole namespace
    return sorted(namespaces)


def networkpolicy_manifest(cfg: StackConfig) -> dict:
    vault_pods = {"podSelector": {"matchLabels": dict(SELECTOR)}}
    api_from = [vault_pods, {"podSelector": {"matchLabels": dict(SNAPSHOT_SELECTOR)}}]
    clients = api_client_namespaces(cfg)
    if clients:
        api_from.append(
            {
                "namespaceSelector": {
                    "matchExpressions": [{"key": _NAMESPACE_NAME, "operator": "In", "values": clients}]
                }
            }
        )
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(cfg, STATEFULSET),
        "spec": {
            "podSelector": {"matchLabels": dict(SELECTOR)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": api_from, "ports": [{"protocol": "TCP", "port": API_PORT}]},
                # Raft and request forwarding: peers only.
                {"from": [vault_pods], "ports": [{"protocol": "TCP", "port": CLUSTER_PORT}]},
            ],
        },
    }


def create_networkpolicy(cfg: StackConfig, opts: pulumi.ResourceOptions) -> k8s.networking.v1.NetworkPolicy:
    m = networkpolicy_manifest(cfg)
    return k8s.networking.v1.NetworkPolicy("networkpolicy", metadata=m["metadata"], spec=m["spec"], opts=opts)
