"""NetworkPolicies: the API port only from allowed namespaces and the access CIDRs, the cluster port only
between Vault pods, the TLS probe port only from the Managed Prometheus collector."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster import tls_probe
from infra.cluster.layout import (
    API_LB_SERVICE,
    API_PORT,
    CLUSTER_PORT,
    SELECTOR,
    SNAPSHOT_SELECTOR,
    STATEFULSET,
    TLS_PROBE_PORT,
    metadata,
)
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


def _namespaces(names: list[str]) -> dict:
    return {
        "namespaceSelector": {
            "matchExpressions": [{"key": _NAMESPACE_NAME, "operator": "In", "values": names}]
        }
    }


def networkpolicy_manifest(cfg: StackConfig) -> dict:
    vault_pods = {"podSelector": {"matchLabels": dict(SELECTOR)}}
    api_from = [vault_pods, {"podSelector": {"matchLabels": dict(SNAPSHOT_SELECTOR)}}]
    clients = api_client_namespaces(cfg)
    if clients:
        api_from.append(_namespaces(clients))
    ingress = [
        {"from": api_from, "ports": [{"protocol": "TCP", "port": API_PORT}]},
        # Raft and request forwarding: peers only.
        {"from": [vault_pods], "ports": [{"protocol": "TCP", "port": CLUSTER_PORT}]},
    ]
    if tls_probe.enabled(cfg):
        # The blackbox exporter probes whatever target a request names: only the collector may ask.
        ingress.append(
            {
                "from": [_namespaces(SCRAPER_NAMESPACES["podmonitoring"])],
                "ports": [{"protocol": "TCP", "port": TLS_PROBE_PORT}],
            }
        )
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(cfg, STATEFULSET),
        "spec": {
            "podSelector": {"matchLabels": dict(SELECTOR)},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }


def api_clients_manifest(cfg: StackConfig) -> dict | None:
    """Clients outside the cluster, through the `vault-api` load balancer: exactly the access CIDRs, on
    the API port only. Policies add up, so this is its own object, the one a reviewer reads for "who
    from outside". The load balancer's `externalTrafficPolicy: Local` keeps the client's address."""
    access = cfg.cluster.api_access
    if access is None:
        return None
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(cfg, API_LB_SERVICE + "-clients"),
        "spec": {
            "podSelector": {"matchLabels": dict(SELECTOR)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"ipBlock": {"cidr": cidr}} for cidr in access.allowed_cidrs],
                    "ports": [{"protocol": "TCP", "port": API_PORT}],
                }
            ],
        },
    }


def create_networkpolicies(
    cfg: StackConfig, opts: pulumi.ResourceOptions
) -> list[k8s.networking.v1.NetworkPolicy]:
    policies = []
    for name, m in (
        ("networkpolicy", networkpolicy_manifest(cfg)),
        ("networkpolicy-api-clients", api_clients_manifest(cfg)),
    ):
        if m is not None:
            policies.append(
                k8s.networking.v1.NetworkPolicy(name, metadata=m["metadata"], spec=m["spec"], opts=opts)
            )
    return policies
