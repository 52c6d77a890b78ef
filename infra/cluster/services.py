"""The Vault Services: headless (peer DNS), client (any ready node), active (leader), standby, and the
internal load balancer `vault-api`, the one way in from outside the cluster."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.layout import (
    ACTIVE_LABEL,
    ACTIVE_SERVICE,
    API_LB_SERVICE,
    API_PORT,
    CLIENT_SERVICE,
    CLUSTER_PORT,
    HEADLESS_SERVICE,
    SELECTOR,
    STANDBY_SERVICE,
    metadata,
)
from infra.cluster.object_meta import object_meta
from infra.config import StackConfig

_PORTS = [
    {"name": "https", "port": API_PORT, "targetPort": API_PORT, "protocol": "TCP"},
    {"name": "cluster", "port": CLUSTER_PORT, "targetPort": CLUSTER_PORT, "protocol": "TCP"},
]


# Marks the one service a ServiceMonitor scrapes through, so no pod is scraped once per service.
SCRAPE_LABEL = {"vault-platform/scrape": "true"}


def _service(cfg: StackConfig, name: str, spec: dict, labels: dict | None = None) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(cfg, name, labels),
        "spec": {"type": "ClusterIP", "ports": [dict(p) for p in _PORTS], **spec},
    }


def headless_manifest(cfg: StackConfig) -> dict:
    # Unready pods stay resolvable: an uninitialized or sealed node must still be reachable to join.
    return _service(
        cfg,
        HEADLESS_SERVICE,
        {"clusterIP": "None", "publishNotReadyAddresses": True, "selector": dict(SELECTOR)},
        SCRAPE_LABEL,
    )


def client_manifest(cfg: StackConfig) -> dict:
    return _service(cfg, CLIENT_SERVICE, {"selector": dict(SELECTOR)})


def active_manifest(cfg: StackConfig) -> dict:
    return _service(cfg, ACTIVE_SERVICE, {"selector": {**SELECTOR, ACTIVE_LABEL: "true"}})


def standby_manifest(cfg: StackConfig) -> dict:
    return _service(cfg, STANDBY_SERVICE, {"selector": {**SELECTOR, ACTIVE_LABEL: "false"}})


# GKE's internal passthrough Network Load Balancer (cloud.google.com/kubernetes-engine/docs/concepts/
# service-load-balancer-parameters); the address is a reserved one, claimed by name.
LB_TYPE_ANNOTATION = "networking.gke.io/load-balancer-type"
LB_ADDRESS_ANNOTATION = "networking.gke.io/load-balancer-ip-addresses"
LB_GLOBAL_ACCESS_ANNOTATION = "networking.gke.io/internal-load-balancer-allow-global-access"


def api_load_balancer_manifest(cfg: StackConfig, address_name: str) -> dict:
    """Any ready (unsealed) server behind a regional internal load balancer on `address_name`, port
    8200 only (never the Raft port), from `cluster.api_access.allowed_cidrs` only (GKE writes the VPC
    firewall rule from `loadBalancerSourceRanges`)."""
    access = cfg.cluster.api_access
    assert access is not None
    annotations = {LB_TYPE_ANNOTATION: "Internal", LB_ADDRESS_ANNOTATION: address_name}
    if access.global_access:
        annotations[LB_GLOBAL_ACCESS_ANNOTATION] = "true"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {**metadata(cfg, API_LB_SERVICE), "annotations": annotations},
        "spec": {
            "type": "LoadBalancer",
            # Local: nodes without a ready Vault pod fail the load balancer's health check, so packets
            # go straight to a node running one and are never forwarded (and source-NATed) to another
            # node. The pod sees the client's own address, which is what the NetworkPolicy's ipBlocks
            # match (Dataplane V2 enforces them on the pod).
            "externalTrafficPolicy": "Local",
            "loadBalancerSourceRanges": list(access.allowed_cidrs),
            "selector": dict(SELECTOR),
            "ports": [{"name": "https", "port": API_PORT, "targetPort": API_PORT, "protocol": "TCP"}],
        },
    }


def service_manifests(cfg: StackConfig) -> list[dict]:
    return [headless_manifest(cfg), client_manifest(cfg), active_manifest(cfg), standby_manifest(cfg)]


def _skip_await(meta: dict) -> dict:
    # Label-selected services may have no endpoints for a while (e.g. before init): don't await them.
    return {**meta, "annotations": {**meta.get("annotations", {}), "pulumi.com/skipAwait": "true"}}


def create_services(cfg: StackConfig, opts: pulumi.ResourceOptions) -> list[k8s.core.v1.Service]:
    services = []
    for m in service_manifests(cfg):
        name = m["metadata"]["name"]
        services.append(
            k8s.core.v1.Service(
                f"service-{name}", metadata=object_meta(_skip_await(m["metadata"])), spec=m["spec"], opts=opts
            )
        )
    return services


def create_api_load_balancer(
    cfg: StackConfig, address: pulumi.Resource, address_name: str, opts: pulumi.ResourceOptions
) -> k8s.core.v1.Service:
    m = api_load_balancer_manifest(cfg, address_name)
    return k8s.core.v1.Service(
        f"service-{API_LB_SERVICE}",
        metadata=object_meta(_skip_await(m["metadata"])),
        spec=m["spec"],
        # GKE looks the address up by name when it creates the forwarding rule: reserve it first.
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[address])),
    )
